"""Images a template shows (a school's logo): named in the theme, confined to the template folder, decoded once.

Templates never name files themselves: the theme names an image, and this module resolves it inside the template's
folder (no `..`, absolute paths, URLs or symlinks pointing out), then reads and decodes the *whole* image once,
before any writer sees it, within limits on pixels and decoded bytes. A file that is not a sound PNG or JPEG —
too many pixels for its few bytes, a text or colour-profile chunk that inflates to megabytes, cut short, a
corrupt data stream — is an asset error (exit 5) at the theme's `logo:` line naming the file, never an
exception in a writer halfway through the layout.

What both writers get is a `Picture`: the bytes to embed, in a form each of them draws the same way. The file's
own bytes when they already are (8-bit grey, RGB or RGBA PNG; grey or RGB JPEG); otherwise a converted copy:

* CMYK (and YCCK) JPEG → RGB JPEG: python-docx cannot read a CMYK JPEG's header, and viewers disagree on
  Adobe's inverted CMYK;
* palette PNG → RGB, or RGBA when it has a transparent colour; grey+alpha → RGBA;
* 16 bits a channel → 8 (what both writers draw anyway, now the same way);
* a JPEG turned by its EXIF orientation → the pixels turned (reportlab ignores the tag, Word does not).

An animated PNG is refused (only its first frame would show).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from reports.cache import Cache
from reports.document.nodes import Picture
from reports.errors import AssetError, Diagnostic

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
"""A 300 dpi A4 page is ~8.7 megapixels; more is a decompression bomb, not a logo."""

MAX_DECODED_BYTES = 4 * MAX_IMAGE_PIXELS
"""The decoded raster (Pillow keeps RGB and RGBA as four bytes a pixel, 16-bit grey as two or four)."""

MEMORY_LIMIT = 8
"""Decoded pictures a cache keeps (one logo per template, a few templates per process)."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
"""Start-of-frame markers (SOF0–SOF15 but DHT, JPG and DAC), which carry the image's height and width."""


@dataclass(frozen=True)
class NamedImage:
    """An image a template can place by name, with its alternative text."""

    picture: Picture
    alt: str


class ImageRefused(Exception):
    """Why a file cannot be used as an image; worded to follow "image 'NAME' ", located by the caller."""


def header_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR or a JPEG's frame header, read without decoding anything: the pixel
    limit must be checked before Pillow opens the file (it raises its own bomb error at twice its limit)."""
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not data.startswith(b"\xff\xd8"):
        return None
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            index += 2
            continue
        if marker in _JPEG_FRAME_MARKERS and index + 9 <= len(data):
            return int.from_bytes(data[index + 7:index + 9], "big"), int.from_bytes(data[index + 5:index + 7], "big")
        if marker == 0xDA:  # image data before any frame header
            return None
        index += 2 + int.from_bytes(data[index + 2:index + 4], "big")
    return None


def decode_picture(data: bytes, name: str) -> Picture:
    """The image in `data`, decoded in full and checked, as the bytes both writers embed; ImageRefused otherwise."""
    size = header_size(data)
    if size is not None and size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise ImageRefused(f"is {size[0]}×{size[1]} pixels (limit {MAX_IMAGE_PIXELS:,} pixels) — scale it down")
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageRefused(f"has more pixels than the limit of {MAX_IMAGE_PIXELS:,} — scale it down") from None
    except ValueError as error:  # chunks before the image data are read while opening
        raise _value_refusal(error) from None
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError):
        raise ImageRefused("is not a PNG or JPEG image — save it as PNG or JPEG") from None
    with image:
        kind, (width, height) = image.format, image.size
        if kind not in ("PNG", "JPEG"):
            raise ImageRefused(f"is a {kind} image — save it as PNG or JPEG")
        if width * height > MAX_IMAGE_PIXELS:
            raise ImageRefused(f"is {width}×{height} pixels (limit {MAX_IMAGE_PIXELS:,} pixels) — scale it down")
        if width * height * _bytes_per_pixel(image.mode) > MAX_DECODED_BYTES:
            raise ImageRefused(f"would take more than {MAX_DECODED_BYTES:,} bytes decoded — scale it down")
        if getattr(image, "n_frames", 1) > 1:
            raise ImageRefused("is an animated PNG; only its first frame would show — save that frame as a PNG")
        try:
            image.load()  # the whole image, now: a broken file fails here, not while a writer draws it
        except Image.DecompressionBombError:
            raise ImageRefused(f"has more pixels than the limit of {MAX_IMAGE_PIXELS:,} — scale it down") from None
        except ValueError as error:
            raise _value_refusal(error) from None
        except (OSError, SyntaxError, EOFError, MemoryError, IndexError, TypeError) as error:
            raise ImageRefused(f"is damaged and cannot be decoded ({error}) — export it again as PNG or JPEG") from None
        form: Literal["PNG", "JPEG"] = "PNG" if kind == "PNG" else "JPEG"
        converted = _converted(image, form, data)
        if converted is None:
            return Picture(name=name, data=data, format=form, width=width, height=height)
        return Picture(name=name, data=converted[0], format=form, width=converted[1], height=converted[2])


def _value_refusal(error: ValueError) -> ImageRefused:
    """Pillow's limits on the PNG chunks it inflates (a text chunk or colour profile of 1 MiB each, 64 MiB of text
    in all) raise ValueError, as do some damaged files."""
    from PIL import PngImagePlugin

    text = str(error)
    if "ecompressed" in text:
        return ImageRefused(f"holds a text or colour-profile chunk that expands to more than "
                            f"{PngImagePlugin.MAX_TEXT_CHUNK:,} bytes — save the image again without its metadata")
    if "text chunks" in text:
        return ImageRefused(f"holds text chunks that expand to more than {PngImagePlugin.MAX_TEXT_MEMORY:,} bytes — "
                            "save the image again without its metadata")
    return ImageRefused(f"is damaged and cannot be decoded ({text}) — export it again as PNG or JPEG")


def _bytes_per_pixel(mode: str) -> int:
    return {"1": 1, "L": 1, "P": 1, "LA": 4, "I;16": 2, "I;16B": 2, "I;16L": 2}.get(mode, 4)


def _converted(image: Any, kind: str, data: bytes) -> tuple[bytes, int, int] | None:
    """New bytes when the image is not already in a form both writers draw alike (see the module text)."""
    from PIL import ImageOps

    if kind == "JPEG":
        orientation = image.getexif().get(0x0112, 1)
        if image.mode in ("L", "RGB") and orientation in (0, 1):
            return None
        icc = image.info.get("icc_profile") if image.mode in ("L", "RGB") else None  # a CMYK profile fits no RGB
        turned = ImageOps.exif_transpose(image.convert("RGB") if image.mode not in ("L", "RGB") else image)
        buffer = io.BytesIO()
        turned.save(buffer, "JPEG", quality=95, icc_profile=icc)
        return buffer.getvalue(), turned.width, turned.height
    sixteen_bits = len(data) > 24 and data[24] == 16  # the IHDR's bit depth
    if image.mode in ("1", "L", "RGB", "RGBA") and not sixteen_bits:
        return None
    if image.mode == "P":
        normal = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "LA":
        normal = image.convert("RGBA")
    elif image.mode.startswith("I"):  # 16-bit (or 32-bit integer) grey: scaled to 8 bits, not clipped
        normal = image.point(lambda value: value / 256 if image.mode.startswith("I;16") else value / 16843009)
        normal = normal.convert("L")
    elif image.mode in ("1", "L", "RGB", "RGBA"):
        normal = image  # Pillow already reduced 16-bit colour to 8 bits while decoding
    else:
        normal = image.convert("RGBA" if "A" in image.mode else "RGB")
    buffer = io.BytesIO()
    normal.save(buffer, "PNG", icc_profile=image.info.get("icc_profile"))
    return buffer.getvalue(), normal.width, normal.height


def resolve_image(name: str, folder: Path) -> Path:
    """The image file `name` inside `folder`; ImageRefused when it is elsewhere, missing or too large a file."""
    if "://" in name or name.startswith(("/", "\\", "~")) or Path(name).is_absolute():
        raise ImageRefused(f"must be a file in the template folder, not a URL or an absolute path — copy the image "
                           f"into {folder}")
    resolved = (folder / name).resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise ImageRefused(f"points outside the template folder — copy the image into {folder}")
    if not resolved.is_file():
        raise ImageRefused(f"not found in {folder}")
    size = resolved.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise ImageRefused(f"is {size:,} bytes (limit {MAX_IMAGE_BYTES:,}) — save a smaller copy")
    return resolved


def load_picture(name: str, folder: Path, cache: Cache | None = None) -> Picture:
    """The image `name` of the template folder, resolved, decoded and checked (`decode_picture`); kept in `cache` by
    the file's path, size and time, so a batch or a server decodes a logo once."""
    path = resolve_image(name, folder)
    if cache is None:
        return decode_picture(path.read_bytes(), name)
    info = path.stat()
    return cache.memo("pictures", (str(path), info.st_size, info.st_mtime_ns),
                      lambda: decode_picture(path.read_bytes(), name), MEMORY_LIMIT)


def theme_images(theme: object, folder: Path, search_path: tuple[Path, ...] | None = None,
                 cache: Cache | None = None) -> dict[str, NamedImage]:
    """Images a template can place with `::: figure image=NAME`: today the theme's `logo`. A refused image is an
    AssetError at the `logo:` line of the theme file that names it."""
    logo = getattr(theme, "logo", None)
    if not logo:
        return {}
    try:
        picture = load_picture(logo, folder, cache)
    except ImageRefused as refused:
        raise AssetError([_located(f"image '{logo}' {refused}", folder, search_path)]) from None
    return {"logo": NamedImage(picture=picture, alt=getattr(theme, "logo_alt", "") or "")}


def _located(message: str, folder: Path, search_path: tuple[Path, ...] | None) -> Diagnostic:
    """The diagnostic at the `logo:` value of the theme file that sets it (a theme may inherit the logo)."""
    from reports.theme.model import load_theme_document

    try:
        return load_theme_document(folder, search_path).diagnostic(("logo",), message)
    except Exception:  # noqa: BLE001 — the theme was read once already; the field still names the place
        return Diagnostic(message, file=str(folder / "theme.yaml"), field_path="logo")
