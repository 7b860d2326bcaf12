"""Small WordprocessingML element builders shared by the DOCX writer modules.

The writer builds paragraphs, runs and tables as lxml elements directly (python-docx's proxy objects
cannot express fields, bookmarks, hyperlinks or table-style looks), and uses python-docx for the
package: parts, relationships, images, styles part and core properties. Units: OOXML measures in
twentieths of a point ("twips", dxa), half-points for font sizes, eighths of a point for borders.
"""

from __future__ import annotations

import functools
import re
from copy import deepcopy
from typing import Iterable, TypeAlias

from docx.oxml.ns import NamespacePrefixedTag, qn
from docx.oxml.parser import oxml_parser
from lxml import etree

Element: TypeAlias = etree._Element

TWIPS_PER_MM = 1440 / 25.4
EMU_PER_MM = 36000


def twips(millimetres: float) -> int:
    """Millimetres → twentieths of a point (the dxa unit of page geometry and table widths)."""
    return round(millimetres * TWIPS_PER_MM)


def points_to_twips(points: float) -> int:
    return round(points * 20)


def half_points(points: float) -> int:
    """Font size in points → the half-points `w:sz` wants."""
    return round(points * 2)


def hex_colour(colour: str) -> str:
    """`#1f3a5f` → `1F3A5F`, the form `w:color` and `w:shd` want."""
    return colour.lstrip("#").upper()


@functools.lru_cache(maxsize=None)
def _clark(tag: str) -> str:
    return qn(tag)


@functools.lru_cache(maxsize=None)
def _tag_and_namespace(tag: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    prefixed = NamespacePrefixedTag(tag)
    return prefixed.clark_name, tuple(prefixed.nsmap.items())


def element(tag: str, attributes: dict[str, str | int] | None = None, children: Iterable[Element] = ()) -> Element:
    """`element("w:spacing", {"w:after": 120})`: a namespaced element with namespaced attributes.

    The same element python-docx's `OxmlElement(tag)` makes (its parser, so its element classes, and the
    one namespace declaration), with the tag and attribute names resolved once per process: a document
    makes hundreds of elements from a few dozen names.
    """
    clark, namespace = _tag_and_namespace(tag)
    node = oxml_parser.makeelement(clark, nsmap=dict(namespace))
    if attributes:
        for name, value in attributes.items():
            node.set(_clark(name), str(value))
    for child in children:
        node.append(child)
    return node


def append_block(container: Element, block: Element) -> None:
    """Append a `w:p`/`w:tbl` to a body, cell, header or footer; in a body it goes before the final sectPr."""
    last = container[-1] if len(container) else None
    if last is not None and last.tag == qn("w:sectPr"):
        last.addprevious(block)
    else:
        container.append(block)


def new_paragraph(style_id: str) -> Element:
    """An empty `w:p` with its paragraph style."""
    return element("w:p", children=[element("w:pPr", children=[element("w:pStyle", {"w:val": style_id})])])


def paragraph_properties(paragraph: Element) -> Element:
    properties = paragraph.find(qn("w:pPr"))
    if properties is None:
        properties = element("w:pPr")
        paragraph.insert(0, properties)
    return properties


_PARAGRAPH_PROPERTY_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
                             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
                             "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
                             "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
                             "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
                             "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
"""The children of `w:pPr` in the order ECMA-376 gives them (`CT_PPr`): Word refuses a file with another order."""


def put_paragraph_property(properties: Element, child: Element) -> None:
    """Put `child` into a paragraph's or a style's `w:pPr` where the schema has it, in place of one of its kind."""
    tag = etree.QName(child).localname
    for old in properties.findall(qn(f"w:{tag}")):
        properties.remove(old)
    earlier = {qn(f"w:{name}") for name in _PARAGRAPH_PROPERTY_ORDER[:_PARAGRAPH_PROPERTY_ORDER.index(tag)]}
    anchor = None
    for existing in properties:
        if existing.tag in earlier:
            anchor = existing
    if anchor is None:
        properties.insert(0, child)
    else:
        anchor.addnext(child)


def set_numbering(paragraph: Element, num_id: int, level: int) -> None:
    """Attach a list instance to a paragraph."""
    put_paragraph_property(paragraph_properties(paragraph), element("w:numPr", children=[
        element("w:ilvl", {"w:val": level}), element("w:numId", {"w:val": num_id})]))


def set_page_break_before(paragraph: Element) -> None:
    """Start the paragraph on a new page."""
    put_paragraph_property(paragraph_properties(paragraph), element("w:pageBreakBefore"))


def run_properties(style_id: str = "", bold: bool = False, italic: bool = False) -> Element | None:
    """`w:rPr` for a run: a character style and, for Emphasis/Strong only, bold/italic."""
    children = []
    if style_id:
        children.append(element("w:rStyle", {"w:val": style_id}))
    if bold:
        children += [element("w:b"), element("w:bCs")]
    if italic:
        children += [element("w:i"), element("w:iCs")]
    return element("w:rPr", children=children) if children else None


_TAB_OR_BREAK = re.compile(r"([\t\n\r])")


def text_run(text: str, properties: Element | None) -> Element:
    """A run of literal text: tabs become `w:tab`, line feeds `w:br`; spaces are preserved."""
    run = _new_run(properties)
    for piece in _TAB_OR_BREAK.split(text):
        if piece == "\t":
            run.append(element("w:tab"))
        elif piece in ("\n", "\r"):
            run.append(element("w:br"))
        elif piece:
            text_element = element("w:t")
            text_element.text = piece
            text_element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(text_element)
    return run


def break_run(properties: Element | None, kind: str = "") -> Element:
    """A run holding a line break, or a page break with `kind="page"`."""
    run = _new_run(properties)
    run.append(element("w:br", {"w:type": kind} if kind else None))
    return run


def _new_run(properties: Element | None) -> Element:
    run = element("w:r")
    if properties is not None:
        run.append(deepcopy(properties))
    return run
