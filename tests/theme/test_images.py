"""Images named by a theme (a school's logo): resolved only inside the template folder, decoded in full and checked
once before layout, converted where the writers would draw them differently, and every problem an asset error at
the theme's `logo:` line."""

from __future__ import annotations

import io
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from image_files import (
    animated_png,
    cmyk_jpeg,
    garbage_idat_png,
    inflating_profile_png,
    inflating_text_png,
    palette_png,
    rotated_jpeg,
    sixteen_bit_png,
    small_png,
    truncated_png,
    zero_bomb_png,
)

from reports.document import nodes
from reports.errors import AssetError
from reports.templating.markup import parse_markup
from reports.theme.images import NamedImage, decode_picture, header_size, theme_images


def make_png(path: Path, size: tuple[int, int] = (40, 20)) -> Path:
    path.write_bytes(small_png(*size))
    return path


def theme_folder(folder: Path, logo: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "theme.yaml").write_text(f"name: t\nlogo_alt: Logo of the school\nlogo: {logo}\n", encoding="utf-8")
    return folder


def refusal(folder: Path, logo: str = "logo.png") -> str:
    """The one diagnostic, formatted, for a theme whose logo is refused: located at the `logo:` line."""
    theme_folder(folder, logo)
    with pytest.raises(AssetError) as raised:
        theme_images(SimpleNamespace(logo=logo, logo_alt="Logo"), folder)
    (diagnostic,) = raised.value.diagnostics
    assert raised.value.exit_code == 5
    assert (diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.field_path) == (
        str(folder / "theme.yaml"), 3, 7, "logo")
    assert f"image '{logo}' " in diagnostic.message
    return diagnostic.message


def test_an_image_in_the_folder_is_decoded_into_a_picture(tmp_path: Path) -> None:
    make_png(tmp_path / "logo.png")
    images = theme_images(SimpleNamespace(logo="logo.png", logo_alt="Logo of the school"), tmp_path)
    picture = images["logo"].picture
    assert (picture.name, picture.format, picture.width, picture.height) == ("logo.png", "PNG", 40, 20)
    assert picture.data == (tmp_path / "logo.png").read_bytes(), "an 8-bit RGB PNG is embedded as it is"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd", "outside the template folder"),
        ("/etc/passwd", "absolute path"),
        ("https://example.org/logo.png", "URL"),
        ("~/logo.png", "absolute path"),
        ("missing.png", "not found"),
    ],
)
def test_paths_out_of_the_folder_are_refused(tmp_path: Path, name: str, message: str) -> None:
    assert message in refusal(tmp_path, name)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = make_png(tmp_path / "outside.png")
    folder = tmp_path / "template"
    folder.mkdir()
    os.symlink(outside, folder / "logo.png")
    assert "outside the template folder" in refusal(folder)


def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("not an image", encoding="utf-8")
    assert "is not a PNG or JPEG image" in refusal(tmp_path)


def test_the_logo_of_an_inherited_theme_is_located_in_the_file_that_sets_it(tmp_path: Path) -> None:
    base = theme_folder(tmp_path / "base", "logo.png")
    child = tmp_path / "child"
    child.mkdir()
    (child / "theme.yaml").write_text("name: child\nextends: base\n", encoding="utf-8")
    (child / "logo.png").write_text("not an image", encoding="utf-8")
    with pytest.raises(AssetError) as raised:
        theme_images(SimpleNamespace(logo="logo.png", logo_alt="Logo"), child, (tmp_path,))
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.file, diagnostic.line) == (str(base / "theme.yaml"), 3)


# --- bombs and broken files: the cases of issue 18, each an asset error at the theme line ----------------------


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (15000, 12000), (8000, 6000)])
def test_a_decompression_bomb_is_refused_from_its_header(tmp_path: Path, width: int, height: int) -> None:
    """Pillow's own bomb error (over 179 megapixels, raised by `Image.open`) never comes up: the header is read
    first, and the size named."""
    zero_bomb_png(tmp_path / "logo.png", width, height)
    assert f"is {width}×{height} pixels (limit 40,000,000 pixels) — scale it down" in refusal(tmp_path)


def test_a_bomb_the_header_reader_misses_is_still_an_asset_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.theme.images as images

    monkeypatch.setattr(images, "header_size", lambda data: None)
    zero_bomb_png(tmp_path / "logo.png", 15000, 12000)
    assert "more pixels than the limit" in refusal(tmp_path)


@pytest.mark.parametrize("make", [inflating_text_png, inflating_profile_png], ids=["zTXt", "iCCP"])
def test_a_chunk_that_inflates_to_50_mb_is_refused(tmp_path: Path, make: object) -> None:
    make(tmp_path / "logo.png")  # type: ignore[operator]
    assert "holds a text or colour-profile chunk that expands to more than 1,048,576 bytes — save the image again " \
           "without its metadata" in refusal(tmp_path)


@pytest.mark.parametrize("make", [truncated_png, garbage_idat_png], ids=["cut-to-60-bytes", "garbage-idat"])
def test_a_cut_or_corrupt_png_is_refused_before_layout(tmp_path: Path, make: object) -> None:
    make(tmp_path / "logo.png")  # type: ignore[operator]
    assert "is damaged and cannot be decoded" in refusal(tmp_path)


def test_an_animated_png_is_refused(tmp_path: Path) -> None:
    animated_png(tmp_path / "logo.png")
    assert "animated PNG" in refusal(tmp_path)


def test_decoded_size_is_bounded_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.theme.images as images

    monkeypatch.setattr(images, "MAX_DECODED_BYTES", 40 * 20 * 4 - 1)
    make_png(tmp_path / "logo.png")
    assert "bytes decoded" in refusal(tmp_path)


# --- conversions: what both writers get ------------------------------------------------------------------------


def _pixels(picture: nodes.Picture) -> object:
    from PIL import Image

    with Image.open(io.BytesIO(picture.data)) as image:
        image.load()
        return image.mode, image.size, image.getpixel((0, 0))


def test_a_cmyk_jpeg_becomes_an_rgb_jpeg(tmp_path: Path) -> None:
    picture = decode_picture(cmyk_jpeg(tmp_path / "logo.jpg").read_bytes(), "logo.jpg")
    mode, size, _ = _pixels(picture)
    assert (picture.format, mode, size) == ("JPEG", "RGB", (120, 60))


@pytest.mark.parametrize(("transparent", "mode"), [(False, "RGB"), (True, "RGBA")])
def test_a_palette_png_becomes_rgb_or_rgba(tmp_path: Path, transparent: bool, mode: str) -> None:
    picture = decode_picture(palette_png(tmp_path / "logo.png", transparent).read_bytes(), "logo.png")
    found_mode, size, corner = _pixels(picture)
    assert (found_mode, size) == (mode, (40, 20))
    assert corner == ((255, 255, 255, 0) if transparent else (255, 255, 255))


@pytest.mark.parametrize(("colour_type", "mode", "corner"),
                         [(0, "L", 128), (2, "RGB", (128, 128, 128)), (6, "RGBA", (128, 128, 128, 128))])
def test_sixteen_bits_become_eight_scaled_not_clipped(tmp_path: Path, colour_type: int, mode: str, corner: object) -> None:
    picture = decode_picture(sixteen_bit_png(tmp_path / "logo.png", colour_type).read_bytes(), "logo.png")
    assert picture.data[24] == 8, "the PNG's bit depth"
    assert _pixels(picture) == (mode, (2, 1), corner)


def test_alpha_is_kept_and_grey_alpha_becomes_rgba(tmp_path: Path) -> None:
    rgba = small_png(mode="RGBA", colour=(31, 58, 95, 100))
    assert decode_picture(rgba, "logo.png").data == rgba
    assert _pixels(decode_picture(small_png(mode="LA", colour=(90, 100)), "logo.png")) == ("RGBA", (40, 20),
                                                                                            (90, 90, 90, 100))


def test_an_exif_rotated_jpeg_is_turned(tmp_path: Path) -> None:
    picture = decode_picture(rotated_jpeg(tmp_path / "photo.jpg").read_bytes(), "photo.jpg")
    assert (picture.width, picture.height) == (20, 60)
    assert _pixels(picture)[1] == (20, 60)


def test_header_size_reads_png_and_jpeg_headers(tmp_path: Path) -> None:
    assert header_size(small_png(41, 17)) == (41, 17)
    assert header_size(cmyk_jpeg(tmp_path / "a.jpg", 33, 12).read_bytes()) == (33, 12)
    assert header_size(rotated_jpeg(tmp_path / "b.jpg").read_bytes()) == (60, 20), "past the EXIF segment"
    assert header_size(b"GIF89a") is None and header_size(b"\xff\xd8\xff") is None


# --- in the tree ------------------------------------------------------------------------------------------------


def test_the_theme_logo_becomes_a_figure_with_its_alt_text(tmp_path: Path) -> None:
    make_png(tmp_path / "logo.png")
    images = theme_images(SimpleNamespace(logo="logo.png", logo_alt="Logo of the school"), tmp_path)
    (figure,) = parse_markup("::: figure image=logo width=0.2\n:::\n", {}, "t.md.j2", images)
    assert isinstance(figure, nodes.Figure)
    assert figure.image == images["logo"].picture and figure.alt == "Logo of the school"


def test_an_unknown_image_name_and_empty_alt_text_are_template_errors(tmp_path: Path) -> None:
    from reports.errors import TemplateError

    with pytest.raises(TemplateError, match="no image named 'photo'"):
        parse_markup("::: figure image=photo\n:::\n", {}, "t.md.j2", {})
    picture = decode_picture(small_png(), "logo.png")
    with pytest.raises(TemplateError, match="alternative text is empty"):
        parse_markup("::: figure image=logo\n:::\n", {}, "t.md.j2", {"logo": NamedImage(picture, " ")})


def test_a_picture_is_decoded_once_per_cache(tmp_path: Path) -> None:
    from reports.cache import Cache

    make_png(tmp_path / "logo.png")
    cache = Cache()
    theme = SimpleNamespace(logo="logo.png", logo_alt="Logo")
    first = theme_images(theme, tmp_path, cache=cache)["logo"].picture
    assert theme_images(theme, tmp_path, cache=cache)["logo"].picture is first
