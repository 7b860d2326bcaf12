"""Readers other than Word keep the DOCX's structure: pandoc's DOCX reader (pypandoc-binary) and mammoth, on the
briefing and the English handout as built. The title is a title, box titles and captions are recognised,
lists inside table cells stay lists, the native chart reaches them as a picture with its alternative text,
and the whole package validates against the Office schemas (openxml-audit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, build_files
from pandoc_reading import blocks_of, pandoc_ast, stringify

from reports.charts.specs import chart_specs
from reports.content.validate import check_content
from reports.language.labels import labels_for

CONTENT = PROJECT_ROOT / "data" / "sco-russia.yaml"
ENGLISH = PROJECT_ROOT / "data" / "sco-russia.en.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("readers")
    briefing, _ = build_files(CONTENT, "briefing", ("docx",), out)
    handout, _ = build_files(ENGLISH, "handout", ("docx",), out)
    return {"briefing": briefing[0], "handout": handout[0]}


def membership_alt() -> str:
    content = check_content(CONTENT).content
    return chart_specs(content, labels_for(content.document.language))["membership"].alt


# --- pandoc ------------------------------------------------------------------------------------------


def test_pandoc_reads_the_title_and_subtitle_as_metadata(built: dict[str, Path]) -> None:
    document = check_content(CONTENT).content.document
    ast = pandoc_ast(built["briefing"])
    assert stringify(ast["meta"]["title"]["c"]) == document.title
    assert stringify(ast["meta"]["subtitle"]["c"]) == document.subtitle


def test_pandoc_keeps_the_chart_as_a_figure_with_its_alternative_text_and_caption(built: dict[str, Path]) -> None:
    ast = pandoc_ast(built["briefing"])
    figures = blocks_of(ast["blocks"], "Figure")
    assert len(figures) == 2  # the membership chart (native in Word) and the timeline (a picture)
    membership = figures[0]
    caption = stringify(blocks_of(membership["c"][1], "Para")[0]["c"])
    assert caption.startswith("Gambar 1.") and "Keanggotaan SCO" in caption
    (image,) = blocks_of(membership["c"][2], "Image")
    assert stringify(image["c"][1]) == " ".join(membership_alt().split())


def test_pandoc_keeps_lists_inside_table_cells(built: dict[str, Path]) -> None:
    ast = pandoc_ast(built["briefing"])
    tables = blocks_of(ast["blocks"], "Table")
    interest = next(table for table in tables if "Sektor" in json.dumps(table))
    assert len(blocks_of(interest, "BulletList")) >= 6  # instruments and evidence of each sector


# --- mammoth -----------------------------------------------------------------------------------------


def mammoth_html(path: Path) -> tuple[str, list[str]]:
    mammoth = pytest.importorskip("mammoth")
    with path.open("rb") as file:
        result = mammoth.convert_to_html(file)
    return result.value, [message.message for message in result.messages]


@pytest.mark.parametrize("which", ["briefing", "handout"])
def test_mammoth_recognises_every_style(built: dict[str, Path], which: str) -> None:
    html, messages = mammoth_html(built[which])
    assert messages == []  # no "Unrecognised paragraph style" left: the DOCX carries mammoth's style map
    assert html.startswith('<h1 class="title">')


def test_mammoth_maps_title_headings_box_titles_captions_and_lists(built: dict[str, Path]) -> None:
    content = check_content(CONTENT).content
    html, _ = mammoth_html(built["briefing"])
    assert f'<h1 class="title">{content.document.title}</h1>' in html
    assert html.count("<h1") == 1 and "<h2>" in html  # headings below the title, as in the tagged PDF
    assert '<p class="box-title">Fakta Kunci</p>' in html
    assert '<p class="caption">' in html and "<strong>Gambar 1. </strong>" in html
    assert "<td><ul><li>" in html  # lists inside table cells stay lists
    assert f'alt="{" ".join(membership_alt().split())}"' in html  # the chart as its picture, alt text kept
    assert "Table Spacing" not in html and "<p></p>" not in html


# --- the package -------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["briefing", "handout"])
def test_whole_package_validates_against_the_office_schemas(built: dict[str, Path], which: str) -> None:
    """The alternate content (chart, else picture) and the embedded style map included."""
    audit = pytest.importorskip("openxml_audit")
    result = audit.OpenXmlValidator().validate(built[which])
    assert [f"{error.part_uri}: {error.description}" for error in result.errors] == []
