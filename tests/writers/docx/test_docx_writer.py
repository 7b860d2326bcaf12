"""DOCX writer: real Word styles, fields, tables, figures, metadata and byte-identical output.

Each test builds a Document by hand (every node type, hostile text included), writes it and reads it
back with python-docx, docx2python and raw OOXML, asserting on what a reader sees, never on raw bytes.
The chart renderer is a fake (another module draws the real charts) that returns a small PNG.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile

import docx
import pytest
from conftest import PROJECT_ROOT, libreoffice_pdfs
from docx2python import docx2python
from lxml import etree
from PIL import Image

from reports.charts.spec import ChartSpec, Series
from reports.document import nodes
from reports.document.construct import make_table
from reports.document.nodes import (
    BulletList,
    Caption,
    Div,
    Document,
    Emphasis,
    Figure,
    Heading,
    LineBreak,
    Link,
    ListItem,
    Metadata,
    PageBreak,
    Paragraph,
    Span,
    Strong,
    TableCell,
    TableRow,
    Text,
)
from reports.document.traversal import walk
from reports.errors import AssetError, LayoutError
from reports.theme.model import load_theme
from reports.writers.base import RenderContext, visitor_name
from reports.writers.docx.fields import bookmark_name
from reports.writers.docx.package import word_language_tag
from reports.writers.docx.writer import DocxWriter, write_docx

TEMPLATE = PROJECT_ROOT / "templates" / "briefing"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
TIMESTAMP = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone.utc)


class FakeCharts:
    """Stands in for `reports.charts.render.ChartRenderer`: a PNG of the requested width, 2:1."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    def size_mm(self, spec: ChartSpec, width_mm: float) -> tuple[float, float]:
        return width_mm, width_mm / 2

    def png(self, spec: ChartSpec, width_mm: float) -> bytes:
        self.calls.append((spec.name, width_mm))
        image = Image.new("RGB", (400, 200), (31, 58, 95))
        for x in range(40, 360):
            for y in range(90, 110):
                image.putpixel((x, y), (181, 71, 43))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()


def t(text: str) -> tuple[Text, ...]:
    return (Text(text),)


def chart(name: str = "membership") -> ChartSpec:
    return ChartSpec(
        name=name,
        kind="bar",
        title="Keanggotaan SCO menurut kategori",
        categories=("Negara anggota", "Negara pengamat", "Mitra dialog"),
        series=(Series("Jumlah", (6.0, 4.0, 6.0)),),
        annotations=("China, Rusia", "Iran", "Turki"),
        alt="Diagram batang keanggotaan SCO: 6 anggota, 4 pengamat, 6 mitra dialog.",
        language="id",
    )


def sample_document(language: str = "id") -> Document:
    """A briefing that uses every node type, with text that breaks naive writers."""
    title_block = Div("title-block", (
        Paragraph(t("Kepentingan Rusia dalam Shanghai Cooperation Organization"), role="title"),
        Paragraph(t("Sejarah, keanggotaan, dan kepentingan Rusia di SCO"), role="subtitle"),
        Paragraph(t("Tim Kajian Eurasia · 27 November 2026"), role="byline"),
    ))
    key_facts = Div("key-facts", (
        Div("box-title", (Paragraph(t("Fakta Kunci")),)),
        BulletList((
            ListItem((Paragraph((Strong(t("Didirikan:")), Text(" 15 Juni 2001, Shanghai"))),)),
            ListItem((Paragraph((Strong(t("Anggota:")), Text(" 6 negara — China, Россия, Kazakhstan"))),)),
        )),
    ))
    summary = Div("summary", (
        Div("box-title", (Paragraph(t("Ringkasan Eksekutif")),)),
        Paragraph(t("Rusia memandang SCO sebagai sarana ekonomi, keamanan dan ideologi.")),
    ))
    table = make_table(
        header_rows=(TableRow((TableCell((Paragraph(t("Sektor")),)), TableCell((Paragraph(t("Tujuan")),)),
                               TableCell((Paragraph(t("Bukti")),)))),),
        body_rows=tuple(
            TableRow((
                TableCell((Paragraph(t(sector)),)),
                TableCell((Paragraph(t(goal)),)),
                TableCell((evidence,)),
            ))
            for sector, goal, evidence in (
                ("Ekonomi", "Minyak & gas di Kaspia <dan> Asia Tengah", Paragraph(t("Harga $5 per unit; kode _x0041_"))),
                ("Keamanan", "Stabilitas kawasan", BulletList((
                    ListItem((Paragraph(t("Latihan militer bersama sejak 2005")),)),
                    ListItem((Paragraph(t("Struktur anti-terorisme regional")),)),
                ))),
                ("Ideologi", "Tatanan multipolar", Paragraph(t("Deklarasi bersama 2005 tentang tatanan dunia"))),
            )
        ),
        column_widths=(0.2, 0.4, 0.4),
        caption=Caption("table", t("Ringkasan kepentingan Rusia di SCO menurut sektor"), label="Tabel", number=1),
        id="tabel-kepentingan",
    )
    figure = Figure(
        alt="Diagram batang keanggotaan SCO: 6 anggota, 4 pengamat, 6 mitra dialog.",
        chart=chart(),
        width=0.8,
        caption=Caption("figure", t("Keanggotaan SCO menurut kategori"), label="Gambar", number=1),
        source=t("Sumber: Shanghai Cooperation Organization; diolah dari data konten."),
        id="gambar-keanggotaan",
    )
    return Document(
        metadata=Metadata(
            title="Kepentingan Rusia dalam Shanghai Cooperation Organization",
            language=language,
            author="Tim Kajian Eurasia",
            subject="Kepentingan Rusia di SCO",
            keywords=("SCO", "Rusia", "Eurasia"),
            running_header="Kepentingan Rusia dalam SCO",
            page_label="Halaman {page} dari {total}",
        ),
        blocks=(
            title_block,
            Paragraph(t("Rusia menjadikan SCO salah satu pilar kebijakan luar negerinya di Asia Tengah."), role="lead"),
            summary,
            Heading(1, t("Gambaran umum"), id="gambaran-umum"),
            Paragraph((
                Text("SCO didirikan pada 2001 oleh "), Emphasis(t("enam negara")), Text(" — lihat "),
                Link("#kepentingan-rusia", t("bagian kepentingan")), Text(" dan "),
                Link("https://www.sectsco.org/?a=1&b=2", t("situs resmi SCO")), Text("."), LineBreak(),
                Text("Istilah "), Span("term", t("multipolaritas")), Text(" sering muncul; kontak: "),
                Link("mailto:tim@example.org", t("tim@example.org")), Text(". Emoji tetap: 🌏."),
            )),
            key_facts,
            Heading(2, t("Tujuan organisasi"), id="tujuan"),
            BulletList((
                ListItem((Paragraph(t("Meningkatkan kepercayaan antarnegara anggota.")),)),
                ListItem((
                    Paragraph(t("Membangun kerja sama yang efektif:")),
                    BulletList((
                        ListItem((Paragraph(t("di bidang ekonomi,")),)),
                        ListItem((Paragraph(t("di bidang keamanan.")),)),
                    )),
                )),
            )),
            BulletList((
                ListItem((Paragraph(t("Pendirian di Shanghai (2001).")),)),
                ListItem((Paragraph(t("Kerangka ekonomi di Bishkek (2004).")), Paragraph(t("Paragraf lanjutan.")))),
            ), ordered=True),
            BulletList((ListItem((Paragraph(t("Daftar bernomor kedua mulai dari satu.")),)),), ordered=True),
            figure,
            PageBreak(),
            Heading(1, t("Kepentingan Rusia"), id="kepentingan-rusia"),
            table,
            Paragraph(t("Россия & Китай: A < B > C; biaya $5; nama_x berisi garis bawah.")),
            Heading(3, t("Catatan"), id="catatan"),
            Paragraph(t("Sumber: esai asli."), role="source"),
        ),
    )


@pytest.fixture(scope="module")
def theme():
    return load_theme(TEMPLATE)


@pytest.fixture(scope="module")
def context(theme) -> RenderContext:
    return RenderContext(theme=theme, theme_folder=TEMPLATE, charts=FakeCharts(), timestamp=TIMESTAMP)


@pytest.fixture(scope="module")
def docx_bytes(context) -> bytes:
    return write_docx(sample_document(), context)


@pytest.fixture(scope="module")
def word(docx_bytes):
    return docx.Document(io.BytesIO(docx_bytes))


@pytest.fixture(scope="module")
def document_xml(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def part_xml(docx_bytes: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        return etree.fromstring(archive.read(name))


def styled(word, style_name: str) -> list[str]:
    return [paragraph.text for paragraph in word.paragraphs if paragraph.style.name == style_name]


def all_paragraphs(word):
    yield from word.paragraphs
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
                for inner in cell.tables:
                    for inner_row in inner.rows:
                        for inner_cell in inner_row.cells:
                            yield from inner_cell.paragraphs


# --- completeness -------------------------------------------------------------------------------


def test_every_node_type_has_a_visitor():
    missing = [visitor_name(node_type) for node_type in nodes.ALL if not hasattr(DocxWriter, visitor_name(node_type))]
    assert missing == []


def test_sample_document_uses_every_node_type():
    used = {type(node) for node in walk(sample_document())}
    assert set(nodes.ALL) <= used


# --- text -----------------------------------------------------------------------------------------


def test_all_text_present(docx_bytes):
    with docx2python(io.BytesIO(docx_bytes)) as extracted:
        text = extracted.text
    for expected in ("Kepentingan Rusia dalam Shanghai Cooperation Organization", "Gambaran umum",
                     "Minyak & gas di Kaspia <dan> Asia Tengah", "Harga $5 per unit", "_x0041_",
                     "Struktur anti-terorisme regional",
                     "Россия & Китай: A < B > C; biaya $5; nama_x", "multipolaritas", "situs resmi SCO",
                     "Daftar bernomor kedua", "Paragraf lanjutan.", "Fakta Kunci", "Didirikan:", "🌏",
                     "Sumber: Shanghai Cooperation Organization; diolah dari data konten.",
                     "Ringkasan kepentingan Rusia di SCO menurut sektor", "Keanggotaan SCO menurut kategori"):
        assert expected in text, expected


def test_every_paragraph_has_a_named_style(word):
    for paragraph in all_paragraphs(word):
        assert paragraph._p.pPr is not None and paragraph._p.pPr.pStyle is not None, paragraph.text


def test_roles_map_to_styles(word):
    assert styled(word, "Title") == ["Kepentingan Rusia dalam Shanghai Cooperation Organization"]
    assert styled(word, "Subtitle") == ["Sejarah, keanggotaan, dan kepentingan Rusia di SCO"]
    assert styled(word, "Byline") == ["Tim Kajian Eurasia · 27 November 2026"]
    assert styled(word, "Lead")[0].startswith("Rusia menjadikan SCO")
    assert styled(word, "Heading 1") == ["Gambaran umum", "Kepentingan Rusia"]
    assert styled(word, "Heading 2") == ["Tujuan organisasi"]
    assert styled(word, "Heading 3") == ["Catatan"]
    assert styled(word, "List Bullet")[0] == "Meningkatkan kepercayaan antarnegara anggota."
    assert styled(word, "List Bullet 2") == ["di bidang ekonomi,", "di bidang keamanan."]
    assert len(styled(word, "List Number")) == 3
    assert styled(word, "List Continue") == ["Paragraf lanjutan."]
    assert "Sumber: esai asli." in styled(word, "Source Line")
    assert any(text.startswith("SCO didirikan") for text in styled(word, "Body Text"))


def test_only_emphasis_and_strong_are_direct_formatting(document_xml):
    for properties in document_xml.iter(f"{{{W}}}rPr"):
        tags = {etree.QName(child).localname for child in properties}
        assert tags <= {"rStyle", "b", "bCs", "i", "iCs"}, tags
    for properties in document_xml.iter(f"{{{W}}}pPr"):
        tags = {etree.QName(child).localname for child in properties}
        # pageBreakBefore: the template's explicit page break, set on the paragraph after it (a paragraph holding
        # only a page-break run left LibreOffice an empty page when the page before was full)
        assert tags <= {"pStyle", "numPr", "pageBreakBefore"}, tags


def test_span_gets_character_style(word):
    styles = {run.style.name for paragraph in word.paragraphs for run in paragraph.runs if run.text == "multipolaritas"}
    assert styles == {"Term"}
    assert word.styles["Term"].type == docx.enum.style.WD_STYLE_TYPE.CHARACTER


def test_control_character_is_a_layout_error(context):
    document = Document(Metadata(title="T", language="en"), (Paragraph(t("bell \x07 here")), Paragraph(t("ok\x1b"))))
    with pytest.raises(LayoutError) as error:
        write_docx(document, context)
    message = str(error.value)
    assert "U+0007" in message and "U+001B" in message and "blocks[0].content[0].text" in message


# --- styles -------------------------------------------------------------------------------------


def test_styles_come_from_theme(word, theme):
    heading = word.styles["Heading 1"]
    assert heading.font.name == theme.heading_font.name
    assert str(heading.font.color.rgb) == theme.colours.primary.lstrip("#")
    assert heading.paragraph_format.keep_with_next is True
    assert str(word.styles["Title"].font.color.rgb) == theme.colours.primary.lstrip("#")
    defaults = word.styles.element.find(f"{{{W}}}docDefaults")
    fonts = defaults.find(f".//{{{W}}}rFonts")
    assert fonts.get(f"{{{W}}}ascii") == theme.body_font.name
    for name in ("Body Text", "Byline", "Source Line", "Lead", "Box Title", "Table Text", "Table Heading",
                 "Caption", "List Bullet", "List Bullet 2", "List Number", "Header", "Footer"):
        assert name in word.styles, name


def test_table_styles_are_real_table_styles(docx_bytes):
    styles = part_xml(docx_bytes, "word/styles.xml")
    table_style = styles.xpath("//w:style[@w:type='table'][w:name/@w:val='Briefing Table']", namespaces=NS)
    assert len(table_style) == 1
    assert table_style[0].xpath("w:tblStylePr[@w:type='firstRow']/w:tcPr/w:shd/@w:fill", namespaces=NS) == ["1F3A5F"]
    assert table_style[0].xpath("w:tblStylePr[@w:type='firstRow']/w:rPr/w:b", namespaces=NS)
    box = styles.xpath("//w:style[@w:type='table'][w:name/@w:val='Key Facts']", namespaces=NS)
    assert box and box[0].xpath("w:tcPr/w:shd/@w:fill", namespaces=NS) == ["EEF2F7"]


def test_missing_styles_are_named(context, monkeypatch):
    from reports.writers.docx import styles as docx_styles

    original = docx_styles.StyleSheet.specs

    def without_lead(self, **roles):
        return [spec for spec in original(self, **roles) if spec.name not in ("Lead", "Source Line")]

    monkeypatch.setattr(docx_styles.StyleSheet, "specs", without_lead)
    with pytest.raises(AssetError) as error:
        write_docx(sample_document(), context)
    message = str(error.value)
    assert "'Lead'" in message and "'Source Line'" in message


# --- headings, links ----------------------------------------------------------------------------


def test_headings_have_bookmarks_and_internal_links_point_at_them(document_xml):
    names = set(document_xml.xpath("//w:bookmarkStart/@w:name", namespaces=NS))
    assert {"gambaran-umum", "tujuan", "kepentingan-rusia", "catatan", "tabel-kepentingan",
            "gambar-keanggotaan"} <= names
    anchors = document_xml.xpath("//w:hyperlink/@w:anchor", namespaces=NS)
    assert anchors == ["kepentingan-rusia"]
    ids = document_xml.xpath("//w:bookmarkStart/@w:id", namespaces=NS)
    assert len(ids) == len(set(ids))


def test_external_links_use_relationships(word, document_xml):
    targets = [word.part.rels[rid].target_ref for rid in document_xml.xpath("//w:hyperlink/@r:id", namespaces=NS)]
    assert targets == ["https://www.sectsco.org/?a=1&b=2", "mailto:tim@example.org"]


def test_long_ids_become_word_safe_bookmarks():
    long_id = "kepentingan-rusia-di-bidang-ekonomi-politik-keamanan-dan-ideologi"
    name = bookmark_name(long_id)
    assert len(name) <= 40 and name == bookmark_name(long_id) and name[0].isalpha()
    assert bookmark_name("1-pendahuluan")[0].isalpha()
    assert bookmark_name("tujuan") == "tujuan"


# --- captions, tables, figures ------------------------------------------------------------------


def test_captions_are_seq_fields_with_filled_numbers(word, document_xml):
    captions = [paragraph for paragraph in all_paragraphs(word) if paragraph.style.name == "Caption"]
    assert [paragraph.text for paragraph in captions] == [
        "Gambar 1. Keanggotaan SCO menurut kategori",
        "Tabel 1. Ringkasan kepentingan Rusia di SCO menurut sektor",
    ]
    instructions = [" ".join(p._p.xpath(".//w:instrText/text()")).strip() for p in captions]
    assert instructions == ["SEQ Figure \\* ARABIC", "SEQ Table \\* ARABIC"]


def test_table_caption_is_above_and_figure_caption_below(document_xml):
    body = document_xml.find(f"{{{W}}}body")
    children = list(body)
    table_index = next(i for i, child in enumerate(children) if child.tag == f"{{{W}}}tbl"
                       and child.xpath("w:tblPr/w:tblStyle/@w:val", namespaces=NS) == ["BriefingTable"])
    before = children[table_index - 1]
    assert before.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Caption"]
    drawing_index = next(i for i, child in enumerate(children) if child.xpath(".//w:drawing", namespaces=NS))
    assert children[drawing_index + 1].xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Caption"]
    assert children[drawing_index + 2].xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == ["SourceLine"]


def test_table_structure(word, theme):
    tables = [table for table in word.tables if table.style.name == "Briefing Table"]
    assert len(tables) == 1
    table = tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["Sektor", "Tujuan", "Bukti"]
    first_row = table.rows[0]._tr
    assert first_row.xpath("w:trPr/w:tblHeader")
    assert not table.rows[1]._tr.xpath("w:trPr/w:tblHeader")
    assert {p.style.name for p in table.rows[0].cells[0].paragraphs} == {"Table Heading"}
    assert {p.style.name for p in table.rows[1].cells[0].paragraphs} == {"Table Text"}
    assert [p.style.name for p in table.rows[2].cells[2].paragraphs] == ["Table Bullet", "Table Bullet"]
    widths = [int(width) for width in table._tbl.xpath("w:tblGrid/w:gridCol/@w:w")]
    total = round(theme.text_width_mm * 1440 / 25.4)
    assert sum(widths) == total
    assert [round(width / total, 2) for width in widths] == [0.2, 0.4, 0.4]
    assert table._tbl.xpath("w:tblPr/w:tblLayout/@w:type") == ["fixed"]
    assert not table._tbl.xpath(".//w:noWrap")


def test_boxes_are_one_cell_tables(word):
    boxes = {table.style.name: table for table in word.tables if table.style.name in ("Key Facts", "Summary Box")}
    assert set(boxes) == {"Key Facts", "Summary Box"}
    facts = boxes["Key Facts"]
    assert len(facts.rows) == 1 and len(facts.columns) == 1
    styles = [p.style.name for p in facts.cell(0, 0).paragraphs]
    assert styles == ["Box Title", "List Bullet", "List Bullet"]


def test_figures_have_alt_text_width_and_unique_ids(docx_bytes, document_xml, theme, context):
    drawings = document_xml.xpath("//wp:docPr", namespaces=NS)
    assert drawings
    for properties in drawings:
        assert properties.get("descr", "").strip()
        assert properties.get("title", "").strip()
    ids = []
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                ids += etree.fromstring(archive.read(name)).xpath("//wp:docPr/@id", namespaces=NS)
    assert len(ids) == len(set(ids))
    extent = document_xml.xpath("//wp:inline/wp:extent/@cx", namespaces=NS)
    # the native chart and its fallback picture, for readers that draw no charts: the same width
    assert [round(int(cx) / 36000, 1) for cx in extent] == [round(theme.text_width_mm * 0.8, 1)] * 2
    # a bar chart is a native Word chart (issue 7); its picture is only the fallback
    assert len(context.charts.calls) == 1
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        assert "word/charts/chart1.xml" in archive.namelist()


# --- page, metadata, determinism ----------------------------------------------------------------


def test_page_setup_header_and_footer(word, docx_bytes, theme):
    section = word.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == round(theme.margins.left)
    header = section.header.paragraphs[0]
    assert header.style.name == "Header" and "Kepentingan Rusia dalam SCO" in header.text
    footer = section.footer.paragraphs[0]
    assert footer.style.name == "Footer"
    assert "Halaman 1 dari 1" in footer.text
    footer_xml = footer._p
    assert [text.strip() for text in footer_xml.xpath(".//w:instrText/text()")] == ["PAGE \\* ARABIC",
                                                                                   "NUMPAGES \\* ARABIC"]


def test_language_is_set(docx_bytes, word):
    styles = part_xml(docx_bytes, "word/styles.xml")
    assert styles.xpath("//w:docDefaults//w:lang/@w:val", namespaces=NS) == ["id-ID"]
    settings = part_xml(docx_bytes, "word/settings.xml")
    assert settings.xpath("//w:themeFontLang/@w:val", namespaces=NS) == ["id-ID"]
    assert word.core_properties.language == "id-ID"


def test_language_tags():
    assert word_language_tag("id") == "id-ID"
    assert word_language_tag("en") in ("en-US", "en-GB")
    assert word_language_tag("en-GB") == "en-GB"
    assert word_language_tag("pt_br") == "pt-BR"


def test_core_properties(word):
    properties = word.core_properties
    assert properties.title == "Kepentingan Rusia dalam Shanghai Cooperation Organization"
    assert properties.author == "Tim Kajian Eurasia"
    assert properties.last_modified_by == "Tim Kajian Eurasia"
    assert properties.subject == "Kepentingan Rusia di SCO"
    assert properties.keywords == "SCO; Rusia; Eurasia"
    assert properties.created == TIMESTAMP.replace(tzinfo=None) or properties.created == TIMESTAMP
    assert properties.modified == properties.created
    assert "python-docx" not in (properties.comments + properties.author + properties.last_modified_by)


def test_no_template_leftovers(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        names = archive.namelist()
        app = archive.read("docProps/app.xml").decode()
        settings = archive.read("word/settings.xml").decode()
    assert "word/stylesWithEffects.xml" not in names
    assert "docProps/thumbnail.jpeg" not in names
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert "Macintosh" not in app
    assert 'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"' in settings


def test_theme_fonts_are_described_for_substitution(docx_bytes, theme):
    fonts = part_xml(docx_bytes, "word/fontTable.xml")
    families = {font.get(f"{{{W}}}name"): font.find(f"{{{W}}}family").get(f"{{{W}}}val")
                for font in fonts.findall(f"{{{W}}}font")}
    assert families[theme.body_font.name] == "roman"  # DejaVu Serif → Word falls back to a serif
    assert families[theme.heading_font.name] == "swiss"
    office = part_xml(docx_bytes, "word/theme/theme1.xml")
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    assert office.xpath("//a:minorFont/a:latin/@typeface", namespaces=ns) == [theme.body_font.name]


def test_control_character_in_theme_text_is_a_layout_error(theme):
    bad = theme.model_copy(update={"footer_text": "Terbatas\x0b"})
    with pytest.raises(LayoutError) as error:
        write_docx(sample_document(), RenderContext(bad, TEMPLATE, FakeCharts(), TIMESTAMP))
    assert "theme.footer_text" in str(error.value)


def test_same_input_gives_same_bytes(context, docx_bytes):
    again = write_docx(sample_document(), context)
    assert again == docx_bytes
    with zipfile.ZipFile(io.BytesIO(again)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 27, 9, 30, 0)}


def test_english_document(context):
    data = write_docx(sample_document(language="en"), context)
    word = docx.Document(io.BytesIO(data))
    assert word.core_properties.language in ("en-US", "en-GB")


def test_empty_document(context):
    data = write_docx(Document(Metadata(title="Kosong", language="id"), ()), context)
    assert docx.Document(io.BytesIO(data)).core_properties.title == "Kosong"


# --- a real reader ------------------------------------------------------------------------------


@pytest.mark.slow
def test_libreoffice_converts_to_pdf(docx_bytes, tmp_path):
    source = tmp_path / "briefing.docx"
    source.write_bytes(docx_bytes)
    pdf, = libreoffice_pdfs([source], tmp_path, timeout=180)
    assert pdf.is_file() and pdf.stat().st_size > 1000, "LibreOffice did not produce a PDF"
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler) is required in CI")
        return
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for heading in ("Gambaran umum", "Tujuan organisasi", "Kepentingan Rusia", "Catatan", "Fakta Kunci"):
        assert heading in text, heading
    assert "Halaman 1 dari 2" in text or "Halaman 1 dari 3" in text


# --- awkward trees ------------------------------------------------------------------------------


def awkward_document() -> Document:
    """Structures a template could produce that a naive writer gets wrong (only shapes the tree's types allow:
    items, rows, cells and captions never stand on their own)."""
    inner_table = make_table((), (TableRow((TableCell((Paragraph(t("dalam kotak")),)), TableCell(()))),))
    deep = BulletList((ListItem((Paragraph(t("satu")), BulletList((ListItem((Paragraph(t("dua")), BulletList((
        ListItem((Paragraph(t("tiga")), BulletList((ListItem((Paragraph(t("empat")),)),), ordered=True))),
    )))),)))),))
    tall = Figure(alt="Grafik tinggi", chart=chart("tall"), width=1.0)
    return Document(
        metadata=Metadata(title="Aneh", language="en-GB", page_label="{page}/{total}"),
        blocks=(
            Div("key-facts", (inner_table, Paragraph(t("setelah tabel dalam kotak")))),
            Div("key-facts", (Paragraph(t("kotak kedua berdampingan")),)),
            make_table((), (TableRow((TableCell(()),)),)),
            make_table((), (TableRow((TableCell((deep,)),)),)),
            deep,
            Figure(alt="Tanpa grafik: teks pengganti", caption=Caption("figure", t("tanpa grafik"))),
            tall,
            Heading(1, t("Sama"), id="sama"),
            Heading(1, t("Sama lagi"), id="sama"),
            Heading(2, t("Panjang"), id="kepentingan-rusia-di-bidang-ekonomi-politik-keamanan-dan-ideologi"),
            Paragraph((Link("#kepentingan-rusia-di-bidang-ekonomi-politik-keamanan-dan-ideologi",
                            (Link("https://example.org", t("link di dalam link")),)), Link("https://example.org/x", ()))),
            Paragraph(t("peran baru"), role="pull-quote"),
            PageBreak(),
            make_table((), (TableRow((TableCell((Paragraph(t("tabel terakhir")),)),)),)),
        ),
    )


class TallCharts(FakeCharts):
    def png(self, spec: ChartSpec, width_mm: float) -> bytes:
        if spec.name != "tall":
            return super().png(spec, width_mm)
        buffer = io.BytesIO()
        Image.new("RGB", (100, 1000), (200, 200, 200)).save(buffer, format="PNG")
        return buffer.getvalue()


@pytest.fixture(scope="module")
def awkward_bytes(theme) -> bytes:
    context = RenderContext(theme=theme, theme_folder=TEMPLATE, charts=TallCharts(), timestamp=TIMESTAMP)
    return write_docx(awkward_document(), context)


def test_awkward_tree_keeps_all_text(awkward_bytes):
    with docx2python(io.BytesIO(awkward_bytes)) as extracted:
        text = extracted.text
    for expected in ("dalam kotak", "setelah tabel dalam kotak", "kotak kedua", "satu", "dua", "tiga", "empat",
                     "Tanpa grafik: teks pengganti", "link di dalam link", "https://example.org/x", "peran baru",
                     "tabel terakhir"):
        assert expected in text, expected


def test_awkward_tree_structure(awkward_bytes, theme):
    word = docx.Document(io.BytesIO(awkward_bytes))
    body = word.element.body
    children = list(body)
    for previous, current in zip(children, children[1:]):  # Word merges tables that touch
        assert not (previous.tag == current.tag == f"{{{W}}}tbl")
    assert children[-2].tag == f"{{{W}}}p" and children[-1].tag == f"{{{W}}}sectPr"
    for cell in body.iter(f"{{{W}}}tc"):
        assert cell[-1].tag == f"{{{W}}}p"
    names = body.xpath("//w:bookmarkStart/@w:name")
    assert names.count("sama") == 1
    long_name = bookmark_name("kepentingan-rusia-di-bidang-ekonomi-politik-keamanan-dan-ideologi")
    assert long_name in names and body.xpath("//w:hyperlink/@w:anchor") == [long_name]
    assert not body.xpath("//w:hyperlink//w:hyperlink")
    styles = {p.style.name for p in word.paragraphs}
    assert {"List Bullet 3", "Pull Quote"} <= styles
    extents = body.xpath("//wp:inline/wp:extent/@cy")
    text_height_emu = (theme.page_size_mm[1] - theme.margins.top - theme.margins.bottom) * 36000
    assert all(int(cy) <= text_height_emu * 0.75 + 1 for cy in extents)
    footer = word.sections[0].footer.paragraphs[0]
    assert footer.text.strip() == "1/1"
    assert word.core_properties.language == "en-GB"


def test_letter_paper_and_theme_style_names(theme, context):
    custom = theme.model_copy(update={"page_size": "Letter",
                                      "styles": {**theme.styles, "heading-1": "Judul Utama", "body": "Isi"}})
    data = write_docx(sample_document(), RenderContext(custom, TEMPLATE, FakeCharts(), TIMESTAMP))
    word = docx.Document(io.BytesIO(data))
    assert round(word.sections[0].page_width.mm, 1) == 215.9
    assert styled(word, "Judul Utama") == ["Gambaran umum", "Kepentingan Rusia"]
    assert styled(word, "Isi")
    heading = word.styles["Judul Utama"].element
    assert heading.xpath("w:pPr/w:outlineLvl/@w:val") == ["0"]


def test_rows_that_fit_a_page_are_kept_whole_and_a_taller_one_may_split(context) -> None:
    short = TableRow((TableCell((Paragraph(t("Ekonomi")),)), TableCell((Paragraph(t("Kerja sama energi.")),))))
    tall = TableRow((TableCell((Paragraph(t("Sejarah")),)),
                     TableCell(tuple(Paragraph(t("Kalimat panjang tentang kerja sama di kawasan. " * 12))
                                     for _ in range(12)))))
    header = TableRow((TableCell((Paragraph(t("Sektor")),)), TableCell((Paragraph(t("Isi")),))))
    document = Document(Metadata(title="T", language="id"), (make_table((header,), (short, tall, short)),))
    rows = etree.fromstring(zipfile.ZipFile(io.BytesIO(write_docx(document, context))).read("word/document.xml")
                            ).findall(".//w:tbl/w:tr", NS)
    kept = [row.find("w:trPr/w:cantSplit", NS) is not None for row in rows]
    assert kept == [True, True, False, True]  # header, short, taller than 40 % of a page, short
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None and rows[1].find("w:trPr/w:tblHeader", NS) is None
