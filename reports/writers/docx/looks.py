"""What a Word style looks like, as WordprocessingML: a paragraph or character `Look` (font, size, colour,
spacing, borders, alignment) and a table's `TableLook`, turned into `w:pPr`/`w:rPr` elements in schema order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.enum.style import WD_STYLE_TYPE

from reports.writers.docx.ooxml import Element, element, half_points, hex_colour, points_to_twips, twips


@dataclass(frozen=True)
class Look:
    """Paragraph and character formatting of one style, in theme units (points, millimetres)."""

    font: str = ""
    size: float = 0.0
    bold: bool = False
    italic: bool = False
    colour: str = ""
    underline: bool = False
    letter_spacing: float = 0.0
    before: float | None = None
    after: float | None = None
    line: float | None = None
    """Line height as a multiple of single spacing."""
    line_at_least: float | None = None
    """Line height in points, taller only where a line holds something taller (wins over `line`): the leading
    the PDF sets, which a multiple of single spacing cannot give (single spacing is the font's own height)."""
    line_exact: float | None = None
    """Exact line height in points (wins over the others)."""
    keep_next: bool = False
    keep_lines: bool = False
    align: str = ""
    indent_left: float | None = None
    hanging: float | None = None
    border_top: tuple[str, float, float] | None = None
    """(colour, width in points, distance in points)."""
    border_bottom: tuple[str, float, float] | None = None
    border_between: bool = False
    """The bottom border drawn between paragraphs of the same borders too: Word merges a run of them into one
    bordered group and draws the bottom border only under the last (ruled answer lines need each one)."""
    right_tab: float | None = None
    outline_level: int | None = None
    no_hyphenation: bool = False
    """Word's automatic hyphenation leaves this style's words whole."""


@dataclass(frozen=True)
class StyleSpec:
    name: str
    kind: WD_STYLE_TYPE
    look: Look = field(default_factory=Look)
    based_on: str = ""
    next_style: str = ""
    priority: int = 0
    quick: bool = False
    """Shown in Word's style gallery."""


def paragraph_properties(look: Look) -> Element:
    """`w:pPr` children in schema order (keepNext, keepLines, pBdr, tabs, suppressAutoHyphens, spacing, ind, jc,
    outlineLvl)."""
    children: list[Element] = []
    if look.keep_next:
        children.append(element("w:keepNext"))
    if look.keep_lines:
        children.append(element("w:keepLines"))
    borders = []
    sides = [("w:top", look.border_top), ("w:bottom", look.border_bottom)]
    if look.border_between:
        sides.append(("w:between", look.border_bottom))
    for side, border in sides:
        if border is not None:
            colour, width, space = border
            borders.append(element(side, {"w:val": "single", "w:sz": round(width * 8), "w:space": round(space),
                                          "w:color": hex_colour(colour)}))
    if borders:
        children.append(element("w:pBdr", children=borders))
    if look.right_tab is not None:
        children.append(element("w:tabs", children=[element("w:tab", {"w:val": "right", "w:pos": twips(look.right_tab)})]))
    if look.no_hyphenation:
        children.append(element("w:suppressAutoHyphens"))
    spacing: dict[str, str | int] = {}
    if look.before is not None:
        spacing["w:before"] = points_to_twips(look.before)
    if look.after is not None:
        spacing["w:after"] = points_to_twips(look.after)
    if look.line_exact is not None:
        spacing["w:line"] = points_to_twips(look.line_exact)
        spacing["w:lineRule"] = "exact"
    elif look.line_at_least is not None:
        spacing["w:line"] = points_to_twips(look.line_at_least)
        spacing["w:lineRule"] = "atLeast"
    elif look.line is not None:
        spacing["w:line"] = round(240 * look.line)
        spacing["w:lineRule"] = "auto"
    if spacing:
        children.append(element("w:spacing", spacing))
    if look.indent_left is not None:
        indent: dict[str, str | int] = {"w:left": twips(look.indent_left)}
        if look.hanging is not None:
            indent["w:hanging"] = twips(look.hanging)
        children.append(element("w:ind", indent))
    if look.align:
        children.append(element("w:jc", {"w:val": look.align}))
    if look.outline_level is not None:
        children.append(element("w:outlineLvl", {"w:val": look.outline_level}))
    return element("w:pPr", children=children)


def font_element(name: str) -> Element:
    return element("w:rFonts", {"w:ascii": name, "w:hAnsi": name, "w:eastAsia": name, "w:cs": name})


def run_properties(look: Look) -> Element:
    """`w:rPr` children in schema order (rFonts, b, i, color, spacing, sz, u)."""
    children: list[Element] = []
    if look.font:
        children.append(font_element(look.font))
    if look.bold:
        children += [element("w:b"), element("w:bCs")]
    if look.italic:
        children += [element("w:i"), element("w:iCs")]
    if look.colour:
        children.append(element("w:color", {"w:val": hex_colour(look.colour)}))
    if look.letter_spacing:
        children.append(element("w:spacing", {"w:val": points_to_twips(look.letter_spacing)}))
    if look.size:
        children += [element("w:sz", {"w:val": half_points(look.size)}), element("w:szCs", {"w:val": half_points(look.size)})]
    if look.underline:
        children.append(element("w:u", {"w:val": "single"}))
    return element("w:rPr", children=children)


def border(side: str, colour: str, width: float) -> Element:
    if width <= 0:
        return element(side, {"w:val": "nil"})
    return element(side, {"w:val": "single", "w:sz": round(width * 8), "w:space": 0, "w:color": hex_colour(colour)})


def cell_margins(vertical_mm: float, horizontal_mm: float, bottom_mm: float | None = None) -> Element:
    return element("w:tblCellMar", children=[
        element("w:top", {"w:w": twips(vertical_mm), "w:type": "dxa"}),
        element("w:left", {"w:w": twips(horizontal_mm), "w:type": "dxa"}),
        element("w:bottom", {"w:w": twips(vertical_mm if bottom_mm is None else bottom_mm), "w:type": "dxa"}),
        element("w:right", {"w:w": twips(horizontal_mm), "w:type": "dxa"}),
    ])


def shading(colour: str) -> Element:
    return element("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": hex_colour(colour)})
