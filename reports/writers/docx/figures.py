"""Figures in the DOCX: a native Word chart (its data editable in Word), a chart picture, or a theme's image,
sized within the text area, with its caption and source line (a mixin of `writer.DocxWriter`)."""

from __future__ import annotations

import io
from typing import Any, Callable

from docx.document import Document as WordDocument
from docx.shared import Emu, Mm

from reports.charts.spec import ChartSpec
from reports.document.nodes import Figure, Text
from reports.document.traversal import plain_text
from reports.theme.model import Theme
from reports.writers.base import RenderContext
from reports.writers.docx.chart_xml import native_chart_type
from reports.writers.docx.charts import alternate_content, chart_height_mm, chart_inline, embed_chart
from reports.writers.docx.fields import Bookmarks
from reports.writers.docx.frames import Frame
from reports.writers.docx.ooxml import EMU_PER_MM, Element, element
from reports.writers.docx.package import word_language_tag
from reports.writers.docx.script_fonts import EastAsianHint, apply_to_chart

MAX_FIGURE_HEIGHT = 0.75
"""A figure may fill at most this share of the text height; taller charts are scaled down to fit."""


class FigureVisits:
    """The figure visitor of `writer.DocxWriter`."""

    theme: Theme
    context: RenderContext
    _frames: list[Frame]
    _word: WordDocument | None
    _bookmarks: Bookmarks
    visit: Callable[[Any], Any]
    _drawing_id: int
    _role_paragraph: Callable[[str], Element]
    _fill: Callable[..., None]
    visit_caption: Callable[..., None]
    _east_asian: EastAsianHint | None

    def visit_figure(self, node: Figure) -> None:
        frame = self._frames[-1]
        fraction = node.width if 0 < node.width <= 1 else 1.0
        width_mm = frame.width_mm * fraction
        paragraph = self._role_paragraph("figure")
        if node.chart is not None:
            title = node.chart.title or (plain_text(node.caption) if node.caption else "")
            if native_chart_type(node.chart, self.theme) is not None:  # a Word chart, its data editable in Word
                self._add_chart(paragraph, node.chart, width_mm, node.alt, title)
            else:  # a kind Word lacks (timeline), or the theme asks for pictures
                png = self.context.charts.png(node.chart, width_mm)
                self._add_picture(paragraph, png, width_mm, node.alt, title)
        elif node.image is not None:  # a logo or photo the theme names, already decoded and checked
            self._add_picture(paragraph, node.image.data, width_mm, node.alt, "")
        else:  # nothing to draw: the alternative text stands in, so no content is lost
            self._fill(paragraph, (Text(node.alt),))
        if node.caption is not None:
            self.visit_caption(node.caption, node.id)
        else:
            self._bookmarks.wrap(paragraph, node.id)
        if node.source:
            self._fill(self._role_paragraph("source"), node.source)

    def _max_figure_height_mm(self) -> float:
        theme = self.theme
        return (theme.page_size_mm[1] - theme.margins.top - theme.margins.bottom) * MAX_FIGURE_HEIGHT

    def _add_chart(self, paragraph: Element, spec: ChartSpec, width_mm: float, alt: str, title: str) -> None:
        """A native Word chart (chart part + embedded workbook, see `docx_charts`) drawn `width_mm` wide, and the
        same chart as a picture with the same alternative text for readers that draw no charts (pandoc, mammoth,
        older Word): an `mc:AlternateContent`, as Office writes a chart kind older readers lack."""
        assert self._word is not None
        embedded = embed_chart(self._word.part, spec, self.theme, word_language_tag(spec.language),
                               self.context.timestamp, self.context.cache)
        height_mm = min(chart_height_mm(spec, width_mm, self.theme), self._max_figure_height_mm())
        self._drawing_id += 1  # one counter for pictures and charts: Word rejects a repeated wp:docPr id
        if self._east_asian is not None:
            apply_to_chart(embedded.chart_part.element, self._east_asian)
        chart = chart_inline(embedded.relationship_id, self._drawing_id, width_mm, height_mm, alt, title)
        picture = self._picture_inline(self.context.charts.png(spec, width_mm), width_mm, alt, title)
        paragraph.append(element("w:r", children=[alternate_content(element("w:drawing", children=[chart]),
                                                                    element("w:drawing", children=[picture]))]))

    def _add_picture(self, paragraph: Element, png: bytes, width_mm: float, alt: str, title: str) -> None:
        inline = self._picture_inline(png, width_mm, alt, title)
        paragraph.append(element("w:r", children=[element("w:drawing", children=[inline])]))

    def _picture_inline(self, png: bytes, width_mm: float, alt: str, title: str) -> Element:
        """The `wp:inline` of a picture `width_mm` wide (shrunk to fit the page), with its alternative text."""
        assert self._word is not None
        inline = self._word.part.new_pic_inline(io.BytesIO(png), width=Mm(width_mm))
        max_height_emu = self._max_figure_height_mm() * EMU_PER_MM
        extent = inline.extent
        if extent.cy > max_height_emu:  # a very tall chart: shrink to fit the page, keeping its proportions
            scale = max_height_emu / extent.cy
            extent.cx, extent.cy = Emu(int(extent.cx * scale)), Emu(int(extent.cy * scale))
            for ext in inline.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}ext"):
                ext.set("cx", str(extent.cx))
                ext.set("cy", str(extent.cy))
        for side in ("distT", "distB", "distL", "distR"):  # as Word writes them; LibreOffice otherwise indents
            inline.set(side, "0")
        self._drawing_id += 1
        properties = inline.docPr
        properties.set("id", str(self._drawing_id))
        properties.set("name", f"Figure {self._drawing_id}")
        properties.set("descr", alt)
        if title:
            properties.set("title", title)
        return inline
