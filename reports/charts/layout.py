"""Chart layout in plain Python, in points, y growing downwards: what goes where, before anything is drawn.

How names wrap decides how tall a chart is, so the layout knows its height without matplotlib. Two layouts:
a horizontal bar chart (categories and counts, each bar labelled with its members) and a timeline (dated
milestones as flags placed above and below an axis so that none overlap).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from reports.charts.faces import ChartFonts, FontFace
from reports.charts.spec import ChartSpec
from reports.language.formatting import format_number
from reports.theme.model import Theme
from reports.theme.scale import POINTS_PER_MM

_POLE_GAP = 4.0
"""Points between a flag's pole and its text."""


@dataclass(frozen=True)
class TextItem:
    x: float
    baseline: float
    text: str
    size: float
    bold: bool
    colour: str
    align: Literal["left", "right"] = "left"


@dataclass(frozen=True)
class BarItem:
    x: float
    top: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class LineItem:
    x0: float
    y0: float
    x1: float
    y1: float
    colour: str
    width: float


@dataclass(frozen=True)
class MarkerItem:
    x: float
    y: float
    diameter: float
    colour: str
    edge: str


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    texts: tuple[TextItem, ...]
    bars: tuple[BarItem, ...] = ()
    lines: tuple[LineItem, ...] = ()
    markers: tuple[MarkerItem, ...] = ()


def wrap(text: str, face: FontFace, size: float, width: float, keep_items: bool = False) -> list[str]:
    """Greedy line breaking at spaces; with `keep_items`, a ", "-separated item is kept on one line when it fits.

    A word wider than the line is broken between characters rather than drawn past the chart's edge.
    """
    text = " ".join(text.split())
    if not text:
        return []
    if keep_items:
        items = text.split(", ")
        units = [item + ("," if index < len(items) - 1 else "") for index, item in enumerate(items)]
        tokens = [piece for unit in units for piece in ([unit] if face.width(unit, size) <= width else unit.split(" "))]
    else:
        tokens = text.split(" ")
    pieces: list[str] = []
    for token in tokens:
        while face.width(token, size) > width and len(token) > 1:
            cut = len(token) - 1
            while cut > 1 and face.width(token[:cut], size) > width:
                cut -= 1
            pieces.append(token[:cut])
            token = token[cut:]
        pieces.append(token)
    lines: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current} {piece}" if current else piece
        if current and face.width(candidate, size) > width:
            lines.append(current)
            current = piece
        else:
            current = candidate
    lines.append(current)
    return lines


class ChartStyle:
    """Sizes and colours of chart text, derived from the theme."""

    def __init__(self, theme: Theme) -> None:
        base = theme.font_size
        self.label_size = round(base * 0.9, 2)
        self.value_size = round(base * 0.9, 2)
        self.note_size = round(base * 0.85, 2)
        self.text = theme.colours.text
        self.muted = theme.colours.muted
        self.rule = theme.colours.rule
        self.primary = theme.colours.primary
        self.palette = tuple(theme.colours.chart)

    def colour(self, index: int) -> str:
        return self.palette[index % len(self.palette)]


def _values(spec: ChartSpec) -> tuple[float, ...]:
    values = spec.series[0].values if spec.series else ()
    if len(values) != len(spec.categories):
        raise ValueError(f"chart '{spec.name}': {len(spec.categories)} categories but {len(values)} values")
    return values


def _annotation(spec: ChartSpec, index: int) -> str:
    return spec.annotations[index] if index < len(spec.annotations) else ""


def bar_layout(spec: ChartSpec, width: float, fonts: ChartFonts, style: ChartStyle) -> Layout:
    """Horizontal bars top to bottom in category order: label above, value at the bar's end, names below."""
    values = _values(spec)
    bold, regular = fonts.bold, fonts.regular
    value_texts = [format_number(value, spec.language) for value in values]
    reserve = max((bold.width(text, style.value_size) for text in value_texts), default=0.0) + style.value_size * 0.6
    longest = max((value for value in values if value > 0), default=1.0)
    bar_height = round(style.label_size * 1.35, 2)
    texts: list[TextItem] = []
    bars: list[BarItem] = []
    y = 1.0
    for index, (category, value, value_text) in enumerate(zip(spec.categories, values, value_texts)):
        if index:
            y += style.label_size * 0.7
        for line in wrap(category, bold, style.label_size, width):
            texts.append(TextItem(0.0, y + bold.ascender * style.label_size, line, style.label_size, True, style.text))
            y += style.label_size * 1.25
        y += 1.5
        length = max(0.0, value) / longest * (width - reserve - 1.0)
        bars.append(BarItem(0.0, y, length, bar_height, style.colour(index)))
        centre = y + bar_height / 2 + bold.cap_height * style.value_size / 2
        texts.append(TextItem(length + style.value_size * 0.4, centre, value_text, style.value_size, True, style.text))
        y += bar_height + 3.0
        for line in wrap(_annotation(spec, index), regular, style.note_size, width, keep_items=True):
            texts.append(TextItem(0.0, y + regular.ascender * style.note_size, line, style.note_size, False, style.text))
            y += style.note_size * 1.3
    return Layout(width=width, height=y + 2.0, texts=tuple(texts), bars=tuple(bars))


@dataclass
class _Flag:
    """A timeline event's label: date and wrapped text beside a pole rising from (or hanging below) the axis."""

    index: int
    x: float
    lines: list[tuple[str, bool]]
    """Wrapped lines, each with whether it is the (bold) date."""
    text_width: float
    height: float
    right: bool
    """Text runs rightwards from the pole (else it ends at the pole)."""
    above: bool = True
    level: int = 0
    """0 next to the axis; higher levels stand further out, when neighbours leave no room."""

    @property
    def extent(self) -> tuple[float, float]:
        return (self.x, self.x + self.text_width + _POLE_GAP) if self.right else (self.x - self.text_width - _POLE_GAP, self.x)


def _fits(flag: _Flag, above: bool, level: int, placed: list[_Flag], gap: float, strict: bool) -> bool:
    """Whether `flag` can stand at (side, level): no box overlap at that level; with `strict`, no pole through text."""
    start, end = flag.extent
    for other in placed:
        if other.above != above:
            continue
        other_start, other_end = other.extent
        if other.level == level and not (end + gap <= other_start or start >= other_end + gap):
            return False
        if strict and other.level < level and other_start - gap <= flag.x <= other_end + gap:
            return False  # our pole would cross a label nearer the axis
        if strict and other.level > level and start - gap <= other.x <= end + gap:
            return False  # our label would sit across a pole of a label further out
    return True


def _place(flags: list[_Flag], gap: float) -> None:
    """Sides and levels, left to right: alternate sides next to the axis, step outwards only when crowded."""
    placed: list[_Flag] = []
    prefer_above = True
    for flag in sorted(flags, key=lambda item: (item.x, item.index)):
        candidates = [(side, level) for level in range(len(flags) + 1) for side in (prefer_above, not prefer_above)]
        choice = next((c for c in candidates if _fits(flag, c[0], c[1], placed, gap, strict=True)), None)
        if choice is None:  # crowded beyond repair: accept a pole crossing text rather than overlapping labels
            choice = next(c for c in candidates if _fits(flag, c[0], c[1], placed, gap, strict=False))
        flag.above, flag.level = choice
        placed.append(flag)
        prefer_above = not flag.above


def timeline_layout(spec: ChartSpec, width: float, fonts: ChartFonts, style: ChartStyle) -> Layout:
    """Markers on a horizontal axis; flags with date and event alternate above and below, stacking when crowded."""
    positions = _values(spec)
    bold, regular = fonts.bold, fonts.regular
    date_size, event_size = style.label_size, style.note_size
    date_lead, event_lead = date_size * 1.25, event_size * 1.3
    gap, stem, radius = 6.0, 7.0, 4.0
    margin = min(width * 0.06, 10 * POINTS_PER_MM)
    low, high = min(positions, default=0.0), max(positions, default=0.0)
    span = high - low

    def x_of(position: float) -> float:
        return width / 2 if span == 0 else margin + (position - low) / span * (width - 2 * margin)

    xs = [x_of(position) for position in positions]
    ordered = sorted(xs)
    widest = min(width * 0.42, 62 * POINTS_PER_MM)
    narrowest = min(widest, 30 * POINTS_PER_MM)
    flags: list[_Flag] = []
    for index, (date, x) in enumerate(zip(spec.categories, xs)):
        right = x + widest <= width or x < width / 2
        room = min(widest, (width - x) if right else x)
        # alternating sides put the next label on this side two markers on: stay short of it when possible
        rank = ordered.index(x)
        neighbour = ordered[rank + 2] - x if right and rank + 2 < len(ordered) else None
        if not right and rank >= 2:
            neighbour = x - ordered[rank - 2]
        if neighbour is not None:
            room = min(room, max(narrowest, neighbour - gap))
        room -= _POLE_GAP
        flag_lines = [(line, True) for line in wrap(date, bold, date_size, room)]
        flag_lines += [(line, False) for line in wrap(_annotation(spec, index), regular, event_size, room)]
        text_width = max(fonts.face(is_bold).width(line, date_size if is_bold else event_size)
                         for line, is_bold in flag_lines)
        height = sum(date_lead if is_bold else event_lead for _, is_bold in flag_lines)
        flags.append(_Flag(index, x, flag_lines, text_width, height, right))
    _place(flags, gap)

    offsets: dict[bool, list[float]] = {}
    for above in (True, False):
        side = [flag for flag in flags if flag.above == above]
        levels = max((flag.level for flag in side), default=-1) + 1
        heights = [max((flag.height for flag in side if flag.level == level), default=0.0) for level in range(levels)]
        starts, offset = [], stem
        for height in heights:
            starts.append(offset)
            offset += height + gap
        offsets[above] = starts + [offset - gap if heights else 0.0]

    axis_y = 2.0 + max(offsets[True][-1], radius + 2.0)
    texts: list[TextItem] = []
    rules: list[LineItem] = [LineItem(0.0, axis_y, width, axis_y, style.rule, 1.2)]
    markers: list[MarkerItem] = []
    for flag in flags:
        start = offsets[flag.above][flag.level]
        top = axis_y - start - flag.height if flag.above else axis_y + start
        pole_end = top if flag.above else top + flag.height
        rules.append(LineItem(flag.x, axis_y, flag.x, pole_end, style.muted, 0.6))
        y = top
        x = flag.x + _POLE_GAP if flag.right else flag.x - _POLE_GAP - flag.text_width  # ragged right on both sides
        for text, is_bold in flag.lines:
            size = date_size if is_bold else event_size
            texts.append(TextItem(x, y + fonts.face(is_bold).ascender * size, text, size, is_bold,
                                  style.primary if is_bold else style.text))
            y += date_lead if is_bold else event_lead
        markers.append(MarkerItem(flag.x, axis_y, radius * 2, style.colour(0), "#FFFFFF"))
    height = axis_y + max(offsets[False][-1], radius + 2.0) + 2.0
    return Layout(width=width, height=height, texts=tuple(texts), lines=tuple(rules), markers=tuple(markers))


LAYOUTS: dict[str, Callable[[ChartSpec, float, ChartFonts, ChartStyle], Layout]] = {
    "bar": bar_layout,
    "timeline": timeline_layout,
}
