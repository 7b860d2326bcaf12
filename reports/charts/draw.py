"""Drawing a chart layout with matplotlib (object-oriented API, no pyplot), to SVG or PNG.

matplotlib draws exactly the layout `reports.charts.layout` computed, onto one axes whose data units are
points, with every text object placed explicitly (`parse_math=False`, no legend), so a label like "$5" or
"_x" shows as typed. The SVG keeps text as text (`svg.fonttype: none`). Output is deterministic: a fixed
hash salt, no dates or software names in metadata, rcParams reset to defaults while drawing. This is the
only module that imports matplotlib, and only when a chart is drawn: `reports check` never pays for it.
"""

from __future__ import annotations

import io
import threading
from typing import Any, Literal

from reports.charts.faces import ChartFonts, FontFace
from reports.charts.layout import Layout

Format = Literal["svg", "png"]

SVG_HASH_SALT = "reports-charts"

_draw_lock = threading.Lock()
"""matplotlib's rcParams are process-wide; drawing holds them (reset to defaults) for its duration."""


def engine_version() -> str:
    """matplotlib's version, read from its metadata without importing it: another version may draw other bytes."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"matplotlib-{version('matplotlib')}"
    except PackageNotFoundError:
        return "matplotlib-unknown"


def _add_fonts(fonts: ChartFonts) -> None:
    """Make the faces known to matplotlib's font manager, once: it lists every added file, and a long-lived
    process adding them for each chart would make its font lookups slower and slower."""
    from matplotlib.font_manager import fontManager

    known = {entry.fname for entry in fontManager.ttflist}
    for face in (fonts.regular, fonts.bold):
        if str(face.path) not in known:
            fontManager.addfont(str(face.path))


def draw(layout: Layout, fonts: ChartFonts, fmt: Format, dpi: int) -> bytes:
    """The layout drawn as SVG (text as text) or as a PNG at `dpi` without metadata."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    _add_fonts(fonts)

    def properties(bold: bool, size: float, face: FontFace | None = None) -> Any:
        theme_face = fonts.face(bold)
        if face is not None and face is not theme_face:  # a fallback font: its one face, by its own family
            return FontProperties(family=[face.family], size=size, fname=str(face.path))
        return FontProperties(family=[fonts.family], weight="bold" if bold else "normal", size=size,
                              fname=str(theme_face.path))

    with _draw_lock, matplotlib.rc_context():
        matplotlib.rcdefaults()  # a user's matplotlibrc or style must not change the output
        matplotlib.rcParams.update({
            "svg.fonttype": "none",
            "svg.hashsalt": SVG_HASH_SALT,
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
            runs = fonts.face(item.bold).runs(item.text)
            if len(runs) <= 1:  # one font (the theme's, or a fallback for the whole text)
                face = runs[0][0] if runs else None
                axes.text(item.x, item.baseline, item.text, fontproperties=properties(item.bold, item.size, face),
                          color=item.colour, ha=item.align, va="baseline", parse_math=False, usetex=False,
                          clip_on=False)
                continue
            # characters the font lacks, in their fallback font: one text object a run, placed by the layout's widths
            widths = [face.width(text, item.size) for face, text in runs]
            x = item.x - (sum(widths) if item.align == "right" else 0.0)
            for (face, text), width in zip(runs, widths):
                axes.text(x, item.baseline, text, fontproperties=properties(item.bold, item.size, face),
                          color=item.colour, ha="left", va="baseline", parse_math=False, usetex=False, clip_on=False)
                x += width
        axes.set_xlim(0, layout.width)
        axes.set_ylim(layout.height, 0)  # y grows downwards, as in the layout
        buffer = io.BytesIO()
        try:
            if fmt == "svg":
                figure.savefig(buffer, format="svg", transparent=True, metadata={"Date": None, "Creator": None})
            else:
                figure.savefig(buffer, format="png", dpi=dpi, facecolor="#FFFFFF", metadata={"Software": None})
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
