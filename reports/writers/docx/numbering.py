"""List numbering: one abstract numbering per list style (bullets and numbers, in the text and in table cells),
linked to Word's List Bullet and List Number styles so a list restyles with them; a numbered list that must
start again at 1 gets its own numbering instance. Indents come from the theme (`roles.bullet.indent`, …), the
same room the PDF gives the bullet or number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from docx.document import Document as WordDocument
from docx.oxml.ns import qn

from reports.theme.scale import MM_PER_POINT
from reports.writers.docx.ooxml import Element, element, hex_colour, put_paragraph_property, twips

if TYPE_CHECKING:
    from reports.writers.docx.styles import StyleSheet


LIST_DEPTH = 3
"""Word has List Bullet, List Bullet 2 and List Bullet 3 (and the same for numbers): deeper lists stay at 3."""

_BULLETS = ("\u2022", "\u2013", "\u25aa")
_NUMBER_FORMATS = (("decimal", "%1."), ("lowerLetter", "%2)"), ("lowerRoman", "%3."))

NO_NUMBERING = 0
"""The list id that takes a paragraph out of numbering (ECMA-376 §17.9.19)."""




def list_indent(indent_points: float, level: int) -> tuple[float, float]:
    """(left indent, hanging) in millimetres for a list level counted from 0, the marker hanging in the indent."""
    step = indent_points * MM_PER_POINT
    return step * (level + 1), step


class Numbering:
    """Multi-level bullet and number lists linked to the List Bullet/List Number styles.

    Bullets all share one list instance (through the styles). Each ordered list gets its own instance
    with a start override, so every numbered list in the document starts at 1 as the author wrote it.
    """

    def __init__(self, word: WordDocument, sheet: StyleSheet, continuation_roles: Iterable[str] = ()) -> None:
        self._numbering = word.part.numbering_part.element
        self.sheet = sheet
        abstract_ids = [int(node.get(qn("w:abstractNumId"))) for node in self._numbering.findall(qn("w:abstractNum"))]
        num_ids = [int(node.get(qn("w:numId"))) for node in self._numbering.findall(qn("w:num"))]
        self._next_abstract = max(abstract_ids, default=-1) + 1
        self._next_num = max(num_ids, default=0) + 1
        self._bullet_abstract = self._add_abstract("bullet")
        self._number_abstract = self._add_abstract("number")
        self._table_number_abstract = self._add_abstract("table-number")
        self.bullet_num = self._add_num(self._bullet_abstract)
        self.number_num = self._add_num(self._number_abstract)
        self.table_bullet_num = self._add_num(self._add_abstract("table-bullet"))
        self.table_number_num = self._add_num(self._table_number_abstract)
        self._link_styles()
        self._mark_continuations(continuation_roles)

    def _add_abstract(self, role: str) -> int:
        abstract_id = self._next_abstract
        self._next_abstract += 1
        theme = self.sheet.theme
        colour = hex_colour(theme.look("list-marker").colour)
        indent = theme.look(role).indent
        in_table = role.startswith("table-")
        levels = []
        for level in range(LIST_DEPTH):
            left, hanging = list_indent(indent, level)
            # bullets and numbers in the list marker's colour, as the PDF draws them
            run = [element("w:rPr", children=[element("w:color", {"w:val": colour})])]
            if role.endswith("bullet"):
                number_format, text = "bullet", _BULLETS[level]
            else:
                number_format, text = _NUMBER_FORMATS[level]
            # a level names the style that holds it (Word links each list style to one level); a table's lists
            # share one style, linked to their first level
            linked = [] if in_table and level else [element("w:pStyle", {"w:val": self.sheet.style_id(
                self.sheet.name(role) if in_table else self.sheet.list_style(role, level + 1))})]
            levels.append(element("w:lvl", {"w:ilvl": level}, [
                element("w:start", {"w:val": 1}),
                element("w:numFmt", {"w:val": number_format}),
                *linked,
                element("w:lvlText", {"w:val": text}),
                element("w:lvlJc", {"w:val": "left"}),
                element("w:pPr", children=[
                    element("w:tabs", children=[element("w:tab", {"w:val": "num", "w:pos": twips(left)})]),
                    element("w:ind", {"w:left": twips(left), "w:hanging": twips(hanging)}),
                ]),
                *run,
            ]))
        abstract = element("w:abstractNum", {"w:abstractNumId": abstract_id}, [
            element("w:nsid", {"w:val": f"5EB0{abstract_id:04X}"}),
            element("w:multiLevelType", {"w:val": "multilevel"}),
            element("w:tmpl", {"w:val": f"7A11{abstract_id:04X}"}),
            *levels,
        ])
        first_num = self._numbering.find(qn("w:num"))
        if first_num is not None:  # all abstractNum elements come before the num elements
            first_num.addprevious(abstract)
        else:
            self._numbering.append(abstract)
        return abstract_id

    def _add_num(self, abstract_id: int, restart_level: int | None = None) -> int:
        num_id = self._next_num
        self._next_num += 1
        children = [element("w:abstractNumId", {"w:val": abstract_id})]
        if restart_level is not None:
            children.append(element("w:lvlOverride", {"w:ilvl": restart_level},
                                    [element("w:startOverride", {"w:val": 1})]))
        self._numbering.append(element("w:num", {"w:numId": num_id}, children))
        return num_id

    def _link_styles(self) -> None:
        index = self.sheet.index
        for role, num_id in (("table-bullet", self.table_bullet_num), ("table-number", self.table_number_num)):
            properties = _style_properties(index.get(self.sheet.name(role)))
            put_paragraph_property(properties, element("w:numPr", children=[element("w:numId", {"w:val": num_id})]))
            for child in properties.findall(qn("w:ind")):
                properties.remove(child)  # indents come from the list level
        for role, num_id in (("bullet", self.bullet_num), ("number", self.number_num)):
            for depth in range(1, LIST_DEPTH + 1):
                properties = _style_properties(index.get(self.sheet.list_style(role, depth)))
                numbering = element("w:numPr", children=(
                    ([element("w:ilvl", {"w:val": depth - 1})] if depth > 1 else [])
                    + [element("w:numId", {"w:val": num_id})]))
                put_paragraph_property(properties, numbering)
                for child in properties.findall(qn("w:ind")):
                    properties.remove(child)  # indents come from the list level

    def _mark_continuations(self, roles: Iterable[str]) -> None:
        """Give the styles of paragraphs that continue a list item (List Continue, an answer under its question)
        Word's "no number" list.

        Word and LibreOffice show them as before, unnumbered and indented by the style; pandoc reads a paragraph
        so marked as part of the item above it, where a paragraph without any list would end the list there
        (jgm/pandoc#3590, one numbered question list read as five lists). On the style and not each paragraph:
        LibreOffice drops a style's indent from a paragraph that says "no number" itself.
        """
        index = self.sheet.index
        names = [self.sheet.list_style("list-continue", depth) for depth in range(1, LIST_DEPTH + 1)]
        names += [self.sheet.name(role) for role in sorted(set(roles))]
        for name in names:
            node = index.find(name)
            if node is None:  # a reference document without List Continue, for a document with no list
                continue
            properties = _style_properties(node)
            if properties.find(qn("w:numPr")) is None:  # a reference document's own list stays
                put_paragraph_property(properties, element("w:numPr", children=[
                    element("w:numId", {"w:val": NO_NUMBERING})]))

    def restarted_number_list(self, level: int, in_table: bool = False) -> int:
        """A fresh list instance whose `level` starts again at 1."""
        return self._add_num(self._table_number_abstract if in_table else self._number_abstract, restart_level=level)


def _style_properties(style: Element) -> Element:
    """A style's `w:pPr`, made where the schema has it (before `w:rPr`) when a reference document's style has none."""
    properties = style.find(qn("w:pPr"))
    if properties is None:
        properties = element("w:pPr")
        run_properties = style.find(qn("w:rPr"))
        if run_properties is None:
            style.append(properties)
        else:
            run_properties.addprevious(properties)
    return properties
