"""Charts stage: specs come from content, drawings are legible, deterministic, cached and fully embedded.

Assertions are on what a reader gets: SVG text nodes, text extracted from a PDF, the fonts a PDF
embeds; never on raw image bytes (apart from "the same input gives the same bytes").
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from reports.cache import Cache
from reports.charts import render
from reports.charts.render import ChartRenderer
from reports.charts.spec import ChartSpec, Series
from reports.charts.specs import chart_specs
from reports.content.attribution import shorten
from reports.content.model import Content
from reports.content.types import decimal_year
from reports.errors import AssetError
from reports.language.countries import member_name
from reports.language.formatting import format_written_date
from reports.language.labels import labels_for
from reports.paths import DEFAULT_CONTENT, TEMPLATES_DIR
from reports.theme.model import Theme, load_theme
from reports.theme.scale import POINTS_PER_MM as MM

THEME_FOLDER = TEMPLATES_DIR / "briefing"
SVG = "{http://www.w3.org/2000/svg}"
STANDARD_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def minimal_content() -> Content:
    """A small content file about a made-up organisation: nothing here is SCO."""
    return Content.model_validate({
        "document": {
            "title": "Forum Contoh", "language": "id", "author": "Tim", "organisation": "Unit",
            "date": "2025-01-02", "facts_as_of": "2024",
            "source": {"title": "Catatan singkat tentang forum contoh", "author": "A. Penulis"},
        },
        "organisation": {
            "name": "Forum Kerja Sama Contoh",
            "founded": {"date": "1999-03-04", "place": "Oslo"},
            "membership": [
                {"id": "full", "label": "Anggota penuh", "members": ["NO", "SE", "FI"]},
                {"id": "guests", "label": "Tamu", "members": [{"name": {"id": "Uni Eropa", "en": "European Union"}}]},
            ],
        },
        "actor": {"country": "NO", "interests": [{"id": "economic", "sector": "Ekonomi", "summary": "S.", "goal": "G."}]},
        "summary": ["Satu.", "Dua.", "Tiga."],
        "body": [{"heading": "Isi", "blocks": [{"paragraph": "Teks."}]}],
    })


def load_content() -> Content:
    """The project's real content file once it exists, else the minimal one above."""
    if DEFAULT_CONTENT.is_file():
        from reports.content.validate import check_content

        return check_content(DEFAULT_CONTENT).content
    return minimal_content()


@pytest.fixture(scope="module")
def theme() -> Theme:
    return load_theme(THEME_FOLDER)


@pytest.fixture
def renderer(theme: Theme) -> ChartRenderer:
    return ChartRenderer(theme, THEME_FOLDER)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="module")
def specs(content: Content) -> dict[str, ChartSpec]:
    return chart_specs(content, labels_for(content.document.language))


def bar_spec(categories: tuple[str, ...], values: tuple[float, ...], annotations: tuple[str, ...],
             name: str = "test") -> ChartSpec:
    return ChartSpec(name=name, kind="bar", title="t", categories=categories, series=(Series("n", values),),
                     annotations=annotations, alt="a", language="en")


def svg_texts(svg: bytes) -> list[str]:
    return [element.text or "" for element in ElementTree.fromstring(svg).iter(f"{SVG}text")]


# --- specs from content ---------------------------------------------------------------------------


def test_membership_spec_comes_from_content(content: Content, specs: dict[str, ChartSpec]) -> None:
    language = content.document.language
    membership = content.organisation.membership
    spec = specs["membership"]
    assert spec.kind == "bar" and spec.language == language
    assert spec.categories == tuple(category.label for category in membership)
    assert spec.series[0].values == tuple(float(len(category.members)) for category in membership)
    assert spec.annotations == tuple(
        ", ".join(member_name(member, language, content.country_names()) for member in category.members)
        for category in membership
    )
    organisation = content.organisation.acronym or content.organisation.name
    assert organisation in spec.title and organisation in spec.alt
    for category, names in zip(membership, spec.annotations):
        assert f"{category.label}: {len(category.members)}" in spec.alt and f"({names})" in spec.alt
    assert spec.value_label == labels_for(language)["membership_chart_axis"]
    assert spec.source.startswith(labels_for(language)["chart_source"].split("{")[0])


def test_sco_membership_names_are_cldr_names(content: Content, specs: dict[str, ChartSpec]) -> None:
    if content.organisation.acronym != "SCO":
        pytest.skip("data/sco-russia.yaml not written yet")
    annotations = dict(zip(specs["membership"].categories, specs["membership"].annotations))
    assert "Kirgizstan" in annotations["Negara anggota"]
    assert "China" in annotations["Negara anggota"]  # the essay's name, not CLDR's "Tiongkok"
    assert annotations["Negara pengamat"] == "Afganistan, Belarus, Iran, Mongolia"


def test_specs_follow_any_content_not_sco() -> None:
    content = minimal_content()
    specs = chart_specs(content, labels_for("id"))
    assert set(specs) == {"membership"}  # no milestones, no timeline
    spec = specs["membership"]
    assert spec.categories == ("Anggota penuh", "Tamu")
    assert spec.series[0].values == (3.0, 1.0)
    assert spec.annotations == ("Norwegia, Swedia, Finlandia", "Uni Eropa")
    assert "Forum Kerja Sama Contoh" in spec.title  # no acronym: the name
    assert "A. Penulis" in spec.source and "Catatan singkat" in spec.source


def test_timeline_spec_comes_from_milestones(content: Content, specs: dict[str, ChartSpec]) -> None:
    milestones = content.organisation.milestones
    if not milestones:
        assert "timeline" not in specs
        return
    spec = specs["timeline"]
    language = content.document.language
    assert spec.kind == "timeline"
    assert spec.categories == tuple(format_written_date(milestone.date, language) for milestone in milestones)
    assert spec.series[0].values == tuple(decimal_year(milestone.date.value) for milestone in milestones)
    for milestone, annotation in zip(milestones, spec.annotations):
        assert annotation.startswith(milestone.title)
        if milestone.place:
            assert milestone.place in annotation
    assert all(date in spec.alt for date in spec.categories)


def test_decimal_year_and_shorten() -> None:
    assert decimal_year("2004") == 2004.5
    assert 2001.44 < decimal_year("2001-06-15") < 2001.46
    assert 2004.4 < decimal_year("2004-06") < 2004.5
    assert shorten("short title", 60) == "short title"
    long = "Shanghai Cooperation Organization (SCO) adalah sebuah organisasi internasional"
    cut = shorten(long, 40)
    assert len(cut) <= 40 and cut.endswith("\u2026") and long.startswith(cut[:-1])


# --- drawing --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_math_and_underscore_labels_are_drawn_as_typed(renderer: ChartRenderer) -> None:
    spec = bar_spec(("$5 members", "_hidden category"), (2, 1), ("between $5 and $10", "_underscore, a_b"))
    texts = svg_texts(renderer.svg(spec, 160))
    for expected in ("$5 members", "_hidden category", "between $5 and $10", "_underscore, a_b"):
        assert expected in texts
    assert renderer.png(spec, 160).startswith(b"\x89PNG")


def test_membership_svg_shows_every_name_as_text(renderer: ChartRenderer, specs: dict[str, ChartSpec]) -> None:
    spec = specs["membership"]
    text = " ".join(svg_texts(renderer.svg(spec, 160)))
    for category, names in zip(spec.categories, spec.annotations):
        assert category in text
        for name in names.split(", "):
            assert name in text
    assert spec.title not in text  # the document prints the caption; the image does not repeat it


@pytest.mark.slow
def test_same_spec_gives_same_bytes(theme: Theme, specs: dict[str, ChartSpec]) -> None:
    for spec in specs.values():
        first = ChartRenderer(theme, THEME_FOLDER)
        svg, png = first.svg(spec, 160), first.png(spec, 160, dpi=150)
        second = ChartRenderer(theme, THEME_FOLDER)  # a cache of its own: drawn again
        assert second.svg(spec, 160) == svg
        assert second.png(spec, 160, dpi=150) == png
        assert b"<dc:date>" not in svg and b"Matplotlib" not in png


@pytest.mark.slow
def test_unchanged_chart_is_never_drawn_again(theme: Theme, specs: dict[str, ChartSpec], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = render.draw

    def counting(layout: object, fonts: object, fmt: str, dpi: int) -> bytes:
        calls.append(fmt)
        return original(layout, fonts, fmt, dpi)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "draw", counting)
    spec = specs["membership"]
    renderer = ChartRenderer(theme, THEME_FOLDER, Cache(tmp_path))
    svg = renderer.svg(spec, 160)
    renderer.svg(spec, 160)
    renderer.drawing(spec, 160)  # built from the cached SVG
    assert calls == ["svg"]
    renderer.png(spec, 160)
    renderer.png(spec, 160)
    assert calls == ["svg", "png"]
    renderer.png(spec, 120)  # another width is another chart
    assert calls == ["svg", "png", "png"]

    again = ChartRenderer(theme, THEME_FOLDER, Cache(tmp_path))  # a new process: the disk cache answers
    assert again.svg(spec, 160) == svg
    assert calls == ["svg", "png", "png"]
    assert not list(tmp_path.glob(".*.part"))


def test_height_follows_categories_and_wrapping(renderer: ChartRenderer) -> None:
    short = bar_spec(("A",), (1,), ("Norwegia",))
    more = bar_spec(("A", "B", "C"), (1, 2, 3), ("Norwegia", "Swedia", "Finlandia"))
    many_names = ", ".join(["Republik Demokratik Rakyat Contoh"] * 12)
    wrapped = bar_spec(("A",), (12,), (many_names,))
    width, height = renderer.size_mm(short, 160)
    assert width == 160
    assert renderer.size_mm(more, 160)[1] > height
    assert renderer.size_mm(wrapped, 160)[1] > height
    assert renderer.size_mm(wrapped, 80)[1] > renderer.size_mm(wrapped, 160)[1]


def test_cyrillic_renders_and_missing_glyph_is_an_asset_error(renderer: ChartRenderer) -> None:
    cyrillic = bar_spec(("Члены",), (1,), ("Россия",), name="cyrillic")
    assert "Россия" in svg_texts(renderer.svg(cyrillic, 160))
    chinese = bar_spec(("Members",), (1,), ("中国",), name="cjk")
    with pytest.raises(AssetError) as raised:
        renderer.png(chinese, 160)
    message = str(raised.value)
    assert "'中'" in message and "U+4E2D" in message and "cjk" in message and "DejaVuSans.ttf" in message
    with pytest.raises(AssetError):
        renderer.size_mm(chinese, 160)


def test_drawing_is_vector_text_in_embedded_fonts(renderer: ChartRenderer, specs: dict[str, ChartSpec],
                                                  tmp_path: Path) -> None:
    from pypdf import PdfReader
    from reportlab.graphics import renderPDF
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    pdf = tmp_path / "charts.pdf"
    drawings = [renderer.drawing(spec, 160) for spec in specs.values()]
    for drawing, spec in zip(drawings, specs.values()):
        assert drawing.width == pytest.approx(160 * MM, abs=1e-6)
        assert drawing.height == pytest.approx(renderer.size_mm(spec, 160)[1] * MM, rel=1e-6)
    canvas = Canvas(str(pdf), pagesize=(210 * mm, 297 * mm), invariant=1, initialFontName=drawings[0].initialFontName)
    y = 287 * mm
    for drawing in drawings:
        y -= drawing.height + 5 * mm
        renderPDF.draw(drawing, canvas, 25 * mm, y)
    canvas.save()

    reader = PdfReader(str(pdf))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    for spec in specs.values():
        for annotation in spec.annotations:
            for word in annotation.replace(",", " ").split():
                assert word in text
        for category in spec.categories:
            assert category in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        font = font.get_object()
        assert not any(name in str(font["/BaseFont"]) for name in STANDARD_14), font["/BaseFont"]
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), f"{font['/BaseFont']} not embedded"

    if shutil.which("pdffonts") is None:
        if os.environ.get("CI"):
            pytest.fail("pdffonts (poppler-utils) is required in CI")
        pytest.skip("pdffonts not installed")
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        assert not any(name in row.split()[0] for name in STANDARD_14), row
        assert row.split()[-5] == "yes", f"not embedded: {row}"
    if shutil.which("pdftotext"):
        extracted = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert all(name in extracted for name in specs["membership"].annotations[0].split(", "))


@pytest.mark.slow
def test_charts_never_import_matplotlib_until_drawn_and_never_pyplot() -> None:
    script = (
        "import sys\n"
        "import reports.charts.specs, reports.charts.render\n"
        "assert 'matplotlib' not in sys.modules, 'imported at module load'\n"
        "from reports.charts.render import ChartRenderer\n"
        "from reports.charts.spec import ChartSpec, Series\n"
        "from reports.theme.model import load_theme\n"
        "from reports.paths import TEMPLATES_DIR\n"
        "folder = TEMPLATES_DIR / 'briefing'\n"
        "renderer = ChartRenderer(load_theme(folder), folder)\n"
        "spec = ChartSpec('x', 'bar', 't', ('A',), (Series('n', (1.0,)),), ('B',), 'alt')\n"
        "renderer.png(spec, 100); renderer.svg(spec, 100)\n"
        "assert 'matplotlib' in sys.modules and 'matplotlib.pyplot' not in sys.modules\n"
    )
    env = {**os.environ, "MPLBACKEND": "TkAgg"}  # a GUI default must not matter: the OO API never selects it
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr


def test_svg_text_uses_the_theme_font_without_math(renderer: ChartRenderer) -> None:
    svg = renderer.svg(bar_spec(("A",), (1,), ("B",)), 100)
    root = ElementTree.parse(io.BytesIO(svg)).getroot()
    styles = [element.get("style", "") for element in root.iter(f"{SVG}text")]
    assert styles and all("font-family: 'DejaVu Sans'" in style for style in styles)
    assert not list(root.iter(f"{SVG}use"))  # glyphs as paths would mean svg.fonttype was not 'none'
