"""Tables in the DOCX: the skeleton (grid, widths, header-row marks, the table-style look switches) and the
table visitors of the writer (`TableVisits`), which fill its cells. Widths are fixed (`tblLayout
fixed`, a `gridCol` per column and a `tcW` per cell) so Word, LibreOffice and phone viewers agree, and
text wraps inside cells instead of stretching the table off the page.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from docx.oxml.ns import qn

from reports.document.nodes import Table, TableCell, TableRow
from reports.document.traversal import plain_text
from reports.theme.model import Theme
from reports.theme.scale import MM_PER_POINT
from reports.writers.base import RenderContext
from reports.writers.docx.frames import Frame, TableFrame
from reports.writers.docx.ooxml import Element, append_block, element, new_paragraph, twips
from reports.writers.docx.style_index import TABLE
from reports.writers.docx.styles import StyleSheet


def column_widths_twips(relative: tuple[float, ...], total_twips: int) -> list[int]:
    """Relative widths (summing to 1) → whole twips that add up exactly to the total."""
    if not relative:
        return []
    total_relative = sum(relative) or 1.0
    widths = [int(total_twips * width / total_relative) for width in relative]
    widths[-1] += total_twips - sum(widths)  # rounding remainder to the last column
    return widths


def new_table(style_id: str, widths: list[int], row_count: int, header_rows: int, title: str = "",
              banded: bool = True, first_column: bool = False) -> tuple[Element, list[list[Element]]]:
    """An empty `w:tbl` and its cells (row by row); the first `header_rows` rows repeat on each page;
    `first_column`: the first column heads its rows (Word's "First Column" table style option)."""
    first_row = header_rows > 0
    look_value = (0x0020 if first_row else 0) | (0x0080 if first_column else 0) | (0 if banded else 0x0200) | 0x0400
    properties = [
        element("w:tblStyle", {"w:val": style_id}),
        element("w:tblW", {"w:w": sum(widths), "w:type": "dxa"}),
        element("w:tblLayout", {"w:type": "fixed"}),
        element("w:tblLook", {"w:val": f"{look_value:04X}", "w:firstRow": int(first_row), "w:lastRow": 0,
                              "w:firstColumn": int(first_column), "w:lastColumn": 0, "w:noHBand": int(not banded),
                              "w:noVBand": 1}),
    ]
    if title:
        properties.append(element("w:tblCaption", {"w:val": title[:255]}))
    table = element("w:tbl", children=[
        element("w:tblPr", children=properties),
        element("w:tblGrid", children=[element("w:gridCol", {"w:w": width}) for width in widths]),
    ])
    cells: list[list[Element]] = []
    for row_index in range(row_count):
        row = element("w:tr")
        if row_index < header_rows:
            # Repeat on every page the table spans, and never split a header row across pages.
            row.append(element("w:trPr", children=[element("w:cantSplit"), element("w:tblHeader")]))
        row_cells = []
        for width in widths:
            cell = element("w:tc", children=[
                element("w:tcPr", children=[element("w:tcW", {"w:w": width, "w:type": "dxa"})]),
            ])
            row.append(cell)
            row_cells.append(cell)
        table.append(row)
        cells.append(row_cells)
    return table, cells


KEEP_ROW_PAGE_SHARE = 0.4
"""Body rows estimated under this share of the page body are kept on one page (see `_fits_easily`)."""


class TableVisits:
    """The table visitors of `writer.DocxWriter` (a mixin): a table with its caption, rows and cells."""

    theme: Theme
    context: RenderContext
    _frames: list[Frame]
    visit: Callable[[Any], Any]
    _tables: list[TableFrame]
    @property
    def sheet(self) -> StyleSheet:
        raise NotImplementedError  # the writer's own property (`DocxWriter.sheet`) answers
    _style_id: Callable[..., str]
    _visit_blocks: Callable[[Iterable[Any]], None]
    visit_caption: Callable[..., None]

    def visit_table(self, node: Table) -> None:
        frame = self._frames[-1]
        if node.caption is not None:
            self.visit_caption(node.caption, node.id)
        rows = node.header_rows + node.body_rows
        columns = max([len(node.column_widths)] + [len(row.cells) for row in rows])
        if columns == 0:
            return
        relative = list(node.column_widths[:columns])
        if len(relative) < columns:
            share = (sum(relative) / len(relative)) if relative else 1.0
            relative += [share] * (columns - len(relative))
        widths = column_widths_twips(tuple(relative), twips(frame.width_mm))
        total_relative = sum(relative) or 1.0
        widths_mm = [frame.width_mm * width / total_relative for width in relative]
        style = self.theme.style_for(node.role or "table")
        title = plain_text(node.caption) if node.caption is not None else ""
        table, cells = new_table(self.sheet.style_id(style, TABLE), widths, len(rows), len(node.header_rows), title,
                                 first_column=node.header_columns > 0)
        append_block(frame.element, table)
        self._tables.append(TableFrame(cells, widths_mm, len(node.header_rows), role=node.role))
        try:
            # rows and cells directly, not as blocks: the gap after a table is decided by the block after it
            # (`_space_after_table`), which a row is not
            for row in rows:
                self.visit(row)
        finally:
            self._tables.pop()

    def visit_table_row(self, node: TableRow) -> None:
        table = self._tables[-1]  # rows exist only in tables (`nodes.Block`)
        table.row = table.next_row
        table.next_row += 1
        table.next_cell = 0
        try:
            for cell_node in node.cells:
                self.visit(cell_node)
        finally:
            for cell in table.cells[table.row][table.next_cell:]:  # short rows: empty cells stay valid
                self._close_cell(cell, self._cell_role(table))
            rows_look = self.theme.tables.get(table.role)
            if table.row >= table.header_count and rows_look is not None:
                # the role's rows: at least as tall as the theme says (room to write), whole if it says so
                row = table.cells[table.row][0].getparent()
                properties = [element("w:cantSplit")] if rows_look.keep_rows else []
                if rows_look.row_height:
                    properties.append(element("w:trHeight", {"w:val": round(rows_look.row_height * 56.7),
                                                             "w:hRule": "atLeast"}))
                if properties:
                    row.insert(0, element("w:trPr", children=properties))
            elif table.row >= table.header_count and self._fits_easily(table.cells[table.row], table.widths_mm):
                # Word and LibreOffice split a row at a page end by default, leaving a few lines of it on the
                # next page. A row that surely fits on a page is kept whole; a taller one may still split
                # (forbidding it could clip a row taller than the page).
                row = table.cells[table.row][0].getparent()
                row.insert(0, element("w:trPr", children=[element("w:cantSplit")]))
            table.row = -1

    def _fits_easily(self, cells: list[Element], widths_mm: list[float]) -> bool:
        """A generous estimate of the row's height (table text at half an em a character, lines of 1.3 em)
        is under `KEEP_ROW_PAGE_SHARE` of the page body: then the row surely fits on one page."""
        theme = self.theme
        size_mm = theme.look("table-text").size * MM_PER_POINT
        padding_side_mm = theme.table.cell_padding_side * MM_PER_POINT
        padding_mm = (theme.table.cell_padding_top + theme.table.cell_padding_bottom) * MM_PER_POINT
        tallest = 0.0
        for cell, width_mm in zip(cells, widths_mm):
            usable = max(width_mm - 2 * padding_side_mm, 5.0)
            per_line = max(1, int(usable / (size_mm * 0.5)))
            lines = 0
            for paragraph in cell.iter(qn("w:p")):
                text = "".join(run.text or "" for run in paragraph.iter(qn("w:t")))
                lines += max(1, -(-len(text) // per_line)) + 1  # and a line's worth of paragraph spacing
            tallest = max(tallest, lines * size_mm * 1.3 + padding_mm)
        body = theme.page_size_mm[1] - theme.margins.top - theme.margins.bottom
        return tallest < body * KEEP_ROW_PAGE_SHARE

    def _cell_role(self, table: TableFrame) -> str:
        return "table-heading" if table.row < table.header_count else "table-text"

    def visit_table_cell(self, node: TableCell) -> None:
        table = self._tables[-1]  # cells exist only in rows
        index = table.next_cell
        table.next_cell += 1
        cell = table.cells[table.row][index]
        role = self._cell_role(table)
        width = max(table.widths_mm[index] - 2 * self.theme.table.cell_padding_side * MM_PER_POINT, 5.0)
        self._frames.append(Frame(cell, width, role))
        try:
            self._visit_blocks(node.blocks)
        finally:
            self._frames.pop()
        self._close_cell(cell, role)

    def _close_cell(self, cell: Element, role: str) -> None:
        """Word needs a paragraph as the last thing in every cell."""
        if len(cell) == 0 or cell[-1].tag != qn("w:p"):
            cell.append(new_paragraph(self._style_id(role)))
