"""Drawing chart specs, for both writers: the layout (`layout`), drawn by matplotlib (`draw`) as SVG and PNG,
the SVG turned into a reportlab Drawing (`vector`).

Layout is computed in plain Python, in points, from the theme's heading font metrics (`faces`): how names
wrap decides how tall a chart is, so `size_mm` knows the height without drawing anything. A character the
font lacks is drawn in the fallback font that has it (`reports.theme.fallback`); one no font has is an
`AssetError`, never a box.

Every result is kept in the build's cache (`reports.cache.Cache`) under a hash of everything that changes its
bytes (the spec, the theme, the bytes of the font files, the width and format, `RENDERER_VERSION` and
matplotlib's version): in memory for the cache's owner, and on disk when the cache has a folder. The
reportlab Drawing made from an SVG is kept too and handed out as a copy.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from reports.cache import Cache
from reports.charts.draw import Format, draw, engine_version
from reports.charts.faces import ChartFonts, FontFace, font_fingerprint, load_face
from reports.charts.layout import LAYOUTS, ChartStyle, Layout
from reports.charts.spec import ChartSpec
from reports.charts.vector import register_truetype, strings_in, theme_font_map
from reports.errors import AssetError, Diagnostic, LayoutError
from reports.theme.model import Theme, resolve_font_file
from reports.theme.scale import POINTS_PER_MM
from reports.theme.scripts import font_package, shaping_needed

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

    from reports.theme.fallback import FallbackFace, FontFallback

RENDERER_VERSION = "charts-1"
"""Part of every cache key: bump it whenever a change here changes what a chart looks like."""

MEMORY_LIMIT = 128
"""Drawn charts kept in memory by a cache (a few tens of kB each)."""

_SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml"}
"""What a chart entry on disk starts with; anything else there is not ours and is drawn again."""


class ChartRenderer:
    """Draws chart specs for one theme; every result is cached by what changes its bytes."""

    def __init__(self, theme: Theme, theme_folder: Path, cache: Cache | None = None,
                 fallback: FontFallback | None = None) -> None:
        self.theme = theme
        self.theme_folder = theme_folder
        self.cache = cache if cache is not None else Cache()
        self.fallback = fallback
        """Sets what the heading font lacks; None: such characters are refused."""
        self._style = ChartStyle(theme)
        self._fonts: ChartFonts | None = None
        self._reportlab_fonts: tuple[str, str] | None = None
        self._key_base: list[str] | None = None

    # public API

    def size_mm(self, spec: ChartSpec, width_mm: float) -> tuple[float, float]:
        """Width and height (mm) the chart is drawn at for `width_mm`: tall enough for every wrapped line."""
        layout = self._layout(spec, width_mm)
        return width_mm, layout.height / POINTS_PER_MM

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
        cached = self.cache.get("chart-drawings", key)
        if cached is not None:
            return copy.deepcopy(cached)  # a writer may change what it is handed; the cached one stays as made
        fallbacks = {face.family: register_truetype(face.path) for face in self._fallback_faces(spec)}
        drawing = svg2rlg(io.BytesIO(self.svg(spec, width_mm)), font_map=theme_font_map(regular, bold, fallbacks))
        if drawing is None:  # svglib logs and returns None on unreadable input; ours is always well formed
            raise AssetError([Diagnostic(f"chart '{spec.name}': the SVG could not be converted for the PDF")])
        target_width = width_mm * POINTS_PER_MM
        scale = target_width / drawing.width
        drawing.scale(scale, scale)
        drawing.width, drawing.height = target_width, drawing.height * scale
        drawing.initialFontName, drawing.initialFontSize = regular, self._style.note_size
        strays = sorted({node.fontName for node in strings_in(drawing, String)} - {regular, bold, *fallbacks.values()})
        if strays:
            raise AssetError([Diagnostic(f"chart '{spec.name}': text would use font(s) {', '.join(strays)} "
                                         f"instead of {regular}/{bold}")])
        self.cache.put("chart-drawings", key, drawing, MEMORY_LIMIT)
        return copy.deepcopy(drawing)

    # fonts

    def fonts(self) -> ChartFonts:
        """The heading font's regular and bold faces, resolved through the theme's font folders."""
        if self._fonts is None:
            family = self.theme.heading_font
            fallback = self._fallback_face if self.fallback is not None else None
            self._fonts = ChartFonts(
                family=family.name,
                regular=load_face(resolve_font_file(family.regular, self.theme_folder, self.cache), self.cache,
                                  fallback=fallback),
                bold=load_face(resolve_font_file(family.bold, self.theme_folder, self.cache), self.cache,
                               fallback=fallback),
            )
        return self._fonts

    def _fallback_face(self, char: str) -> FontFace | None:
        """The fallback face (`reports.theme.fallback`) for a character the heading font lacks, as chart metrics."""
        face = self.fallback.face_for(char) if self.fallback is not None else None
        if face is None:
            return None
        return self.cache.memo("chart-fallback-faces", (str(face.path), face.family),
                               lambda: load_face(face.path, self.cache, family=face.family))

    def _fallback_faces(self, spec: ChartSpec) -> list[FallbackFace]:
        """The fallback faces a chart's text may be drawn in (from every character of its spec)."""
        if self.fallback is None:
            return []
        fonts = self.fonts()
        text = json.dumps(asdict(spec), ensure_ascii=False)
        faces: dict[FallbackFace, None] = {}
        for char in set(text):
            if char.isspace() or (ord(char) in fonts.regular.advances and ord(char) in fonts.bold.advances):
                continue
            face = self.fallback.face_for(char)
            if face is not None:
                faces[face] = None
        return sorted(faces, key=lambda face: (face.family, str(face.path)))

    def _register_reportlab_fonts(self) -> tuple[str, str]:
        if self._reportlab_fonts is None:
            fonts = self.fonts()
            self._reportlab_fonts = (register_truetype(fonts.regular.path), register_truetype(fonts.bold.path))
        return self._reportlab_fonts

    # layout and coverage

    def _layout(self, spec: ChartSpec, width_mm: float) -> Layout:
        if not width_mm > 0:
            raise ValueError(f"chart '{spec.name}': width must be positive, not {width_mm} mm")
        if spec.kind not in LAYOUTS:
            raise ValueError(f"chart '{spec.name}': unknown kind '{spec.kind}'")
        fonts = self.fonts()
        layout = LAYOUTS[spec.kind](spec, width_mm * POINTS_PER_MM, fonts, self._style)
        for item in layout.texts:
            face = fonts.face(item.bold)
            char = face.missing(item.text)
            if char is not None:
                self._missing_glyph(spec, char, item.text, face)
            shaped = next(((char, found) for char in item.text if (found := shaping_needed(char)) is not None), None)
            if shaped is not None:  # the font may have the letters; drawn one by one they would be wrong
                char, (script, what) = shaped
                raise LayoutError([Diagnostic(
                    f"chart '{spec.name}': character '{char}' (U+{ord(char):04X}) in \"{item.text}\" is {script} "
                    f"script, which needs shaping ({what}) that the charts cannot do — write the text in a Latin "
                    "transliteration")])
        return layout

    def _missing_glyph(self, spec: ChartSpec, char: str, text: str, face: FontFace) -> None:
        raise AssetError([Diagnostic(
            f"chart '{spec.name}': character '{char}' (U+{ord(char):04X}) in \"{text}\" is not in the font "
            f"{face.path.name} ({self.theme.heading_font.name}) nor in any font installed on this machine — install "
            f"a font that has it (on Debian or Ubuntu: apt install {font_package(char)}), or name one under "
            "fallback_fonts in the theme",
            file=str(self.theme_folder / "theme.yaml"),
            field_path="heading_font",
        )])

    # caching

    def cache_key(self, spec: ChartSpec, width_mm: float, fmt: Format, dpi: int) -> str:
        """Hash of everything that changes the bytes, including the font files' bytes and matplotlib's version."""
        if self._key_base is None:
            fonts = self.fonts()
            self._key_base = [self.theme.digest(), font_fingerprint(fonts.regular.path, self.cache),
                              font_fingerprint(fonts.bold.path, self.cache), RENDERER_VERSION,
                              self.cache.memo("versions", "matplotlib", engine_version)]
        parts = [spec.digest(), *self._key_base, repr(float(width_mm)), fmt, int(dpi)]
        fallbacks = self._fallback_faces(spec)
        if fallbacks:  # only charts drawn with a fallback font name it: every other key stays as it was
            parts.append([[face.family, font_fingerprint(face.path, self.cache)] for face in fallbacks])
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def _cached(self, spec: ChartSpec, width_mm: float, fmt: Format, dpi: int) -> bytes:
        key = self.cache_key(spec, width_mm, fmt, dpi)
        kept = self.cache.get("charts", key)
        if kept is not None:
            self.cache.count("charts:memory_hits")
            return kept  # type: ignore[no-any-return]
        path = self.cache.entry_path(f"{key}.{fmt}")
        data = self.cache.read_entry(path, _SIGNATURES[fmt])
        if data is not None:
            self.cache.count("charts:disk_hits")
        else:
            data = draw(self._layout(spec, width_mm), self.fonts(), fmt, dpi)
            self.cache.count("charts:drawn")
            self.cache.write_entry(path, data)
        return self.cache.put("charts", key, data, MEMORY_LIMIT)
