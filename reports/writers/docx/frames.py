"""Where the DOCX writer is while it visits: the container blocks go into, the table and list being written, and
the run properties inlines take. Shared by the writer and its table, figure and inline visitors."""

from __future__ import annotations

from dataclasses import dataclass

from reports.writers.docx.ooxml import Element, run_properties


@dataclass
class Frame:
    """Where blocks go: the body, a table cell or a box; its usable width decides figure and table widths."""

    element: Element
    width_mm: float
    default_role: str = "body"


@dataclass
class TableFrame:
    cells: list[list[Element]]
    widths_mm: list[float]
    header_count: int
    next_row: int = 0
    role: str = ""
    """The table's role (`sorting`): the theme's `tables` may lay its rows out."""
    row: int = -1
    next_cell: int = 0


@dataclass
class ListFrame:
    ordered: bool
    depth: int
    num_id: int


@dataclass(frozen=True)
class RunState:
    style_id: str = ""
    bold: bool = False
    italic: bool = False

    def properties(self) -> Element | None:
        return run_properties(self.style_id, self.bold, self.italic)
