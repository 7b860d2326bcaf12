"""Font facts kept on disk, in the cache's folder: `<cache>/fonts/<key>.json`, keyed by the SHA-256 of the font
file's bytes and `FACTS_VERSION`. JSON, never pickle (reading the cache must not be able to run code); an
entry that is in any way not what `_encode` writes is ignored, and the font parsed again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from array import array
from pathlib import Path
from typing import Any, TypeGuard

from reports.theme.font_data import (
    FACTS_VERSION,
    LAST_CODE_POINT,
    MAX_ENTRY_BYTES,
    PANOSE_FIELDS,
    CodePoints,
    FontFacts,
    advances_of,
)


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


def _is_int(value: Any, low: int, high: int) -> TypeGuard[int]:
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
    if panose is not None and not (isinstance(panose, list) and len(panose) == len(PANOSE_FIELDS)
                                   and all(_is_int(digit, 0, 0xFF) for digit in panose)):
        return None
    runs, widths = _unblob("I", value.get("code_point_runs")), _unblob("H", value.get("advances"))
    if runs is None or widths is None or len(runs) % 2:
        return None
    codes = array("I")
    after_last = 0  # runs are sorted and maximal: each starts after a gap following the previous one
    for index in range(0, len(runs), 2):
        first, count = runs[index], runs[index + 1]
        if first < after_last or count < 1 or first + count - 1 > LAST_CODE_POINT:
            return None
        codes.extend(range(first, first + count))
        after_last = first + count + 1
    if len(widths) != len(codes):
        return None
    unmeasured = value.get("unmeasured")
    if not isinstance(unmeasured, list) or not all(_is_int(code, 0, LAST_CODE_POINT) for code in unmeasured):
        return None
    code_points = CodePoints(codes)
    if not all(code in code_points for code in unmeasured):
        return None
    advances = advances_of(codes, widths, set(unmeasured))
    return FontFacts(digest=digest, code_points=code_points, advances=advances, units_per_em=units,
                     ascent=ascent, cap_height=cap, panose=tuple(panose) if panose is not None else None)


def read_entry(cache_dir: Path, digest: str) -> FontFacts | None:
    return _decode(_load_json(_entry_path(cache_dir, "facts", digest)), digest)


def write_entry(cache_dir: Path, facts: FontFacts) -> None:
    _store_json(_entry_path(cache_dir, "facts", facts.digest), _encode(facts))
