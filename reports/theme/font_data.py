"""What the build knows about one TrueType file (`FontFacts`): its mapped code points and advance widths as
sorted arrays, which behave as the set and mapping they stand for at a twentieth of their memory.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from typing import Any

FACTS_VERSION = 1
"""Part of every disk key: bump it when what `_parse` extracts, or how it is stored, changes."""

MAX_ENTRY_BYTES = 8 * 1024 * 1024
"""A cache entry larger than this is not read (a DejaVu face's facts are 13–19 kB)."""

PANOSE_FIELDS = ("bFamilyType", "bSerifStyle", "bWeight", "bProportion", "bContrast", "bStrokeVariation",
                  "bArmStyle", "bLetterForm", "bMidline", "bXHeight")


LAST_CODE_POINT = 0x10FFFF


class CodePoints(Set[int]):
    """A face's mapped code points, sorted in an array.

    Every build reads the facts of the theme's eight faces: as a frozenset and a dict, six thousand code
    points and their advances took ≈1.5 MB a face (12 MB of a build's 155 MB peak); as arrays, ≈40 kB.
    Membership is a binary search; it behaves as (and compares equal to) the set of the same numbers.
    """

    __slots__ = ("_codes",)

    def __init__(self, codes: array[int]) -> None:
        self._codes = codes  # sorted, no duplicates

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        index = bisect_left(self._codes, code)
        return index < len(self._codes) and self._codes[index] == code

    def __iter__(self) -> Iterator[int]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    __hash__ = Set._hash  # frozen facts stay hashable, as with a frozenset


class Advances(Mapping[int, int]):
    """Advance width by code point, as two sorted arrays (see `CodePoints`); behaves as the dict."""

    __slots__ = ("_codes", "_widths")

    def __init__(self, codes: array[int], widths: array[int]) -> None:
        self._codes, self._widths = codes, widths

    def _index(self, code: object) -> int:
        if isinstance(code, int):
            index = bisect_left(self._codes, code)
            if index < len(self._codes) and self._codes[index] == code:
                return index
        return -1

    def __getitem__(self, code: int) -> int:
        index = self._index(code)
        if index < 0:
            raise KeyError(code)
        return self._widths[index]

    def get(self, code: int, default: Any = None) -> Any:  # type: ignore[override]
        index = self._index(code)
        return self._widths[index] if index >= 0 else default

    def __contains__(self, code: object) -> bool:
        return self._index(code) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def __hash__(self) -> int:
        return hash((bytes(self._codes), bytes(self._widths)))


def advances_of(codes: array[int], widths: array[int], unmeasured: set[int]) -> Advances:
    """The advances of `codes` but those `unmeasured` (`widths` is parallel to `codes`)."""
    if not unmeasured:
        return Advances(codes, widths)  # the usual case: share the code points' array
    keep = [index for index, code in enumerate(codes) if code not in unmeasured]
    return Advances(array("I", (codes[index] for index in keep)), array("H", (widths[index] for index in keep)))


@dataclass(frozen=True)
class FontFacts:
    """What the build needs to know about one TrueType file (face 0 of a collection), in font units."""

    digest: str
    """SHA-256 of the file's bytes ("" when read without a cache folder: it is only the disk key)."""
    error: str | None = None
    """Why the file cannot be read as a font at all (fontTools' message); nothing else is known then."""
    code_points: CodePoints = CodePoints(array("I"))
    """Every code point the font's best cmap maps to a glyph."""
    advances: Advances | None = None
    """Advance width of each mapped code point whose glyph has metrics; None when `metrics_error` is set."""
    metrics_error: str | None = None
    """Why the metrics (hmtx, head, hhea, OS/2) cannot be read, when the cmap could."""
    units_per_em: int = 0
    ascent: int = 0
    """hhea ascent."""
    cap_height: int = 0
    """OS/2 sCapHeight; 0 when the table or the field is missing."""
    panose: tuple[int, ...] | None = None
    """The ten PANOSE digits of the OS/2 table; None when it cannot be read."""

    @property
    def complete(self) -> bool:
        """Read without any error: worth keeping on disk."""
        return self.error is None and self.metrics_error is None and self.advances is not None
