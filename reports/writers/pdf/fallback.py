"""Characters the theme's fonts lack, set in a fallback font (`reports.theme.fallback`) in the PDF.

A text is cut into runs by the font that sets each character: the face the style names wherever it has the
character, else the fallback face chosen for it. In paragraph markup a fallback run becomes
`<font name="…">…</font>` (each run escaped once, by `escape_markup`); on the canvas (running header, footer)
each run is drawn with its own `setFont`. Fallback faces are registered with reportlab like the theme's, so they
are embedded as subsets with a text layer, and as a family whose bold and italic are the face itself: `<b>`
around a fallback run keeps the one face it has.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase import pdfmetrics

from reports.theme.fallback import FallbackFace, FontFallback
from reports.writers.pdf.inlines import escape_markup

Run = tuple[str, str]
"""(registered font name, text)."""

_JOINS_ANY_RUN = frozenset(" \u00a0\t\n\r")
"""Spaces stay in the run they follow: switching fonts for a space only changes its width."""


class FallbackFonts:
    """The fallback of one render: which registered font sets each character a theme face lacks."""

    def __init__(self, fallback: FontFallback | None) -> None:
        self.fallback = fallback
        self._names: dict[FallbackFace, str] = {}
        self._glyphs: dict[str, dict[int, int]] = {}

    def has(self, font_name: str, character: str) -> bool:
        """Whether the registered TrueType font has a glyph for the character."""
        glyphs = self._glyphs.get(font_name)
        if glyphs is None:
            glyphs = self._glyphs[font_name] = pdfmetrics.getFont(font_name).face.charToGlyph
        return ord(character) in glyphs

    def available(self, character: str) -> bool:
        """Whether a fallback font sets the character (nothing is registered)."""
        return self.fallback is not None and self.fallback.face_for(character) is not None

    def name_for(self, character: str) -> str | None:
        """The registered name of the fallback font for a character a theme face lacks; None when none has it."""
        if self.fallback is None:
            return None
        face = self.fallback.face_for(character)
        if face is None:
            return None
        name = self._names.get(face)
        if name is None:
            from reports.charts.vector import register_truetype

            name = register_truetype(face.path)
            pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
            self._names[face] = name
        return name

    def runs(self, text: str, font_name: str) -> list[Run]:
        """`text` cut into runs by font: `font_name` where it has the character, else the fallback font (or, with
        none, `font_name` still: the character is reported by `characters`)."""
        runs: list[Run] = []
        for character in text:
            name = font_name
            if character not in _JOINS_ANY_RUN and not self.has(font_name, character):
                name = self.name_for(character) or font_name
            elif runs and character in _JOINS_ANY_RUN:
                name = runs[-1][0]
            if runs and runs[-1][0] == name:
                runs[-1] = (name, runs[-1][1] + character)
            else:
                runs.append((name, character))
        return runs

    def markup(self, text: str, font_name: str) -> str:
        """Paragraph markup for a text set in `font_name`, its fallback runs in their own font."""
        if self.fallback is None or all(self.has(font_name, character) or character in _JOINS_ANY_RUN
                                        for character in set(text)):
            return escape_markup(text)
        return "".join(escape_markup(run) if name == font_name else f'<font name="{name}">{escape_markup(run)}</font>'
                       for name, run in self.runs(text, font_name))

    def canvas_runs(self, text: str, font_name: str) -> list[Run]:
        """Runs for text drawn directly on the canvas in a registered TrueType font."""
        return self.runs(text, font_name)

    def width(self, text: str, font_name: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(run, name, size) for name, run in self.canvas_runs(text, font_name))

    def text_out(self, text_object: Any, text: str, font_name: str, size: float) -> None:
        """Add `text` to a reportlab text object at its cursor, run by run, each in its font."""
        for name, run in self.canvas_runs(text, font_name):
            text_object.setFont(name, size)
            text_object.textOut(run)
