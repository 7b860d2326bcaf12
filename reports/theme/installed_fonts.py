"""The fonts installed on this machine that the PDF can embed, with the characters each has: where the font
fallback (`reports.theme.fallback`) looks after the theme's own fonts.

fontconfig already knows every installed font's character set (it keeps them in its cache), so one `fc-list`
answers for all of them in a few milliseconds, and it is asked only when a document has a character the theme's
fonts lack. Without fontconfig (Windows, some macOS setups), matplotlib's font manager lists the fonts instead and
each one's character map is read when a character is looked for (`reports.theme.fonts`, kept in the cache).

Only TrueType-outline fonts count, and only the first face of a collection: reportlab embeds `glyf` outlines
only (not the PostScript outlines of most `.otf` files or of Noto CJK), and matplotlib draws a collection's
first face.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from reports.cache import Cache

FC_LIST_SECONDS = 30.0
"""fontconfig answers from its cache in milliseconds; the first run on a fresh machine builds it."""

PLACEHOLDER_FAMILIES = ("last resort",)
"""Fonts that map every code point to a box naming its block (matplotlib ships one; macOS has it): a fallback to
them would look like success and show boxes."""

_FORMAT = r"%{file}\t%{index}\t%{family[0]}\t%{style[0]}\t%{weight}\t%{slant}\t%{width}\t%{spacing}\t%{fontformat}" \
          r"\t%{lang}\t%{charset}\n"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class InstalledFace:
    """One installed font file (its first face), as fontconfig or matplotlib describes it."""

    family: str
    path: Path
    weight: int = 80
    """fontconfig's scale: 80 regular, 200 bold."""
    slant: int = 0
    """0 upright, 100 italic, 110 oblique."""
    width: int = 100
    monospaced: bool = False
    languages: frozenset[str] = frozenset()
    """fontconfig's language tags the font is complete for (`zh-cn`, `ja`)."""
    _starts: array[int] = field(default_factory=lambda: array("I"), repr=False, compare=False)
    _ends: array[int] = field(default_factory=lambda: array("I"), repr=False, compare=False)
    _reader: Callable[[], frozenset[int]] | None = field(default=None, repr=False, compare=False)
    """Reads the character map when fontconfig did not give it (matplotlib's list)."""

    def blocks(self) -> frozenset[int] | None:
        """The 256-code-point blocks the font has characters in (None when its characters are read lazily): lets
        the fallback skip, for a Chinese character, the hundreds of fonts that have none in its block."""
        if self._reader is not None:
            return None
        return frozenset(block for start, end in zip(self._starts, self._ends) for block in range(start >> 8, (end >> 8) + 1))

    def covers(self, code: int) -> bool:
        if self._reader is not None:
            return code in self._reader()
        index = bisect_right(self._starts, code) - 1
        return index >= 0 and code <= self._ends[index]

    def speaks(self, language: str) -> bool:
        """Complete for the document's language (`zh` matches `zh-cn`)."""
        base = language.lower().replace("_", "-")
        return any(tag == base or tag.split("-")[0] == base.split("-")[0] for tag in self.languages)


def _placeholder(family: str) -> bool:
    return family.lower().startswith(PLACEHOLDER_FAMILIES)


def _number(text: str, default: int) -> int:
    """The first number of a fontconfig value (`80`, or `[0 210]` for a variable font's range)."""
    found = _NUMBER.search(text)
    return int(float(found.group())) if found else default


def _ranges(charset: str) -> tuple[array[int], array[int]]:
    """fontconfig's `20-7e a0-17f 192 …` as sorted range starts and ends."""
    starts, ends = array("I"), array("I")
    for piece in charset.split():
        first, _, last = piece.partition("-")
        try:
            low, high = int(first, 16), int(last or first, 16)
        except ValueError:
            continue
        starts.append(low)
        ends.append(high)
    return starts, ends


def parse_fc_list(output: str) -> list[InstalledFace]:
    """The TrueType faces in `fc-list` output made with `_FORMAT`, first faces of collections only."""
    faces = []
    for line in output.splitlines():
        fields = line.split("\t")
        if len(fields) != 11:
            continue
        file, index, family, _, weight, slant, width, spacing, font_format, languages, charset = fields
        if font_format != "TrueType" or index.strip() not in ("", "0") or not family or _placeholder(family):
            continue
        starts, ends = _ranges(charset)
        faces.append(InstalledFace(
            family=family, path=Path(file), weight=_number(weight, 80), slant=_number(slant, 0),
            width=_number(width, 100), monospaced=_number(spacing, 0) >= 90,
            languages=frozenset(tag for tag in languages.split("|") if tag), _starts=starts, _ends=ends))
    return faces


def _fontconfig_faces() -> list[InstalledFace] | None:
    """Every installed TrueType face with its character set, from one `fc-list`; None without fontconfig."""
    program = shutil.which("fc-list")
    if program is None:
        return None
    try:
        result = subprocess.run([program, "--format", _FORMAT, ":outline=true:scalable=true"], capture_output=True,
                                text=True, encoding="utf-8", errors="replace", timeout=FC_LIST_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return parse_fc_list(result.stdout)


def _matplotlib_faces(cache: Cache) -> list[InstalledFace]:
    """The TrueType files matplotlib's font manager found (its own and the system's), each one's characters read
    when first needed."""
    from matplotlib import font_manager

    from reports.theme.fonts import font_facts

    faces = []
    for entry in font_manager.fontManager.ttflist:
        path = Path(entry.fname)
        if path.suffix.lower() not in (".ttf", ".ttc") or _placeholder(entry.name):
            continue

        def reader(path: Path = path) -> frozenset[int]:
            facts = font_facts(path, cache)
            return frozenset(facts.code_points) if facts.error is None else frozenset()

        css_weight = entry.weight if isinstance(entry.weight, int) else 700 if "bold" in str(entry.weight) else 400
        faces.append(InstalledFace(
            family=entry.name, path=path, weight=round(80 + (css_weight - 400) * 0.4),  # 400 → 80, 700 → 200
            slant=0 if entry.style == "normal" else 100, _reader=_memo(reader)))
    return faces


def _memo(read: Callable[[], frozenset[int]]) -> Callable[[], frozenset[int]]:
    """`read`, called once: a face's characters are read only if a character is ever looked for in it."""
    kept: list[frozenset[int]] = []

    def once() -> frozenset[int]:
        if not kept:
            kept.append(read())
        return kept[0]

    return once


def installed_faces(cache: Cache) -> tuple[InstalledFace, ...]:
    """The installed faces the fallback may use, listed once per cache (fontconfig, else matplotlib)."""

    def find() -> tuple[InstalledFace, ...]:
        faces = _fontconfig_faces()
        if faces is None:
            faces = _matplotlib_faces(cache)
        return tuple(sorted(faces, key=lambda face: (str(face.path), face.family)))

    return cache.memo("installed-fonts", "faces", find, limit=1)
