"""Font fallback: which font sets a character the theme's body and heading fonts lack.

Typst, LibreOffice and Word all fall back to another font for a character the chosen one lacks; so does the
build, in a fixed order:

1. the theme's `fallback_fonts`, in the order given (TrueType files, looked up like its other fonts);
2. the fonts installed on this machine (`reports.theme.installed_fonts`): those complete for the document's
   language first, then upright regular proportional faces before others, then a family sharing the theme font's
   first name ("DejaVu Sans" for "DejaVu Serif"), then by name — the same answer for the same fonts, every build.

A character is decided once for the whole document, whatever face (bold, italic) it appears in: a fallback font
has one face, so text set in it is upright and regular. Characters of scripts that need shaping
(`reports.theme.scripts`) are never given a fallback: no font makes reportlab able to set them. A character no
font has is for the coverage check (`reports.theme.coverage`) to refuse, naming a package to install.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from reports.cache import Cache
from reports.errors import AssetError, Diagnostic
from reports.theme.font_data import CodePoints
from reports.theme.installed_fonts import InstalledFace, installed_faces
from reports.theme.model import FontFamily, Theme, resolve_font_file
from reports.theme.scripts import shaping_needed

FACES = ("regular", "bold", "italic", "bold_italic")


@dataclass(frozen=True)
class FallbackFace:
    """A font that sets characters the theme's fonts lack."""

    family: str
    """The family name (the DOCX names it; matplotlib and svglib match charts' text by it)."""
    path: Path
    from_theme: bool
    """Named in the theme's `fallback_fonts` (else found among the installed fonts)."""


@dataclass(frozen=True)
class ThemeFace:
    """One face of the theme's body or heading font, with the characters it has."""

    family: str
    file: Path
    code_points: CodePoints


class FontFallback:
    """The theme's fonts and what sets the characters they lack, for one theme and document language.

    `lacks` says whether a character is missing from any face of the body and heading fonts; `face_for` which
    fallback sets it (None: none can). Answers are kept for the object's life (one build, or one process's cache).
    """

    def __init__(self, theme: Theme, theme_folder: Path, cache: Cache, language: str = "",
                 installed: tuple[InstalledFace, ...] | None = None) -> None:
        self.theme = theme
        self.theme_folder = theme_folder
        self.cache = cache
        self.language = language
        self._installed = installed
        self._theme_faces: list[ThemeFace] | None = None
        self._fallbacks: list[tuple[FallbackFace, CodePoints]] | None = None
        self._chosen: dict[str, FallbackFace | None] = {}
        self._by_block: dict[int, list[InstalledFace]] | None = None
        self._anywhere: list[InstalledFace] = []
        self._lock = threading.Lock()

    # --- the theme's own fonts -------------------------------------------------------------------------

    def theme_faces(self) -> list[ThemeFace]:
        """Every face of the body and heading fonts, each file once, body font first."""
        if self._theme_faces is None:
            faces: list[ThemeFace] = []
            seen: set[Path] = set()
            families: tuple[FontFamily, ...] = (self.theme.body_font, self.theme.heading_font)
            for family in families:
                for face in FACES:
                    path = resolve_font_file(getattr(family, face), self.theme_folder, self.cache)
                    if path not in seen:
                        seen.add(path)
                        faces.append(ThemeFace(family.name, path, code_points(path, self.cache)))
            self._theme_faces = faces
        return self._theme_faces

    def lacking(self, character: str) -> ThemeFace | None:
        """The first face of the theme's fonts without the character, or None when they all have it."""
        code = ord(character)
        return next((face for face in self.theme_faces() if code not in face.code_points), None)

    def lacks(self, character: str) -> bool:
        return self.lacking(character) is not None

    # --- the fallback ----------------------------------------------------------------------------------

    def face_for(self, character: str) -> FallbackFace | None:
        """The font that sets `character` where a theme face lacks it; None when no font can."""
        with self._lock:
            if character in self._chosen:
                return self._chosen[character]
        chosen = None if shaping_needed(character) or ord(character) > 0xFFFF else self._choose(ord(character))
        with self._lock:
            self._chosen[character] = chosen
        return chosen

    def faces_in(self, text: str) -> list[FallbackFace]:
        """The fallback faces the characters of `text` the theme lacks are set in, in order of first use."""
        used: dict[FallbackFace, None] = {}
        for character in dict.fromkeys(text):
            if not character.isspace() and self.lacks(character):
                face = self.face_for(character)
                if face is not None:
                    used[face] = None
        return list(used)

    def _choose(self, code: int) -> FallbackFace | None:
        for face, points in self._theme_fallbacks():
            if code in points:
                return face
        for installed in self._candidates(code >> 8):  # best first
            if installed.covers(code):
                return FallbackFace(installed.family, installed.path, from_theme=False)
        return None

    def _candidates(self, block: int) -> list[InstalledFace]:
        """The installed faces that may have characters in a 256-code-point block, best ranked first."""
        if self._by_block is None:
            by_block: dict[int, list[InstalledFace]] = {}
            anywhere: list[InstalledFace] = []
            for face in sorted(self.installed(), key=self._rank):
                blocks = face.blocks()
                if blocks is None:  # characters read when needed: a candidate everywhere
                    anywhere.append(face)
                    for members in by_block.values():
                        members.append(face)
                    continue
                for each in blocks:
                    by_block.setdefault(each, list(anywhere)).append(face)
            self._anywhere, self._by_block = anywhere, by_block  # built whole: threads may race to build it
        return self._by_block.get(block, self._anywhere)

    def installed(self) -> tuple[InstalledFace, ...]:
        if self._installed is None:
            self._installed = installed_faces(self.cache)
        return self._installed

    def _rank(self, face: InstalledFace) -> tuple[object, ...]:
        theme_name = self.theme.body_font.name.split()[0].lower() if self.theme.body_font.name.split() else ""
        return (not (self.language and face.speaks(self.language)), abs(face.weight - 80), face.slant,
                abs(face.width - 100), face.monospaced, face.family.split()[0].lower() != theme_name if face.family
                else True, face.family, str(face.path))

    def _theme_fallbacks(self) -> list[tuple[FallbackFace, CodePoints]]:
        if self._fallbacks is None:
            self._fallbacks = [
                (FallbackFace(font.name, path, from_theme=True), code_points(path, self.cache))
                for font in self.theme.fallback_fonts
                for path in (resolve_font_file(font.file, self.theme_folder, self.cache),)
            ]
        return self._fallbacks


def code_points(path: Path, cache: Cache) -> CodePoints:
    """The code points a TrueType file maps to glyphs (`reports.theme.fonts`, read once per cache); AssetError for
    a file that is not a usable text font."""
    from reports.theme.fonts import SYMBOL_FONT, font_facts

    facts = font_facts(path, cache)
    if facts.error == SYMBOL_FONT:
        raise AssetError([Diagnostic(f"font file {path.name} cannot set text: {SYMBOL_FONT} — choose a text font "
                                     "(body_font, heading_font and fallback_fonts in theme.yaml)", file=str(path))])
    if facts.error is not None:
        raise AssetError([Diagnostic(f"font file {path.name} cannot be read ({facts.error}) — use a TrueType (.ttf) file",
                                     file=str(path))])
    return facts.code_points


def font_fallback(theme: Theme, theme_folder: Path, cache: Cache, language: str = "") -> FontFallback:
    """The fallback for a theme and language, kept in the cache (its answers serve every document built with them)."""
    return cache.memo("font-fallback", (theme.model_dump_json(), str(theme_folder), language),
                      lambda: FontFallback(theme, theme_folder, cache, language), limit=8)
