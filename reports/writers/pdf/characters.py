"""Which characters the PDF writer can set, face by face, and how to say why one cannot be.

Each `Text` is checked against the TrueType face it will be drawn in: a character the face lacks is set in a
fallback font (`fallback`) when one has it, else it would be dropped or drawn as a box; one outside the Basic
Multilingual Plane (an emoji) breaks reportlab's text layer, and one of a script that needs shaping
(`reports.theme.scripts`) would come out as isolated, misordered letters. Almost every text is drawable, so the
verdict is memoised per distinct character and face, and a text is walked by position only to describe a
character that is not.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Iterator

from reports.errors import Diagnostic
from reports.theme.scripts import font_package, shaping_needed
from reports.writers.pdf.styles import FontFaces

if TYPE_CHECKING:
    from reports.writers.pdf.fallback import FallbackFonts

NOT_DRAWN = frozenset(" \n\r\t")
"""Characters reportlab turns into word spaces: never checked against a face."""


class CharacterCheck:
    """Verdicts for one document: characters the faces can set, and the problems found so far."""

    def __init__(self, fallback: FallbackFonts | None = None) -> None:
        self._verdicts: dict[tuple[str, str], bool] = {}
        self.fallback = fallback

    def drawable(self, character: str, faces: FontFaces, bold: bool, italic: bool, face_name: str = "") -> bool:
        """True for a character the face, or a fallback font, can set (or one reportlab turns into a word space);
        `face_name` is `faces.face(bold, italic)` when the caller has it already (a text's characters share it)."""
        key = (character, face_name or faces.face(bold, italic))
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = character in NOT_DRAWN or (
                ord(character) <= 0xFFFF and unicodedata.category(character) not in ("Cc", "Cs")
                and shaping_needed(character) is None
                and (faces.covers(character, bold, italic)
                     or (self.fallback is not None and self.fallback.available(character))))
            self._verdicts[key] = verdict
        return verdict

    def problems(self, text: str, faces: FontFaces, bold: bool, italic: bool) -> list[tuple[str, Diagnostic]]:
        """(character, diagnostic) for each character of `text` the face cannot set: outside the BMP, a control
        character, or missing from the font; [] for a drawable text."""
        face_name = faces.face(bold, italic)
        if all(self.drawable(character, faces, bold, italic, face_name) for character in set(text)):
            return []
        found: list[tuple[str, Diagnostic]] = []
        for index, character in _checked_positions(text):
            code = ord(character)
            if code > 0xFFFF:
                reason = (f"is outside the Basic Multilingual Plane (an emoji or rare symbol), which the PDF writer "
                          f"cannot set in font {faces.display_name} ({face_name})")
                fix = "replace it with words or a character from the font"
            elif unicodedata.category(character) in ("Cc", "Cs"):
                reason = "is a control character"
                fix = "remove it"
            elif (shaped := shaping_needed(character)) is not None:
                reason = (f"is {shaped[0]} script, which needs shaping ({shaped[1]}) that reportlab, which sets the "
                          "PDF, cannot do")
                fix = "write it in a Latin transliteration or leave it out"
            elif not self.drawable(character, faces, bold, italic):
                reason = f"is not in font {faces.display_name} ({face_name}) nor in any font installed on this machine"
                fix = (f"install a font that has it (on Debian or Ubuntu: apt install {font_package(character)}), "
                       "or name one under fallback_fonts in the template's theme.yaml")
            else:
                continue
            start = max(index - 30, 0)
            context = " ".join(text[start:index + 30].split())
            shown = character if character.isprintable() else repr(character)
            found.append((character, Diagnostic(f"character {shown} (U+{code:04X}) in “{context}” {reason} — {fix}")))
        return found


def _checked_positions(text: str) -> Iterator[tuple[int, str]]:
    """Characters worth checking: all but the spaces reportlab turns into word spaces."""
    for index, character in enumerate(text):
        if character not in NOT_DRAWN:
            yield index, character
