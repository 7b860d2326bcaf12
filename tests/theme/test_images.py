"""Images named by a theme (a school's logo) resolve only inside the template folder and are checked first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reports.document import nodes
from reports.errors import AssetError
from reports.templating.markup import parse_markup
from reports.theme.images import resolve_image, theme_images


def make_png(path: Path, size: tuple[int, int] = (40, 20)) -> Path:
    from PIL import Image

    Image.new("RGB", size, "#1F3A5F").save(path)
    return path


def resolve(folder: Path, name: str) -> Path:
    return resolve_image(name, folder, folder / "theme.yaml", "logo")


def test_an_image_in_the_folder_resolves(tmp_path: Path) -> None:
    make_png(tmp_path / "logo.png")
    assert resolve(tmp_path, "logo.png") == (tmp_path / "logo.png").resolve()


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
    with pytest.raises(AssetError) as raised:
        resolve(tmp_path, name)
    diagnostic = raised.value.diagnostics[0]
    assert message in diagnostic.message
    assert diagnostic.field_path == "logo" and diagnostic.file.endswith("theme.yaml")


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = make_png(tmp_path / "outside.png")
    folder = tmp_path / "template"
    folder.mkdir()
    os.symlink(outside, folder / "logo.png")
    with pytest.raises(AssetError, match="outside the template folder"):
        resolve(folder, "logo.png")


def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("not an image", encoding="utf-8")
    with pytest.raises(AssetError, match="not a PNG or JPEG"):
        resolve(tmp_path, "logo.png")


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.theme.images as images

    make_png(tmp_path / "logo.png", (300, 300))
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 300 * 299)
    with pytest.raises(AssetError, match="pixels"):
        resolve(tmp_path, "logo.png")


def test_the_theme_logo_becomes_a_figure_with_its_alt_text(tmp_path: Path) -> None:
    from types import SimpleNamespace

    make_png(tmp_path / "logo.png")
    images = theme_images(SimpleNamespace(logo="logo.png", logo_alt="Logo of the school"), tmp_path)
    (figure,) = parse_markup("::: figure image=logo width=0.2\n:::\n", {}, "t.md.j2", images)
    assert isinstance(figure, nodes.Figure)
    assert figure.image == (tmp_path / "logo.png").resolve() and figure.alt == "Logo of the school"


def test_an_unknown_image_name_and_empty_alt_text_are_template_errors(tmp_path: Path) -> None:
    from reports.errors import TemplateError

    with pytest.raises(TemplateError, match="no image named 'photo'"):
        parse_markup("::: figure image=photo\n:::\n", {}, "t.md.j2", {})
    make_png(tmp_path / "logo.png")
    from reports.theme.images import NamedImage

    with pytest.raises(TemplateError, match="alternative text is empty"):
        parse_markup("::: figure image=logo\n:::\n", {}, "t.md.j2", {"logo": NamedImage(tmp_path / "logo.png", " ")})
