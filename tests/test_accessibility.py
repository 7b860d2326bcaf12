"""Accessibility: the DOCX as Word's checker and a screen reader see it, what the content and theme must give,
and `reports check --accessibility`.

The DOCX is read back from its XML parts (alt text on every drawing, header rows marked, language, title,
heading levels, no information in colour alone); the source rules (alt text, logo_alt, contrast) are tested on
the model, the markup and the theme loader; the command as a user runs it, in a subprocess.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import build_files, run_cli
from lxml import etree

from reports.accessibility import (
    COLOUR_PAIRS,
    check_accessibility,
    contrast_ratio,
    contrast_warnings,
    document_diagnostics,
    heading_gaps,
)
from reports.charts.specs import chart_specs
from reports.content.validate import check_content
from reports.document import nodes
from reports.document.traversal import plain_text, walk
from reports.errors import ExitCode, TemplateError
from reports.language.countries import member_name
from reports.language.labels import labels_for
from reports.paths import template_search_path
from reports.pipeline import build_tree
from reports.templating.markup import parse_markup
from reports.theme.model import load_theme
from reports.writers.docx.package import word_language_tag

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "data" / "sco-russia.yaml"
SECOND = ROOT / "tests" / "data" / "african-union.yaml"
TEMPLATES = ROOT / "templates"
NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
}
W = "{%s}" % NS["w"]


@dataclass(frozen=True)
class BuiltDocx:
    document: nodes.Document
    parts: dict[str, etree._Element]
    language: str
    title: str


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuiltDocx]:
    """The default briefing, both handouts and the English briefing, as DOCX."""
    out = tmp_path_factory.mktemp("docx")
    search_path = template_search_path()
    result = {}
    for key, content, template in (("briefing", CONTENT, "briefing"), ("handout", CONTENT, "handout"),
                                   ("handout-teacher", CONTENT, "handout-teacher"), ("english", SECOND, "briefing")):
        written, _ = build_files(content, template=template, formats=("docx",), out_dir=out / key,
                           search_path=search_path)
        checked = check_content(content)
        document = build_tree(checked, template, search_path).document
        with zipfile.ZipFile(written[0]) as archive:
            parts = {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                     if name.endswith(".xml") and (name.startswith("word/") or name.startswith("docProps/"))}
        result[key] = BuiltDocx(document, parts, checked.content.document.language, checked.content.document.title)
    return result


def paragraph_text(paragraph: etree._Element) -> str:
    return "".join(paragraph.itertext())


def style_names(parts: dict[str, etree._Element]) -> dict[str, str]:
    """Style id → style name."""
    return {style.get(W + "styleId"): style.find("w:name", NS).get(W + "val")
            for style in parts["word/styles.xml"].findall("w:style", NS)}


# --- the DOCX -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("key", ["briefing", "handout", "handout-teacher", "english"])
def test_every_drawing_has_alt_text(documents, key):
    built = documents[key]
    figures = [node for node in walk(built.document) if isinstance(node, nodes.Figure) and node.chart]
    descriptions, fallbacks = [], []
    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    for name, part in built.parts.items():
        for drawing in part.iter(W + "drawing"):
            properties = drawing.find(".//wp:docPr", NS)
            assert properties is not None, name
            # a native chart's picture for readers that draw no charts (mc:Fallback) describes it the same way
            in_fallback = any(ancestor.tag == fallback for ancestor in drawing.iterancestors())
            (fallbacks if in_fallback else descriptions).append(properties.get("descr", ""))
    assert len(descriptions) == len(figures)
    assert all(description in descriptions for description in fallbacks)
    assert all(description.strip() for description in descriptions)
    assert descriptions == [figure.alt for figure in figures]


@pytest.mark.parametrize("key", ["briefing", "handout", "english"])
def test_table_header_rows_are_marked(documents, key):
    built = documents[key]
    body = built.parts["word/document.xml"]
    tables = [node for node in walk(built.document) if isinstance(node, nodes.Table)]
    data_tables = [table for table in tables if table.header_rows]
    assert data_tables
    marked = []
    for table in body.iter(W + "tbl"):
        rows = table.findall("w:tr", NS)
        flags = [row.find("w:trPr/w:tblHeader", NS) is not None for row in rows]
        if any(flags):
            count = flags.index(False) if False in flags else len(flags)
            assert not any(flags[count:]), "only the leading rows are header rows"
            marked.append((count, [" ".join(paragraph_text(cell).split()) for cell in rows[0].findall("w:tc", NS)]))
    expected = [(len(table.header_rows), [" ".join(plain_text(cell).split())
                                          for cell in table.header_rows[0].cells]) for table in data_tables]
    assert marked == expected


@pytest.mark.parametrize("key", ["briefing", "english"])
def test_language_is_set_everywhere_word_looks(documents, key):
    built = documents[key]
    tag = word_language_tag(built.language)
    languages = built.parts["word/styles.xml"].findall("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert [language.get(W + "val") for language in languages] == [tag]
    assert built.parts["docProps/core.xml"].find("dc:language", NS).text == tag
    assert built.parts["word/settings.xml"].find("w:themeFontLang", NS).get(W + "val") == tag
    # no run overrides the language with another one
    overrides = {language.get(W + "val") for language in built.parts["word/document.xml"].iter(W + "lang")}
    assert overrides <= {tag}


@pytest.mark.parametrize("key", ["briefing", "english"])
def test_title_is_in_the_core_properties(documents, key):
    built = documents[key]
    assert built.parts["docProps/core.xml"].find("dc:title", NS).text == built.title


@pytest.mark.parametrize("key", ["briefing", "handout", "handout-teacher", "english"])
def test_heading_levels_have_no_gaps(documents, key):
    built = documents[key]
    names = style_names(built.parts)
    levels = []
    for paragraph in built.parts["word/document.xml"].iter(W + "p"):
        style = paragraph.find("w:pPr/w:pStyle", NS)
        name = names.get(style.get(W + "val"), "").lower() if style is not None else ""
        if name.startswith("heading "):  # Word's built-in names are lower case in the XML ("heading 1")
            levels.append(int(name.split()[1]))
    assert levels and levels[0] == 1
    assert all(level <= previous + 1 for previous, level in zip(levels, levels[1:])), levels
    assert heading_gaps(built.document, "template.md.j2") == []


@pytest.mark.parametrize("key", ["briefing", "handout-teacher"])
def test_no_information_is_carried_by_colour_alone(documents, key):
    """Colour is set only in styles (no run is merely recoloured), and every character style the text uses that
    colours it also makes it bold, italic or underlined: links are underlined, table headers and caption labels
    bold."""
    built = documents[key]
    body = built.parts["word/document.xml"]
    assert list(body.iter(W + "color")) == []
    names = style_names(built.parts)
    used = {style.get(W + "val") for style in body.iter(W + "rStyle")}
    coloured_character_styles = []
    for style in built.parts["word/styles.xml"].findall("w:style[@w:type='character']", NS):
        if style.get(W + "styleId") not in used | {"Hyperlink"}:
            continue
        properties = style.find("w:rPr", NS)
        if properties is None or properties.find("w:color", NS) is None:
            continue
        coloured_character_styles.append(names[style.get(W + "styleId")])
        assert any(properties.find(f"w:{mark}", NS) is not None for mark in ("b", "i", "u")), style.get(W + "styleId")
    assert "Hyperlink" in coloured_character_styles
    heading_style = next(style for style in built.parts["word/styles.xml"].findall("w:style", NS)
                         if names[style.get(W + "styleId")] == "Table Heading")
    assert heading_style.find("w:rPr/w:b", NS) is not None  # white on the primary band, and bold


# --- required at the source ---------------------------------------------------------------------


@pytest.mark.parametrize("content", [CONTENT, SECOND])
def test_every_chart_spec_has_alt_text_naming_what_it_shows(content):
    checked = check_content(content)
    language = checked.content.document.language
    specs = chart_specs(checked.content, labels_for(language))
    assert specs
    for spec in specs.values():
        assert spec.alt.strip(), spec.name
    for category in checked.content.organisation.membership:
        assert category.label in specs["membership"].alt
        for member in category.members:
            assert member_name(member, language) in specs["membership"].alt


def write_theme(folder: Path, text: str, template: str = "# Heading\n\nText.\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "theme.yaml").write_text(text, encoding="utf-8")
    (folder / "template.md.j2").write_text(template, encoding="utf-8")
    return folder


@pytest.mark.parametrize("alt_line", ["", 'logo_alt: ""\n', 'logo_alt: "   "\n'])
def test_a_logo_needs_alt_text_with_a_located_error(tmp_path, alt_line):
    folder = write_theme(tmp_path / "school", "name: school\nextends: base\nlogo: logo.png\n" + alt_line)
    with pytest.raises(TemplateError) as raised:
        load_theme(folder, (tmp_path, TEMPLATES))
    (diagnostic,) = raised.value.diagnostics
    assert "logo_alt" in diagnostic.message and "screen readers" in diagnostic.message
    assert diagnostic.file == str(folder / "theme.yaml") and diagnostic.line >= 1
    assert raised.value.exit_code == ExitCode.TEMPLATE


def test_a_logo_with_alt_text_is_accepted(tmp_path):
    folder = write_theme(tmp_path / "school", "name: school\nextends: base\nlogo: logo.png\nlogo_alt: SMA 1 Bandung\n")
    assert load_theme(folder, (tmp_path, TEMPLATES)).logo_alt == "SMA 1 Bandung"


CHART = chart_specs(check_content(CONTENT).content, labels_for("id"))["membership"]


def test_figure_directive_without_alt_uses_the_charts_alt_text():
    (figure,) = parse_markup("::: figure chart=membership\nCaption\n:::\n", {"membership": CHART}, "t.md.j2")
    assert figure.alt == CHART.alt


def refuses_alt(alt: str) -> None:
    with pytest.raises(TemplateError) as raised:
        parse_markup(f"Intro\n\n::: figure chart=membership alt={alt}\nCaption\n:::\n", {"membership": CHART},
                     "t.md.j2")
    assert "alt" in raised.value.diagnostics[0].message and raised.value.diagnostics[0].line == 3


def test_figure_directive_refuses_a_blank_alt():
    refuses_alt('"   "')


def test_figure_directive_refuses_an_empty_alt():
    refuses_alt('""')


# --- contrast -----------------------------------------------------------------------------------


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#1F3A5F", "#1F3A5F") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("template", ["briefing", "handout", "handout-teacher"])
def test_built_in_themes_pass_wcag_aa(template):
    folder = TEMPLATES / template
    assert contrast_warnings(load_theme(folder), folder) == []


def test_low_contrast_colours_are_warned_at_the_file_and_field_that_set_them(tmp_path):
    write_theme(tmp_path / "house", 'name: house\nextends: base\ncolours:\n  muted: "#999999"\n')
    child = write_theme(tmp_path / "faint", 'name: faint\nextends: house\ncolours:\n'
                                              '  table_header_text: "#8899AA"\n  box_background: "#555555"\n')
    search_path = (tmp_path, TEMPLATES)
    warnings = contrast_warnings(load_theme(child, search_path), child, search_path)
    by_field = {warning.field_path: warning for warning in warnings}
    assert set(by_field) == {"colours.muted", "colours.table_header_text", "colours.text", "colours.primary"}
    assert all(warning.severity == "warning" for warning in warnings)
    muted = by_field["colours.muted"]  # set in the parent theme: located there
    assert muted.file.endswith(str(Path("house") / "theme.yaml")) and (muted.line, muted.column) == (4, 10)
    assert "#999999" in muted.message and "2.84:1" in muted.message and "4.5:1" in muted.message
    header = by_field["colours.table_header_text"]
    assert header.file.endswith(str(Path("faint") / "theme.yaml")) and header.line == 4
    assert "colours.primary" in header.message
    text = by_field["colours.text"]  # text on the dark box: the text colour is base's, the fix names both
    assert text.file.endswith(str(Path("base") / "theme.yaml")) and "`box_background`" in text.message
    assert [pair.foreground for pair in COLOUR_PAIRS].count("text") >= 2


# --- the document tree --------------------------------------------------------------------------


def document_with(*blocks: nodes.Block, language: str = "id") -> nodes.Document:
    return nodes.Document(nodes.Metadata("Judul", language), blocks)


def heading(level: int, text: str) -> nodes.Heading:
    return nodes.Heading(level, (nodes.Text(text),))


def test_heading_gaps_are_warned_once_each():
    document = document_with(heading(1, "Satu"), heading(3, "Tiga"), heading(2, "Dua"), heading(3, "Tiga lagi"),
                             heading(1, "Lagi"), nodes.Div("summary", (heading(3, "Dalam kotak"),)))
    warnings = heading_gaps(document, "templates/x/template.md.j2")
    assert [warning.message.split("”")[0] for warning in warnings] == ["heading “Tiga", "heading “Dalam kotak"]
    assert all(warning.severity == "warning" and warning.file == "templates/x/template.md.j2" for warning in warnings)
    assert "skipping level 2" in warnings[0].message
    (first,) = heading_gaps(document_with(heading(2, "Mulai")), "t")
    assert "as the first heading" in first.message


def test_figure_without_alt_and_missing_language_are_errors():
    figure = nodes.Figure(alt="  ", chart=CHART)
    found = document_diagnostics(document_with(figure, language=""), "t.md.j2", "content.yaml")
    codes = [code for _, code in found]
    assert codes == [ExitCode.TEMPLATE, ExitCode.CONTENT]
    assert "membership" in found[0][0].message and found[0][0].severity == "error"
    assert found[1][0].field_path == "document.language" and found[1][0].file == "content.yaml"


@pytest.mark.parametrize("template", ["briefing", "handout", "handout-teacher"])
def test_the_built_in_templates_are_accessible(template):
    report = check_accessibility(CONTENT, template, template_search_path())
    assert report.diagnostics == [] and report.exit_code == ExitCode.OK


# --- the command --------------------------------------------------------------------------------


@pytest.mark.slow
def test_check_accessibility_on_the_default_briefing_exits_0(project_root):
    result = run_cli("check", "--accessibility", cwd=project_root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "data/sco-russia.yaml: valid, accessibility checked with template 'briefing'"


@pytest.mark.slow
def test_check_accessibility_reports_warnings_one_line_each_and_exits_0(project_root, tmp_path):
    write_theme(tmp_path / "faint", 'name: faint\nextends: base\ncolours:\n  muted: "#999999"\n',
                template="# Satu\n\n### Tiga\n\nTeks.\n")
    result = run_cli("check", "--accessibility", "--template", "faint", "--templates-dir", tmp_path,
                     "data/sco-russia.yaml", cwd=project_root)
    assert result.returncode == 0, result.stderr
    # a template that prints none of the content: --template also warns about each part of it (7 of them)
    lost = [line for line in result.stderr.splitlines() if "not shown by template 'faint'" in line]
    assert [line.split(": ")[1] for line in lost] == ["document", "organisation", "actor", "summary", "body",
                                                      "conclusion", "classroom"]
    lines = [line for line in result.stderr.splitlines() if line not in lost]
    assert len(lines) == 2, result.stderr
    theme_file = str(tmp_path / "faint" / "theme.yaml")
    assert lines[0].startswith(f"{theme_file}:4:10: colours.muted: warning: #999999 on the page")
    assert lines[1].startswith(f"{tmp_path / 'faint' / 'template.md.j2'}: warning: heading “Tiga” is level 3")
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().endswith("(9 warnings)")


def test_check_accessibility_refuses_a_logo_without_alt_text(project_root, tmp_path):
    write_theme(tmp_path / "school", "name: school\nextends: base\nlogo: logo.png\n")
    result = run_cli("check", "-a", "-t", "school", "--templates-dir", tmp_path, cwd=project_root)
    assert result.returncode == 4
    assert result.stderr.startswith(str(tmp_path / "school" / "theme.yaml") + ":")
    assert "logo_alt" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_check_accessibility_with_a_handout_template(project_root):
    result = run_cli("check", "-a", "--template", "handout-teacher", "data/sco-russia.yaml", cwd=project_root)
    assert result.returncode == 0, result.stderr
    assert "accessibility checked with template 'handout-teacher'" in result.stdout


def test_plain_check_is_unchanged(project_root):
    result = run_cli("check", cwd=project_root)
    assert result.returncode == 0 and result.stdout.strip() == "data/sco-russia.yaml: valid"
