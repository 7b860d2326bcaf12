"""Image files as users and attackers send them, made in the tests (binary files do not belong in git): bombs,
chunks that inflate to megabytes, cut and corrupt files, CMYK, palette, 16-bit, alpha, rotated and animated."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def ihdr(width: int, height: int, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))


def zero_bomb_png(path: Path, width: int, height: int) -> Path:
    """A valid one-bit PNG of `width`×`height` black pixels: a few hundred kilobytes that decode to gigabytes.
    Compressed row by row so the test never holds the raw image."""
    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    path.write_bytes(PNG_SIGNATURE + ihdr(width, height, 1, 0) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b""))
    return path


def small_png(width: int = 40, height: int = 20, mode: str = "RGB", colour: object = "#1F3A5F") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, "PNG")  # type: ignore[arg-type]
    return buffer.getvalue()


def with_chunk_before_idat(png: bytes, extra: bytes) -> bytes:
    """The PNG with one more chunk right after IHDR (where iCCP must be, and text chunks may be)."""
    end_of_ihdr = 8 + 25
    return png[:end_of_ihdr] + extra + png[end_of_ihdr:]


def inflating_text_png(path: Path, megabytes: int = 50) -> Path:
    """A zTXt chunk whose text inflates from ~50 kB to `megabytes` MB."""
    text = zlib.compress(b"a" * (megabytes * 1024 * 1024), 9)
    path.write_bytes(with_chunk_before_idat(small_png(), chunk(b"zTXt", b"Comment\0\0" + text)))
    return path


def inflating_profile_png(path: Path, megabytes: int = 50) -> Path:
    """An iCCP (colour profile) chunk that inflates to `megabytes` MB."""
    profile = zlib.compress(b"\0" * (megabytes * 1024 * 1024), 9)
    path.write_bytes(with_chunk_before_idat(small_png(), chunk(b"iCCP", b"Profile\0\0" + profile)))
    return path


def truncated_png(path: Path, length: int = 60) -> Path:
    path.write_bytes(small_png(200, 100)[:length])
    return path


def garbage_idat_png(path: Path) -> Path:
    """Header and chunk structure intact (CRCs right), image data that is not a deflate stream."""
    path.write_bytes(PNG_SIGNATURE + ihdr(200, 100) + chunk(b"IDAT", bytes(range(256)) * 8) + chunk(b"IEND", b""))
    return path


def cmyk_jpeg(path: Path, width: int = 120, height: int = 60) -> Path:
    from PIL import Image

    Image.new("CMYK", (width, height), (200, 40, 0, 30)).save(path, "JPEG", quality=90)
    return path


def palette_png(path: Path, transparent: bool) -> Path:
    from PIL import Image

    image = Image.new("P", (40, 20), 1)
    image.putpalette([255, 255, 255, 31, 58, 95] + [0] * (256 * 3 - 6))
    image.paste(0, (0, 0, 20, 20))
    if transparent:
        image.save(path, "PNG", transparency=0)
    else:
        image.save(path, "PNG")
    return path


def sixteen_bit_png(path: Path, colour_type: int) -> Path:
    """A 2×1 PNG of 16 bits a channel: grey (0), RGB (2) or RGBA (6); pixel values 0x8000 and 0xFFFF."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\0" + struct.pack(f">{channels}H", *([0x8000] * channels)) + struct.pack(f">{channels}H", *([0xFFFF] * channels))
    path.write_bytes(PNG_SIGNATURE + ihdr(2, 1, 16, colour_type) + chunk(b"IDAT", zlib.compress(row))
                     + chunk(b"IEND", b""))
    return path


def rotated_jpeg(path: Path) -> Path:
    """A 60×20 JPEG whose EXIF orientation (6) says: turn it a quarter to the right to show it (20×60)."""
    from PIL import Image

    image = Image.new("RGB", (60, 20), "#1F3A5F")
    exif = image.getexif()
    exif[0x0112] = 6
    image.save(path, "JPEG", exif=exif)
    return path


def animated_png(path: Path) -> Path:
    from PIL import Image

    frames = [Image.new("RGB", (20, 20), colour) for colour in ("#1F3A5F", "#B5472B")]
    frames[0].save(path, "PNG", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return path
