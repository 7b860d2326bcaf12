"""Drawing chart specs: matplotlib (object-oriented API, no pyplot) to SVG and PNG, svglib to reportlab.

Layout is computed here in plain Python, in points, from the theme's heading font metrics (read once per
process, or from the cache folder, by `reports.theme.fonts`): how names wrap decides how tall a chart is, so
`size_mm` knows the height without drawing anything. matplotlib then draws exactly that layout onto one
axes whose data units are points, with every text object placed explicitly (`parse_math=False`, no
legend), so a label like "$5" or "_x" shows as typed. The SVG keeps text as text (`svg.fonttype: none`);
svglib turns it into a reportlab Drawing whose Strings use the same TrueType files, registered with
reportlab so they are embedded and extractable. A character the font lacks is an `AssetError`, never a
box.

matplotlib is imported only inside methods: `reports check` never pays for it. Output is
deterministic (fixed hash salt, no dates or software names in metadata, rcParams reset to defaults
while drawing) and cached by a hash of everything that changes the bytes (the spec, the theme, the
bytes of the font files, the width and format, this module's and matplotlib's versions): in memory for
the process, and on disk when a cache folder is given (`reports build` gives one by default). The
reportlab Drawing made from a cached SVG is kept in memory too and handed out as a copy.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from reports.charts.spec import ChartSpec
from reports.errors import AssetError, Diagnostic
from reports.templating.labels import format_number
from reports.output import read_cache_entry, write_cache_entry
from reports.theme.model import Theme, resolve_font_file

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

RENDERER_VERSION = "charts-1"
"""Part of every cache key: bump it whenever a change here changes what a chart looks like."""

MM = 72.0 / 25.4
"""Points per millimetre."""

_SVG_HASH_SALT = "reports-charts"
_MEMORY_LIMIT = 128
"""Rendered charts kept in memory per process (a few tens of kB each)."""

Format = Literal["svg", "png"]

_memory: OrderedDict[str, bytes] = OrderedDict()
_memory_lock = threading.Lock()
_drawings: OrderedDict[str, Any] = OrderedDict()
"""Pristine reportlab Drawings by cache key (+ registered font names); callers get deep copies."""
_stats = {"drawn": 0, "memory_hits": 0, "disk_hits": 0}
_matplotlib_fonts: set[Path] = set()
_draw_lock = threading.Lock()
"""matplotlib's rcParams are process-wide; drawing holds them (reset to defaults) for its duration."""


def clear_memory_cache() -> None:
    """Forget every chart rendered in this process (tests; a long-lived process that changes fonts)."""
    with _memory_lock:
        _memory.clear()
        _drawings.clear()


def cache_stats() -> dict[str, int]:
    """Counts for this process: charts drawn with matplotlib, and answers from the memory and disk caches."""
    with _memory_lock:
        return dict(_stats)


@lru_cache(maxsize=64)
def _file_digest(path: Path, modified_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _font_fingerprint(path: Path) -> str:
    """Hash of a font file's bytes (recomputed only when its size or modification time changes)."""
    try:
        info = path.stat()
        return _file_digest(path, info.st_mtime_ns, info.st_size)
    except OSError:
        return "missing"


@lru_cache(maxsize=1)
def _engine_version() -> str:
    """matplotlib's version, read from its metadata without importing it: another version may draw other bytes."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"matplotlib-{version('matplotlib')}"
    except PackageNotFoundError:
        return "matplotlib-unknown"


# --- fonts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFace:
    """One TrueType file's metrics (from `reports.theme.fonts`): enough to wrap text and check coverage."""

    path: Path
    units_per_em: int
    advances: Mapping[int, int] = field(repr=False)
    """Advance width (font units) of each code point the font maps."""
    ascender: float
    """Ascent as a fraction of the font size."""
    cap_height: float
    """Height of capitals as a fraction of the font size (to centre a number on a bar)."""

    def width(self, text: str, size: float) -> float:
        """Advance width of `text` in points at `size` (no kerning: the same sum reportlab uses)."""
        fallback = self.units_per_em // 2
        return sum(self.advances.get(ord(char), fallback) for char in text) * size / self.units_per_em

    def missing(self, text: str) -> str | None:
        """The first character of `text` the font cannot draw, if any."""
        for char in text:
            if ord(char) not in self.advances and not char.isspace():
                return char
        return None


def load_face(path: Path, cache_dir: Path | None = None) -> FontFace:
    """The face's metrics from `reports.theme.fonts`: parsed once per process for the coverage check, the charts and
    the DOCX (the charts used to parse their two faces a second time), and read from the cache folder when
    one is given instead of parsed in each new process."""
    from reports.theme.fonts import font_facts

    facts = font_facts(path, cache_dir)
    problem = facts.error if facts.error is not None else facts.metrics_error
    if problem is not None or facts.advances is None:
        raise AssetError([Diagnostic(f"font file {path.name} cannot be read ({problem}) — use a TrueType (.ttf) file",
                                     file=str(path))])
    units = facts.units_per_em
    return FontFace(path=path, units_per_em=units, advances=facts.advances, ascender=facts.ascent / units,
                    cap_height=(facts.cap_height / units) if facts.cap_height else 0.72)


@dataclass(frozen=True)
class ChartFonts:
    """The theme's heading font, as the charts use it: the regular and bold faces."""

    family: str
    regular: FontFace
    bold: FontFace

    def face(self, bold: bool) -> FontFace:
        return self.bold if bold else self.regular


# --- layout: what goes where, in points, y growing downwards -------------------------------------


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


class _Styler:
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


def bar_layout(spec: ChartSpec, width: float, fonts: ChartFonts, style: _Styler) -> Layout:
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
            y += style.label_size * 1.0
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


_POLE_GAP = 4.0
"""Points between a flag's pole and its text."""


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


def timeline_layout(spec: ChartSpec, width: float, fonts: ChartFonts, style: _Styler) -> Layout:
    """Markers on a horizontal axis; flags with date and event alternate above and below, stacking when crowded."""
    positions = _values(spec)
    bold, regular = fonts.bold, fonts.regular
    date_size, event_size = style.label_size, style.note_size
    date_lead, event_lead = date_size * 1.25, event_size * 1.3
    gap, stem, radius = 6.0, 7.0, 4.0
    margin = min(width * 0.06, 10 * MM)
    low, high = min(positions, default=0.0), max(positions, default=0.0)
    span = high - low

    def x_of(position: float) -> float:
        return width / 2 if span == 0 else margin + (position - low) / span * (width - 2 * margin)

    xs = [x_of(position) for position in positions]
    ordered = sorted(xs)
    widest = min(width * 0.42, 62 * MM)
    narrowest = min(widest, 30 * MM)
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
        lines = [(line, True) for line in wrap(date, bold, date_size, room)]
        lines += [(line, False) for line in wrap(_annotation(spec, index), regular, event_size, room)]
        text_width = max(fonts.face(is_bold).width(line, date_size if is_bold else event_size) for line, is_bold in lines)
        height = sum(date_lead if is_bold else event_lead for _, is_bold in lines)
        flags.append(_Flag(index, x, lines, text_width, height, right))
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
    lines: list[LineItem] = [LineItem(0.0, axis_y, width, axis_y, style.rule, 1.2)]
    markers: list[MarkerItem] = []
    for flag in flags:
        start = offsets[flag.above][flag.level]
        top = axis_y - start - flag.height if flag.above else axis_y + start
        pole_end = top if flag.above else top + flag.height
        lines.append(LineItem(flag.x, axis_y, flag.x, pole_end, style.muted, 0.6))
        y = top
        x = flag.x + _POLE_GAP if flag.right else flag.x - _POLE_GAP - flag.text_width  # ragged right on both sides
        for text, is_bold in flag.lines:
            size = date_size if is_bold else event_size
            texts.append(TextItem(x, y + fonts.face(is_bold).ascender * size, text, size, is_bold,
                                  style.primary if is_bold else style.text))
            y += date_lead if is_bold else event_lead
        markers.append(MarkerItem(flag.x, axis_y, radius * 2, style.colour(0), "#FFFFFF"))
    height = axis_y + max(offsets[False][-1], radius + 2.0) + 2.0
    return Layout(width=width, height=height, texts=tuple(texts), lines=tuple(lines), markers=tuple(markers))


_LAYOUTS: dict[str, Callable[[ChartSpec, float, ChartFonts, _Styler], Layout]] = {
    "bar": bar_layout,
    "timeline": timeline_layout,
}


# --- the renderer ---------------------------------------------------------------------------------


class ChartRenderer:
    """Draws chart specs for one theme; every result is cached by what changes its bytes."""

    def __init__(self, theme: Theme, theme_folder: Path, cache_dir: Path | None = None) -> None:
        self.theme = theme
        self.theme_folder = theme_folder
        self.cache_dir = cache_dir
        self._style = _Styler(theme)
        self._fonts: ChartFonts | None = None
        self._reportlab_fonts: tuple[str, str] | None = None
        self._key_base: list[str] | None = None

    # public API

    def size_mm(self, spec: ChartSpec, width_mm: float) -> tuple[float, float]:
        """Width and height (mm) the chart is drawn at for `width_mm`: tall enough for every wrapped line."""
        layout = self._layout(spec, width_mm)
        return width_mm, layout.height / MM

    def svg(self, spec: ChartSpec, width_mm: float) -> bytes:
        """The chart as SVG, text kept as text in the theme's heading font."""
        return self._cached(spec, width_mm, "svg", 72)

    def png(self, spec: ChartSpec, width_mm: float, dpi: int = 200) -> bytes:
        """The chart as a PNG of `width_mm` at `dpi` (for the DOCX), without metadata."""
        return self._cached(spec, width_mm, "png", dpi)

    def drawing(self, spec: ChartSpec, width_mm: float) -> Drawing:
        """A reportlab Drawing exactly `width_mm` wide: vector shapes, text as text in embedded TrueType fonts."""
        from reportlab.graphics.shapes import String
        from svglib.svglib import svg2rlg

        regular, bold = self._register_reportlab_fonts()
        key = f"{self.cache_key(spec, width_mm, 'svg', 72)}:{regular}:{bold}"
        with _memory_lock:
            cached = _drawings.get(key)
            if cached is not None:
                _drawings.move_to_end(key)
        if cached is not None:
            return copy.deepcopy(cached)  # a writer may change what it is handed; the cached one stays as made
        drawing = svg2rlg(io.BytesIO(self.svg(spec, width_mm)), font_map=_theme_font_map(regular, bold))
        if drawing is None:  # svglib logs and returns None on unreadable input; ours is always well formed
            raise AssetError([Diagnostic(f"chart '{spec.name}': the SVG could not be converted for the PDF")])
        target_width = width_mm * MM
        scale = target_width / drawing.width
        drawing.scale(scale, scale)
        drawing.width, drawing.height = target_width, drawing.height * scale
        drawing.initialFontName, drawing.initialFontSize = regular, self._style.note_size
        strays = sorted({node.fontName for node in _strings(drawing, String)} - {regular, bold})
        if strays:
            raise AssetError([Diagnostic(f"chart '{spec.name}': text would use font(s) {', '.join(strays)} "
                                         f"instead of {regular}/{bold}")])
        with _memory_lock:
            _drawings[key] = drawing
            while len(_drawings) > _MEMORY_LIMIT:
                _drawings.popitem(last=False)
        return copy.deepcopy(drawing)

    # fonts

    def fonts(self) -> ChartFonts:
        """The heading font's regular and bold faces, resolved through the theme's font folders."""
        if self._fonts is None:
            family = self.theme.heading_font
            self._fonts = ChartFonts(
                family=family.name,
                regular=load_face(resolve_font_file(family.regular, self.theme_folder), self.cache_dir),
                bold=load_face(resolve_font_file(family.bold, self.theme_folder), self.cache_dir),
            )
        return self._fonts

    def _register_reportlab_fonts(self) -> tuple[str, str]:
        if self._reportlab_fonts is None:
            fonts = self.fonts()
            self._reportlab_fonts = (_register_ttf(fonts.regular.path), _register_ttf(fonts.bold.path))
        return self._reportlab_fonts

    # layout and coverage

    def _layout(self, spec: ChartSpec, width_mm: float) -> Layout:
        if not width_mm > 0:
            raise ValueError(f"chart '{spec.name}': width must be positive, not {width_mm} mm")
        if spec.kind not in _LAYOUTS:
            raise ValueError(f"chart '{spec.name}': unknown kind '{spec.kind}'")
        fonts = self.fonts()
        layout = _LAYOUTS[spec.kind](spec, width_mm * MM, fonts, self._style)
        for item in layout.texts:
            face = fonts.face(item.bold)
            char = face.missing(item.text)
            if char is not None:
                self._missing_glyph(spec, char, item.text, face)
        return layout

    def _missing_glyph(self, spec: ChartSpec, char: str, text: str, face: FontFace) -> None:
        raise AssetError([Diagnostic(
            f"chart '{spec.name}': character '{char}' (U+{ord(char):04X}) in \"{text}\" is not in the font "
            f"{face.path.name} ({self.theme.heading_font.name}) — set the theme's heading_font to a font that covers "
            "it (e.g. a Noto font for that script) or write the text in another script",
            file=str(self.theme_folder / "theme.yaml"),
            field_path="heading_font",
        )])

    # caching

    def cache_key(self, spec: ChartSpec, width_mm: float, fmt: Format, dpi: int) -> str:
        """Hash of everything that changes the bytes, including the font files' bytes and matplotlib's version."""
        if self._key_base is None:
            fonts = self.fonts()
            self._key_base = [self.theme.digest(), _font_fingerprint(fonts.regular.path),
                              _font_fingerprint(fonts.bold.path), RENDERER_VERSION, _engine_version()]
        parts = [spec.digest(), *self._key_base, repr(float(width_mm)), fmt, int(dpi)]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def _cached(self, spec: ChartSpec, width_mm: float, fmt: Format, dpi: int) -> bytes:
        key = self.cache_key(spec, width_mm, fmt, dpi)
        with _memory_lock:
            if key in _memory:
                _memory.move_to_end(key)
                _stats["memory_hits"] += 1
                return _memory[key]
        path = self.cache_dir / f"{key}.{fmt}" if self.cache_dir is not None else None
        data = _read_cached(path, fmt) if path is not None else None
        if data is not None:
            with _memory_lock:
                _stats["disk_hits"] += 1
        else:
            data = self._render(spec, width_mm, fmt, dpi)
            with _memory_lock:
                _stats["drawn"] += 1
            if path is not None:
                write_cache_entry(path, data)
        with _memory_lock:
            _memory[key] = data
            while len(_memory) > _MEMORY_LIMIT:
                _memory.popitem(last=False)
        return data

    # drawing with matplotlib

    def _render(self, spec: ChartSpec, width_mm: float, fmt: Format, dpi: int) -> bytes:
        """Draw the chart with matplotlib: the only place matplotlib is imported."""
        layout = self._layout(spec, width_mm)
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties, fontManager

        fonts = self.fonts()
        for face in (fonts.regular, fonts.bold):
            if face.path not in _matplotlib_fonts:
                fontManager.addfont(str(face.path))
                _matplotlib_fonts.add(face.path)

        def properties(bold: bool, size: float) -> Any:
            face = fonts.face(bold)
            return FontProperties(family=[fonts.family], weight="bold" if bold else "normal", size=size,
                                  fname=str(face.path))

        with _draw_lock, matplotlib.rc_context():
            matplotlib.rcdefaults()  # a user's matplotlibrc or style must not change the output
            matplotlib.rcParams.update({
                "svg.fonttype": "none",
                "svg.hashsalt": _SVG_HASH_SALT,
                "text.usetex": False,
                "text.hinting": "no_hinting",  # glyph advances as in the font: PNG text as wide as laid out
                "savefig.bbox": None,
                "savefig.pad_inches": 0,
            })
            figure = Figure(figsize=(layout.width / 72, layout.height / 72), dpi=72)
            FigureCanvasAgg(figure)
            axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
            axes.set_axis_off()
            if layout.bars:
                bars = axes.barh(
                    [bar.top + bar.height / 2 for bar in layout.bars],
                    [bar.width for bar in layout.bars],
                    height=[bar.height for bar in layout.bars],
                    left=[bar.x for bar in layout.bars],
                    color=[bar.colour for bar in layout.bars],
                    linewidth=0,
                )
                for patch in bars:
                    patch.set_clip_on(False)
            for line in layout.lines:
                axes.plot([line.x0, line.x1], [line.y0, line.y1], color=line.colour, linewidth=line.width,
                          solid_capstyle="butt", clip_on=False)
            for marker in layout.markers:
                axes.plot([marker.x], [marker.y], marker="o", markersize=marker.diameter, markerfacecolor=marker.colour,
                          markeredgecolor=marker.edge, markeredgewidth=1.2, linestyle="none", clip_on=False)
            for item in layout.texts:
                axes.text(item.x, item.baseline, item.text, fontproperties=properties(item.bold, item.size),
                          color=item.colour, ha=item.align, va="baseline", parse_math=False, usetex=False,
                          clip_on=False)
            axes.set_xlim(0, layout.width)
            axes.set_ylim(layout.height, 0)  # y grows downwards, as in the layout
            buffer = io.BytesIO()
            try:
                if fmt == "svg":
                    figure.savefig(buffer, format="svg", transparent=True, metadata={"Date": None, "Creator": None})
                else:
                    figure.savefig(buffer, format="png", dpi=dpi, facecolor="#FFFFFF",
                                   metadata={"Software": None})
            finally:
                _release(figure)
        return buffer.getvalue()


def _release(figure: Any) -> None:
    """Free a drawn figure's memory now. A matplotlib figure is a web of reference cycles (figure, canvas,
    axes, artists), freed only by the garbage collector's full passes, which a process that makes few other
    cycles seldom runs: a batch worker drawing new charts for each document grew by 40 % over 100 documents,
    most of it the Agg renderer's pixel buffers. Emptying the figure and dropping the canvas's renderer lets
    reference counting free both at once (tried: either alone keeps most of it)."""
    figure.clear()
    if hasattr(figure.canvas, "renderer"):
        del figure.canvas.renderer


def _read_cached(path: Path, fmt: Format) -> bytes | None:
    return read_cache_entry(path, b"\x89PNG\r\n\x1a\n" if fmt == "png" else b"<?xml")


def _register_ttf(path: Path) -> str:
    """Register a TrueType file with reportlab under a name derived from the file; reuse it when already there.

    Same naming as `reports.writers.pdf.styles`, so a chart's text and the body share one embedded font.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    base = re.sub(r"[^A-Za-z0-9_-]", "", path.stem) or "Font"
    name = base
    if name in pdfmetrics.getRegisteredFontNames():
        existing = pdfmetrics.getFont(name)
        if Path(getattr(existing.face, "filename", "")) == path:
            return name
        name = f"{base}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"
        if name in pdfmetrics.getRegisteredFontNames():
            return name
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError) as error:
        raise AssetError([Diagnostic(f"font file {path.name} cannot be embedded in a PDF ({error}) — "
                                     "use a TrueType font that allows embedding", file=str(path))]) from None
    return name


def _strings(node: Any, string_type: type) -> list[Any]:
    found = []
    for child in getattr(node, "contents", ()):
        if isinstance(child, string_type):
            found.append(child)
        else:
            found.extend(_strings(child, string_type))
    return found


def _theme_font_map(regular: str, bold: str) -> Any:
    """An svglib font map sending every SVG font-family to the theme's registered fonts (never to Helvetica).

    Our SVG names only the theme's heading family; mapping *every* family keeps a stray generic name
    (`sans-serif`) from falling back to a standard-14 font that would not be embedded.
    """
    from svglib.fonts import FontMap

    class ThemeFontMap(FontMap):
        def find_font(self, font_name: str, weight: str = "normal", style: str = "normal") -> tuple[str, bool]:
            text = str(weight).strip().lower()
            heavy = text in {"bold", "bolder"} or (text.isdigit() and int(text) >= 600)
            return (bold if heavy else regular), True

    return ThemeFontMap()
