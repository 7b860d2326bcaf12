"""Font facts: what the build needs to know about a theme's TrueType files, read once per file and process.

Three places look inside the theme's fonts: the coverage check (`reports.theme.coverage`: which code points a
face maps), the charts (`reports.charts.render`: advance widths, ascent and cap height, to wrap and place
labels) and the DOCX font table (`reports.writers.docx.package`: the PANOSE digits). Each used to open the
file with fontTools and parse its cmap, its post table (for glyph names) and its metrics: about 6 ms a
face, 0.07 s for the eight faces of the built-in themes, with the charts parsing their two faces again.

Here one parse per file serves all three (`font_facts`), and it is cheaper (≈2.7 ms a face): glyphs are
named by their index instead of by the post table, whose names nobody needs (decoding them was 40 % of
the parse; the code points, and the advance reached through a glyph's name, are the same whatever the
names are), and the advances are read into an array rather than one tuple per glyph (`_glyph_advances`).

When a cache folder is given (`reports build` gives one unless `--no-cache`), the facts are also kept
there, in `<cache>/fonts/<key>.json`, so that a new process (a single build, each batch worker) reads a
few tens of kB of JSON instead of importing fontTools and parsing tables:

* the key is the SHA-256 of the file's bytes (plus this module's format version), not its path or time:
  a font replaced by another with the same size and time is still a new entry, and reading the bytes
  to hash them (≈0.5 ms a face) also lets `reports.runtime.uptodate` see the font as read by the build;
* the entry is JSON, never pickle: the cache folder is only a folder, and reading it must not be able
  to run code. An entry that is unreadable, truncated, of another format version, for other bytes or
  malformed in any way is ignored (the font is parsed again) and replaced;
* entries are written whole (`write_atomically`: temporary file, then rename), so a concurrent reader
  sees the old entry or the new one; a cache that cannot be written only costs time;
* only fonts read without any error are kept: a broken font is parsed (and refused) each time, with the
  same message as before.

Without a cache folder nothing is written anywhere. Within a process, facts are remembered by the
file's resolved path, size and modification time (as the parsers they replace did).

reportlab's own registration (`reports.writers.pdf.styles`) still parses its faces itself: it has no
public way to be handed face data parsed earlier, and restoring its parser's private state from a cache
would break silently with a new reportlab version. A long-lived process (`--watch`, `reports server`,
a batch worker) registers them once.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import sys
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

FACTS_VERSION = 1
"""Part of every disk key: bump it when what `_parse` extracts, or how it is stored, changes."""

MAX_ENTRY_BYTES = 8 * 1024 * 1024
"""A cache entry larger than this is not read (a DejaVu face's facts are 13–19 kB)."""

_MEMORY_LIMIT = 64
"""Fonts whose facts are kept in memory per process (a DejaVu face's are ≈0.5 MB)."""

_PANOSE_FIELDS = ("bFamilyType", "bSerifStyle", "bWeight", "bProportion", "bContrast", "bStrokeVariation",
                  "bArmStyle", "bLetterForm", "bMidline", "bXHeight")

_LAST_CODE_POINT = 0x10FFFF
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
"""Files that are fonts, for code that watches template folders (fonts are loaded once per process)."""


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


def _advances(codes: array[int], widths: array[int], unmeasured: set[int]) -> Advances:
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


_memory: OrderedDict[tuple[str, int, int], FontFacts] = OrderedDict()
_memory_lock = threading.Lock()
_stats = {"parsed": 0, "disk_hits": 0, "memory_hits": 0}


def clear_memory_cache() -> None:
    """Forget every font's facts in this process (tests; a long-lived process that must re-read fonts)."""
    with _memory_lock:
        _memory.clear()
        for name in _stats:
            _stats[name] = 0


def cache_stats() -> dict[str, int]:
    """Counts for this process: fonts parsed with fontTools, and answers from the disk and memory caches."""
    with _memory_lock:
        return dict(_stats)


def font_facts(path: Path, cache_dir: Path | None = None) -> FontFacts:
    """The facts of the font file at `path`: from memory, else from `cache_dir`, else parsed (and stored there).

    Never raises for a file that is missing or not a font: `error` says why (each caller words its
    own diagnostic). `cache_dir` None means no disk cache: nothing is read or written outside `path`.
    """
    try:
        info = path.stat()
        key = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    except OSError as error:
        return FontFacts(digest="", error=str(error))
    with _memory_lock:
        known = _memory.get(key)
        if known is not None:
            _memory.move_to_end(key)
            _stats["memory_hits"] += 1
            return known
    try:
        data = path.read_bytes()
    except OSError as error:
        return FontFacts(digest="", error=str(error))
    # the digest is the disk key: without a cache folder there is nothing to look up (≈0.4 ms a face saved)
    digest = hashlib.sha256(data).hexdigest() if cache_dir is not None else ""
    facts = _read_entry(cache_dir, digest) if cache_dir is not None else None
    if facts is not None:
        counter = "disk_hits"
    else:
        counter = "parsed"
        facts = _parse(data, digest)
        if cache_dir is not None and facts.complete:
            _write_entry(cache_dir, facts)
    with _memory_lock:
        _stats[counter] += 1
        _memory[key] = facts
        while len(_memory) > _MEMORY_LIMIT:
            _memory.popitem(last=False)
    return facts


# --- parsing with fontTools --------------------------------------------------------------------------


def _parse(data: bytes, digest: str) -> FontFacts:
    """Read the facts with fontTools, catching per part what the three former parsers caught.

    The cmap part catches what the coverage check caught (its message is the coverage error); the
    metrics and PANOSE parts are read separately so that a font with a readable cmap but broken
    metrics still passes the coverage check and fails where the metrics are needed (the charts), as before.
    """
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=True, fontNumber=0)
        glyph_count = int(font["maxp"].numGlyphs)
        # Glyph names only link a cmap entry to its glyph; naming glyphs by index gives the same links
        # without decoding the post table's names (40 % of the parse). A cmap entry for a glyph id beyond
        # the font is named "glyphNNNNN" by fontTools either way, and has no metrics either way.
        font.setGlyphOrder(_glyph_names(glyph_count))
        cmap = font.getBestCmap() or {}
    except (TTLibError, OSError, KeyError, AssertionError, ValueError) as error:
        return FontFacts(digest=digest, error=str(error))
    codes = array("I", sorted(cmap))
    code_points = CodePoints(codes)

    advances: Advances | None = None
    metrics_error: str | None = None
    units = ascent = cap = 0
    try:
        widths = _glyph_advances(font, glyph_count)
        units = int(font["head"].unitsPerEm)
        ascent = int(font["hhea"].ascent)
        os2 = font["OS/2"] if "OS/2" in font else None
        cap = int(getattr(os2, "sCapHeight", 0) or 0)
        ids = _glyph_ids
        glyphs = [ids.get(cmap[code], glyph_count) for code in codes]
        advances = _advances(codes, array("H", (widths[glyph] if glyph < glyph_count else 0 for glyph in glyphs)),
                             {code for code, glyph in zip(codes, glyphs) if glyph >= glyph_count})
    except (TTLibError, KeyError, OSError, AssertionError, ValueError, IndexError, struct.error) as error:
        advances, metrics_error = None, str(error)

    panose: tuple[int, ...] | None
    try:
        table = font["OS/2"].panose
        panose = tuple(int(getattr(table, name)) for name in _PANOSE_FIELDS)
    except (TTLibError, KeyError, OSError, AssertionError, ValueError, AttributeError, IndexError, struct.error):
        panose = None
    return FontFacts(digest=digest, code_points=code_points, advances=advances, metrics_error=metrics_error,
                     units_per_em=units, ascent=ascent, cap_height=cap, panose=panose)


def _glyph_advances(font: Any, glyph_count: int) -> array[int]:
    """The advance width of every glyph, read from the hmtx table as fontTools' `table__h_m_t_x` reads it.

    fontTools keeps an (advance, side bearing) tuple per glyph: six thousand tracked objects a face,
    enough garbage-collector work (full collections of the whole heap, later, in unrelated code) to cost
    more than the parse itself. An array of the advances is the same numbers.
    """
    from fontTools.ttLib import TTLibError

    if "hmtx" not in font:
        raise KeyError("'hmtx' table not found")
    header = font["hhea"] if "hhea" in font else None
    count = int(header.numberOfHMetrics) if header is not None else glyph_count
    count = min(count, glyph_count)  # fontTools warns and reads numGlyphs metrics
    size = 4 * count + 2 * (glyph_count - count)
    data = font.getTableData("hmtx")
    if len(data) < size:
        raise TTLibError(f"not enough 'hmtx' table data: expected {size} bytes, got {len(data)}")
    if count < 1:
        raise TTLibError("no 'hmtx' metrics: hhea.numberOfHMetrics is 0")
    words = array("H", data[:4 * count])  # (uint16 advance, int16 side bearing) pairs
    if sys.byteorder != "big":
        words.byteswap()
    widths = words[0::2]
    widths.extend(repeat(widths[-1], glyph_count - count))  # glyphs after the last pair share its advance
    return widths


_names: list[str] = []
_glyph_ids: dict[str, int] = {}
_names_lock = threading.Lock()


def _glyph_names(count: int) -> list[str]:
    """["glyph00000", "glyph00001", …] of `count` names, a fresh list (fontTools keeps it) sliced from one
    made once, with `_glyph_ids` the other way round: formatting them for each face costs ≈0.5 ms a face."""
    with _names_lock:
        if len(_names) < count:
            for index in range(len(_names), count):
                name = f"glyph{index:05d}"
                _names.append(name)
                _glyph_ids[name] = index
        return _names[:count]


# --- the disk cache ----------------------------------------------------------------------------------


def _entry_path(cache_dir: Path, kind: str, *parts: str) -> Path:
    key = hashlib.sha256(json.dumps([kind, FACTS_VERSION, *parts]).encode()).hexdigest()
    return cache_dir / "fonts" / f"{key}.json"


def _load_json(path: Path) -> Any:
    """The JSON value in `path`, or None when it is missing, too large or not JSON."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_ENTRY_BYTES:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def _store_json(path: Path, value: Any) -> None:
    """Write an entry whole; a cache that cannot be written only costs time, never the build."""
    from reports.errors import OutputError
    from reports.output import write_atomically

    try:
        write_atomically(path, json.dumps(value, separators=(",", ":")).encode("utf-8"))
    except OutputError:
        pass


def _is_int(value: Any, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _runs(code_points: CodePoints) -> list[int]:
    """Sorted code points as flat (first, count) pairs: a Latin/Cyrillic/Greek font has a few hundred runs."""
    flat: list[int] = []
    for code in code_points:  # already in order
        if flat and flat[-2] + flat[-1] == code:
            flat[-1] += 1
        else:
            flat += [code, 1]
    return flat


def _blob(typecode: str, values: list[int]) -> str:
    """Unsigned integers as base64 of little-endian machine words: JSON lists of thousands of numbers cost
    ≈2 ms a face to parse and check one by one in Python, an array is decoded and range-checked in C."""
    words = array(typecode, values)
    if sys.byteorder == "big":
        words.byteswap()
    return base64.b64encode(words.tobytes()).decode("ascii")


def _unblob(typecode: str, text: Any) -> array[int] | None:
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):  # binascii.Error is a ValueError
        return None
    words = array(typecode)
    if len(raw) % words.itemsize:
        return None
    words.frombytes(raw)
    if sys.byteorder == "big":
        words.byteswap()
    return words


def _encode(facts: FontFacts) -> dict[str, Any]:
    assert facts.advances is not None
    ordered = facts.code_points
    return {
        "format": "reports-font-facts",
        "version": FACTS_VERSION,
        "digest": facts.digest,
        "units_per_em": facts.units_per_em,
        "ascent": facts.ascent,
        "cap_height": facts.cap_height,
        "panose": list(facts.panose) if facts.panose is not None else None,
        # uint32 (first, count) pairs of consecutive mapped code points
        "code_point_runs": _blob("I", _runs(facts.code_points)),
        # uint16 advance of each mapped code point in code point order (0 where `unmeasured`)
        "advances": _blob("H", [facts.advances.get(code, 0) for code in ordered]),
        # mapped code points whose glyph has no metrics (none in a sound font)
        "unmeasured": [code for code in ordered if code not in facts.advances],
    }


def _decode(value: Any, digest: str) -> FontFacts | None:
    """Facts from a parsed entry, or None unless every part is exactly as `_encode` writes it."""
    if not isinstance(value, dict) or value.get("format") != "reports-font-facts":
        return None
    if value.get("version") != FACTS_VERSION or value.get("digest") != digest:
        return None
    units, ascent, cap = value.get("units_per_em"), value.get("ascent"), value.get("cap_height")
    if not (_is_int(units, 0, 0xFFFF) and _is_int(ascent, -0x8000, 0x7FFF) and _is_int(cap, -0x8000, 0x7FFF)):
        return None
    panose = value.get("panose")
    if panose is not None and not (isinstance(panose, list) and len(panose) == len(_PANOSE_FIELDS)
                                   and all(_is_int(digit, 0, 0xFF) for digit in panose)):
        return None
    runs, widths = _unblob("I", value.get("code_point_runs")), _unblob("H", value.get("advances"))
    if runs is None or widths is None or len(runs) % 2:
        return None
    codes = array("I")
    after_last = 0  # runs are sorted and maximal: each starts after a gap following the previous one
    for index in range(0, len(runs), 2):
        first, count = runs[index], runs[index + 1]
        if first < after_last or count < 1 or first + count - 1 > _LAST_CODE_POINT:
            return None
        codes.extend(range(first, first + count))
        after_last = first + count + 1
    if len(widths) != len(codes):
        return None
    unmeasured = value.get("unmeasured")
    if not isinstance(unmeasured, list) or not all(_is_int(code, 0, _LAST_CODE_POINT) for code in unmeasured):
        return None
    code_points = CodePoints(codes)
    if not all(code in code_points for code in unmeasured):
        return None
    advances = _advances(codes, widths, set(unmeasured))
    return FontFacts(digest=digest, code_points=code_points, advances=advances, units_per_em=units,
                     ascent=ascent, cap_height=cap, panose=tuple(panose) if panose is not None else None)


def _read_entry(cache_dir: Path, digest: str) -> FontFacts | None:
    return _decode(_load_json(_entry_path(cache_dir, "facts", digest)), digest)


def _write_entry(cache_dir: Path, facts: FontFacts) -> None:
    _store_json(_entry_path(cache_dir, "facts", facts.digest), _encode(facts))
