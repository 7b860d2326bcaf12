"""The DOCX's zip archive, written once with fixed entry dates and a fixed entry order (`[Content_Types].xml`,
`_rels/.rels`, then by name), so the same parts give the same bytes.

Most of a DOCX is the same from one document of a theme to the next (the 350 kB styles part alone takes 5 ms
to deflate at level 9), so deflated parts are kept in the build's cache and reused when the bytes are equal;
deflate is deterministic, so the archive is the same either way.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from typing import Callable, Mapping

from reports.cache import Cache
from reports.writers.docx.package import utc_naive

_ZIP_EPOCH = dt.datetime(1980, 1, 1)
_FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")
_UTF8_NAME = 0x800
_ZIP64_LIMIT = (1 << 31) - 1


def deterministic_zip(entries: Mapping[str, bytes], timestamp: dt.datetime | None,
                      replacements: Mapping[str, bytes] | None = None,
                      transforms: Mapping[str, Callable[[bytes], bytes]] | None = None,
                      cache: Cache | None = None) -> bytes:
    """A zip of `entries` with fixed entry dates and order: `[Content_Types].xml`, `_rels/.rels`, then by name.

    `replacements` swaps whole entries; `transforms` maps an entry name to a function of its bytes; `cache`
    keeps deflated parts for the next archive.
    """
    moment = _ZIP_EPOCH
    if timestamp is not None:
        moment = max(_ZIP_EPOCH, min(utc_naive(timestamp), dt.datetime(2107, 12, 31, 23, 59, 58)))
    replacements = replacements or {}
    transforms = transforms or {}
    entries = dict(entries)
    for name, blob in replacements.items():
        if name in entries:
            entries[name] = blob
    for name, transform in transforms.items():
        if name in entries:
            entries[name] = transform(entries[name])
    order = [name for name in _FIRST_ENTRIES if name in entries]
    order += sorted(name for name in entries if name not in _FIRST_ENTRIES)
    members = [(name, entries[name]) for name in order]
    date_time = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    if len(members) >= 0xFFFF or sum(len(blob) for _, blob in members) * 1.05 + (1 << 20) > _ZIP64_LIMIT:
        return _zip_with_zipfile(members, date_time)
    return _zip(members, date_time, cache if cache is not None else Cache())


_DateTime = tuple[int, int, int, int, int, int]


def _zip_with_zipfile(members: list[tuple[str, bytes]], date_time: _DateTime) -> bytes:
    """The archive as `zipfile` writes it: also right for packages that need ZIP64 (over 2 GiB)."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name, blob in members:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, blob, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return output.getvalue()


# Zip records as `zipfile` writes them for a deflated member without ZIP64, extra field or comment.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP_VERSION = 20
_PERMISSIONS = 0o600 << 16
"""What `zipfile` records for a member written with no permissions: rw for the owner."""


def _zip(members: list[tuple[str, bytes]], date_time: _DateTime, cache: Cache) -> bytes:
    """Byte for byte the archive `_zip_with_zipfile` writes, reusing deflated data (see `_deflate`)."""
    year, month, day, hour, minute, second = date_time
    dos_date = (year - 1980) << 9 | month << 5 | day
    dos_time = hour << 11 | minute << 5 | second // 2
    output = io.BytesIO()
    directory: list[bytes] = []
    for name, blob in members:
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        crc, deflated = _deflate(blob, cache)
        offset = output.tell()
        output.write(_LOCAL_HEADER.pack(b"PK\x03\x04", _ZIP_VERSION, 0, flags, zipfile.ZIP_DEFLATED, dos_time,
                                        dos_date, crc, len(deflated), len(blob), len(encoded), 0))
        output.write(encoded)
        output.write(deflated)
        directory.append(_CENTRAL_HEADER.pack(b"PK\x01\x02", _ZIP_VERSION, 0, _ZIP_VERSION, 0, flags,
                                              zipfile.ZIP_DEFLATED, dos_time, dos_date, crc, len(deflated),
                                              len(blob), len(encoded), 0, 0, 0, 0, _PERMISSIONS, offset) + encoded)
    start = output.tell()
    for record in directory:
        output.write(record)
    output.write(_END_RECORD.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), output.tell() - start,
                                  start, 0))
    return output.getvalue()


DEFLATED_LIMIT = 16
"""Deflated parts a cache keeps."""

_DEFLATED_MIN_BYTES = 2048
"""Smaller parts deflate in microseconds; keeping them would only churn the cache."""

_DEFLATED_MAX_BYTES = 1 << 20
"""Larger parts (photos) seldom repeat and would hold memory: at most 16 MiB is kept."""


def _deflate(data: bytes, cache: Cache) -> tuple[int, bytes]:
    """CRC-32 and raw deflate stream (level 9, as `zipfile` makes it) of `data`, reused from the cache when the
    same bytes were deflated before."""
    crc = zlib.crc32(data)
    key = (crc, len(data))
    kept = _DEFLATED_MIN_BYTES <= len(data) <= _DEFLATED_MAX_BYTES
    if kept:
        seen = cache.get("deflated", key)
        if seen is not None and seen[0] == data:
            return crc, seen[1]  # type: ignore[no-any-return]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    if kept:
        cache.put("deflated", key, (data, deflated), DEFLATED_LIMIT)
    return crc, deflated
