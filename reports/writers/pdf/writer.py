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

import re
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.flowables import ListItem as PdfListItem

from reports.document.nodes import (
    BulletList,
    Caption,
    Div,
    Document,
    Heading,
    ListItem,
    PageBreak,
    Paragraph,
    Text,
)
from reports.document.traversal import plain_text, walk
from reports.errors import Diagnostic, LayoutError, TemplateError
from reports.writers.base import RenderContext, Visitor
from reports.writers.pdf.characters import CharacterCheck
from reports.writers.pdf.fallback import FallbackFonts
from reports.writers.pdf.figures import FigureVisits
from reports.writers.pdf.flowables import (
    Anchor,
    Together,
    describe,
    group_keep_with_next,
    paragraph_pieces,
    release_keep_with_next,
)
from reports.writers.pdf.hyphenation import TypesetParagraph, hyphenator_for
from reports.writers.pdf.inlines import InlineMarkup, anchor_key, escape_markup
from reports.writers.pdf.layout import LayoutObserver, OutlineEntry, PdfInfo, TaggedStory, build_pdf
from reports.writers.pdf.page import PageTexts
from reports.writers.pdf.structure import StructureTree
from reports.writers.pdf.styles import FontFaces, PdfStyles, build_styles, register_theme_fonts
from reports.writers.pdf.tables import TableVisits, box_content_width, box_text_width, build_box
from reports.writers.pdf.tagging import Tagged, TaggedList, tag

__all__ = ["PdfWriter", "escape_markup", "write_pdf"]

BULLETS = ("•", "–", "◦")
"""Bullet glyph per nesting level, drawn in the body font (never reportlab's ZapfDingbats default)."""
NUMBERING = ("1", "a", "i")
LIST_NUMBERING = {"1": "Decimal", "a": "LowerAlpha", "i": "LowerRoman"}
"""Tagged PDF `/ListNumbering` of each numbering style; bulleted lists are `Disc`."""
EXTERNAL_SCHEMES = ("https:", "http:", "mailto:")
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class PdfWriter(FigureVisits, TableVisits, InlineMarkup, Visitor):
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
        if self.theme.hyphenation:  # words are broken by the document's language
            hyphenator = hyphenator_for(document.metadata.language, self.context.cache)
            self.styles = build_styles(self.theme, self.fonts, hyphenator)
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
        return TypesetParagraph(markup, style)

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
        self._rows: list[tuple[list[float], bool, int]] = []
        """Column widths of the table whose rows are being written, whether they are header rows, and how many
        leading columns head their rows."""
        self._heading_count = 0
        self._heading_shift = 0
        """1 when the title is the document's H1 (headings are then tagged a level lower), else 0."""
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
        # the title is the document's one H1, as in HTML (PDF 1.7 has no Title type); headings then nest below it
        self._heading_shift = int(any(isinstance(block, Paragraph) and block.role == "title"
                                      for block in walk(node)))
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
        self._keep_with_next(paragraph, style.name)
        return [tag(self._structure, paragraph, f"H{level + self._heading_shift}")]

    def visit_paragraph(self, node: Paragraph) -> list[Flowable]:
        name = self.theme.style_for(node.role) if node.role else self._default_style[-1]
        style = self._style(name)
        look = self.theme.look(node.role) if node.role else None
        if look is not None and look.rule_below is not None:  # the rule takes the space after (a Word border)
            style = ParagraphStyle(style.name, parent=style, spaceAfter=0)
        paragraph = self._paragraph(node.content, style)
        if paragraph is None:
            if look is None or look.rule_below is None:
                return []
            # an empty ruled paragraph is a line to write on (`{.answer-line}`): a line's height, then the rule
            line: Flowable = Spacer(0, style.leading)
            if style.name in self.styles.keeps_with_next:
                line.keepWithNext = 1
            flowables = [Tagged(line)]
        else:
            flowables = self._tag_paragraph(paragraph, "H1" if node.role == "title" else "P")
        if look is not None and look.rule_below is not None:
            rule = look.rule_below
            flowables.append(Tagged(HRFlowable(  # decoration: an artifact
                width="100%", thickness=rule.width, color=HexColor(rule.colour), lineCap="butt",
                spaceBefore=rule.gap, spaceAfter=look.after)))
        return flowables

    def _tag_paragraph(self, paragraph: PdfParagraph, role: str) -> list[Flowable]:
        """The paragraph as the content of one new structure element. A long one is laid out in pieces
        (`paragraph_pieces`: reportlab's layout is quadratic in a paragraph's length), all content of that
        one element; each but the last keeps the word space at its end in the element's text."""
        element = self._structure.leaf(role)
        if getattr(paragraph.style, "hyphenationLang", ""):  # its /ActualText, should the layout break a word
            # from the fragments as parsed (laying the paragraph out turns them into words); a line break reads
            # as a space, as between the lines of the structure's text
            element.text = " ".join("".join(" " if getattr(fragment, "lineBreak", False) else fragment.text
                                            for fragment in paragraph.frags).split())
        pieces = paragraph_pieces(paragraph, self._text_widths[-1])
        self._keep_with_next(pieces[-1], paragraph.style.name)
        if paragraph.style.name in self.styles.keeps_together and len(pieces) == 1:  # Word's "keep lines together"
            paragraph.keep_whole_below = self.styles.frame_height
        return [Tagged(piece, element, continues=index < len(pieces) - 1) for index, piece in enumerate(pieces)]

    def _keep_with_next(self, paragraph: PdfParagraph, style_name: str) -> None:
        """Mark a paragraph of a role that keeps with the next block (headings, captions): on the paragraph, not
        its style, so the parts a page break cuts off it do not keep (`styles.paragraph_style`)."""
        if style_name in self.styles.keeps_with_next:
            paragraph.keepWithNext = 1

    def visit_bullet_list(self, node: BulletList) -> list[Flowable]:
        if not node.items:
            return []
        depth = min(self._list_depth, 2)
        in_table = self._default_style[-1] in (self.theme.style_for("table-text"),
                                                self.theme.style_for("table-heading"))
        role = ("table-" if in_table else "") + ("number" if node.ordered else "bullet")
        item_style = self.theme.style_for(role)
        look = self.theme.look(role)
        item_font = self._style(item_style).fontName
        faces, bold, italic = self._faces_for(item_font)
        size = look.size
        indent = look.indent
        options: dict[str, object] = dict(
            leftIndent=indent,
            bulletFontName=item_font,  # never reportlab's default bullet font (a standard-14 font)
            bulletFontSize=size,
            bulletColor=HexColor(self.theme.look("list-marker").colour),
            spaceBefore=0,
            spaceAfter=look.after,  # as the last item's own: Word has no space after a list, only after its items
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
        if self._list_depth == 0 and not self._cell_depth and any(self._kept_whole(item) for item in node.items):
            # reportlab cannot keep flowables together inside a list (the list hands its items to the frame one by
            # one), so each item is a list of its own, numbered on, and a kept item is kept together outside it
            lists: list[Flowable] = []
            for index, (item, flowables, label) in enumerate(zip(node.items, items, labels)):
                one = TaggedList([flowables], [label], **{**options, **({"start": index + 1} if node.ordered else {})})
                lists += self._together([one]) if self._kept_whole(item) else [one]
            return lists
        return [TaggedList(items, labels, **options)]

    @staticmethod
    def _bullet_glyph(depth: int, faces: FontFaces, bold: bool, italic: bool) -> str:
        for glyph in BULLETS[depth:] + BULLETS[:depth]:
            if faces.covers(glyph, bold, italic):
                return glyph
        return "-"

    def visit_list_item(self, node: ListItem) -> list[Flowable]:
        return self._blocks(node.blocks)

    def _kept_whole(self, item: ListItem) -> bool:
        """An item whose first paragraph keeps with what follows it in the item (a question and its answer
        space) is kept on one page."""
        first = item.blocks[0] if item.blocks else None
        return (len(item.blocks) > 1 and isinstance(first, Paragraph) and bool(first.role)
                and self.theme.look(first.role).keep_with_next)

    def visit_caption(self, node: Caption) -> list[Flowable]:
        return self._caption(node, self.theme.style_for("caption"))

    def _caption(self, node: Caption, style_key: str) -> list[Flowable]:
        style = self._style(style_key)
        self._faces.append(self._faces_for(style.fontName))
        try:
            markup = ""
            if node.label or node.number:
                prefix = " ".join(part for part in (node.label, str(node.number) if node.number else "") if part)
                label = self.theme.look("caption-label")  # "Gambar 1.": the Caption Label character style
                opening = ("<b>" if label.bold else "") + ("<i>" if label.italic else "")
                closing = ("</i>" if label.italic else "") + ("</b>" if label.bold else "")
                if label.colour != self.theme.look("caption").colour:
                    opening, closing = f'<font color="{label.colour}">' + opening, closing + "</font>"
                self._faces.append(self._with(bold=label.bold, italic=label.italic))
                markup += f"{opening}{self.visit_text(Text(prefix + '. '))}{closing}"
                self._faces.pop()
            markup += self._inlines(node.content)
        finally:
            self._faces.pop()
        return self._tag_paragraph(self.make_paragraph(markup, style), "Caption")

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
        # kept with each other by the group, not with what follows: reportlab would take a keep-with-next inside
        # (a title, a caption) as a reason to pull the next block into a group taller than the page, for ever
        return [Together(release_keep_with_next(flowables))]

    def visit_div(self, node: Div) -> list[Flowable]:
        if node.role in self.theme.boxes:
            return self._box(node)
        if node.role == "title-block":
            flowables = self._blocks(node.blocks)
            return self._together(flowables) if flowables else []
        if node.role == "box-title":
            self._default_style.append(self.theme.style_for("box-title"))
            try:
                return self._blocks(node.blocks)
            finally:
                self._default_style.pop()
        return self._blocks(node.blocks)

    def _box(self, node: Div) -> list[Flowable]:
        width = self._widths[-1]
        look = self.theme.boxes[node.role]
        self._widths.append(box_content_width(width, look))
        self._text_widths.append(box_text_width(width, look))
        self._default_style.append(self.theme.style_for("box-text"))
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
        box = build_box(content, width, look, self.styles, self.theme)
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
