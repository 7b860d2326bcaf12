"""Figures in the PDF: a chart drawn as vector graphics, or a theme's image, with its caption and source line,
kept on one page and grouped in the structure tree (a mixin of `writer.PdfWriter`)."""

from __future__ import annotations

import io
from typing import Any, Callable

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image
from reportlab.platypus import Paragraph as PdfParagraph

from reports.charts.spec import ChartSpec
from reports.document.nodes import Caption, Emphasis, Figure, Picture, Text
from reports.errors import Diagnostic
from reports.theme.model import Theme
from reports.theme.scale import POINTS_PER_MM
from reports.writers.base import RenderContext
from reports.writers.pdf.flowables import ChartFlowable, drawing_fonts
from reports.writers.pdf.structure import StructureTree
from reports.writers.pdf.styles import PdfStyles, ThemeFonts
from reports.writers.pdf.tagging import tag


class FigureVisits:
    """The figure visitor of `writer.PdfWriter`."""

    theme: Theme
    context: RenderContext
    styles: PdfStyles
    fonts: ThemeFonts
    _widths: list[float]
    _structure: StructureTree
    _problems: dict[tuple[str, str], Diagnostic]
    _drawings: dict[Any, object]
    _anchor: Callable[[str], list[Flowable]]
    _caption: Callable[[Caption, str], list[Flowable]]
    _paragraph: Callable[..., PdfParagraph | None]
    _style: Callable[[str], Any]
    _tag_paragraph: Callable[[PdfParagraph, str], list[Flowable]]
    _together: Callable[[list[Flowable]], list[Flowable]]
    visit: Callable[[Any], Any]

    def visit_figure(self, node: Figure) -> list[Flowable]:
        share = min(max(node.width, 0.1), 1.0)
        width = self._widths[-1] * share
        parts: list[Flowable] = self._anchor(node.id)
        look = self.theme.look("figure")
        caption_style = self.theme.style_for("caption")
        # the figure, its caption and source line as one group: PDF 1.7 readers stop at a Figure's /Alt, so a
        # caption inside the Figure would go unread; a caption right after it, in their own Div, is what the
        # PDF Association's Tagged PDF guide recommends
        with self._structure.group("Div"):
            drawn: Flowable | None = None
            if node.chart is not None:
                drawing = self._drawing(node.chart, width / POINTS_PER_MM)
                caption_room = self.styles.leading * 4
                self._check_chart_fonts(drawing, node)
                drawn = ChartFlowable(drawing, width, self.styles.frame_height - caption_room, node.alt,
                                      self.fonts.heading.regular)
                drawn.block_label = f"figure “{' '.join(node.alt.split()[:8])}”"
            elif node.image is not None:  # a logo the theme names, already confined and checked (`theme.images`)
                drawn = self._image(node.image, width)
            if drawn is not None:
                drawn.spaceBefore, drawn.spaceAfter = look.before, look.after
                parts.append(tag(self._structure, drawn, "Figure", alt=" ".join(node.alt.split())))
            else:
                # no chart to draw: print the description rather than lose the figure
                description = self._paragraph((Emphasis((Text(node.alt),)),), self._style(caption_style))
                if description is not None:
                    parts += self._tag_paragraph(description, "P")
            if node.caption is not None:
                parts += self._caption(node.caption, caption_style)
            if node.source:
                source = self._paragraph(node.source, self._style(self.theme.style_for("source")))
                if source is not None:
                    parts += self._tag_paragraph(source, "P")
        return self._together(parts)

    def _image(self, picture: Picture, width: float) -> Flowable:
        """A PNG or JPEG at `width`, its proportions kept, never taller than the frame; left-aligned as in
        the DOCX. The picture was decoded and checked before layout (`reports.theme.images`)."""
        height = width * picture.height / max(picture.width, 1)
        limit = self.styles.frame_height - self.styles.leading * 4
        if height > limit:
            width, height = width * limit / height, limit
        flowable = Image(io.BytesIO(picture.data), width=width, height=height, hAlign="LEFT")
        flowable.block_label = f"image '{picture.name}'"
        return flowable

    def _check_chart_fonts(self, drawing: object, node: Figure) -> None:
        """Chart text must be set in embedded TrueType fonts, never a standard-14 font."""
        for font_name in sorted(drawing_fonts(drawing)):
            try:
                embedded = isinstance(pdfmetrics.getFont(font_name), TTFont)
            except KeyError:
                embedded = False
            if not embedded:
                name = node.chart.name if node.chart is not None else node.alt
                self._problems.setdefault(("chart-font", font_name), Diagnostic(
                    f"chart '{name}' sets text in font '{font_name}', which is not an embedded theme font — "
                    f"draw chart text in the theme's fonts"))

    def _drawing(self, chart: ChartSpec, width_mm: float) -> object:
        """The chart renderer's drawing, asked for once per chart and width (a writer may visit the document again)."""
        try:
            key: object = (hash(chart), chart, round(width_mm, 3))
        except TypeError:
            key = (id(chart), round(width_mm, 3))
        if key not in self._drawings:
            self._drawings[key] = self.context.charts.drawing(chart, width_mm)
        return self._drawings[key]
