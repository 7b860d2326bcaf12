"""The theme's heading font as the charts use it: advance widths to wrap labels, ascent and cap height to
place them, code points to refuse a character the font cannot draw (facts from `reports.theme.fonts`), and the
fallback font that sets a character it lacks (`reports.theme.fallback`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from reports.cache import Cache
from reports.errors import AssetError, Diagnostic


def font_fingerprint(path: Path, cache: Cache) -> str:
    """Hash of a font file's bytes (hashed again only when its size or modification time changes)."""
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return cache.memo("file-digests", (path, info.st_mtime_ns, info.st_size),
                      lambda: hashlib.sha256(path.read_bytes()).hexdigest())


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
    family: str = ""
    """The family name a fallback face is drawn and matched by (theme faces go by the theme's family)."""
    fallback: Callable[[str], FontFace | None] | None = field(default=None, repr=False, compare=False)
    """The face that sets a character this one lacks, if any (`ChartRenderer` gives it)."""

    def face_of(self, char: str) -> FontFace:
        """The face `char` is drawn in: this one when it has it (or it is a space), else its fallback's."""
        if self.fallback is None or ord(char) in self.advances or char.isspace():
            return self
        return self.fallback(char) or self

    def width(self, text: str, size: float) -> float:
        """Advance width of `text` in points at `size` (no kerning: the same sum reportlab uses), each character
        measured in the face that draws it."""
        if self.fallback is None:
            fallback = self.units_per_em // 2
            return sum(self.advances.get(ord(char), fallback) for char in text) * size / self.units_per_em
        total = 0.0
        for char in text:
            face = self.face_of(char)
            total += face.advances.get(ord(char), face.units_per_em // 2) * size / face.units_per_em
        return total

    def missing(self, text: str) -> str | None:
        """The first character of `text` neither the font nor a fallback can draw, if any."""
        for char in text:
            if ord(char) not in self.advances and not char.isspace() and ord(char) not in self.face_of(char).advances:
                return char
        return None

    def runs(self, text: str) -> list[tuple[FontFace, str]]:
        """`text` cut into runs by the face that draws them."""
        runs: list[tuple[FontFace, str]] = []
        for char in text:
            face = runs[-1][0] if runs and char.isspace() else self.face_of(char)
            if runs and runs[-1][0] is face:
                runs[-1] = (face, runs[-1][1] + char)
            else:
                runs.append((face, char))
        return runs


def load_face(path: Path, cache: Cache, family: str = "",
              fallback: Callable[[str], FontFace | None] | None = None) -> FontFace:
    """The face's metrics from `reports.theme.fonts`: parsed once per cache for the coverage check, the charts and
    the DOCX, and read from the cache's folder when it has one instead of parsed in each new process."""
    from reports.theme.fonts import font_facts

    facts = font_facts(path, cache)
    problem = facts.error if facts.error is not None else facts.metrics_error
    if problem is not None or facts.advances is None:
        raise AssetError([Diagnostic(f"font file {path.name} cannot be read ({problem}) — use a TrueType (.ttf) file",
                                     file=str(path))])
    units = facts.units_per_em
    return FontFace(path=path, units_per_em=units, advances=facts.advances, ascender=facts.ascent / units,
                    cap_height=(facts.cap_height / units) if facts.cap_height else 0.72, family=family,
                    fallback=fallback)


@dataclass(frozen=True)
class ChartFonts:
    """The theme's heading font, as the charts use it: the regular and bold faces."""

    family: str
    regular: FontFace
    bold: FontFace

    def face(self, bold: bool) -> FontFace:
        return self.bold if bold else self.regular
