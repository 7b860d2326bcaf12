"""Constructors that normalise: tables with equal row lengths and relative column widths summing to 1."""

from __future__ import annotations

from reports.document.nodes import Caption, Table, TableCell, TableRow


def make_table(
    header_rows: tuple[TableRow, ...],
    body_rows: tuple[TableRow, ...],
    column_widths: tuple[float, ...] | None = None,
    caption: Caption | None = None,
    id: str = "",
    role: str = "",
    header_columns: int = 0,
) -> Table:
    """A Table with equal row lengths (short rows padded) and relative widths summing to 1."""
    rows = header_rows + body_rows
    columns = max((len(row.cells) for row in rows), default=0)
    if column_widths is not None and len(column_widths) > columns:
        columns = len(column_widths)

    def pad(row: TableRow) -> TableRow:
        missing = columns - len(row.cells)
        return TableRow(row.cells + tuple(TableCell(()) for _ in range(missing))) if missing else row

    widths = tuple(column_widths or ()) + (1.0,) * (columns - len(column_widths or ()))
    total = sum(widths) or 1.0
    return Table(
        header_rows=tuple(pad(row) for row in header_rows),
        body_rows=tuple(pad(row) for row in body_rows),
        column_widths=tuple(width / total for width in widths),
        caption=caption,
        id=id,
        role=role,
        header_columns=min(max(header_columns, 0), columns),
    )


