"""Font facts: what the build needs to know about a theme's TrueType files, read once per file and cache.

Three places look inside the theme's fonts: the coverage check (`reports.theme.coverage`: which code points a
face maps), the charts (`reports.charts.render`: advance widths, ascent and cap height, to wrap and place
labels) and the DOCX font table (`reports.writers.docx.package`: the PANOSE digits). Each used to open the
file with fontTools and parse its cmap, its post table (for glyph names) and its metrics: about 6 ms a
face, 0.07 s for the eight faces of the built-in themes, with the charts parsing their two faces again.

Here one parse per file serves all three (`font_facts`), and it is cheaper (≈2.7 ms a face): glyphs are
named by their index instead of by the post table, whose names nobody needs (decoding them was 40 % of
the parse; the code points, and the advance reached through a glyph's name, are the same whatever the
names are), and the advances are read into an array rather than one tuple per glyph (`_glyph_advances`).

When the build's cache has a folder (`reports build` gives it one unless `--no-cache`), the facts are also
kept there, in `<cache>/fonts/<key>.json` (`reports.theme.font_entries`), so that a new process (a single
build, each batch worker) reads a few tens of kB of JSON instead of importing fontTools and parsing tables:

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

Without a cache folder nothing is written anywhere. In a cache's memory, facts are remembered by the
file's resolved path, size and modification time (as the parsers they replace did).

reportlab's own registration (`reports.writers.pdf.styles`) still parses its faces itself: it has no
public way to be handed face data parsed earlier, and restoring its parser's private state from a cache
would break silently with a new reportlab version. A long-lived process (`--watch`, `reports server`,
a batch worker) registers them once.
"""

from __future__ import annotations

import hashlib
import io
import struct
import sys
import threading
from array import array
from itertools import repeat
from pathlib import Path
from typing import Any

from reports.cache import Cache
from reports.theme.font_data import PANOSE_FIELDS, Advances, CodePoints, FontFacts, advances_of
from reports.theme.font_entries import read_entry, write_entry

FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
"""Files that are fonts, for code that watches template folders (fonts are loaded once per process)."""

MEMORY_LIMIT = 64
"""Fonts whose facts a cache keeps in memory (a DejaVu face's are ≈0.5 MB)."""

SYMBOL_FONT = ("it is a symbol font: its glyphs sit at private codes (a Windows symbol cmap), not at the letters and "
               "digits of any text")
"""Why a font whose only character map is a symbol map (Wingdings, Symbol) cannot set text."""


def font_facts(path: Path, cache: Cache) -> FontFacts:
    """The facts of the font file at `path`: from the cache's memory, else from its folder, else parsed (and kept
    in both).

    Never raises for a file that is missing or not a font: `error` says why (each caller words its
    own diagnostic). A cache without a folder reads and writes nothing outside `path`.
    """
    try:
        info = path.stat()
        key = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    except OSError as error:
        return FontFacts(digest="", error=str(error))
    known = cache.get("font-facts", key)
    if known is not None:
        cache.count("font-facts:memory_hits")
        return known  # type: ignore[no-any-return]
    try:
        data = path.read_bytes()
    except OSError as error:
        return FontFacts(digest="", error=str(error))
    # the digest is the disk key: without a cache folder there is nothing to look up (≈0.4 ms a face saved)
    digest = hashlib.sha256(data).hexdigest() if cache.folder is not None else ""
    facts = read_entry(cache.folder, digest) if cache.folder is not None else None
    if facts is not None:
        cache.count("font-facts:disk_hits")
    else:
        cache.count("font-facts:parsed")
        facts = _parse(data, digest)
        if cache.folder is not None and facts.complete:
            write_entry(cache.folder, facts)
    return cache.put("font-facts", key, facts, MEMORY_LIMIT)


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
        if not cmap and font["cmap"].getcmap(3, 0) is not None:
            return FontFacts(digest=digest, error=SYMBOL_FONT)
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
        advances = advances_of(codes, array("H", (widths[glyph] if glyph < glyph_count else 0 for glyph in glyphs)),
                             {code for code, glyph in zip(codes, glyphs) if glyph >= glyph_count})
    except (TTLibError, KeyError, OSError, AssertionError, ValueError, IndexError, struct.error) as error:
        advances, metrics_error = None, str(error)

    panose: tuple[int, ...] | None
    try:
        table = font["OS/2"].panose
        panose = tuple(int(getattr(table, name)) for name in PANOSE_FIELDS)
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


