"""Word table skeletons: grid, widths, header-row marks and the table-style look switches.

The writer fills the cells; this module only knows table geometry. Widths are fixed (`tblLayout
fixed`, a `gridCol` per column and a `tcW` per cell) so Word, LibreOffice and phone viewers agree, and
text wraps inside cells instead of stretching the table off the page.
"""

from __future__ import annotations

from reports.writers.docx.ooxml import Element, element


def column_widths_twips(relative: tuple[float, ...], total_twips: int) -> list[int]:
    """Relative widths (summing to 1) → whole twips that add up exactly to the total."""
    if not relative:
        return []
    total_relative = sum(relative) or 1.0
    widths = [int(total_twips * width / total_relative) for width in relative]
    widths[-1] += total_twips - sum(widths)  # rounding remainder to the last column
    return widths


def new_table(style_id: str, widths: list[int], row_count: int, header_rows: int, title: str = "",
              banded: bool = True) -> tuple[Element, list[list[Element]]]:
    """An empty `w:tbl` and its cells (row by row); the first `header_rows` rows repeat on each page."""
    first_row = header_rows > 0
    look_value = (0x0020 if first_row else 0) | (0 if banded else 0x0200) | 0x0400
    properties = [
        element("w:tblStyle", {"w:val": style_id}),
        element("w:tblW", {"w:w": sum(widths), "w:type": "dxa"}),
        element("w:tblLayout", {"w:type": "fixed"}),
        element("w:tblLook", {"w:val": f"{look_value:04X}", "w:firstRow": int(first_row), "w:lastRow": 0,
                              "w:firstColumn": 0, "w:lastColumn": 0, "w:noHBand": int(not banded), "w:noVBand": 1}),
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
