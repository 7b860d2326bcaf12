"""Word styles and list numbering built from the theme, in the document's own styles part.

Every paragraph the writer emits names a style; the look lives here, in real Word styles that a user can
restyle (Home → Styles) and that Word's navigation pane, outline and table of contents understand.
Built-in styles (Title, Heading 1–3, Body Text, Caption, List Bullet…) are adjusted in place so Word
treats them as its own; the briefing's extra styles (Byline, Lead, Source Line, Box Title, Table Text,
Table Heading, the table styles) are added. Colour lives as low as possible in the hierarchy (document
defaults), so the header row's white text from the table style is not overridden by a paragraph style.

Defining the styles is the same work for every document of a theme, so `StyleSheet.new_document` keeps
the finished styles part per process (as a blank DOCX, by theme, language, style specs and roles) and
later documents are parsed from it; each document still gets its own XML tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn
from docx.oxml.styles import CT_Style, CT_Styles
from docx.styles import BabelFish

from reports.cache import Cache
from reports.errors import AssetError, Diagnostic
from reports.theme.model import Theme
from reports.writers.docx.ooxml import Element, element, half_points, hex_colour, points_to_twips, twips
from reports.writers.docx.package import blank_package, open_package

PARAGRAPH = WD_STYLE_TYPE.PARAGRAPH
CHARACTER = WD_STYLE_TYPE.CHARACTER
TABLE = WD_STYLE_TYPE.TABLE

LIST_DEPTH = 3
"""Word has List Bullet, List Bullet 2 and List Bullet 3 (and the same for numbers): deeper lists stay at 3."""

_EAST_ASIAN = {"zh", "ja", "ko"}
_RIGHT_TO_LEFT = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv"}
_STYLE_TYPE_NAMES = {PARAGRAPH: "paragraph", CHARACTER: "character", TABLE: "table"}

# Children of w:style that carry formatting, in schema order; everything before them (name, basedOn,
# next, link, uiPriority, qFormat, rsid) is identity and kept.
_FORMATTING = ("w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")


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
    line_exact: float | None = None
    """Exact line height in points (wins over `line`)."""
    keep_next: bool = False
    keep_lines: bool = False
    align: str = ""
    indent_left: float | None = None
    hanging: float | None = None
    border_top: tuple[str, float, float] | None = None
    """(colour, width in points, distance in points)."""
    border_bottom: tuple[str, float, float] | None = None
    right_tab: float | None = None
    outline_level: int | None = None


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
    """`w:pPr` children in schema order (keepNext, keepLines, pBdr, tabs, spacing, ind, jc, outlineLvl)."""
    children: list[Element] = []
    if look.keep_next:
        children.append(element("w:keepNext"))
    if look.keep_lines:
        children.append(element("w:keepLines"))
    borders = []
    for side, border in (("w:top", look.border_top), ("w:bottom", look.border_bottom)):
        if border is not None:
            colour, width, space = border
            borders.append(element(side, {"w:val": "single", "w:sz": round(width * 8), "w:space": round(space),
                                          "w:color": hex_colour(colour)}))
    if borders:
        children.append(element("w:pBdr", children=borders))
    if look.right_tab is not None:
        children.append(element("w:tabs", children=[element("w:tab", {"w:val": "right", "w:pos": twips(look.right_tab)})]))
    spacing: dict[str, str | int] = {}
    if look.before is not None:
        spacing["w:before"] = points_to_twips(look.before)
    if look.after is not None:
        spacing["w:after"] = points_to_twips(look.after)
    if look.line_exact is not None:
        spacing["w:line"] = points_to_twips(look.line_exact)
        spacing["w:lineRule"] = "exact"
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


def _border(side: str, colour: str, width: float) -> Element:
    if width <= 0:
        return element(side, {"w:val": "nil"})
    return element(side, {"w:val": "single", "w:sz": round(width * 8), "w:space": 0, "w:color": hex_colour(colour)})


def _cell_margins(vertical_mm: float, horizontal_mm: float, bottom_mm: float | None = None) -> Element:
    return element("w:tblCellMar", children=[
        element("w:top", {"w:w": twips(vertical_mm), "w:type": "dxa"}),
        element("w:left", {"w:w": twips(horizontal_mm), "w:type": "dxa"}),
        element("w:bottom", {"w:w": twips(vertical_mm if bottom_mm is None else bottom_mm), "w:type": "dxa"}),
        element("w:right", {"w:w": twips(horizontal_mm), "w:type": "dxa"}),
    ])


def _shading(colour: str) -> Element:
    return element("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": hex_colour(colour)})


@dataclass(frozen=True)
class TableLook:
    """Geometry shared by the writer and the table styles (cell margins decide the usable width)."""

    cell_vertical_mm: float = 1.2
    cell_horizontal_mm: float = 1.8
    box_top_mm: float = 3.2
    box_bottom_mm: float = 1.8
    """Less than the top: the last paragraph in a box brings its own space after."""
    box_horizontal_mm: float = 4.0
    box_rule_points: float = 3.0


TABLE_TEXT_SCALE = 0.88
"""Table text size relative to the body text."""
TABLE_LOOK = TableLook()


_STYLE, _NAME, _VAL, _STYLE_ID = qn("w:style"), qn("w:name"), qn("w:val"), qn("w:styleId")


def style_kind(node: CT_Style) -> WD_STYLE_TYPE:
    """A style's type as python-docx reports it: a style without `w:type` is a paragraph style."""
    kind = node.type
    return PARAGRAPH if kind is None else kind


class StyleIndex:
    """The `w:style` elements of one styles part by name and by id, built in one pass.

    python-docx answers `name in styles` and `styles[name]` with a scan over every style (XPath or a
    generator), and a document asks over a hundred times; this answers from dicts. Like python-docx, the
    first style in document order wins a duplicated name or id, names are Word's UI names (`Heading 1`,
    stored as `heading 1`), and `get` falls back to the id as `styles[key]` does. Styles added or replaced
    through `add` and `replace` keep it in step; anything else that edits the part must build a new index.
    """

    def __init__(self, root: CT_Styles) -> None:
        self.root = root
        self._by_name: dict[str, CT_Style] = {}
        self._by_id: dict[str, CT_Style] = {}
        for node in root.iterchildren(_STYLE):
            self._register(node)

    def _register(self, node: CT_Style) -> None:
        # plain lxml rather than python-docx's descriptors (`name_val`, `styleId`): same values, a tenth the time
        name = node.find(_NAME)
        name_value = name.get(_VAL) if name is not None else None
        if name_value is not None:
            self._by_name.setdefault(name_value, node)
        style_id = node.get(_STYLE_ID)
        if style_id is not None:
            self._by_id.setdefault(style_id, node)

    def __contains__(self, name: str) -> bool:
        return BabelFish.ui2internal(name) in self._by_name

    def find(self, name: str) -> CT_Style | None:
        """The style named `name`, or None (python-docx's `name in styles`, then `styles[name]`)."""
        return self._by_name.get(BabelFish.ui2internal(name))

    def get(self, key: str) -> CT_Style:
        """The style named `key`, else the one whose id is `key`; KeyError if neither (`styles[key]`)."""
        node = self.find(key)
        if node is None:
            node = self._by_id.get(key)
        if node is None:
            raise KeyError(f"no style with name '{key}'")
        return node

    def add(self, name: str, kind: WD_STYLE_TYPE) -> CT_Style:
        """A new custom style at the end of the part, as python-docx's `styles.add_style(name, kind)` makes it."""
        internal = BabelFish.ui2internal(name)
        if internal in self._by_name:
            raise ValueError(f"document already contains style '{name}'")
        node = self.root.add_style_of_type(internal, kind, False)
        self._register(node)
        return node

    def replace(self, old: CT_Style, new: CT_Style) -> None:
        """Put `new` where `old` is; it takes over whatever name and id lookups found `old`."""
        old.addprevious(new)
        self.root.remove(old)
        for table in (self._by_name, self._by_id):
            for key in [key for key, node in table.items() if node is old]:
                table[key] = new
        self._register(new)

    def append(self, new: CT_Style) -> None:
        self.root.append(new)
        self._register(new)


STYLED_PACKAGES_LIMIT = 8
"""Blank packages with defined styles a cache keeps: a process builds a few themes at most; each is ≈0.5 MB."""


class StyleSheet:
    """Defines the theme's styles in a python-docx document and resolves style names to style ids.

    Attached to one document: `new_document` makes a blank one with the theme's styles, `attach` takes
    one that brings its own (a reference document).
    """

    def __init__(self, theme: Theme, language_tag: str, cache: Cache | None = None) -> None:
        self.theme = theme
        self.language_tag = language_tag
        self.cache = cache if cache is not None else Cache()
        self._index: StyleIndex | None = None
        self._ids: dict[tuple[str, WD_STYLE_TYPE], str] = {}

    def attach(self, word: WordDocument) -> None:
        self._index = StyleIndex(word.styles.element)
        self._ids.clear()

    @property
    def index(self) -> StyleIndex:
        assert self._index is not None, "new_document() or attach() gives the sheet its document"
        return self._index

    def new_document(self, span_roles: Iterable[str] = (), paragraph_roles: Iterable[str] = (),
                     table_roles: Iterable[str] = ()) -> WordDocument:
        """A blank Word document with every style `define` makes, attached to this sheet.

        Parsed from the package the cache keeps for the same definition key, when there is one: defining the
        styles is the same work for every document of a theme.
        """
        span_roles, paragraph_roles, table_roles = tuple(span_roles), tuple(paragraph_roles), tuple(table_roles)
        key = self._definition_key(span_roles, paragraph_roles, table_roles)
        package = self.cache.get("docx-styles", key)
        if package is not None:
            word = open_package(package)
            self.attach(word)
            return word
        word = open_package(blank_package(self.cache))
        self.attach(word)
        self.define(span_roles=span_roles, paragraph_roles=paragraph_roles, table_roles=table_roles)
        self.cache.put("docx-styles", key, blank_package(self.cache, serialize_part_xml(self.index.root)),
                       STYLED_PACKAGES_LIMIT)
        return word

    def _definition_key(self, span_roles: tuple[str, ...], paragraph_roles: tuple[str, ...],
                        table_roles: tuple[str, ...]) -> tuple[object, ...]:
        """Everything `define` reads: the whole theme (defaults and table styles read it directly), the
        language, the computed specs (so a changed `specs` cannot reuse old styles) and the table roles."""
        specs = tuple(self.specs(paragraph_roles=paragraph_roles, span_roles=span_roles))
        return self.theme.model_dump_json(), self.language_tag, specs, table_roles, TABLE_LOOK

    # --- names ----------------------------------------------------------------------------------

    def name(self, role: str) -> str:
        return self.theme.style_for(role)

    def list_style(self, role: str, depth: int) -> str:
        """`List Bullet`, `List Bullet 2`, `List Bullet 3`: Word's own names for nested list levels."""
        base = self.name(role)
        depth = min(max(depth, 1), LIST_DEPTH)
        return base if depth == 1 else f"{base} {depth}"

    def style_id(self, name: str, kind: WD_STYLE_TYPE = PARAGRAPH) -> str:
        key = (name, kind)
        if key not in self._ids:
            node = self.index.get(name)
            found = style_kind(node)
            if found != kind:
                raise AssetError([Diagnostic(f"style '{name}' is a {_STYLE_TYPE_NAMES.get(found, found)} "
                                             f"style, but a {_STYLE_TYPE_NAMES[kind]} style is needed — rename one "
                                             "of them or map the role to another style in theme.yaml")])
            self._ids[key] = node.styleId
        return self._ids[key]

    # --- definition -----------------------------------------------------------------------------

    def define(self, span_roles: Iterable[str] = (), paragraph_roles: Iterable[str] = (),
               table_roles: Iterable[str] = ()) -> None:
        """Set document defaults and define every style the writer uses, from the theme."""
        self._define_defaults()
        for spec in self.specs(paragraph_roles=paragraph_roles, span_roles=span_roles):
            self._apply(spec)
        table_style = self.name("table")
        self._put_table_style(self._data_table_style(table_style))
        for role in ("key-facts", "summary"):
            self._put_table_style(self._box_table_style(role))
        for role in table_roles:
            name = self.name(role)
            if name not in self.index:
                self._put_table_style(self._data_table_style(name, based_on=table_style))

    def specs(self, paragraph_roles: Iterable[str] = (), span_roles: Iterable[str] = ()) -> list[StyleSpec]:
        theme = self.theme
        colours = theme.colours
        size = theme.font_size
        heading = theme.heading_font.name
        text_width = theme.text_width_mm
        name = self.name
        normal = "Normal"
        body_text = name("body")
        specs = [
            StyleSpec(normal, PARAGRAPH, Look(after=0, line=theme.line_spacing)),
            StyleSpec(body_text, PARAGRAPH, Look(after=size * 0.7), normal, body_text, 1, True),
            StyleSpec(name("lead"), PARAGRAPH, Look(size=size * 1.15, line=theme.line_spacing, after=size * 1.0,
                                                    colour=colours.primary), body_text, body_text, 2, True),
            StyleSpec(name("title"), PARAGRAPH, Look(font=heading, size=size * 2.4, bold=True, colour=colours.primary,
                                                     line=1.05, before=0, after=size * 0.5, keep_next=True,
                                                     keep_lines=True),
                      normal, name("subtitle"), 10, True),
            StyleSpec(name("subtitle"), PARAGRAPH, Look(font=heading, size=size * 1.35, colour=colours.muted,
                                                        line=1.15, after=size * 0.9, keep_next=True),
                      normal, name("byline"), 11, True),
            StyleSpec(name("byline"), PARAGRAPH, Look(font=heading, size=size * 0.9, colour=colours.muted,
                                                      line=1.2, after=size * 1.8,
                                                      border_bottom=(colours.accent, 1.5, 6)),
                      normal, body_text, 12, True),
        ]
        for level, (scale, before, after) in enumerate(((1.5, 2.0, 0.6), (1.2, 1.5, 0.45), (1.05, 1.1, 0.3)), 1):
            specs.append(StyleSpec(
                name(f"heading-{level}"), PARAGRAPH,
                Look(font=heading, size=size * scale, bold=True, colour=colours.primary if level < 3 else colours.text,
                     line=1.1, before=size * before, after=size * after, keep_next=True, keep_lines=True,
                     outline_level=level - 1),
                normal, body_text, 9, True))
        specs += [
            StyleSpec(name("caption"), PARAGRAPH, Look(font=heading, size=size * 0.9, colour=colours.text, line=1.15,
                                                       before=size * 0.9, after=size * 0.45, keep_next=True,
                                                       keep_lines=True),
                      normal, body_text, 35, True),
            StyleSpec(name("caption-label"), CHARACTER, Look(bold=True, colour=colours.primary), priority=35),
            StyleSpec(name("source"), PARAGRAPH, Look(font=heading, size=size * 0.8, colour=colours.muted, line=1.15,
                                                      before=0, after=size * 1.2, keep_lines=True),
                      normal, body_text, 36, True),
            StyleSpec(name("figure"), PARAGRAPH, Look(line=1.0, before=size * 0.6, after=size * 0.2, keep_next=True),
                      normal, name("caption"), 34),
            # No keep-with-next: inside a box's only table row, Word and LibreOffice read it as "keep the
            # whole box with the next paragraph", which chains the box to the heading and figure after it.
            StyleSpec(name("box-title"), PARAGRAPH, Look(font=heading, size=size * 1.1, bold=True,
                                                         colour=colours.primary, line=1.15, after=size * 0.4,
                                                         keep_lines=True),
                      normal, body_text, 20, True),
            StyleSpec(name("table-text"), PARAGRAPH, Look(font=heading, size=size * TABLE_TEXT_SCALE, line=1.15, before=0,
                                                          after=0),
                      normal, name("table-text"), 30),
            StyleSpec(name("table-heading"), PARAGRAPH, Look(bold=True, keep_next=True),
                      name("table-text"), name("table-text"), 31),
            StyleSpec(name("header"), PARAGRAPH, Look(font=heading, size=size * 0.8, colour=colours.muted, line=1.0,
                                                      after=0, right_tab=text_width,
                                                      border_bottom=(colours.rule, 0.75, 4)),
                      normal, priority=99),
            StyleSpec(name("footer"), PARAGRAPH, Look(font=heading, size=size * 0.8, colour=colours.muted, line=1.0,
                                                      after=0, right_tab=text_width,
                                                      border_top=(colours.rule, 0.75, 4)),
                      normal, priority=99),
            # The gap after a table: Word has no "space after" for tables, so a table followed by text gets
            # one empty paragraph of this style (it also keeps Word from merging two adjacent tables).
            StyleSpec(name("table-spacing"), PARAGRAPH, Look(size=2, line_exact=size * 0.8, before=0, after=0),
                      normal, body_text, 99),
            StyleSpec(name("hyperlink"), CHARACTER, Look(colour=colours.primary, underline=True), priority=99),
        ]
        for depth in range(1, LIST_DEPTH + 1):
            for role in ("bullet", "number"):
                specs.append(StyleSpec(self.list_style(role, depth), PARAGRAPH, Look(after=size * 0.3),
                                       body_text, priority=99, quick=depth == 1))
            specs.append(StyleSpec(self.list_style("list-continue", depth), PARAGRAPH,
                                   Look(after=size * 0.3, indent_left=_list_indent(depth - 1)[0]), body_text,
                                   priority=99))
        for role in ("table-bullet", "table-number"):  # lists inside table cells: table-sized, tighter indents
            specs.append(StyleSpec(name(role), PARAGRAPH, Look(after=size * 0.15, indent_left=4.2, hanging=3.2),
                                   name("table-text"), name(role), 99))
        known = {spec.name for spec in specs}
        for role in paragraph_roles:  # roles the theme does not style yet: they look like body text
            if name(role) not in known:
                known.add(name(role))
                specs.append(StyleSpec(name(role), PARAGRAPH, Look(), body_text, body_text, 50, True))
        for role in span_roles:  # character styles for Span roles: named, so Word users can restyle them
            if name(role) not in known:
                known.add(name(role))
                specs.append(StyleSpec(name(role), CHARACTER, Look(), priority=50, quick=True))
        return specs

    def set_language(self) -> None:
        """Only the document language in the defaults: for a reference document, whose look is the user's."""
        styles = self.index.root
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = element("w:docDefaults")
            styles.insert(0, defaults)
        run_default = defaults.find(qn("w:rPrDefault"))
        if run_default is None:
            run_default = element("w:rPrDefault")
            defaults.insert(0, run_default)
        run = run_default.find(qn("w:rPr"))
        if run is None:
            run = element("w:rPr")
            run_default.append(run)
        for old in run.findall(qn("w:lang")):
            run.remove(old)
        run.append(element("w:lang", self._language_attributes()))

    def _language_attributes(self) -> dict[str, str | int]:
        language: dict[str, str | int] = {"w:val": self.language_tag}
        base = self.language_tag.split("-")[0]
        if base in _EAST_ASIAN:
            language["w:eastAsia"] = self.language_tag
        if base in _RIGHT_TO_LEFT:
            language["w:bidi"] = self.language_tag
        return language

    def _define_defaults(self) -> None:
        theme = self.theme
        styles = self.index.root
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = element("w:docDefaults")
            styles.insert(0, defaults)
        for child in list(defaults):
            defaults.remove(child)
        language = self._language_attributes()
        run = element("w:rPr", children=[
            font_element(theme.body_font.name),
            element("w:color", {"w:val": hex_colour(theme.colours.text)}),
            element("w:sz", {"w:val": half_points(theme.font_size)}),
            element("w:szCs", {"w:val": half_points(theme.font_size)}),
            element("w:lang", language),
        ])
        paragraph = element("w:pPr", children=[
            element("w:widowControl"),
            element("w:spacing", {"w:after": 0, "w:line": round(240 * theme.line_spacing), "w:lineRule": "auto"}),
        ])
        defaults.append(element("w:rPrDefault", children=[run]))
        defaults.append(element("w:pPrDefault", children=[paragraph]))

    def _apply(self, spec: StyleSpec) -> None:
        node = self.index.find(spec.name)
        if node is None:
            node = self.index.add(spec.name, spec.kind)
        if style_kind(node) != spec.kind:
            return  # reported by `check`, with the other problems
        for tag in _FORMATTING:
            for child in node.findall(qn(tag)):
                node.remove(child)
        for tag in ("w:basedOn", "w:next", "w:uiPriority", "w:qFormat", "w:semiHidden", "w:unhideWhenUsed"):
            for child in node.findall(qn(tag)):
                node.remove(child)
        anchor = node.find(qn("w:name"))
        identity: list[Element] = []
        if spec.based_on and spec.based_on != spec.name:
            identity.append(element("w:basedOn", {"w:val": self._id_or_create(spec.based_on, spec.kind)}))
        if spec.next_style and spec.kind == PARAGRAPH and spec.next_style != spec.name:
            identity.append(element("w:next", {"w:val": self._id_or_create(spec.next_style, PARAGRAPH)}))
        link = node.find(qn("w:link"))
        if link is not None:  # a linked "… Char" style would otherwise keep the old look in Word
            node.remove(link)
        if spec.priority:
            identity.append(element("w:uiPriority", {"w:val": spec.priority}))
        if spec.quick:
            identity.append(element("w:qFormat"))
        for child in reversed(identity):
            anchor.addnext(child)
        if spec.kind == PARAGRAPH:
            node.append(paragraph_properties(spec.look))
        node.append(run_properties(spec.look))

    def _id_or_create(self, name: str, kind: WD_STYLE_TYPE) -> str:
        node = self.index.find(name)
        if node is None:
            node = self.index.add(name, kind)
        return node.styleId

    # --- table styles ---------------------------------------------------------------------------

    def _put_table_style(self, new: Element) -> None:
        """Replace the table style of the same name, or add it."""
        name = new.find(qn("w:name")).get(qn("w:val"))
        old = self.index.find(name)
        if old is not None:
            new.set(qn("w:styleId"), old.get(qn("w:styleId")))
            self.index.replace(old, new)
        else:
            self.index.append(new)

    def _table_style_shell(self, name: str, based_on: str = "TableNormal") -> Element:
        style_id = "".join(character for character in name if character.isalnum()) or "BriefingTable"
        return element("w:style", {"w:type": "table", "w:customStyle": 1, "w:styleId": style_id}, [
            element("w:name", {"w:val": name}),
            element("w:basedOn", {"w:val": based_on}),
            element("w:uiPriority", {"w:val": 59}),
        ])

    def _data_table_style(self, name: str, based_on: str = "") -> Element:
        """Rules above and below, hairlines between rows, a primary-coloured header row, light banding."""
        theme, colours, look = self.theme, self.theme.colours, TABLE_LOOK
        base = "TableNormal"
        based_on_node = self.index.find(based_on) if based_on else None
        if based_on_node is not None:
            base = based_on_node.styleId
        style = self._table_style_shell(name, base)
        style.append(element("w:pPr", children=[element("w:spacing", {"w:before": 0, "w:after": 0})]))
        style.append(element("w:rPr", children=[
            font_element(theme.heading_font.name),
            element("w:sz", {"w:val": half_points(theme.font_size * TABLE_TEXT_SCALE)}),
            element("w:szCs", {"w:val": half_points(theme.font_size * TABLE_TEXT_SCALE)}),
        ]))
        style.append(element("w:tblPr", children=[
            element("w:tblStyleRowBandSize", {"w:val": 1}),
            element("w:tblBorders", children=[
                _border("w:top", colours.primary, 1.0),
                _border("w:left", colours.rule, 0),
                _border("w:bottom", colours.primary, 1.0),
                _border("w:right", colours.rule, 0),
                _border("w:insideH", colours.rule, 0.5),
                _border("w:insideV", colours.rule, 0),
            ]),
            _cell_margins(look.cell_vertical_mm, look.cell_horizontal_mm),
        ]))
        style.append(element("w:tcPr", children=[element("w:vAlign", {"w:val": "top"})]))
        style.append(element("w:tblStylePr", {"w:type": "firstRow"}, [
            element("w:pPr", children=[element("w:keepNext")]),
            element("w:rPr", children=[element("w:b"), element("w:bCs"),
                                       element("w:color", {"w:val": hex_colour(colours.table_header_text)})]),
            element("w:tblPr"),
            element("w:trPr", children=[element("w:cantSplit"), element("w:tblHeader")]),
            element("w:tcPr", children=[
                _shading(colours.primary),
                element("w:vAlign", {"w:val": "bottom"}),
            ]),
        ]))
        style.append(element("w:tblStylePr", {"w:type": "band2Horz"}, [
            element("w:tblPr"),
            element("w:tcPr", children=[_shading(colours.table_stripe)]),
        ]))
        return style

    def _box_table_style(self, role: str) -> Element:
        """A shaded one-cell box with a thick rule on the left (key facts in primary, summary in accent)."""
        colours, look = self.theme.colours, TABLE_LOOK
        rule = colours.primary if role == "key-facts" else colours.accent
        style = self._table_style_shell(self.name(role))
        style.append(element("w:tblPr", children=[
            element("w:tblBorders", children=[
                _border("w:top", rule, 0), _border("w:left", rule, look.box_rule_points), _border("w:bottom", rule, 0),
                _border("w:right", rule, 0), _border("w:insideH", rule, 0), _border("w:insideV", rule, 0),
            ]),
            _cell_margins(look.box_top_mm, look.box_horizontal_mm, look.box_bottom_mm),
        ]))
        style.append(element("w:tcPr", children=[_shading(colours.box_background)]))
        return style

    # --- checking -------------------------------------------------------------------------------

    def check(self, needed: Iterable[tuple[str, WD_STYLE_TYPE]], source: str = "") -> None:
        """Raise AssetError naming every style the document needs that the styles part lacks."""
        problems = []
        for name, kind in sorted(set(needed), key=lambda item: (item[0], int(item[1]))):
            node = self.index.find(name)
            if node is None:
                problems.append(Diagnostic(
                    f"style '{name}' ({_STYLE_TYPE_NAMES[kind]}) is missing from the DOCX styles — add it to the "
                    "reference document or map its role to an existing style under `styles:` in theme.yaml", file=source))
            elif style_kind(node) != kind:
                problems.append(Diagnostic(
                    f"style '{name}' is a {_STYLE_TYPE_NAMES.get(style_kind(node), '?')} style, but a "
                    f"{_STYLE_TYPE_NAMES[kind]} style is needed — rename it or map the role to another style", file=source))
        if problems:
            raise AssetError(problems)


# --- list numbering ------------------------------------------------------------------------------

_BULLETS = ("\u2022", "\u2013", "\u25aa")
_NUMBER_FORMATS = (("decimal", "%1."), ("lowerLetter", "%2)"), ("lowerRoman", "%3."))


def _list_indent(level: int) -> tuple[float, float]:
    """(left indent, hanging) in millimetres for a list level counted from 0."""
    return 7.0 + 6.5 * level, 5.0


class Numbering:
    """Multi-level bullet and number lists linked to the List Bullet/List Number styles.

    Bullets all share one list instance (through the styles). Each ordered list gets its own instance
    with a start override, so every numbered list in the document starts at 1 as the author wrote it.
    """

    def __init__(self, word: WordDocument, sheet: StyleSheet) -> None:
        self._numbering = word.part.numbering_part.element
        self.sheet = sheet
        abstract_ids = [int(node.get(qn("w:abstractNumId"))) for node in self._numbering.findall(qn("w:abstractNum"))]
        num_ids = [int(node.get(qn("w:numId"))) for node in self._numbering.findall(qn("w:num"))]
        self._next_abstract = max(abstract_ids, default=-1) + 1
        self._next_num = max(num_ids, default=0) + 1
        self._bullet_abstract = self._add_abstract("bullet")
        self._number_abstract = self._add_abstract("number")
        self.bullet_num = self._add_num(self._bullet_abstract)
        self.number_num = self._add_num(self._number_abstract)
        self._link_styles()

    def _add_abstract(self, role: str) -> int:
        abstract_id = self._next_abstract
        self._next_abstract += 1
        colour = hex_colour(self.sheet.theme.colours.primary)
        levels = []
        for level in range(LIST_DEPTH):
            left, hanging = _list_indent(level)
            if role == "bullet":
                number_format, text = "bullet", _BULLETS[level]
                run = [element("w:rPr", children=[element("w:color", {"w:val": colour})])]
            else:
                number_format, text = _NUMBER_FORMATS[level]
                run = []
            levels.append(element("w:lvl", {"w:ilvl": level}, [
                element("w:start", {"w:val": 1}),
                element("w:numFmt", {"w:val": number_format}),
                element("w:pStyle", {"w:val": self.sheet.style_id(self.sheet.list_style(role, level + 1))}),
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
        for role, num_id in (("table-bullet", self.bullet_num), ("table-number", self.number_num)):
            properties = index.get(self.sheet.name(role)).find(qn("w:pPr"))
            properties.insert(0, element("w:numPr", children=[element("w:numId", {"w:val": num_id})]))
        for role, num_id in (("bullet", self.bullet_num), ("number", self.number_num)):
            for depth in range(1, LIST_DEPTH + 1):
                node = index.get(self.sheet.list_style(role, depth))
                properties = node.find(qn("w:pPr"))
                numbering = element("w:numPr", children=(
                    ([element("w:ilvl", {"w:val": depth - 1})] if depth > 1 else [])
                    + [element("w:numId", {"w:val": num_id})]))
                properties.insert(0, numbering)
                for child in properties.findall(qn("w:ind")):
                    properties.remove(child)  # indents come from the list level

    def restarted_number_list(self, level: int) -> int:
        """A fresh list instance whose `level` starts again at 1."""
        return self._add_num(self._number_abstract, restart_level=level)
