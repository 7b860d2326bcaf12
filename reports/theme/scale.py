"""The type scale as theme data: how every role looks — size, leading, spacing, colour, rules — once, for
both writers.

A role's look is written in units that scale with the theme: sizes and spaces in multiples of the body
`font_size` (em), line height as a multiple of the role's own size, rules in points. Colours name a field
of the theme's `colours` (`primary`, `muted`, …) or are `#RRGGBB`. The PDF writer builds its paragraph
styles from these numbers and the DOCX writer its Word styles, so a title, a caption or a table cell has
the same size, leading, spacing and colour in both files (`tests/writers/test_style_parity.py`).

The defaults below are the house style; a theme overrides what it writes, field by field
(`roles: {title: {size: 2.6}}` keeps the title's other values), and themes inherit each other's roles
through `extends` like every other field. Roles not listed here (a template's own `{.answer}`) start from
body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Mapping

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MM_PER_POINT = 25.4 / 72
"""Lengths in a theme: sizes, leading and rules in points, margins and indents of the page in millimetres."""
POINTS_PER_MM = 72 / 25.4

COLOUR_NAMES = ("text", "primary", "accent", "muted", "rule", "box_background", "table_header_text",
                "table_stripe")
"""Fields of `colours` a role may name."""

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _check_colour_reference(value: str) -> str:
    if _HEX.match(value):
        return value.upper()
    if value in COLOUR_NAMES:
        return value
    raise ValueError(f"'{value}' is neither a theme colour ({', '.join(COLOUR_NAMES)}) nor #RRGGBB")


ColourReference = Annotated[str, AfterValidator(_check_colour_reference)]

LineWidth = Annotated[float, AfterValidator(lambda points: round(points * 8) / 8)]
"""A line's thickness in points, rounded to the eighth of a point a Word border is stored in."""


class ScaleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(ScaleModel):
    """A horizontal rule drawn with a paragraph (under the byline, over the footer)."""

    colour: ColourReference = Field(default="rule", description="Theme colour name or #RRGGBB.")
    width: LineWidth = Field(default=0.5, ge=0.25, le=6, description="Thickness in points.")
    gap: float = Field(default=4.0, ge=0, le=24, description="Distance between the text and the rule, in points.")


Alignment = Literal["text", "left", "justify", "center", "right"]


class RoleLook(ScaleModel):
    """How the text of one role looks, in both formats."""

    font: Literal["body", "heading"] = Field(default="body", description="`body_font` or `heading_font`.")
    size: float = Field(default=1.0, ge=0.4, le=4.0, description="Font size as a multiple of `font_size`.")
    leading: float | None = Field(
        default=None, ge=1.0, le=2.5,
        description="Line height as a multiple of this role's size; empty: the theme's `line_spacing`.")
    bold: bool = False
    italic: bool = False
    colour: ColourReference = Field(default="text", description="Theme colour name or #RRGGBB.")
    before: float = Field(default=0.0, ge=0, le=8, description="Space above, as a multiple of `font_size`.")
    after: float = Field(default=0.0, ge=0, le=8, description="Space below, as a multiple of `font_size`.")
    indent: float = Field(default=0.0, ge=0, le=8,
                          description="Left indent of the text, as a multiple of `font_size` (list items: "
                                      "the room for the bullet or number, per level).")
    align: Alignment = Field(default="left", description="`text` follows the theme's `alignment`.")
    hyphenate: bool = Field(default=False, description="Words may be hyphenated (when the theme's "
                                                       "`hyphenation` is on).")
    keep_with_next: bool = Field(default=False, description="Kept on the page of the block that follows.")
    keep_together: bool = Field(default=False, description="Never split across pages (Word's Keep lines "
                                                           "together); one taller than a page still flows on.")
    rule_above: Rule | None = None
    rule_below: Rule | None = None


class BoxLook(ScaleModel):
    """A shaded box (`::: summary`, `:::: key-facts`) with a rule down its left edge."""

    background: ColourReference = "box_background"
    rule: ColourReference = Field(default="primary", description="Colour of the rule down the left edge.")
    rule_width: LineWidth = Field(default=3.0, ge=0, le=6, description="Points.")
    padding_top: float = Field(default=9.0, ge=0, le=36, description="Points.")
    padding_bottom: float = Field(default=7.0, ge=0, le=36, description="Points.")
    padding_side: float = Field(default=11.5, ge=0, le=36, description="Points, left and right.")
    before: float = Field(default=0.4, ge=0, le=8, description="Space above, as a multiple of `font_size`.")
    after: float = Field(default=1.2, ge=0, le=8, description="Space below, as a multiple of `font_size`.")


class TableLook(ScaleModel):
    """Data tables: a coloured header row, light stripes, rules above and below, hairlines between rows."""

    header_background: ColourReference = "primary"
    header_text: ColourReference = "table_header_text"
    stripe: ColourReference = "table_stripe"
    rule: ColourReference = Field(default="primary", description="Rules above and below the table.")
    rule_width: LineWidth = Field(default=0.875, ge=0, le=6, description="Points.")
    hairline: ColourReference = Field(default="rule", description="Lines between body rows.")
    hairline_width: LineWidth = Field(default=0.375, ge=0, le=3, description="Points.")
    cell_padding_side: float = Field(default=5.0, ge=0, le=24, description="Points.")
    cell_padding_top: float = Field(default=3.5, ge=0, le=24, description="Points.")
    cell_padding_bottom: float = Field(default=4.0, ge=0, le=24, description="Points.")
    after: float = Field(default=1.1, ge=0, le=8, description="Space below, as a multiple of `font_size`.")


class TableRoleLook(ScaleModel):
    """How the rows of tables of one role (`::: table role=sorting`) are laid out, besides the `table` look."""

    row_height: float = Field(default=0.0, ge=0, le=60,
                              description="Minimum height of a body row in millimetres (room to write in); 0: as "
                                          "tall as its text.")
    keep_rows: bool = Field(default=True, description="A body row never splits across pages.")


def _role(**values: Any) -> dict[str, Any]:
    return values


_BODY_TEXT = _role(align="text", hyphenate=True)
_HEADING = _role(font="heading", bold=True, colour="primary", keep_with_next=True)
_SMALL_SANS = _role(font="heading", size=0.85, leading=1.35)

DEFAULT_ROLES: dict[str, dict[str, Any]] = {
    # paragraph roles
    "body": {**_BODY_TEXT, "after": 0.75},
    "lead": {**_BODY_TEXT, "size": 1.18, "leading": 1.4, "after": 1.0},
    "title": {**_HEADING, "size": 2.3, "leading": 1.15, "after": 0.5},
    "subtitle": _role(font="heading", size=1.3, leading=1.3, after=0.6, keep_with_next=True),
    "byline": {**_SMALL_SANS, "colour": "muted", "after": 1.6,
               "rule_below": {"colour": "accent", "width": 1.375, "gap": 6.0}},
    "heading-1": {**_HEADING, "size": 1.45, "leading": 1.2, "before": 1.5, "after": 0.55},
    "heading-2": {**_HEADING, "size": 1.2, "leading": 1.25, "before": 1.2, "after": 0.45},
    "heading-3": {**_HEADING, "size": 1.02, "leading": 1.3, "colour": "text", "before": 0.9, "after": 0.35},
    "bullet": {**_BODY_TEXT, "after": 0.3, "indent": 1.5},
    "number": {**_BODY_TEXT, "after": 0.3, "indent": 2.1},
    "list-continue": {**_BODY_TEXT, "after": 0.3},
    # not kept with the next block: a box is a one-cell table in Word, where keep-with-next inside it chains
    # the whole box to the block after it (and the PDF keeps nothing with the next block inside a box)
    "box-title": {**_HEADING, "size": 1.0, "leading": 1.3, "after": 0.45, "keep_with_next": False},
    "box-text": {**_BODY_TEXT, "after": 0.4},
    "caption": {**_SMALL_SANS, "before": 0.5, "after": 0.45, "keep_with_next": True},
    "caption-label": _role(bold=True),
    "source": {**_SMALL_SANS, "size": 0.75, "colour": "muted", "after": 0.9},
    "figure": _role(before=0.6, after=0.3, keep_with_next=True, align="center"),  # as the PDF sets a chart
    "table-text": {**_SMALL_SANS, "leading": 1.3},
    "table-heading": {**_SMALL_SANS, "leading": 1.3, "bold": True, "colour": "table_header_text",
                      "keep_with_next": True},
    "table-bullet": {**_SMALL_SANS, "leading": 1.3, "after": 0.15, "indent": 1.2},
    "table-number": {**_SMALL_SANS, "leading": 1.3, "after": 0.15, "indent": 1.6},
    "header": _role(font="heading", size=0.78, leading=1.2, colour="muted",
                    rule_below={"colour": "rule", "width": 0.5, "gap": 3.0}),
    "footer": _role(font="heading", size=0.78, leading=1.2, colour="muted",
                    rule_above={"colour": "rule", "width": 0.5, "gap": 3.0}),
    # character roles (`Span`s and links): only face and colour apply
    "term": _role(italic=True),
    "emphasis": _role(italic=True),
    "strong": _role(bold=True),
    "muted": _role(colour="muted"),
    "accent": _role(colour="accent"),
    "highlight": _role(bold=True, colour="primary"),
    "hyperlink": _role(colour="primary"),
    "list-marker": _role(colour="primary"),
}
"""The house style, role by role (values not given take `RoleLook`'s defaults)."""

DEFAULT_BOXES: dict[str, dict[str, Any]] = {
    "summary": {"rule": "primary"},
    "key-facts": {"rule": "accent"},
}
"""Box roles and their looks; a theme may add its own (`note: {rule: muted}`), drawn the same way."""


def _merge(given: object, defaults: dict[str, dict[str, Any]], new: dict[str, Any]) -> object:
    """`given` over `defaults`, role by role and field by field; a role the defaults lack starts from `new`."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return given  # not a mapping: validation says so, located
    merged: dict[str, object] = {role: dict(values) for role, values in defaults.items()}
    for role, values in given.items():
        base = merged.get(role, new)
        merged[role] = {**base, **values} if isinstance(values, dict) and isinstance(base, dict) else values
    return merged


def merge_roles(given: object) -> object:
    """The theme's `roles:` over the defaults, field by field."""
    return _merge(given, DEFAULT_ROLES, DEFAULT_ROLES["body"])


def merge_boxes(given: object) -> object:
    """The theme's `boxes:` over the defaults, field by field."""
    return _merge(given, DEFAULT_BOXES, {})


@dataclass(frozen=True)
class ResolvedRule:
    colour: str
    """#RRGGBB."""
    width: float
    gap: float
    """Points."""


@dataclass(frozen=True)
class ResolvedLook:
    """A role's look in points and #RRGGBB colours: what both writers set their styles from."""

    font: Literal["body", "heading"]
    size: float
    leading: float
    bold: bool
    italic: bool
    colour: str
    before: float
    after: float
    indent: float
    align: Literal["left", "justify", "center", "right"]
    hyphenate: bool
    keep_with_next: bool
    keep_together: bool
    rule_above: ResolvedRule | None
    rule_below: ResolvedRule | None


def resolve_colour(reference: str, colours: Mapping[str, str]) -> str:
    """#RRGGBB of a colour reference (a `colours` field name or #RRGGBB)."""
    return reference if reference.startswith("#") else colours[reference]


def _half_point(points: float) -> float:
    return round(points * 2) / 2


def _twentieth(points: float) -> float:
    return round(points * 20) / 20


def resolve_look(look: RoleLook, font_size: float, line_spacing: float, alignment: str, hyphenation: bool,
                 colours: Mapping[str, str]) -> ResolvedLook:
    """The role's look in points, its colours as #RRGGBB, its alignment and hyphenation decided.

    Sizes are rounded to the half point and spaces to the twentieth of a point, the units a Word file
    stores, so the PDF sets exactly what Word shows.
    """
    size = _half_point(font_size * look.size)

    def rule(given: Rule | None) -> ResolvedRule | None:
        if given is None:
            return None
        return ResolvedRule(resolve_colour(given.colour, colours), given.width, _twentieth(given.gap))

    return ResolvedLook(
        font=look.font,
        size=size,
        leading=_twentieth(size * (look.leading if look.leading is not None else line_spacing)),
        bold=look.bold,
        italic=look.italic,
        colour=resolve_colour(look.colour, colours),
        before=_twentieth(font_size * look.before),
        after=_twentieth(font_size * look.after),
        indent=_twentieth(font_size * look.indent),
        align=alignment if look.align == "text" else look.align,  # type: ignore[arg-type]
        hyphenate=hyphenation and look.hyphenate,
        keep_with_next=look.keep_with_next,
        keep_together=look.keep_together,
        rule_above=rule(look.rule_above),
        rule_below=rule(look.rule_below),
    )
