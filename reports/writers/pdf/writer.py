"""PDF writer: visits the document tree and lays it out with reportlab platypus.

Block visitors return lists of flowables; inline visitors return reportlab paragraph markup, in which
every `Text` is escaped exactly once (`escape_markup`) — reportlab's Paragraph parses a mini-XML, so an
unescaped `&` corrupts text and `<` crashes or reads files. Each character is checked against the
TrueType face it will be drawn in; characters the font lacks, and characters outside the BMP (emoji),
are reported together as one `LayoutError` instead of being dropped or drawn as boxes.

The PDF is tagged: while visiting, the writer builds the structure tree in content order (`pdf_tagging`)
and wraps each leaf flowable so that its drawing becomes that element's marked content; decoration is drawn
as artifacts.

Helpers: `styles` (fonts, styles), `characters` (which characters a face can set), `tables` (tables,
boxes), `flowables` (keep-with-next, charts), `page` (band, header, footer), `layout` (document template,
outline, one-pass build, layout observer), `tagging` (structure tree, marked content, artifacts); `forms` and
`replay` lay a document out once and fill it in many times (a roster's handouts).
"""

from __future__ import annotations

import io
import re
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.flowables import ListItem as PdfListItem

from reports.document.nodes import (
    BulletList,
    Caption,
    Div,
    Document,
    Emphasis,
    Figure,
    Heading,
    ListItem,
    PageBreak,
    Paragraph,
    Picture,
    Text,
)
from reports.document.traversal import plain_text
from reports.errors import Diagnostic, LayoutError, TemplateError
from reports.writers.base import RenderContext, Visitor
from reports.writers.pdf.characters import CharacterCheck
from reports.writers.pdf.fallback import FallbackFonts
from reports.writers.pdf.flowables import (
    Anchor,
    ChartFlowable,
    describe,
    drawing_fonts,
    group_keep_with_next,
    paragraph_pieces,
)
from reports.writers.pdf.inlines import InlineMarkup, anchor_key, escape_markup
from reports.writers.pdf.layout import LayoutObserver, OutlineEntry, PdfInfo, TaggedStory, build_pdf
from reports.writers.pdf.page import PageTexts
from reports.writers.pdf.structure import StructureTree
from reports.writers.pdf.styles import (
    BOX_TEXT,
    FIGURE_CAPTION,
    FIGURE_SOURCE,
    FontFaces,
    PdfStyles,
    build_styles,
    register_theme_fonts,
)
from reports.writers.pdf.tables import TableVisits, box_content_width, box_text_width, build_box
from reports.writers.pdf.tagging import Tagged, TaggedList, tag

__all__ = ["PdfWriter", "write_pdf", "escape_markup"]

POINTS_PER_MM = 72 / 25.4
BOX_ROLES = ("key-facts", "summary")
BULLETS = ("•", "–", "◦")
"""Bullet glyph per nesting level, drawn in the body font (never reportlab's ZapfDingbats default)."""
NUMBERING = ("1", "a", "i")
LIST_NUMBERING = {"1": "Decimal", "a": "LowerAlpha", "i": "LowerRoman"}
"""Tagged PDF `/ListNumbering` of each numbering style; bulleted lists are `Disc`."""
EXTERNAL_SCHEMES = ("https:", "http:", "mailto:")
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class PdfWriter(TableVisits, InlineMarkup, Visitor):
    """Writes a `Document` as a PDF briefing paper."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.last_layout: tuple[StructureTree, PageTexts, PdfInfo] | None = None
        """The structure tree, page texts and file information of the last `write` (a form keeps them)."""
        self.theme = context.theme
        self.fonts = register_theme_fonts(context.theme, context.theme_folder, context.cache,
                                          FallbackFonts(context.fallback))
        self.styles: PdfStyles = build_styles(context.theme, self.fonts)
        self._drawings: dict[tuple[object, float], object] = {}
        self._reset()

    # --- entry points -------------------------------------------------------------------------

    def write(self, document: Document, observer: LayoutObserver | None = None) -> bytes:
        """The PDF's bytes; the same document and context always give the same bytes.

        `observer` is told what the layout decided (`replay.LayoutPlan` records it for `replay.replay_pdf`).
        """
        texts = self._page_texts(document)
        self._reset()
        first_story = self.visit(document)  # every font problem is found here, before any layout
        problems = list(self._problems.values())
        for text in (texts.header_left, texts.header_right, texts.footer_left, texts.page_label):
            problems += [problem for _, problem in self.characters.problems(text, self.fonts.heading, False, False)]
        if problems:
            raise LayoutError(problems)
        info = PdfInfo(metadata=document.metadata, timestamp=self.context.timestamp)
        self.last_layout = (self._structure, texts, info)
        stories = [TaggedStory(first_story, self._structure)]

        def make_story() -> TaggedStory:
            """The first story, then fresh ones: reportlab consumes and mutates flowables while laying out
            (and each layout fills in its own structure tree)."""
            if stories:
                return stories.pop()
            self._reset()
            return TaggedStory(self.visit(document), self._structure)

        return build_pdf(make_story, self.styles, texts, info, observer)

    def visit(self, node: Any) -> Any:
        made = super().visit(node)
        position = getattr(node, "position", None)
        if position is not None and isinstance(made, list):
            for flowable in made:  # the innermost block that made a flowable names it in a layout error
                if isinstance(flowable, Flowable) and getattr(flowable, "source_position", None) is None:
                    flowable.source_position = position
        return made

    # --- extension points: a subclass may watch or change what the writer makes (`forms.FormWriter`) --------

    def make_paragraph(self, markup: str, style: ParagraphStyle) -> PdfParagraph:
        """The reportlab paragraph for one paragraph's markup (escaped text and reportlab's inline tags)."""
        return PdfParagraph(markup, style)

    def text_set(self, text: str, faces: FontFaces, bold: bool, italic: bool) -> None:
        """Called for every `Text` with the face it is set in, after its characters were checked."""

    # --- state --------------------------------------------------------------------------------

    def _reset(self) -> None:
        self._problems: dict[tuple[str, str], Diagnostic] = {}
        self.characters = CharacterCheck(self.fonts.fallback)
        """Which characters the faces can set (`characters`), memoised for this pass."""
        self._faces: list[tuple[FontFaces, bool, bool]] = [(self.fonts.body, False, False)]
        self._default_style: list[str] = [self.theme.style_for("body")]
        self._widths: list[float] = [self.styles.frame_width]
        self._text_widths: list[float] = [self.styles.frame_width]
        """Widths paragraphs are drawn at; a box's is a little wider than its figures and tables may be."""
        self._list_depth = 0
        self._cell_depth = 0
        self._rows: list[tuple[list[float], bool]] = []
        """Column widths of the table whose rows are being written, and whether they are header rows."""
        self._heading_count = 0
        self._placed_anchors: set[str] = set()
        self._link_targets: dict[str, str] = {}
        """Destination key → the `#id` written in the content."""
        self._structure = StructureTree()
        """The tagged PDF's structure, built in content order as the visitors run."""

    def _page_texts(self, document: Document) -> PageTexts:
        metadata = document.metadata
        label = metadata.page_label
        try:
            label.format(page=1, total=1)
        except (KeyError, IndexError, ValueError):
            raise TemplateError([Diagnostic(
                f"page label '{label}' can only use {{page}} and {{total}} — fix the locale's page_of label")]) \
                from None
        return PageTexts(
            header_left=self.theme.header_text or metadata.running_header or metadata.title,
            header_right=self.theme.organisation_name,
            footer_left=self.theme.footer_text,
            page_label=label,
        )

    # --- document and blocks ------------------------------------------------------------------

    def visit_document(self, node: Document) -> list[Flowable]:
        # an empty document is still one (empty) page: a PDF without pages is not a document
        story = group_keep_with_next(self._blocks(node.blocks)) or [Spacer(0, 0)]
        for key, target in self._link_targets.items():
            if key not in self._placed_anchors:  # reportlab would fail at save on a missing destination
                self._problems.setdefault(("link", target), Diagnostic(
                    f"link to '{target}' points at no heading, table or figure — fix the id or remove the link"))
        return story

    def _blocks(self, blocks: tuple) -> list[Flowable]:
        flowables: list[Flowable] = []
        for block in blocks:
            flowables.extend(self.visit(block))
        return flowables

    def visit_heading(self, node: Heading) -> list[Flowable]:
        level = min(max(node.level, 1), 3)
        style = self._style(self.theme.style_for(f"heading-{level}"))
        self._heading_count += 1
        key = anchor_key(node.id) if node.id else f"heading-{self._heading_count}"
        # the named anchor makes the destination even where no outline entry is made (a heading in a box)
        paragraph = self._paragraph(node.content, style, anchor=key)
        if paragraph is None:
            return []
        paragraph.outline_entry = OutlineEntry(" ".join(plain_text(node).split()), key, level - 1)
        return [tag(self._structure, paragraph, f"H{level}")]

    def visit_paragraph(self, node: Paragraph) -> list[Flowable]:
        name = self.theme.style_for(node.role) if node.role else self._default_style[-1]
        paragraph = self._paragraph(node.content, self._style(name))
        return self._tag_paragraph(paragraph, "P") if paragraph is not None else []

    def _tag_paragraph(self, paragraph: PdfParagraph, role: str) -> list[Flowable]:
        """The paragraph as the content of one new structure element. A long one is laid out in pieces
        (`paragraph_pieces`: reportlab's layout is quadratic in a paragraph's length), all content of that
        one element; each but the last keeps the word space at its end in the element's text."""
        pieces = paragraph_pieces(paragraph, self._text_widths[-1])
        element = self._structure.leaf(role)
        return [Tagged(piece, element, continues=index < len(pieces) - 1) for index, piece in enumerate(pieces)]

    def visit_bullet_list(self, node: BulletList) -> list[Flowable]:
        if not node.items:
            return []
        depth = min(self._list_depth, 2)
        body = self.styles.paragraphs[self.theme.style_for("body")]
        in_table = self._default_style[-1] in (self.theme.style_for("table-text"),
                                                self.theme.style_for("table-heading"))
        item_style = self._default_style[-1] if in_table else self.theme.style_for("number" if node.ordered
                                                                                   else "bullet")
        item_font = self._style(item_style).fontName
        faces, bold, italic = self._faces_for(item_font)
        size = self._style(item_style).fontSize
        indent = size * (2.1 if node.ordered else 1.45)
        options: dict[str, object] = dict(
            leftIndent=indent,
            bulletFontName=item_font,  # never reportlab's default bullet font (a standard-14 font)
            bulletFontSize=size,
            bulletColor=self.styles.palette.primary if not in_table else self.styles.palette.text,
            spaceBefore=0,
            spaceAfter=body.spaceAfter * (0.5 if depth or in_table else 1.0),
        )
        if node.ordered:
            options.update(bulletType=NUMBERING[depth], bulletFormat="%s.", bulletAlign="right",
                           bulletDedent=size * 0.55)
        else:
            options.update(bulletType="bullet", start=self._bullet_glyph(depth, faces, bold, italic))
        numbering = LIST_NUMBERING[NUMBERING[depth]] if node.ordered else "Disc"
        self._list_depth += 1
        self._default_style.append(item_style)
        self._widths.append(self._widths[-1] - indent)
        self._text_widths.append(self._text_widths[-1] - indent)
        items, labels = [], []
        try:
            with self._structure.group("L", attributes={"List": {"ListNumbering": numbering}}):
                for item in node.items:
                    with self._structure.group("LI"):
                        labels.append(self._structure.leaf("Lbl"))
                        with self._structure.group("LBody"):
                            # an empty item still needs a flowable to hang its bullet on: an empty artifact
                            items.append(PdfListItem(self.visit(item)
                                                     or [Tagged(PdfParagraph("", self._style(item_style)))]))
        finally:
            self._widths.pop()
            self._text_widths.pop()
            self._default_style.pop()
            self._list_depth -= 1
        return [TaggedList(items, labels, **options)]

    @staticmethod
    def _bullet_glyph(depth: int, faces: FontFaces, bold: bool, italic: bool) -> str:
        for glyph in BULLETS[depth:] + BULLETS[:depth]:
            if faces.covers(glyph, bold, italic):
                return glyph
        return "-"

    def visit_list_item(self, node: ListItem) -> list[Flowable]:
        return self._blocks(node.blocks)

    def visit_caption(self, node: Caption) -> list[Flowable]:
        return self._caption(node, self.theme.style_for("caption"))

    def _caption(self, node: Caption, style_key: str) -> list[Flowable]:
        style = self._style(style_key)
        self._faces.append(self._faces_for(style.fontName))
        try:
            markup = ""
            if node.label or node.number:
                prefix = " ".join(part for part in (node.label, str(node.number) if node.number else "") if part)
                self._faces.append(self._with(bold=True))
                markup += f"<b>{self.visit_text(Text(prefix + '. '))}</b>"
                self._faces.pop()
            markup += self._inlines(node.content)
        finally:
            self._faces.pop()
        return self._tag_paragraph(self.make_paragraph(markup, style), "Caption")

    def visit_figure(self, node: Figure) -> list[Flowable]:
        share = min(max(node.width, 0.1), 1.0)
        width = self._widths[-1] * share
        parts: list[Flowable] = self._anchor(node.id)
        if node.chart is not None:
            drawing = self._drawing(node.chart, width / POINTS_PER_MM)
            caption_room = self.styles.leading * 4
            self._check_chart_fonts(drawing, node)
            chart = ChartFlowable(drawing, width, self.styles.frame_height - caption_room, node.alt,
                                  self.fonts.heading.regular)
            chart.block_label = f"figure “{' '.join(node.alt.split()[:8])}”"
            parts.append(tag(self._structure, chart, "Figure", alt=" ".join(node.alt.split())))
        elif node.image is not None:  # a logo the theme names, already confined and checked (`reports.theme.images`)
            parts.append(tag(self._structure, self._image(node.image, width), "Figure",
                                             alt=" ".join(node.alt.split())))
        else:
            # no chart to draw: print the description rather than lose the figure
            description = self._paragraph((Emphasis((Text(node.alt),)),), self._style(FIGURE_CAPTION))
            if description is not None:
                parts += self._tag_paragraph(description, "P")
        if node.caption is not None:
            parts += self._caption(node.caption, FIGURE_CAPTION)
        if node.source:
            source = self._paragraph(node.source, self._style(FIGURE_SOURCE))
            if source is not None:
                parts += self._tag_paragraph(source, "P")
        parts[-1].spaceAfter = self.styles.font_size * 1.3
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

    def _anchor(self, identifier: str) -> list[Flowable]:
        if not identifier:
            return []
        key = anchor_key(identifier)
        self._placed_anchors.add(key)
        return [Anchor(key)]

    def _together(self, flowables: list[Flowable]) -> list[Flowable]:
        """Keep flowables on one page; inside table cells and boxes (reportlab cannot nest it there) as is."""
        if self._cell_depth:
            return flowables
        return [KeepTogether(flowables)]

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

    def _drawing(self, chart: object, width_mm: float) -> object:
        """The chart renderer's drawing, asked for once per chart and width (a writer may visit the document again)."""
        try:
            key: object = (hash(chart), chart, round(width_mm, 3))
        except TypeError:
            key = (id(chart), round(width_mm, 3))
        if key not in self._drawings:
            self._drawings[key] = self.context.charts.drawing(chart, width_mm)
        return self._drawings[key]

    def visit_div(self, node: Div) -> list[Flowable]:
        if node.role in BOX_ROLES:
            return self._box(node)
        if node.role == "title-block":
            flowables = self._blocks(node.blocks)
            if not flowables:
                return []
            rule = HRFlowable(width="100%", thickness=1.4, color=self.styles.palette.accent, lineCap="butt",
                              spaceBefore=self.styles.font_size * 0.6, spaceAfter=self.styles.font_size * 1.6)
            return self._together(flowables + [Tagged(rule)])  # the rule is decoration: an artifact
        if node.role == "box-title":
            self._default_style.append(self.theme.style_for("box-title"))
            try:
                return self._blocks(node.blocks)
            finally:
                self._default_style.pop()
        return self._blocks(node.blocks)

    def _box(self, node: Div) -> list[Flowable]:
        width = self._widths[-1]
        self._widths.append(box_content_width(width))
        self._text_widths.append(box_text_width(width))
        self._default_style.append(BOX_TEXT)
        self._cell_depth += 1
        try:
            with self._structure.group("Div"):
                content = self._blocks(node.blocks)
        finally:
            self._cell_depth -= 1
            self._default_style.pop()
            self._widths.pop()
            self._text_widths.pop()
        if not content:
            return []
        _strip_trailing_space(content)
        palette = self.styles.palette
        rule = palette.accent if node.role == "key-facts" else palette.primary
        box = build_box(content, width, rule, self.styles)
        box.block_label = f"the {node.role} box starting “{describe(content[0])}”"
        return [box]

    def visit_page_break(self, node: PageBreak) -> list[Flowable]:
        return [PdfPageBreak()]


def _strip_trailing_space(flowables: list[Flowable]) -> None:
    """The last flowable in a box sits on the box padding, not on its own space after."""
    flowables[-1].spaceAfter = 0


def write_pdf(document: Document, context: RenderContext) -> bytes:
    """Render a document tree to PDF bytes."""
    return PdfWriter(context).write(document)
