"""DOCX writer: the document tree as a Word file that people can keep editing.

Every paragraph names a real Word style defined from the theme (`docx_styles`), so the file restyles
in Word as users expect, its headings drive the navigation pane, captions are Word SEQ fields and
tables use a table style with a repeating header row. Only Emphasis/Strong become run-level
italic/bold (as pandoc does); everything else is a style. The writer is a visitor: one
`visit_<node>` per node type, state on the instance. Output is deterministic: same tree, same bytes.

Module map: `docx_checks` (text Word cannot store, styles a tree needs), `docx_styles` (styles and list
numbering from the theme), `docx_fields` (fields, bookmarks, hyperlinks), `docx_tables` (table
skeletons), `docx_ooxml` (element builders, units), `docx_package` (template, metadata, settings, fixed zip),
`docx_charts` (native Word charts with embedded workbooks), `docx_reference` (a template's reference.docx).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial
from typing import Iterable

from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Mm

from reports.document.nodes import (
    BulletList,
    Caption,
    Div,
    Document,
    Heading,
    ListItem,
    Metadata,
    PageBreak,
    Paragraph,
    Table,
)
from reports.theme.scale import MM_PER_POINT
from reports.writers.base import RenderContext, Visitor
from reports.writers.docx.archive import deterministic_zip
from reports.writers.docx.checks import check_writable, style_needs
from reports.writers.docx.fields import Bookmarks, field_runs, sequence_name
from reports.writers.docx.figures import FigureVisits
from reports.writers.docx.frames import Frame, ListFrame, RunState, TableFrame
from reports.writers.docx.inlines import InlineRuns
from reports.writers.docx.numbering import LIST_DEPTH, Numbering
from reports.writers.docx.ooxml import (
    Element,
    append_block,
    break_run,
    element,
    new_paragraph,
    set_numbering,
    set_page_break_before,
    text_run,
    twips,
)
from reports.writers.docx.package import (
    extended_properties,
    file_font_info,
    font_info,
    font_table,
    office_theme,
    open_package,
    package_entries,
    release_package,
    set_core_properties,
    set_hyphenation,
    tidy_package,
    word_language_tag,
)
from reports.writers.docx.readers import embed_style_map, style_map
from reports.writers.docx.reference import find_reference
from reports.writers.docx.reference_intake import reference_package
from reports.writers.docx.script_fonts import EastAsianHint, apply_to_styles, east_asian_hint
from reports.writers.docx.style_index import CHARACTER, PARAGRAPH, TABLE
from reports.writers.docx.styles import StyleSheet
from reports.writers.docx.tables import TableVisits, new_table


class DocxWriter(TableVisits, FigureVisits, InlineRuns, Visitor):
    """Writes a `Document` tree as DOCX bytes; create one per render (state lives on the instance)."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.theme = context.theme
        self._reset()

    def _reset(self) -> None:
        self._word: WordDocument | None = None
        self._sheet: StyleSheet | None = None
        self._numbering: Numbering | None = None
        self._frames: list[Frame] = []
        self._tables: list[TableFrame] = []
        self._lists: list[ListFrame] = []
        self._role_overrides: list[str] = []
        self._inline_parent: Element | None = None
        self._run = RunState()
        self._in_link = False
        self._bookmarks = Bookmarks()
        self._drawing_id = 0
        self._caption_counts: dict[str, int] = {}
        self._east_asian: EastAsianHint | None = None
        self._break_before = False

    # --- entry point ----------------------------------------------------------------------------

    def write(self, document: Document) -> bytes:
        """The DOCX file for `document`; raises LayoutError/AssetError before anything is written."""
        self._reset()
        check_writable(document, self.theme)
        # a template's reference.docx brings its own styles (restyled in Word); the theme defines them otherwise
        reference = find_reference(self.context.theme_folder)
        language_tag = word_language_tag(document.metadata.language)
        needs = style_needs(document, self.theme)
        sheet = StyleSheet(self.theme, language_tag, self.context.cache)
        if reference is None:
            word = sheet.new_document(span_roles=sorted(needs.span_roles),
                                      paragraph_roles=sorted(needs.paragraph_roles),
                                      table_roles=sorted(needs.table_roles))
        else:  # the writer's own package with what the reference may give it: its styles and nothing else
            word = open_package(reference_package(reference, self.context.cache))
            sheet.attach(word)
            sheet.set_language()
        self._word = word
        sheet.check(needs.needed, source=str(reference) if reference is not None else "")
        self._east_asian = east_asian_hint(document, self.theme, self.context.fallback)
        if self._east_asian is not None:  # the fallback font the PDF sets this text in, named for Word
            apply_to_styles(sheet.index.root, self._east_asian)
        self._sheet = sheet
        self._numbering = Numbering(word, sheet, needs.continuation_roles)
        tidy_package(word, language_tag)
        if self.theme.hyphenation:
            set_hyphenation(word)
        self._set_up_page(document.metadata)
        self._frames = [Frame(word.element.body, self.theme.text_width_mm)]
        self.visit(document)
        set_core_properties(word, document.metadata, language_tag, self.context.timestamp)
        embed_style_map(word, style_map(self.theme, needs.paragraph_roles, needs.span_roles, needs.list_roles))
        theme_parts = {} if reference is not None else {  # a reference document keeps its own theme fonts
            "word/theme/theme1.xml": partial(office_theme, theme=self.theme),
            "word/fontTable.xml": partial(font_table, fonts=[
                font_info(self.theme.body_font, self.context.theme_folder, self.context.cache),
                font_info(self.theme.heading_font, self.context.theme_folder, self.context.cache),
                *([file_font_info(self._east_asian.family, self._east_asian.path, self.context.cache,
                                  self._east_asian.charset)] if self._east_asian is not None else []),
            ]),
        }
        package = deterministic_zip(
            package_entries(word),
            self.context.timestamp,
            replacements={"docProps/app.xml": extended_properties()},
            transforms=theme_parts,
            cache=self.context.cache,
        )
        release_package(word)
        self._word = None
        return package

    # --- helpers: styles, containers, inlines ---------------------------------------------------

    @property
    def sheet(self) -> StyleSheet:
        assert self._sheet is not None, "write() sets the style sheet up"
        return self._sheet

    def _style_id(self, role: str, kind: WD_STYLE_TYPE = PARAGRAPH) -> str:
        return self.sheet.style_id(self.theme.style_for(role), kind)

    def _add_paragraph(self, style_name: str) -> Element:
        paragraph = new_paragraph(self.sheet.style_id(style_name))
        if self._break_before:
            self._break_before = False
            set_page_break_before(paragraph)
        append_block(self._frames[-1].element, paragraph)
        return paragraph

    def _role_paragraph(self, role: str) -> Element:
        return self._add_paragraph(self.theme.style_for(role))

    def _fill(self, paragraph: Element, inlines: Iterable[object], state: RunState | None = None) -> None:
        """Write inline nodes into `paragraph` (or a hyperlink inside it)."""
        saved_parent, saved_run = self._inline_parent, self._run
        self._inline_parent = paragraph
        if state is not None:
            self._run = state
        try:
            for node in inlines:
                self.visit(node)
        finally:
            self._inline_parent, self._run = saved_parent, saved_run

    def _visit_blocks(self, blocks: Iterable[object]) -> None:
        listed = list(blocks)
        for index, block in enumerate(listed):
            following = listed[index + 1] if index + 1 < len(listed) else None
            if isinstance(block, PageBreak) and len(self._frames) == 1 and isinstance(following, (Heading, Paragraph)):
                # the next paragraph starts the page (Word's "page break before"): an empty paragraph holding the
                # break would, on a page its predecessor filled, move to the next page and break again there
                self._break_before = True
                continue
            self._space_after_table(block)
            self.visit(block)

    def _space_after_table(self, next_block: object) -> None:
        """Give a table (or box) directly followed by text a gap; headings and captions bring their own."""
        container = self._frames[-1].element
        last = container[-1] if len(container) else None
        if last is not None and last.tag == qn("w:sectPr"):
            last = last.getprevious()
        if last is None or last.tag != qn("w:tbl"):
            return
        if isinstance(next_block, (Heading, Caption, PageBreak)) or (
                isinstance(next_block, Table) and next_block.caption is not None):
            return
        self._role_paragraph("table-spacing")

    # --- blocks ---------------------------------------------------------------------------------

    def visit_document(self, node: Document) -> None:
        self._visit_blocks(node.blocks)
        body = self._frames[0].element
        if len(body) > 1 and body[-2].tag == qn("w:tbl"):  # Word wants a paragraph after a final table
            self._role_paragraph("table-spacing")

    def visit_heading(self, node: Heading) -> None:
        level = min(max(node.level, 1), 3)
        paragraph = self._role_paragraph(f"heading-{level}")
        self._fill(paragraph, node.content)
        self._bookmarks.wrap(paragraph, node.id)

    def visit_paragraph(self, node: Paragraph) -> None:
        if self._role_overrides:
            role = self._role_overrides[-1]
        else:
            role = node.role or self._frames[-1].default_role
        self._fill(self._role_paragraph(role), node.content)

    def visit_bullet_list(self, node: BulletList) -> None:
        depth = len(self._lists) + 1
        level = min(depth, LIST_DEPTH) - 1
        numbering = self._numbering
        assert numbering is not None
        in_table = self._frames[-1].default_role in ("table-text", "table-heading")
        if node.ordered:  # each numbered list counts from 1
            num_id = numbering.restarted_number_list(level, in_table)
        else:
            num_id = numbering.table_bullet_num if in_table else numbering.bullet_num
        self._lists.append(ListFrame(node.ordered, depth, num_id))
        try:
            self._visit_blocks(node.items)
        finally:
            self._lists.pop()

    def visit_list_item(self, node: ListItem) -> None:
        frame = self._lists[-1]  # items exist only in lists (`nodes.Block`)
        level = min(frame.depth, LIST_DEPTH) - 1
        role = "number" if frame.ordered else "bullet"
        in_table = self._frames[-1].default_role in ("table-text", "table-heading")
        num_id = frame.num_id
        if in_table:  # table-sized list styles
            item_style = self.theme.style_for(f"table-{role}")
            continue_style = self.theme.style_for("table-text")
        else:
            item_style = self.sheet.list_style(role, frame.depth)
            continue_style = self.sheet.list_style("list-continue", frame.depth)
        started = False

        def start(paragraph_content: tuple[object, ...], role: str = "") -> None:
            # a role on the item's first paragraph (a question that keeps with its answer lines) names its style;
            # the number still comes from the list
            paragraph = self._add_paragraph(self.theme.style_for(role) if role and not in_table else item_style)
            # the list and level on the paragraph itself, as Word writes them: readers (pandoc, mammoth) look
            # for them there, not in the style
            set_numbering(paragraph, num_id, level)
            self._fill(paragraph, paragraph_content)

        for block in node.blocks:
            self._space_after_table(block)
            if isinstance(block, Paragraph):
                if started:
                    style = self.theme.style_for(block.role) if block.role and not in_table else continue_style
                    self._fill(self._add_paragraph(style), block.content)
                else:
                    start(block.content, block.role)
                    started = True
            else:
                if not started:  # the bullet or number still shows, then the nested block follows
                    start(())
                    started = True
                self.visit(block)
        if not started:
            start(())

    def visit_caption(self, node: Caption, identifier: str = "") -> None:
        paragraph = self._role_paragraph("caption")
        count = self._caption_counts.get(node.kind, 0) + 1
        self._caption_counts[node.kind] = count
        number = node.number or count
        label = node.label or node.kind.title()
        label_state = replace(self._run, style_id=self._style_id("caption-label", CHARACTER))
        properties = label_state.properties()
        paragraph.append(text_run(f"{label} ", properties))
        for run in field_runs(f"SEQ {sequence_name(node.kind)} \\* ARABIC", str(number), properties):
            paragraph.append(run)
        paragraph.append(text_run(". " if node.content else ".", properties))
        self._fill(paragraph, node.content)
        self._bookmarks.wrap(paragraph, identifier)

    def visit_div(self, node: Div) -> None:
        if node.role in self.theme.boxes:
            self._box(node)
        elif node.role == "box-title":
            self._role_overrides.append("box-title")
            try:
                self._visit_blocks(node.blocks)
            finally:
                self._role_overrides.pop()
        else:  # title-block and any other region: its blocks, in order, each styled by its own role
            self._visit_blocks(node.blocks)

    def _box(self, node: Div) -> None:
        """A shaded one-cell table in the box's table style holding the blocks (Word's usual sidebar)."""
        frame = self._frames[-1]
        table, cells = new_table(self._style_id(node.role, TABLE), [twips(frame.width_mm)], 1, 0, banded=False)
        append_block(frame.element, table)
        cell = cells[0][0]
        look = self.theme.boxes[node.role]
        inner = frame.width_mm - (2 * look.padding_side + look.rule_width) * MM_PER_POINT
        self._frames.append(Frame(cell, max(inner, 10.0), "box-text"))
        saved_tables, self._tables = self._tables, []
        try:
            self._visit_blocks(node.blocks)
        finally:
            self._frames.pop()
            self._tables = saved_tables
        self._close_cell(cell, "body")

    def visit_page_break(self, node: PageBreak) -> None:
        if len(self._frames) > 1:
            return  # a page break inside a table cell or box means nothing to Word: ignore it
        paragraph = self._role_paragraph("body")
        paragraph.append(break_run(None, "page"))

    # --- page: size, margins, running header and footer -----------------------------------------

    def _set_up_page(self, metadata: Metadata) -> None:
        assert self._word is not None
        theme = self.theme
        section = self._word.sections[0]
        width, height = theme.page_size_mm
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin, section.bottom_margin = Mm(theme.margins.top), Mm(theme.margins.bottom)
        section.left_margin, section.right_margin = Mm(theme.margins.left), Mm(theme.margins.right)
        section.header_distance = Mm(max(5.0, min(12.0, theme.margins.top * 0.45)))
        section.footer_distance = Mm(max(5.0, min(12.0, theme.margins.bottom * 0.45)))
        section.gutter = Mm(0)

        header = section.header
        header.is_linked_to_previous = False
        header_text = theme.header_text or metadata.running_header or metadata.title
        paragraph = self._replace_story(header._element, "header")
        parts = [theme.organisation_name, header_text] if theme.organisation_name else [header_text]
        paragraph.append(text_run("\t".join(part for part in parts if part), None))
        footer = section.footer
        footer.is_linked_to_previous = False
        self._fill_footer(self._replace_story(footer._element, "footer"), metadata)

        # page 1 opens with the title, as in the PDF: no running header there (Word's "different first page"),
        # the same footer
        section.different_first_page_header_footer = True
        first_header = section.first_page_header
        first_header.is_linked_to_previous = False
        self._replace_story(first_header._element, "")
        first_footer = section.first_page_footer
        first_footer.is_linked_to_previous = False
        self._fill_footer(self._replace_story(first_footer._element, "footer"), metadata)

    def _fill_footer(self, paragraph: Element, metadata: Metadata) -> None:
        paragraph.append(text_run(f"{self.theme.footer_text}\t", None))
        for piece in re.split(r"(\{page\}|\{total\})", metadata.page_label):
            if piece == "{page}":
                paragraph.extend(field_runs("PAGE \\* ARABIC", "1"))
            elif piece == "{total}":
                paragraph.extend(field_runs("NUMPAGES \\* ARABIC", "1"))
            elif piece:
                paragraph.append(text_run(piece, None))

    def _replace_story(self, story: Element, role: str) -> Element:
        """The story's one paragraph, in the role's style (no role: the document's default paragraph style)."""
        for child in list(story):
            story.remove(child)
        paragraph = new_paragraph(self._style_id(role)) if role else element("w:p")
        story.append(paragraph)
        return paragraph


def write_docx(document: Document, context: RenderContext) -> bytes:
    """The DOCX bytes for a document tree: the library's one-call entry point for this format."""
    return DocxWriter(context).write(document)
