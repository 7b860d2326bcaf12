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

from dataclasses import replace
from typing import Any, Iterable, cast

from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn

from reports.cache import Cache
from reports.errors import AssetError, Diagnostic
from reports.theme.model import Theme
from reports.theme.scale import MM_PER_POINT, ResolvedRule
from reports.writers.docx.looks import (
    Look,
    StyleSpec,
    border,
    cell_margins,
    font_element,
    paragraph_properties,
    run_properties,
    shading,
)
from reports.writers.docx.numbering import LIST_DEPTH
from reports.writers.docx.ooxml import Element, element, half_points, hex_colour
from reports.writers.docx.package import blank_package, open_package
from reports.writers.docx.style_index import CHARACTER, PARAGRAPH, STYLE_TYPE_NAMES, StyleIndex, style_kind

_WORD_ALIGNMENTS = {"left": "left", "justify": "both", "center": "center", "right": "right"}
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
        return self.theme.model_dump_json(), self.language_tag, specs, table_roles

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
            self._ids[key] = cast(str, node.styleId)  # python-docx types it optional; a style in the file has one
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
        for role in self.theme.boxes:
            self._put_table_style(self._box_table_style(role))
        for role in table_roles:
            name = self.name(role)
            if name not in self.index:
                self._put_table_style(self._data_table_style(name, based_on=table_style))

    def look(self, role: str, **changes: Any) -> Look:
        """A role's Word look from the theme's numbers (`Theme.look`), the ones the PDF sets too.

        Colour is written only where it differs from the text colour of the document defaults: a paragraph
        style's colour would override the white of a table style's header row.
        """
        theme = self.theme
        resolved = theme.look(role)
        family = theme.heading_font if resolved.font == "heading" else theme.body_font

        def border(rule: ResolvedRule | None) -> tuple[str, float, float] | None:
            return None if rule is None else (rule.colour, rule.width, rule.gap)

        look = Look(
            font=family.name, size=resolved.size, bold=resolved.bold, italic=resolved.italic,
            colour=resolved.colour if resolved.colour != theme.colours.text else "",
            before=resolved.before, after=resolved.after, line_at_least=resolved.leading,
            keep_next=resolved.keep_with_next, keep_lines=resolved.keep_together,
            align=_WORD_ALIGNMENTS[resolved.align],
            border_top=border(resolved.rule_above), border_bottom=border(resolved.rule_below),
            no_hyphenation=theme.hyphenation and not resolved.hyphenate,
        )
        return replace(look, **changes) if changes else look

    def character_look(self, role: str) -> Look:
        """A character style's look: only face and colour (size and font stay the paragraph's)."""
        resolved = self.theme.look(role)
        colour = resolved.colour if resolved.colour != self.theme.colours.text else ""
        return Look(bold=resolved.bold, italic=resolved.italic, colour=colour)

    def specs(self, paragraph_roles: Iterable[str] = (), span_roles: Iterable[str] = ()) -> list[StyleSpec]:
        """Every style the writer uses, each from its role's look in the theme."""
        theme = self.theme
        look = self.look
        name = self.name
        normal = "Normal"
        body_text = name("body")
        specs = [
            StyleSpec(normal, PARAGRAPH, Look(after=0, line_at_least=theme.look("body").leading)),
            StyleSpec(body_text, PARAGRAPH, look("body"), normal, body_text, 1, True),
            StyleSpec(name("lead"), PARAGRAPH, look("lead"), body_text, body_text, 2, True),
            StyleSpec(name("title"), PARAGRAPH, look("title", keep_lines=True), normal, name("subtitle"), 10, True),
            StyleSpec(name("subtitle"), PARAGRAPH, look("subtitle"), normal, name("byline"), 11, True),
            StyleSpec(name("byline"), PARAGRAPH, look("byline"), normal, body_text, 12, True),
        ]
        for level in (1, 2, 3):
            specs.append(StyleSpec(name(f"heading-{level}"), PARAGRAPH,
                                   look(f"heading-{level}", keep_lines=True, outline_level=level - 1),
                                   normal, body_text, 9, True))
        specs += [
            StyleSpec(name("caption"), PARAGRAPH, look("caption", keep_lines=True), normal, body_text, 35, True),
            StyleSpec(name("caption-label"), CHARACTER, self.character_look("caption-label"), priority=35),
            StyleSpec(name("source"), PARAGRAPH, look("source", keep_lines=True), normal, body_text, 36, True),
            StyleSpec(name("figure"), PARAGRAPH, look("figure"), normal, name("caption"), 34),
            StyleSpec(name("box-title"), PARAGRAPH, look("box-title", keep_lines=True), normal, name("box-text"),
                      20, True),
            StyleSpec(name("box-text"), PARAGRAPH, look("box-text"), body_text, name("box-text"), 21, True),
            StyleSpec(name("table-text"), PARAGRAPH, look("table-text"), normal, name("table-text"), 30),
            StyleSpec(name("table-heading"), PARAGRAPH, look("table-heading"), name("table-text"),
                      name("table-text"), 31),
            StyleSpec(name("header"), PARAGRAPH, look("header", right_tab=theme.text_width_mm), normal,
                      priority=99),
            StyleSpec(name("footer"), PARAGRAPH, look("footer", right_tab=theme.text_width_mm), normal,
                      priority=99),
            # The gap after a table or box: Word has no "space after" for tables, so a table followed by text
            # gets one empty paragraph of this style, as tall as the theme's space below tables (it also keeps
            # Word from merging two adjacent tables).
            StyleSpec(name("table-spacing"), PARAGRAPH,
                      Look(size=2, line_exact=theme.font_size * theme.table.after, before=0, after=0),
                      normal, body_text, 99),
            StyleSpec(name("hyperlink"), CHARACTER, replace(self.character_look("hyperlink"), underline=True),
                      priority=99),
        ]
        for depth in range(1, LIST_DEPTH + 1):
            for role in ("bullet", "number"):
                specs.append(StyleSpec(self.list_style(role, depth), PARAGRAPH, look(role), body_text, priority=99,
                                       quick=depth == 1))
            indent = theme.look("bullet").indent * depth
            specs.append(StyleSpec(self.list_style("list-continue", depth), PARAGRAPH,
                                   look("list-continue", indent_left=indent * MM_PER_POINT), body_text,
                                   priority=99))
        for role in ("table-bullet", "table-number"):  # lists inside table cells: table-sized, tighter indents
            specs.append(StyleSpec(name(role), PARAGRAPH, look(role), name("table-text"), name(role), 99))
        known = {spec.name for spec in specs}
        for role in paragraph_roles:  # roles the theme does not style yet: they look like body text
            if name(role) not in known:
                known.add(name(role))
                # a role with an indent stands in list items (an answer under its question): the indent of
                # the list's text, as List Continue has
                indent = theme.look(role).indent
                changes: dict[str, object] = {"indent_left": indent * MM_PER_POINT} if indent else {}
                if theme.look(role).rule_below is not None:  # a ruled line each, in a run of them
                    changes["border_between"] = True
                specs.append(StyleSpec(name(role), PARAGRAPH, look(role, **changes), body_text, body_text, 50, True))
        for role in span_roles:  # character styles for Span roles: named, so Word users can restyle them
            if name(role) not in known:
                known.add(name(role))
                specs.append(StyleSpec(name(role), CHARACTER, self.character_look(role) if role in theme.roles
                                       else Look(), priority=50, quick=True))
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
            element("w:spacing", {"w:after": 0, "w:line": round(20 * theme.look("body").leading),
                                  "w:lineRule": "atLeast"}),
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
        return cast(str, node.styleId)

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
        """The theme's `table` look: rules above and below, hairlines between rows, a header band, stripes."""
        theme, look = self.theme, self.theme.table
        colour = theme.colour
        base = "TableNormal"
        based_on_node = self.index.find(based_on) if based_on else None
        if based_on_node is not None:
            base = cast(str, based_on_node.styleId)
        style = self._table_style_shell(name, base)
        text = theme.look("table-text")
        style.append(element("w:pPr", children=[element("w:spacing", {"w:before": 0, "w:after": 0})]))
        style.append(element("w:rPr", children=[
            font_element(theme.heading_font.name if text.font == "heading" else theme.body_font.name),
            element("w:sz", {"w:val": half_points(text.size)}),
            element("w:szCs", {"w:val": half_points(text.size)}),
        ]))
        style.append(element("w:tblPr", children=[
            element("w:tblStyleRowBandSize", {"w:val": 1}),
            element("w:tblBorders", children=[
                border("w:top", colour(look.rule), look.rule_width),
                border("w:left", colour(look.hairline), 0),
                border("w:bottom", colour(look.rule), look.rule_width),
                border("w:right", colour(look.hairline), 0),
                border("w:insideH", colour(look.hairline), look.hairline_width),
                border("w:insideV", colour(look.hairline), 0),
            ]),
            cell_margins(look.cell_padding_top * MM_PER_POINT, look.cell_padding_side * MM_PER_POINT,
                         look.cell_padding_bottom * MM_PER_POINT),
        ]))
        style.append(element("w:tcPr", children=[element("w:vAlign", {"w:val": "top"})]))
        style.append(element("w:tblStylePr", {"w:type": "firstRow"}, [
            element("w:pPr", children=[element("w:keepNext")]),
            element("w:rPr", children=[element("w:b"), element("w:bCs"),
                                       element("w:color", {"w:val": hex_colour(colour(look.header_text))})]),
            element("w:tblPr"),
            element("w:trPr", children=[element("w:cantSplit"), element("w:tblHeader")]),
            element("w:tcPr", children=[
                # white lines between the header's cells, as the PDF draws them: a header word stays with its column
                element("w:tcBorders", children=[border("w:insideV", "#FFFFFF", 0.5)]),
                shading(colour(look.header_background)),
                element("w:vAlign", {"w:val": "bottom"}),
            ]),
        ]))
        style.append(element("w:tblStylePr", {"w:type": "band2Horz"}, [
            element("w:tblPr"),
            element("w:tcPr", children=[shading(colour(look.stripe))]),
        ]))
        return style

    def _box_table_style(self, role: str) -> Element:
        """A shaded one-cell box with a thick rule down its left edge (the theme's `boxes` look)."""
        look = self.theme.boxes[role]
        rule = self.theme.colour(look.rule)
        style = self._table_style_shell(self.name(role))
        style.append(element("w:tblPr", children=[
            element("w:tblBorders", children=[
                border("w:top", rule, 0), border("w:left", rule, look.rule_width), border("w:bottom", rule, 0),
                border("w:right", rule, 0), border("w:insideH", rule, 0), border("w:insideV", rule, 0),
            ]),
            cell_margins(look.padding_top * MM_PER_POINT, look.padding_side * MM_PER_POINT,
                         look.padding_bottom * MM_PER_POINT),
        ]))
        style.append(element("w:tcPr", children=[shading(self.theme.colour(look.background))]))
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


