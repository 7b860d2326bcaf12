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

from typing import Iterable

from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn

from reports.cache import Cache
from reports.errors import AssetError, Diagnostic
from reports.theme.model import Theme
from reports.writers.docx.looks import (
    TABLE_LOOK,
    TABLE_TEXT_SCALE,
    Look,
    StyleSpec,
    border,
    cell_margins,
    font_element,
    paragraph_properties,
    run_properties,
    shading,
)
from reports.writers.docx.numbering import LIST_DEPTH, list_indent
from reports.writers.docx.ooxml import Element, element, half_points, hex_colour
from reports.writers.docx.package import blank_package, open_package
from reports.writers.docx.style_index import CHARACTER, PARAGRAPH, STYLE_TYPE_NAMES, StyleIndex, style_kind

_EAST_ASIAN = {"zh", "ja", "ko"}
_RIGHT_TO_LEFT = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv"}

# Children of w:style that carry formatting, in schema order; everything before them (name, basedOn,
# next, link, uiPriority, qFormat, rsid) is identity and kept.
_FORMATTING = ("w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")




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
                raise AssetError([Diagnostic(f"style '{name}' is a {STYLE_TYPE_NAMES.get(found, found)} "
                                             f"style, but a {STYLE_TYPE_NAMES[kind]} style is needed — rename one "
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
                                   Look(after=size * 0.3, indent_left=list_indent(depth - 1)[0]), body_text,
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
                border("w:top", colours.primary, 1.0),
                border("w:left", colours.rule, 0),
                border("w:bottom", colours.primary, 1.0),
                border("w:right", colours.rule, 0),
                border("w:insideH", colours.rule, 0.5),
                border("w:insideV", colours.rule, 0),
            ]),
            cell_margins(look.cell_vertical_mm, look.cell_horizontal_mm),
        ]))
        style.append(element("w:tcPr", children=[element("w:vAlign", {"w:val": "top"})]))
        style.append(element("w:tblStylePr", {"w:type": "firstRow"}, [
            element("w:pPr", children=[element("w:keepNext")]),
            element("w:rPr", children=[element("w:b"), element("w:bCs"),
                                       element("w:color", {"w:val": hex_colour(colours.table_header_text)})]),
            element("w:tblPr"),
            element("w:trPr", children=[element("w:cantSplit"), element("w:tblHeader")]),
            element("w:tcPr", children=[
                shading(colours.primary),
                element("w:vAlign", {"w:val": "bottom"}),
            ]),
        ]))
        style.append(element("w:tblStylePr", {"w:type": "band2Horz"}, [
            element("w:tblPr"),
            element("w:tcPr", children=[shading(colours.table_stripe)]),
        ]))
        return style

    def _box_table_style(self, role: str) -> Element:
        """A shaded one-cell box with a thick rule on the left (key facts in primary, summary in accent)."""
        colours, look = self.theme.colours, TABLE_LOOK
        rule = colours.primary if role == "key-facts" else colours.accent
        style = self._table_style_shell(self.name(role))
        style.append(element("w:tblPr", children=[
            element("w:tblBorders", children=[
                border("w:top", rule, 0), border("w:left", rule, look.box_rule_points), border("w:bottom", rule, 0),
                border("w:right", rule, 0), border("w:insideH", rule, 0), border("w:insideV", rule, 0),
            ]),
            cell_margins(look.box_top_mm, look.box_horizontal_mm, look.box_bottom_mm),
        ]))
        style.append(element("w:tcPr", children=[shading(colours.box_background)]))
        return style

    # --- checking -------------------------------------------------------------------------------

    def check(self, needed: Iterable[tuple[str, WD_STYLE_TYPE]], source: str = "") -> None:
        """Raise AssetError naming every style the document needs that the styles part lacks."""
        problems = []
        for name, kind in sorted(set(needed), key=lambda item: (item[0], int(item[1]))):
            node = self.index.find(name)
            if node is None:
                problems.append(Diagnostic(
                    f"style '{name}' ({STYLE_TYPE_NAMES[kind]}) is missing from the DOCX styles — add it to the "
                    "reference document or map its role to an existing style under `styles:` in theme.yaml", file=source))
            elif style_kind(node) != kind:
                problems.append(Diagnostic(
                    f"style '{name}' is a {STYLE_TYPE_NAMES.get(style_kind(node), '?')} style, but a "
                    f"{STYLE_TYPE_NAMES[kind]} style is needed — rename it or map the role to another style", file=source))
        if problems:
            raise AssetError(problems)


# --- list numbering ------------------------------------------------------------------------------


