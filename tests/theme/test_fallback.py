"""Font fallback (issue 18, item 5): which font sets what the theme's fonts lack — the theme's fallback_fonts, then
installed fonts found through fontconfig (or matplotlib) — in the PDF, the DOCX and the charts; refused only when
no font has a character, or when its script needs shaping reportlab cannot do."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import matplotlib
import pytest

from reports.cache import Cache
from reports.paths import TEMPLATES_DIR
from reports.theme.fallback import FontFallback
from reports.theme.installed_fonts import InstalledFace, installed_faces, parse_fc_list
from reports.theme.model import load_theme
from reports.theme.scripts import east_asian_language, font_package, is_east_asian, shaping_needed

BRIEFING = TEMPLATES_DIR / "briefing"
MATPLOTLIB_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
STIX = MATPLOTLIB_FONTS / "STIXGeneral.ttf"
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CIRCLED_A = "Ⓐ"
"""In STIX (shipped with matplotlib), in no DejaVu face."""


def fc_line(path: Path, family: str, charset: str, weight: int = 80, slant: int = 0, spacing: str = "",
            font_format: str = "TrueType", index: int = 0, languages: str = "") -> str:
    return "\t".join([str(path), str(index), family, "Regular", str(weight), str(slant), "100", spacing, font_format,
                      languages, charset])


def stix_charset() -> str:
    from fontTools.ttLib import TTFont

    codes = sorted(TTFont(str(STIX)).getBestCmap())
    return " ".join(f"{code:x}" for code in codes if code <= 0xFFFF)


def fallback_with(installed: list[InstalledFace], language: str = "en", folder: Path = BRIEFING) -> FontFallback:
    return FontFallback(load_theme(folder), folder, Cache(), language, installed=tuple(installed))


# --- fontconfig's list -----------------------------------------------------------------------------------------


def test_fc_list_output_becomes_truetype_first_faces_with_their_characters() -> None:
    output = "\n".join([
        fc_line(Path("/f/a.ttf"), "Alpha", "20-7e 4e00-4e2d"),
        fc_line(Path("/f/b.otf"), "Beta CFF", "20-7e", font_format="CFF"),  # reportlab cannot embed CFF outlines
        fc_line(Path("/f/c.ttc"), "Gamma Mono", "20-7e", index=1),  # not the first face of its collection
        fc_line(Path("/f/d.ttf"), "Delta", "a500", weight=200, slant=100, spacing="100", languages="vai|en"),
        "a line that is not fc-list's",
    ])
    faces = parse_fc_list(output)
    assert [face.family for face in faces] == ["Alpha", "Delta"]
    alpha, delta = faces
    assert alpha.covers(0x4E2D) and alpha.covers(0x41) and not alpha.covers(0x4E2E) and not alpha.covers(0x1F)
    assert (delta.weight, delta.slant, delta.monospaced, delta.speaks("vai")) == (200, 100, True, True)


def test_fontconfig_is_asked_once_per_cache_and_only_when_a_character_is_missing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    calls: list[list[str]] = []
    real = subprocess.run

    def counting(arguments: list[str], *args: object, **kwargs: object) -> object:
        calls.append(arguments)
        return real(arguments, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counting)
    fallback = FontFallback(load_theme(BRIEFING), BRIEFING, Cache(), "en")
    assert not fallback.lacks("é") and calls == [], "nothing missing: no program started"
    fallback.face_for(CIRCLED_A)
    fallback.face_for("中")
    assert len(calls) == (1 if os.path.exists("/usr/bin/fc-list") else 0)
    assert all("fc-list" in call[0] for call in calls)


def test_without_fontconfig_matplotlibs_font_list_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    faces = installed_faces(Cache())
    assert faces and any(face.path == STIX for face in faces)
    fallback = fallback_with(list(faces))
    face = fallback.face_for(CIRCLED_A)
    assert face is not None and face.path.name.startswith("STIX") and not face.from_theme


# --- the order of the fallback -----------------------------------------------------------------------------------


def test_the_themes_fallback_fonts_come_before_installed_fonts(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "theme.yaml").write_text("name: t\nextends: briefing\nfallback_fonts:\n"
                                       "  - {name: STIX Two, file: STIXGeneral.ttf}\n", encoding="utf-8")
    theme = load_theme(folder, (tmp_path, TEMPLATES_DIR))
    installed = parse_fc_list(fc_line(MATPLOTLIB_FONTS / "DejaVuSans.ttf", "Aaa First", "20-ffff"))
    fallback = FontFallback(theme, folder, Cache(), "en", installed=tuple(installed))
    face = fallback.face_for(CIRCLED_A)
    assert face is not None and (face.family, face.path.name, face.from_theme) == ("STIX Two", "STIXGeneral.ttf", True)
    other = fallback.face_for("\u2d30")  # Tifinagh: not in STIX, so the installed font
    assert other is not None and other.family == "Aaa First"


def test_installed_fonts_are_ranked_language_then_regular_then_proportional_then_family_then_name() -> None:
    charset = "20-7e 4e00-9fff"
    candidates = [
        fc_line(Path("/f/z-bold.ttf"), "Zed Sans", charset, weight=200),
        fc_line(Path("/f/y-mono.ttf"), "Why Mono", charset, spacing="100"),
        fc_line(Path("/f/x-italic.ttf"), "Ex Sans", charset, slant=100),
        fc_line(Path("/f/b.ttf"), "Bee Sans", charset),
        fc_line(Path("/f/a.ttf"), "Ay Sans", charset),
        fc_line(Path("/f/dejavu-cjk.ttf"), "DejaVu Extra", charset),
        fc_line(Path("/f/zh.ttf"), "Zhong Bold", charset, weight=200, languages="zh-cn|en"),
    ]
    faces = parse_fc_list("\n".join(candidates))
    assert fallback_with(faces, "zh").face_for("中").family == "Zhong Bold"  # type: ignore[union-attr]
    assert fallback_with(faces, "id").face_for("中").family == "DejaVu Extra"  # type: ignore[union-attr]
    without_family = [face for face in faces if face.family not in ("DejaVu Extra", "Zhong Bold")]
    assert fallback_with(without_family, "id").face_for("中").family == "Ay Sans"  # type: ignore[union-attr]
    assert fallback_with(list(reversed(without_family)), "id").face_for("中").family == "Ay Sans"  # type: ignore[union-attr]


def test_scripts_that_need_shaping_get_no_fallback_even_from_a_font_that_has_them() -> None:
    everything = parse_fc_list(fc_line(MATPLOTLIB_FONTS / "DejaVuSans.ttf", "DejaVu Sans", "20-ffff"))
    fallback = fallback_with(everything)
    assert fallback.face_for("ع") is None and fallback.face_for("न") is None and fallback.face_for("ש") is None
    assert fallback.face_for("\u2d30") is not None


def test_scripts_packages_and_east_asian_languages() -> None:
    assert shaping_needed("ع") == ("Arabic", "letters joined by position, set right to left")
    assert shaping_needed("ก")[0] == "Thai" and shaping_needed("Ж") is None and shaping_needed("中") is None  # type: ignore[index]
    assert [font_package(character) for character in "中か한ꔀⵜ"] == [
        "fonts-wqy-microhei", "fonts-ipafont-gothic", "fonts-nanum", "fonts-noto-core", "fonts-noto-core"]
    assert is_east_asian("中") and is_east_asian("。") and not is_east_asian("Ж")
    assert east_asian_language("中国", "id") == "zh-CN" and east_asian_language("ひらがな", "en") == "ja-JP"
    assert east_asian_language("한국", "en") == "ko-KR" and east_asian_language("中国", "zh-TW") == "zh-TW"
    assert east_asian_language("中国", "ja") == "ja-JP"


# --- the writers -----------------------------------------------------------------------------------------------


def _stix_installed() -> tuple[InstalledFace, ...]:
    return tuple(parse_fc_list(fc_line(STIX, "STIXGeneral", stix_charset())))


def test_the_pdf_sets_what_the_theme_lacks_in_the_fallback_font_and_embeds_it(tmp_path: Path) -> None:
    import subprocess

    from conftest import minimal_content_yaml, need_tool

    from reports.pipeline import build_tree, load_content, render

    text = minimal_content_yaml().replace("Some prose.", f"Choose {CIRCLED_A} or Ⓑ.").replace(
        "title: Minimal test document", f"title: Minimal test document {CIRCLED_A}")
    (tmp_path / "content.yaml").write_text(text, encoding="utf-8")
    cache = Cache()
    cache.put("installed-fonts", "faces", _stix_installed(), 1)  # this machine's fonts, as if only STIX were installed
    outputs = render(build_tree(load_content(tmp_path / "content.yaml", cache=cache), cache=cache), cache=cache)
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(outputs["pdf"])
    fonts = subprocess.run([need_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "STIXGeneral" in fonts
    extracted = subprocess.run([need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"Choose {CIRCLED_A} or Ⓑ." in extracted
    assert f"Minimal test document {CIRCLED_A}" in extracted


def test_the_docx_names_the_east_asian_fallback_font_and_language(tmp_path: Path) -> None:
    if not WQY.is_file():
        if os.environ.get("CI"):
            pytest.fail("fonts-wqy-microhei is required in CI")
        pytest.skip("fonts-wqy-microhei is not installed")
    from conftest import minimal_content_yaml

    from reports.pipeline import build_tree, load_content, render

    text = minimal_content_yaml().replace("Some prose.", "Россия и 中国").replace("label: Members", "label: Members 中国")
    (tmp_path / "content.yaml").write_text(text, encoding="utf-8")
    cache = Cache()
    cache.put("installed-fonts", "faces",
              tuple(parse_fc_list(fc_line(WQY, "WenQuanYi Micro Hei", "20-7e 3000-303f 4e00-9fff ff00-ffef"))), 1)
    outputs = render(build_tree(load_content(tmp_path / "content.yaml", cache=cache), cache=cache), ("docx",),
                     cache=cache)
    with zipfile.ZipFile(io.BytesIO(outputs["docx"])) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
        charts = [archive.read(name).decode("utf-8") for name in archive.namelist() if name.startswith("word/charts/chart")
                  and name.endswith(".xml")]
    assert 'w:eastAsia="WenQuanYi Micro Hei"' in styles and 'w:eastAsia="DejaVu Serif"' not in styles
    assert '<w:lang w:val="en-US" w:eastAsia="zh-CN"/>' in styles
    assert '<w:font w:name="WenQuanYi Micro Hei"><w:panose1' in fonts and '<w:charset w:val="86"/>' in fonts
    assert charts and all('<a:ea typeface="WenQuanYi Micro Hei"/>' in chart for chart in charts)


def test_a_docx_without_east_asian_text_is_unchanged(tmp_path: Path) -> None:
    from conftest import minimal_content_yaml

    from reports.pipeline import build_tree, load_content, render

    (tmp_path / "content.yaml").write_text(minimal_content_yaml().replace("Some prose.", f"Option {CIRCLED_A}"),
                                           encoding="utf-8")
    cache = Cache()
    cache.put("installed-fonts", "faces", _stix_installed(), 1)
    outputs = render(build_tree(load_content(tmp_path / "content.yaml", cache=cache), cache=cache), ("docx",),
                     cache=cache)
    with zipfile.ZipFile(io.BytesIO(outputs["docx"])) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
    assert "STIX" not in styles, "Word and LibreOffice find a font for other scripts themselves"


def test_a_chart_label_is_drawn_in_runs_with_the_fallback_font(tmp_path: Path) -> None:
    from reports.charts.render import ChartRenderer
    from reports.charts.spec import ChartSpec, Series

    theme = load_theme(BRIEFING)
    cache = Cache()
    fallback = FontFallback(theme, BRIEFING, cache, "en", installed=_stix_installed())
    renderer = ChartRenderer(theme, BRIEFING, cache, fallback)
    spec = ChartSpec(name="circled", kind="bar", title="", categories=(f"Group {CIRCLED_A}",), series=(
        Series("Members", (3.0,)),), annotations=("one, two",), alt="A chart.")
    svg = renderer.svg(spec, 120).decode("utf-8")
    assert "font-family: 'STIXGeneral'" in svg and f">{CIRCLED_A}<" in svg and ">Group <" in svg
    drawing = renderer.drawing(spec, 120)
    from reportlab.graphics.shapes import String

    from reports.charts.vector import strings_in

    fonts = {node.fontName for node in strings_in(drawing, String) if node.text == CIRCLED_A}
    assert fonts == {"STIXGeneral"}
    plain = ChartRenderer(theme, BRIEFING, cache)  # no fallback: refused as before
    from reports.errors import AssetError

    with pytest.raises(AssetError, match="nor in any font installed"):
        plain.svg(spec, 120)
    ordinary = ChartSpec(name="plain", kind="bar", title="", categories=("Group",), series=(Series("M", (3.0,)),),
                         annotations=("one",), alt="A chart.")
    assert renderer.cache_key(ordinary, 120, "svg", 72) == plain.cache_key(ordinary, 120, "svg", 72), \
        "a chart without fallback text keeps its cache key"


def test_what_no_font_has_is_refused_at_its_field_naming_a_package(tmp_path: Path) -> None:
    from conftest import minimal_content_yaml, position_of

    from reports.content.validate import check_content
    from reports.theme.coverage import check_font_coverage

    text = minimal_content_yaml().replace("Some prose.", "Vai ꔀ and ሀ").replace("label: Members", "label: Icon \ue000")
    (tmp_path / "content.yaml").write_text(text, encoding="utf-8")
    checked = check_content(tmp_path / "content.yaml", "content.yaml")
    theme = load_theme(BRIEFING)
    fallback = FontFallback(theme, BRIEFING, Cache(), "en", installed=_stix_installed())
    label, paragraph = check_font_coverage(checked.content, theme, BRIEFING, checked.source, Cache(), fallback)
    assert label.field_path == "organisation.membership.0.label"
    assert label.message.startswith("character '") and label.message.endswith(
        "(U+E000) is from the Private Use Area: only the font made for it shows what it means — write it in words")
    assert (paragraph.line, paragraph.column) == position_of(text, "Vai ꔀ and ሀ")
    assert paragraph.message.startswith("characters 'ꔀ' (U+A500), 'ሀ' (U+1200) are not in font DejaVu Serif "
                                        "(DejaVuSerif.ttf) nor in any font installed on this machine — install a font "
                                        "that has them (on Debian or Ubuntu: apt install fonts-noto-core)")


def test_a_chart_label_in_a_script_that_needs_shaping_is_refused_even_when_the_font_has_it() -> None:
    from reports.charts.render import ChartRenderer
    from reports.charts.spec import ChartSpec, Series
    from reports.errors import LayoutError

    renderer = ChartRenderer(load_theme(BRIEFING), BRIEFING, Cache())
    spec = ChartSpec(name="arabic", kind="bar", title="", categories=("روسيا",), series=(Series("M", (3.0,)),),
                     annotations=("one",), alt="A chart.")  # the heading font, DejaVu Sans, has Arabic letters
    with pytest.raises(LayoutError, match="is Arabic script, which needs shaping"):
        renderer.size_mm(spec, 120)
