"""The DOCX writer's fast paths give the document the slow paths gave.

The writer looks styles up in a name/id index instead of asking python-docx (which scans every style),
keeps each theme's finished styles part per process and parses later documents from it, serializes
parts without python-docx's zip and reuses deflated data for parts it has zipped before. Each test
checks content: styles each paragraph names, the styles part, a reference document's own styles, and
that the first (defined) and later (cached) documents are the same bytes. No timings.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Iterator

import docx
import pytest
from conftest import PROJECT_ROOT
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.styles import BabelFish
from docx.text.paragraph import Paragraph as WordParagraph
from lxml import etree

from reports.cache import Cache
from reports.document.construct import make_table
from reports.document.nodes import (
    BulletList,
    Caption,
    Div,
    Document,
    Heading,
    ListItem,
    Metadata,
    Paragraph,
    Span,
    TableCell,
    TableRow,
    Text,
)
from reports.errors import AssetError
from reports.theme.model import Theme, load_theme
from reports.writers.base import RenderContext
from reports.writers.docx import archive as archive_module
from reports.writers.docx import styles as docx_styles
from reports.writers.docx.ooxml import element, text_run
from reports.writers.docx.package import blank_package, open_package, package_entries
from reports.writers.docx.style_index import PARAGRAPH, StyleIndex
from reports.writers.docx.styles import StyleSheet
from reports.writers.docx.writer import write_docx

TEMPLATE = PROJECT_ROOT / "templates" / "briefing"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TIMESTAMP = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone.utc)

# Each paragraph's text says which role wrote it, so a test can map text → the style the tree asked for.
ROLE_PARAGRAPHS = ("title", "subtitle", "byline", "lead", "source")


def _text(value: str) -> tuple[Text, ...]:
    return (Text(value),)


def roles_document(language: str = "id") -> Document:
    """Every paragraph role, headings, nested and numbered lists, a table, a box and a span, no charts."""
    table = make_table(
        header_rows=(TableRow((TableCell((Paragraph(_text("cell table-heading")),)),)),),
        body_rows=(TableRow((TableCell((Paragraph(_text("cell table-text")),)),)),),
        column_widths=(1.0,),
        caption=Caption("table", _text("caption of the table"), label="Tabel", number=1),
        id="the-table",
    )
    return Document(
        metadata=Metadata(title="Roles", language=language, author="Tester", page_label="{page}/{total}"),
        blocks=(
            *(Paragraph(_text(f"role {role}"), role=role) for role in ROLE_PARAGRAPHS),
            Heading(1, _text("heading-1"), id="h1"),
            Heading(2, _text("heading-2"), id="h2"),
            Heading(3, _text("heading-3"), id="h3"),
            Paragraph((Text("role body with "), Span("term", _text("a term")))),
            BulletList((
                ListItem((Paragraph(_text("bullet depth 1")), BulletList((
                    ListItem((Paragraph(_text("bullet depth 2")),)),
                )))),
            )),
            BulletList((ListItem((Paragraph(_text("number depth 1")),)),), ordered=True),
            Div("key-facts", (Div("box-title", (Paragraph(_text("box title")),)), Paragraph(_text("in the box")))),
            table,
        ),
    )


def expected_styles(theme: Theme) -> dict[str, str]:
    """Paragraph text → the style name the tree asks for through the theme's role mapping."""
    expected = {f"role {role}": theme.style_for(role) for role in ROLE_PARAGRAPHS}
    expected.update({f"heading-{level}": theme.style_for(f"heading-{level}") for level in (1, 2, 3)})
    expected.update({
        "role body with a term": theme.style_for("body"),
        "bullet depth 1": theme.style_for("bullet"),
        "bullet depth 2": f"{theme.style_for('bullet')} 2",
        "number depth 1": theme.style_for("number"),
        "box title": theme.style_for("box-title"),
        "in the box": theme.style_for("box-text"),
        "cell table-heading": theme.style_for("table-heading"),
        "cell table-text": theme.style_for("table-text"),
    })
    return expected


@pytest.fixture(scope="module")
def theme() -> Theme:
    return load_theme(TEMPLATE)


def context_for(theme: Theme, theme_folder: Path = TEMPLATE) -> RenderContext:
    """A context with a cache of its own (as a cold process starts): no defined styles, no deflated parts."""
    return RenderContext(theme=theme, theme_folder=theme_folder, charts=None,  # type: ignore[arg-type]
                         timestamp=TIMESTAMP, cache=Cache())


def all_paragraphs(word: WordDocument) -> Iterator[WordParagraph]:
    yield from word.paragraphs
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
                for inner in cell.tables:
                    for inner_row in inner.rows:
                        for inner_cell in inner_row.cells:
                            yield from inner_cell.paragraphs


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def style_table(styles_xml: etree._Element) -> tuple[list[str], list[str], dict[str, str]]:
    """Names and ids of every style in document order, and id → type."""
    names, ids, types = [], [], {}
    for style in styles_xml.findall(f"{{{W}}}style"):
        names.append(style.find(f"{{{W}}}name").get(f"{{{W}}}val"))
        style_id = style.get(f"{{{W}}}styleId")
        ids.append(style_id)
        types[style_id] = style.get(f"{{{W}}}type") or "paragraph"
    return names, ids, types


# --- the defined (first) and cached (later) documents ---------------------------------------------


def test_first_and_later_documents_are_the_same_bytes(theme: Theme) -> None:
    context = context_for(theme)
    first = write_docx(roles_document(), context)
    assert context.cache.values("docx-styles"), "the first document keeps its styles for the next"
    assert write_docx(roles_document(), context) == first
    assert write_docx(roles_document(), context) == first


@pytest.mark.parametrize("cached", [False, True], ids=["defined", "cached"])
def test_every_paragraph_has_the_style_the_tree_asks_for(theme: Theme, cached: bool) -> None:
    context = context_for(theme)
    data = write_docx(roles_document(), context)
    if cached:
        data = write_docx(roles_document(), context)
    word = docx.Document(io.BytesIO(data))
    found = {paragraph.text: paragraph.style.name for paragraph in all_paragraphs(word) if paragraph.text}
    expected = expected_styles(theme)
    assert {text: found.get(text) for text in expected} == expected
    assert found["Tabel 1. caption of the table"] == theme.style_for("caption")
    term_runs = [run for paragraph in word.paragraphs for run in paragraph.runs if run.text == "a term"]
    assert [run.style.name for run in term_runs] == [theme.style_for("term")]


@pytest.mark.parametrize("cached", [False, True], ids=["defined", "cached"])
def test_styles_are_defined_once_and_every_reference_resolves(theme: Theme,
                                                              cached: bool) -> None:
    context = context_for(theme)
    data = write_docx(roles_document(), context)
    if cached:
        data = write_docx(roles_document(), context)
    names, ids, types = style_table(part(data, "word/styles.xml"))
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)
    assert len(ids) == len(set(ids)), sorted(style_id for style_id in ids if ids.count(style_id) > 1)
    for role in ("body", "lead", "byline", "source", "box-title", "table-text", "table-heading", "table",
                 "key-facts", "caption", "heading-1", "table-spacing", "term"):
        assert BabelFish.ui2internal(theme.style_for(role)) in names, role
    assert "List Bullet 2" in names and "List Number" in names
    document_xml = part(data, "word/document.xml")
    wanted = {"pStyle": "paragraph", "rStyle": "character", "tblStyle": "table"}
    for tag, kind in wanted.items():
        used = set(document_xml.xpath(f"//w:{tag}/@w:val", namespaces=NS))
        assert used, tag
        assert {style_id: types.get(style_id) for style_id in used} == dict.fromkeys(used, kind)
    for story in ("word/header1.xml", "word/footer1.xml"):
        for style_id in part(data, story).xpath("//w:pStyle/@w:val", namespaces=NS):
            assert types.get(style_id) == "paragraph", (story, style_id)


def test_a_changed_theme_or_language_is_not_served_old_styles(theme: Theme) -> None:
    write_docx(roles_document(), context_for(theme))
    recoloured = theme.model_copy(update={"colours": theme.colours.model_copy(update={"primary": "#128034"})})
    data = write_docx(roles_document(), context_for(recoloured))
    heading = part(data, "word/styles.xml").xpath(
        "//w:style[w:name/@w:val='heading 1']/w:rPr/w:color/@w:val", namespaces=NS)
    assert heading == ["128034"]
    english = write_docx(roles_document(language="en"), context_for(theme))
    languages = part(english, "word/styles.xml").xpath("//w:docDefaults//w:lang/@w:val", namespaces=NS)
    assert languages == ["en-US"]


def test_changed_specs_are_not_served_cached_styles(theme: Theme, monkeypatch: pytest.MonkeyPatch) -> None:
    write_docx(roles_document(), context_for(theme))  # the unchanged specs are cached now
    original = StyleSheet.specs

    def without_lead(self: StyleSheet, **roles: object) -> list[docx_styles.StyleSpec]:
        return [spec for spec in original(self, **roles) if spec.name != "Lead"]  # type: ignore[arg-type]

    monkeypatch.setattr(StyleSheet, "specs", without_lead)
    with pytest.raises(AssetError, match="'Lead'"):
        write_docx(roles_document(), context_for(theme))


def test_documents_made_from_the_cache_share_no_xml(theme: Theme) -> None:
    def styled() -> tuple[WordDocument, StyleSheet]:
        sheet = StyleSheet(theme, "id-ID")
        return sheet.new_document(paragraph_roles=["body"]), sheet

    first, _ = styled()
    second, second_sheet = styled()
    third, _ = styled()
    assert first.styles.element is not second.styles.element
    heading = second_sheet.index.get("Heading 1")
    heading.getparent().remove(heading)  # a change to one document's styles…
    assert "Heading 1" in third.styles and "Heading 1" in styled()[0].styles  # …reaches no other document
    assert "Heading 1" in first.styles


# --- the style index answers as python-docx does -------------------------------------------------


def test_the_index_finds_what_python_docx_finds(theme: Theme) -> None:
    word = open_package(blank_package(Cache()))
    styles = word.styles
    index = StyleIndex(styles.element)
    for style in styles:
        assert style.name in index
        assert index.find(style.name) is styles[style.name].element
        assert index.get(style.name) is styles[style.name].element
    assert "Heading 1" in index and index.find("heading 1") is styles["Heading 1"].element
    assert "No Such Style" not in index and "No Such Style" not in styles
    with pytest.warns(UserWarning):
        by_id = styles["Heading1"].element  # python-docx falls back to the style id, deprecated
    assert index.get("Heading1") is by_id
    with pytest.raises(KeyError):
        index.get("No Such Style")


def test_the_index_keeps_in_step_with_added_and_replaced_styles() -> None:
    word = open_package(blank_package(Cache()))
    index = StyleIndex(word.styles.element)
    added = index.add("Pull Quote", PARAGRAPH)
    assert index.find("Pull Quote") is added and word.styles["Pull Quote"].element is added
    assert added.get(qn("w:styleId")) == "PullQuote"
    with pytest.raises(ValueError):
        index.add("Pull Quote", PARAGRAPH)
    old = index.find("Normal Table")
    new = element("w:style", {"w:type": "table", "w:styleId": old.get(qn("w:styleId"))},
                  [element("w:name", {"w:val": "Normal Table"})])
    index.replace(old, new)
    assert index.find("Normal Table") is new and index.get(old.get(qn("w:styleId"))) is new
    assert old.getparent() is None and new.getparent() is word.styles.element
    assert [style.name for style in word.styles].count("Normal Table") == 1


# --- a reference document keeps its own styles ----------------------------------------------------


def test_a_reference_document_keeps_its_styles_after_themed_documents(theme: Theme, tmp_path: Path) -> None:
    themed = write_docx(roles_document(), context_for(theme))  # fills the per-process caches
    reference = docx.Document(io.BytesIO(themed))
    reference.styles["Heading 1"].font.color.rgb = RGBColor(0x12, 0x80, 0x34)
    reference.styles["Body Text"].font.size = Pt(15)
    folder = tmp_path / "office"
    folder.mkdir()
    reference.save(str(folder / "reference.docx"))
    context = context_for(theme, folder)
    data = write_docx(roles_document(), context)
    assert write_docx(roles_document(), context) == data
    word = docx.Document(io.BytesIO(data))
    assert str(word.styles["Heading 1"].font.color.rgb) == "128034"
    assert word.styles["Body Text"].font.size == Pt(15)
    found = {paragraph.text: paragraph.style.name for paragraph in all_paragraphs(word) if paragraph.text}
    expected = expected_styles(theme)
    assert {text: found.get(text) for text in expected} == expected
    names, ids, _ = style_table(part(data, "word/styles.xml"))
    assert len(names) == len(set(names)) and len(ids) == len(set(ids))
    # the next themed document is not touched by the reference document's styles
    assert write_docx(roles_document(), context_for(theme)) == themed


# --- the package: parts as python-docx saves them, zipped as zipfile zips them ---------------------


def test_package_entries_are_what_python_docx_saves(theme: Theme) -> None:
    sheet = StyleSheet(theme, "id-ID")
    word = sheet.new_document(paragraph_roles=["body"])
    word.add_paragraph("text", style="Body Text")
    word.core_properties.title = "Entries"
    buffer = io.BytesIO()
    word.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        saved = {name: archive.read(name) for name in archive.namelist()}
    assert package_entries(word) == saved


def test_the_blank_template_lacks_the_stale_parts() -> None:
    with zipfile.ZipFile(io.BytesIO(blank_package(Cache()))) as archive:
        names = set(archive.namelist())
    assert "word/styles.xml" in names and "word/document.xml" in names
    assert not {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg"} & names
    assert not any(name.startswith("customXml/") for name in names)


def test_the_archive_is_what_zipfile_writes() -> None:
    members = [("[Content_Types].xml", b"<Types/>" * 50), ("_rels/.rels", b""),
               ("word/styles.xml", b"<w:style/>" * 5000), ("word/media/caf\u00e9.png", bytes(range(256)) * 40)]
    for date_time in ((1980, 1, 1, 0, 0, 0), (2026, 11, 27, 9, 30, 59)):
        expected = archive_module._zip_with_zipfile(members, date_time)
        cache = Cache()
        assert archive_module._zip(members, date_time, cache) == expected  # deflated afresh
        assert archive_module._zip(members, date_time, cache) == expected  # deflated data reused
    with zipfile.ZipFile(io.BytesIO(expected)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == dict(members)


def test_deflated_data_is_reused_only_for_equal_bytes() -> None:
    data = b"<w:p/>" * 1000
    cache = Cache()
    crc, deflated = archive_module._deflate(data, cache)
    # a different part of the same CRC and size must not get the cached stream
    cache.put("deflated", (crc, len(data)), (b"x" * len(data), b"wrong"))
    assert archive_module._deflate(data, cache) == (crc, deflated)


def test_only_mid_sized_parts_are_kept() -> None:
    cache = Cache()
    for size in (100, archive_module._DEFLATED_MAX_BYTES + 1):
        archive_module._deflate(b"<w:p/>" * (size // 6 + 1), cache)
    assert cache.values("deflated") == []
    for number in range(archive_module.DEFLATED_LIMIT + 5):
        archive_module._deflate(b"%d" % number * 4000, cache)
    assert len(cache.values("deflated")) == archive_module.DEFLATED_LIMIT


# --- element builders ----------------------------------------------------------------------------


def test_element_builds_what_python_docx_builds() -> None:
    reference = OxmlElement("w:spacing")
    reference.set(qn("w:after"), "120")
    built = element("w:spacing", {"w:after": 120})
    assert type(built) is type(reference)
    assert etree.tostring(built) == etree.tostring(reference)
    paragraph = element("w:p", children=[element("w:pPr", children=[element("w:pStyle", {"w:val": "BodyText"})])])
    assert paragraph.style == "BodyText"  # python-docx's element class, so its properties work


def test_text_run_splits_tabs_and_line_breaks() -> None:
    run = text_run("a\tb\r\nc  ", None)
    assert [child.tag.split("}")[1] for child in run] == ["t", "tab", "t", "br", "br", "t"]
    assert [child.text for child in run if child.tag == qn("w:t")] == ["a", "b", "c  "]
    assert text_run("", None).findall(qn("w:t")) == []
