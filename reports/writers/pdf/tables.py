"""Tables and boxes as reportlab `Table`s: header styling, stripes, rules, padding, page splitting.

Cells are lists of flowables (wrapping paragraphs, lists), so long text wraps inside its column; rows
split inside themselves (`splitInRow`) so a cell taller than a page flows on instead of raising
reportlab's LayoutError; header rows repeat on every page the table spans.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from reportlab.lib.colors import HexColor, white
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from reports.document.nodes import Caption, TableCell, TableRow
from reports.document.nodes import Table as TableNode
from reports.theme.model import Theme
from reports.theme.scale import BoxLook, TableLook, TableRoleLook
from reports.writers.pdf.flowables import BriefingTable, describe
from reports.writers.pdf.structure import StructureTree
from reports.writers.pdf.styles import PdfStyles
from reports.writers.pdf.tagging import Tagged

Cell = list[Flowable]


def cell_content_width(column_width: float, look: TableLook) -> float:
    """Width left for a cell's flowables once padding is taken off."""
    return max(column_width - 2 * look.cell_padding_side, 1.0)


def box_content_width(box_width: float, look: BoxLook) -> float:
    """Width for a box's figures and tables: inside the padding, clear of the rule."""
    return max(box_width - 2 * look.padding_side - look.rule_width / 2, 1.0)


def box_text_width(box_width: float, look: BoxLook) -> float:
    """Width a box's paragraphs are drawn at: the column less the padding (reportlab's cell width)."""
    return max(box_width - 2 * look.padding_side, 1.0)


def build_table(rows: Sequence[Sequence[Cell]], header_count: int, column_widths: Sequence[float],
                styles: PdfStyles, theme: Theme, rows_look: TableRoleLook | None = None) -> Table:
    """A data table as the theme's `table` look says: header band, stripes, rules, padded top-aligned cells;
    `rows_look` (the theme's look for the table's role) gives body rows a minimum height and keeps them whole."""
    look = theme.table
    colour = lambda reference: HexColor(theme.colour(reference))  # noqa: E731
    body_count = len(rows) - header_count
    commands: list[tuple] = [
        # cells hold flowables, but name a theme font so an empty cell never pulls in Helvetica
        ("FONTNAME", (0, 0), (-1, -1), styles.fonts.heading.regular),
        ("FONTSIZE", (0, 0), (-1, -1), theme.look("table-text").size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), look.cell_padding_side),
        ("RIGHTPADDING", (0, 0), (-1, -1), look.cell_padding_side),
        ("TOPPADDING", (0, 0), (-1, -1), look.cell_padding_top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), look.cell_padding_bottom),
    ]
    if header_count:
        last_header = header_count - 1
        commands += [
            ("BACKGROUND", (0, 0), (-1, last_header), colour(look.header_background)),
            ("LINEAFTER", (0, 0), (-2, last_header), 0.5, white),
        ]
    if body_count:
        commands += [
            ("ROWBACKGROUNDS", (0, header_count), (-1, -1), [white, colour(look.stripe)]),
            ("LINEBELOW", (0, header_count), (-1, -2), look.hairline_width, colour(look.hairline)),
            ("LINEBELOW", (0, -1), (-1, -1), look.rule_width, colour(look.rule)),
        ]
    if not header_count:
        commands.append(("LINEABOVE", (0, 0), (-1, 0), look.rule_width, colour(look.rule)))
    # Word's "at least" row height (`w:trHeight hRule=atLeast`): a row grows to the height, the room below its
    # text where a hand writes, and a row whose text is taller keeps its own height
    minimum = rows_look.row_height * mm if rows_look is not None and rows_look.row_height else 0.0
    data = [[cell if cell else "" for cell in row] for row in rows]
    split_in_row = 0 if rows_look is not None and rows_look.keep_rows else 1
    table = BriefingTable(data, colWidths=list(column_widths), repeatRows=header_count, splitByRow=1,
                          splitInRow=split_in_row, hAlign="LEFT", spaceBefore=0,
                          spaceAfter=theme.font_size * look.after,
                          minRowHeights=[0.0] * header_count + [minimum] * body_count if minimum else None,
                          # the parts of a split table keep the rows' heights (reportlab passes the minimum on only
                          # as the heights it computed, with this optimisation; its default, but not ours to assume)
                          longTableOptimize=1)
    table.setStyle(TableStyle(commands))
    return table


def build_box(content: Cell, width: float, look: BoxLook, styles: PdfStyles, theme: Theme) -> Table:
    """A shaded box with a coloured rule down its left edge; splits across pages like a table row."""
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), styles.fonts.body.regular),
        ("BACKGROUND", (0, 0), (-1, -1), HexColor(theme.colour(look.background))),
        ("LINEBEFORE", (0, 0), (0, -1), look.rule_width, HexColor(theme.colour(look.rule))),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), look.padding_side),
        ("RIGHTPADDING", (0, 0), (-1, -1), look.padding_side),
        ("TOPPADDING", (0, 0), (-1, -1), look.padding_top),
        ("BOTTOMPADDING", (0, 0), (-1, -1), look.padding_bottom),
    ]
    box = BriefingTable([[content]], colWidths=[width], splitByRow=1, splitInRow=1, hAlign="LEFT",
                        spaceBefore=0, spaceAfter=theme.font_size * theme.table.after)
    box.setStyle(TableStyle(commands))
    return box


class TableVisits:
    """The table visitors of `writer.PdfWriter` (a mixin): a table with its caption, rows and cells."""

    theme: Theme
    styles: PdfStyles
    _structure: StructureTree
    _widths: list[float]
    _text_widths: list[float]
    _default_style: list[str]
    _cell_depth: int
    _rows: list[tuple[list[float], bool, int]]
    visit: Callable[[Any], Any]
    _anchor: Callable[[str], list[Flowable]]
    _caption: Callable[[Caption, str], list[Flowable]]
    _blocks: Callable[[tuple[Any, ...]], list[Flowable]]

    def visit_table_cell(self, node: TableCell) -> list[Flowable]:
        return self._blocks(node.blocks)

    def visit_table(self, node: TableNode) -> list[Flowable]:
        flowables: list[Flowable] = self._anchor(node.id)
        with self._structure.group("Table"):  # the caption is the table's first child, as HTML's <caption>
            if node.caption is not None:
                flowables += self._caption(node.caption, self.theme.style_for("caption"))
            table = self._table_flowable(node)
        if node.caption is not None:
            table.block_label = describe(flowables[-1])
        flowables.append(table)
        return flowables

    def _table_flowable(self, node: TableNode) -> Flowable:
        available = self._widths[-1]
        widths = [available * share for share in node.column_widths] or [available]
        rows: list[list[list[Flowable]]] = []
        for style_role, group in (("table-heading", node.header_rows), ("table-text", node.body_rows)):
            self._default_style.append(self.theme.style_for(style_role))
            self._rows.append((widths, style_role == "table-heading", node.header_columns))
            try:
                rows.extend(self.visit(row) for row in group)
            finally:
                self._rows.pop()
                self._default_style.pop()
        columns = max((len(row) for row in rows), default=0)
        if not columns:
            return Tagged(HRFlowable(width="100%", thickness=0, spaceBefore=0, spaceAfter=0))
        rows = [row + [[] for _ in range(columns - len(row))] for row in rows]
        widths = (widths + [widths[-1]] * columns)[:columns]
        return build_table(rows, len(node.header_rows), widths, self.styles, self.theme,
                           self.theme.tables.get(node.role))

    def visit_table_row(self, node: TableRow) -> list[list[Flowable]]:
        """The row's cells, each as its flowables, at the widths of the table being written."""
        widths, header, header_columns = self._rows[-1]
        cells = []
        with self._structure.group("TR"):
            for column, cell in enumerate(node.cells):
                # header cells head their column; a body cell in a header column heads its row
                scope = "Column" if header else "Row" if column < header_columns else ""
                width = widths[column] if column < len(widths) else widths[-1]
                self._widths.append(cell_content_width(width, self.theme.table))
                self._text_widths.append(cell_content_width(width, self.theme.table))
                self._cell_depth += 1
                try:
                    # empty cells stay, so rows stay rectangular
                    with self._structure.group("TH" if scope else "TD", keep_when_empty=True,
                                               attributes={"Table": {"Scope": scope}} if scope else {}):
                        cells.append(self.visit(cell))
                finally:
                    self._cell_depth -= 1
                    self._widths.pop()
                    self._text_widths.pop()
        return cells
