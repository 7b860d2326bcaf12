"""Images a template shows (a school's logo): named in the theme, confined to the template folder.

Templates never name files themselves: the theme names an image, this module resolves it inside
the template's folder (no `..`, absolute paths, URLs or symlinks pointing out), checks that it is a
PNG or JPEG of sane size before any writer decodes it, and hands the writers a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reports.errors import AssetError, Diagnostic

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
"""A 300 dpi A4 page is ~8.7 megapixels; more is a decompression bomb, not a logo."""


@dataclass(frozen=True)
class NamedImage:
    path: Path
    alt: str


def resolve_image(name: str, folder: Path, theme_file: Path, field_path: str) -> Path:
    """The image file `name` inside `folder`, checked; AssetError (exit 5) naming the theme field otherwise."""

    def refuse(message: str) -> AssetError:
        return AssetError([Diagnostic(message, file=str(theme_file), field_path=field_path)])

    if "://" in name or name.startswith(("/", "\\", "~")) or Path(name).is_absolute():
        raise refuse(f"'{name}' must be a file in the template folder, not a URL or an absolute path — "
                     f"copy the image into {folder}")
    candidate = folder / name
    resolved = candidate.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise refuse(f"'{name}' points outside the template folder — copy the image into {folder}")
    if not resolved.is_file():
        raise refuse(f"image '{name}' not found in {folder}")
    size = resolved.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise refuse(f"image '{name}' is {size:,} bytes (limit {MAX_IMAGE_BYTES:,}) — save a smaller copy")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(resolved) as image:
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError):
        raise refuse(f"'{name}' is not a PNG or JPEG image") from None
    if kind not in ("PNG", "JPEG"):
        raise refuse(f"'{name}' is a {kind} image — save it as PNG or JPEG")
    if width * height > MAX_IMAGE_PIXELS:
        raise refuse(f"image '{name}' is {width}×{height} pixels (limit {MAX_IMAGE_PIXELS:,} pixels) — scale it down")
    return resolved


def theme_images(theme: object, folder: Path) -> dict[str, NamedImage]:
    """Images a template can place with `::: figure image=NAME`: today the theme's `logo`."""
    logo = getattr(theme, "logo", None)
    if not logo:
        return {}
    path = resolve_image(logo, folder, folder / "theme.yaml", "logo")
    return {"logo": NamedImage(path=path, alt=getattr(theme, "logo_alt", "") or "")}
