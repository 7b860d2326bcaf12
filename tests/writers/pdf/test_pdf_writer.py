"""The PDF writer: every node type rendered, text intact, fonts embedded, outline, metadata, determinism.

Assertions are on what a reader sees (pypdf and poppler's text, qpdf's check, pdffonts' font list),
never on raw bytes — except determinism, where byte identity is the point.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import time

import pytest
from conftest import need_tool
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm

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
    SourcePosition,
    Span,
    Strong,
    TableCell,
    TableRow,
    Text,
)
from reports.errors import LayoutError
from reports.paths import TEMPLATES_DIR
from reports.theme.model import load_theme
from reports.writers.base import RenderContext, visitor_name
from reports.writers.pdf.styles import register_theme_fonts
from reports.writers.pdf.writer import PdfWriter, escape_markup, write_pdf

THEME_FOLDER = TEMPLATES_DIR / "briefing"
TIMESTAMP = dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.timezone.utc)


class FakeChartRenderer:
    """Stands in for `reports.charts.render.ChartRenderer`: a small vector drawing in a theme font."""

    def __init__(self, font_name: str) -> None:
        self.font_name = font_name
        self.calls: list[tuple[str, float]] = []
        self.colour = HexColor("#4F7CAC")

    def size_mm(self, spec: ChartSpec | None = None, width_mm: float = 150.0) -> tuple[float, float]:
        return width_mm, width_mm * 0.45

    def drawing(self, spec: ChartSpec, width_mm: float) -> Drawing:
        self.calls.append((spec.name, width_mm))
        width, height = (value * mm for value in self.size_mm(spec, width_mm))
        drawing = Drawing(width, height)
        values = spec.series[0].values if spec.series else ()
        largest = max(values, default=1) or 1
        bar_height = height / max(len(values), 1) * 0.6
        for index, (label, value) in enumerate(zip(spec.categories, values)):
            y = height - (index + 1) * height / len(values) + bar_height * 0.3
            drawing.add(Rect(110, y, (width - 130) * value / largest, bar_height, fillColor=self.colour, strokeWidth=0))
            drawing.add(String(4, y + bar_height * 0.3, label, fontName=self.font_name, fontSize=8))
        drawing.add(String(4, height - 10, spec.title, fontName=self.font_name, fontSize=9))
        return drawing


@pytest.fixture(scope="module")
def theme():
    return load_theme(THEME_FOLDER)


@pytest.fixture(scope="module")
def context(theme) -> RenderContext:
    fonts = register_theme_fonts(theme, THEME_FOLDER)
    return RenderContext(theme=theme, theme_folder=THEME_FOLDER, charts=FakeChartRenderer(fonts.heading.regular),
                         timestamp=TIMESTAMP)


@pytest.fixture(scope="module")
def ragged_context(context: RenderContext) -> RenderContext:
    """The context with ragged-right text: numbered words (`kata1`, `kata2`, …) are all about as wide, so
    justified lines of them stand in columns, which pdftotext reads as a table (prose never lines up so)."""
    from dataclasses import replace

    return replace(context, theme=context.theme.model_copy(update={"alignment": "left", "hyphenation": False}))


def t(text: str) -> tuple[Text]:
    return (Text(text),)


def para(text: str, role: str = "") -> Paragraph:
    return Paragraph(t(text), role=role)


def cell(text: str) -> TableCell:
    return TableCell((para(text),))


def metadata(**changes: object) -> Metadata:
    values: dict[str, object] = dict(
        title="Rusia dan Organisasi Kerja Sama Shanghai",
        language="id",
        author="Tim Analisis Kebijakan",
        subject="Kepentingan Rusia di SCO",
        keywords=("SCO", "Rusia", "Asia Tengah"),
        running_header="Rusia dan SCO — Kertas Pengarahan",
        page_label="Halaman {page} dari {total}",
    )
    values.update(changes)
    return Metadata(**values)  # type: ignore[arg-type]


MEMBERSHIP = ChartSpec(
    name="membership",
    kind="bar",
    title="Keanggotaan SCO menurut kategori",
    categories=("Negara anggota", "Negara pengamat", "Mitra dialog"),
    series=(Series("Jumlah", (10.0, 2.0, 14.0)),),
    annotations=("China, India, Iran, …", "Afganistan, Mongolia", "Arab Saudi, Mesir, …"),
    alt="Diagram batang keanggotaan SCO: 10 negara anggota, 2 pengamat, 14 mitra dialog.",
    value_label="Jumlah",
    source="SCO Secretariat",
    language="id",
)

LOREM = (
    "Rusia memandang Organisasi Kerja Sama Shanghai sebagai wadah untuk menjaga pengaruhnya di Asia Tengah "
    "sambil mengelola kebangkitan China. Melalui forum ini Moskow mendorong kerja sama keamanan, menolak "
    "kehadiran militer Barat di kawasan, dan memperluas jaringan mitra di luar Eropa. "
)


def sample_document() -> Document:
    """Every node type at least once, with the hostile text the writer must survive."""
    interests = make_table(
        header_rows=(TableRow((cell("Sektor"), cell("Tujuan"), cell("Instrumen di organisasi"))),),
        body_rows=(
            TableRow((cell("Keamanan"), cell("Menjaga stabilitas Asia Tengah & menolak pangkalan asing"),
                      TableCell((BulletList((ListItem((para("Latihan bersama Peace Mission"),)),
                                             ListItem((para("Struktur Antiteror Regional (RATS)"),)))),)))),
            TableRow((cell("Ekonomi"), cell("Mengurangi ketergantungan pada dolar: biaya $5 per transaksi"),
                      cell("Penyelesaian dalam mata uang nasional"))),
            TableRow((cell("Politik"), cell("Tatanan dunia multipolar <b>tanpa</b> hegemoni"),
                      cell("Deklarasi bersama KTT tahunan"))),
            TableRow((cell("Energi"), cell("Pasar gas di Asia"), TableCell(()))),
        ),
        column_widths=(0.2, 0.45, 0.35),
        caption=Caption("table", t("Ringkasan kepentingan Rusia di SCO menurut sektor"), label="Tabel", number=1),
        id="tabel-kepentingan",
    )
    return Document(
        metadata=metadata(),
        blocks=(
            Div("title-block", (
                para("Rusia dan Organisasi Kerja Sama Shanghai", "title"),
                para("Kepentingan, instrumen, dan batas pengaruh Moskow", "subtitle"),
                para("Disusun oleh Tim Analisis Kebijakan · Data per 1 Juni 2024", "byline"),
            )),
            Div("summary", (
                Div("box-title", (para("Ringkasan Eksekutif"),)),
                para("Rusia (Россия) memakai SCO untuk menyeimbangkan China & Barat; lihat "
                     "<b>bagian kepentingan</b> dan biaya $5 per_transaksi _x."),
            )),
            Paragraph((Text("Pengantar singkat: "), Strong(t("SCO")), Text(" adalah organisasi "),
                       Emphasis(t("regional")), Text(" dengan "), Span("number", t("10 negara")),
                       Text(" anggota dan istilah "), Span("term", t("multipolaritas")), Text("."),
                       LineBreak(), Text("Situs resmi: "), Link("https://eng.sectsco.org/?a=1&b=2", t("sectsco.org")),
                       Text("; kontak: "), Link("mailto:tim@example.org", t("tim@example.org")),
                       Text("; lihat "), Link("#kepentingan", t("Kepentingan Rusia")), Text(".")),
                      role="lead"),
            Div("key-facts", (
                Div("box-title", (para("Fakta Kunci"),)),
                BulletList((
                    ListItem((Paragraph((Strong(t("Didirikan: ")), Text("15 Juni 2001, Shanghai"))),)),
                    ListItem((Paragraph((Strong(t("Anggota: ")), Span("number", t("10 negara")))),)),
                    ListItem((Paragraph((Strong(t("Sekretariat: ")), Text("Beijing"))),)),
                )),
            )),
            Heading(1, t("Gambaran umum"), id="gambaran-umum"),
            para(LOREM * 3),
            para(LOREM * 2),
            Heading(2, t("Tonggak sejarah"), id="tonggak-sejarah"),
            BulletList((
                ListItem((para("1996: Kelompok Shanghai Five dibentuk."),)),
                ListItem((para("2001: SCO didirikan; Uzbekistan bergabung."),
                          BulletList((ListItem((para("Piagam ditandatangani 2002."),)),
                                      ListItem((para("Sekretariat dibuka di Beijing 2004."),)))))),
                ListItem((para("2017: India dan Pakistan menjadi anggota penuh."),)),
            )),
            BulletList((
                ListItem((para("Menjaga pengaruh di Asia Tengah."),)),
                ListItem((para("Mengimbangi kekuatan China."),)),
                ListItem((para("Membangun citra tatanan multipolar."),)),
            ), ordered=True),
            Figure(
                alt=MEMBERSHIP.alt,
                chart=MEMBERSHIP,
                width=0.9,
                caption=Caption("figure", t("Keanggotaan SCO menurut kategori, dengan nama negara"),
                                label="Gambar", number=1),
                source=t("Sumber: SCO Secretariat; diolah dari data konten."),
                id="gambar-keanggotaan",
            ),
            Heading(1, t("Kepentingan Rusia"), id="kepentingan"),
            para(LOREM),
            interests,
            Heading(3, t("Catatan metodologi"), id="catatan"),
            para("Sumber primer & sekunder; tanda <img src='x'> dan 5 < 6 > 4 ditulis apa adanya.", "source"),
            PageBreak(),
            Heading(1, t("Kesimpulan"), id="kesimpulan"),
            para(LOREM * 2),
        ),
    )


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample_pdf(context) -> bytes:
    return write_pdf(sample_document(), context)




# --- structure ----------------------------------------------------------------------------------


def test_every_node_type_has_a_visitor():
    missing = [node_type.__name__ for node_type in nodes.ALL if not callable(getattr(PdfWriter, visitor_name(node_type),
                                                                                    None))]
    assert missing == []


def test_escape_markup_escapes_once():
    assert escape_markup("a & b < c > d \"e\"") == "a &amp; b &lt; c &gt; d &quot;e&quot;"
    assert escape_markup("&amp;") == "&amp;amp;"


# --- text ---------------------------------------------------------------------------------------


def test_all_text_appears(sample_pdf):
    text = flat(" ".join(pdf_text(sample_pdf)))
    for expected in (
        "Rusia dan Organisasi Kerja Sama Shanghai",
        "Россия",
        "China & Barat",
        "<b>bagian kepentingan</b>",
        "$5 per_transaksi _x",
        "<img src='x'>",
        "5 < 6 > 4",
        "Tabel 1. Ringkasan kepentingan Rusia",
        "Gambar 1. Keanggotaan SCO menurut kategori",
        "Sumber: SCO Secretariat",
        "Latihan bersama Peace Mission",
        "Tatanan dunia multipolar <b>tanpa</b> hegemoni",
        "Piagam ditandatangani 2002.",
        "multipolaritas",
        "sectsco.org",
        "Fakta Kunci",
        "Ringkasan Eksekutif",
    ):
        assert expected in text, expected


def test_pdftotext_reads_the_same_text(sample_pdf, tmp_path):
    tool = need_tool("pdftotext")
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample_pdf)
    text = flat(subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                               check=True).stdout)
    for expected in ("Россия", "China & Barat", "<b>bagian kepentingan</b>", "$5 per_transaksi _x", "5 < 6 > 4",
                     flat(LOREM)):  # whole sentences in reading order: no line read as columns
        assert expected in text, expected


def test_page_x_of_y_on_every_page(sample_pdf):
    pages = pdf_text(sample_pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in text


def test_running_header_after_the_first_page(sample_pdf):
    pages = pdf_text(sample_pdf)
    assert "Kertas Pengarahan" not in pages[0]
    for text in pages[1:]:
        assert "Rusia dan SCO — Kertas Pengarahan" in text


def test_figure_drawn_through_the_chart_renderer(context, sample_pdf):
    assert any(name == "membership" for name, _ in context.charts.calls)
    width = context.theme.text_width_mm * 0.9
    assert any(abs(call_width - width) < 0.01 for _, call_width in context.charts.calls)
    assert "Negara pengamat" in " ".join(pdf_text(sample_pdf))


# --- navigation and metadata --------------------------------------------------------------------


def test_outline_has_the_headings(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))

    def titles(outline) -> list:
        found = []
        for entry in outline:
            found.extend(titles(entry) if isinstance(entry, list) else [entry.title])
        return found

    assert titles(reader.outline) == ["Gambaran umum", "Tonggak sejarah", "Kepentingan Rusia",
                                      "Catatan metodologi", "Kesimpulan"]
    assert isinstance(reader.outline[1], list)  # the level-2 heading sits under its level-1 heading
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    destination = reader.get_destination_page_number(reader.outline[-1])
    assert "Kesimpulan" in reader.pages[destination].extract_text()


def test_internal_link_points_at_the_heading(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))
    links = [annotation.get_object() for page in reader.pages for annotation in page.get("/Annots", [])]
    uris = {link["/A"]["/URI"] for link in links if "/A" in link and "/URI" in link["/A"]}
    assert "https://eng.sectsco.org/?a=1&b=2" in uris
    assert "mailto:tim@example.org" in uris
    assert any("/Dest" in link or ("/A" in link and "/D" in link["/A"]) for link in links)


def test_metadata(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))
    info = reader.metadata
    assert info.title == "Rusia dan Organisasi Kerja Sama Shanghai"
    assert info.author == "Tim Analisis Kebijakan"
    assert info.subject == "Kepentingan Rusia di SCO"
    assert "Asia Tengah" in info["/Keywords"]
    assert info.creator == "reports"
    assert info["/CreationDate"].startswith("D:20240601093000")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "id"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True


def test_same_input_gives_the_same_bytes(context, sample_pdf):
    assert write_pdf(sample_document(), context) == sample_pdf


# --- fonts --------------------------------------------------------------------------------------


def test_qpdf_check_passes(sample_pdf, tmp_path):
    tool = need_tool("qpdf")
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample_pdf)
    result = subprocess.run([tool, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


STANDARD_14 = re.compile(r"Helvetica|Times|Courier|Symbol|ZapfDingbats", re.IGNORECASE)


def test_only_embedded_theme_fonts(sample_pdf, tmp_path):
    tool = need_tool("pdffonts")
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample_pdf)
    lines = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines
    for line in lines:
        name, columns = line.split()[0], line.split()
        assert not STANDARD_14.search(name), line
        embedded = columns[-5]  # name type encoding emb sub uni object ID
        assert embedded == "yes", line
        assert "DejaVu" in name, line


def test_emoji_is_refused_with_its_name(context):
    document = Document(metadata=metadata(), blocks=(para("Kerja sama yang baik 😀 untuk semua"),))
    with pytest.raises(LayoutError) as caught:
        write_pdf(document, context)
    message = str(caught.value)
    assert "😀" in message and "U+1F600" in message
    assert "Kerja sama yang baik" in message
    assert "DejaVu Serif" in message
    assert caught.value.exit_code == 6


def test_character_missing_from_the_font_is_refused(context):
    document = Document(metadata=metadata(), blocks=(Heading(1, t("Sejarah 中国")),))
    with pytest.raises(LayoutError) as caught:
        write_pdf(document, context)
    assert "U+4E2D" in str(caught.value) and "DejaVu Sans" in str(caught.value)


def test_a_script_that_needs_shaping_is_refused_even_when_the_font_has_it(context):
    """DejaVu Sans has Arabic letters; set one by one, left to right, they would read as nonsense."""
    document = Document(metadata=metadata(), blocks=(Heading(1, t("Sejarah روسيا")),))
    with pytest.raises(LayoutError) as caught:
        write_pdf(document, context)
    assert "U+0631" in str(caught.value) and "is Arabic script, which needs shaping" in str(caught.value)


def test_a_character_the_face_lacks_is_set_in_the_fallback_font(context, tmp_path):
    """Heading text the heading font lacks, and the running header, in the fallback face, embedded."""
    from dataclasses import replace
    from pathlib import Path

    import matplotlib

    from reports.cache import Cache
    from reports.theme.fallback import FontFallback
    from reports.theme.installed_fonts import parse_fc_list

    stix = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "STIXGeneral.ttf"
    installed = tuple(parse_fc_list("\t".join([str(stix), "0", "STIXGeneral", "Regular", "80", "0", "100", "",
                                               "TrueType", "", "20-7e 24b6-24cf"])))
    fallback = FontFallback(context.theme, THEME_FOLDER, Cache(), "id", installed=installed)
    blocks = (Heading(1, t("Pilihan Ⓐ")), *(para("Pilihan Ⓑ. " * 300) for _ in range(4)))
    data = write_pdf(Document(metadata=metadata(title="Judul Ⓒ", running_header="Judul Ⓒ"), blocks=blocks),
                     replace(context, fallback=fallback))
    text = pdf_text(data)
    assert "Pilihan Ⓐ" in text[0] and "Pilihan Ⓑ" in text[0]
    assert len(text) > 1 and "Judul Ⓒ" in text[1], "the running header of page 2"
    pdf = tmp_path / "fallback.pdf"
    pdf.write_bytes(data)
    fonts = subprocess.run([need_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "STIXGeneral" in fonts


def test_dangling_internal_link_is_an_error(context):
    document = Document(metadata=metadata(), blocks=(Paragraph((Link("#nowhere", t("ke mana")),)),))
    with pytest.raises(LayoutError, match="#nowhere"):
        write_pdf(document, context)


# --- tables -------------------------------------------------------------------------------------


def test_long_table_repeats_its_header_on_every_page(context):
    header = TableRow((cell("Nomor Baris"), cell("Negara"), cell("Keterangan")))
    rows = tuple(TableRow((cell(str(number)), cell(f"Negara {number}"), cell("Keterangan " * 6)))
                 for number in range(1, 201))
    table = make_table((header,), rows, (0.2, 0.3, 0.5),
                       caption=Caption("table", t("Daftar panjang"), label="Tabel", number=1))
    data = write_pdf(Document(metadata=metadata(), blocks=(table,)), context)
    pages = pdf_text(data)
    assert len(pages) > 3
    for text in pages:
        assert "Nomor Baris" in text
    joined = flat(" ".join(pages))
    assert "Negara 1 " in joined and "Negara 200 " in joined


def test_long_word_and_tall_cell_do_not_crash(context):
    long_word = "Antidisestablishmentarianisme" * 12
    tall = "Kalimat panjang yang terus berulang di dalam satu sel tabel. " * 400
    table = make_table((TableRow((cell("A"), cell("B"))),),
                       (TableRow((cell(long_word), cell(tall))),), (0.3, 0.7))
    data = write_pdf(Document(metadata=metadata(), blocks=(table, para(long_word))), context)
    pages = pdf_text(data)
    assert len(pages) >= 2
    assert "Antidisestablishmentarianisme" in "".join(pages)


def test_chart_wider_than_the_page_is_scaled_to_fit(context):
    class HugeChart(FakeChartRenderer):
        def drawing(self, spec, width_mm):
            drawing = super().drawing(spec, width_mm)
            drawing.width = 5000  # a renderer bug: wider than any page, yet scaled to fit
            return drawing

    fonts = register_theme_fonts(context.theme, THEME_FOLDER)
    huge = RenderContext(theme=context.theme, theme_folder=THEME_FOLDER, charts=HugeChart(fonts.heading.regular),
                         timestamp=TIMESTAMP)
    figure = Figure(alt=MEMBERSHIP.alt, chart=MEMBERSHIP, caption=Caption("figure", t("Besar"), "Gambar", 1))
    assert write_pdf(Document(metadata=metadata(), blocks=(figure,)), huge).startswith(b"%PDF")


def test_reportlab_layout_failure_becomes_a_located_layout_error(context):
    from reportlab.platypus import Paragraph as PdfParagraph
    from reportlab.platypus import Table as PdfTable

    from reports.writers.pdf.layout import PdfInfo, build_pdf
    from reports.writers.pdf.page import PageTexts
    from reports.writers.pdf.styles import build_styles

    styles = build_styles(context.theme, register_theme_fonts(context.theme, THEME_FOLDER))
    body = styles.paragraphs["Body Text"]
    text = "Baris yang tidak dapat dipecah " * 600

    def story():  # a row that may not split, taller than any page: reportlab gives up
        table = PdfTable([[PdfParagraph(text, body)]], colWidths=[styles.frame_width], splitInRow=0)
        table.source_position = SourcePosition("templates/custom/template.md.j2", 12)  # as the writer sets it
        return [table]

    texts = PageTexts("Kepala", "", "", "Halaman {page} dari {total}")
    with pytest.raises(LayoutError) as caught:
        build_pdf(story, styles, texts, PdfInfo(metadata(), TIMESTAMP))
    message = str(caught.value)
    assert "Baris yang tidak dapat dipecah" in message and "does not fit on a page" in message
    assert caught.value.exit_code == 6
    assert caught.value.diagnostics[0].format().startswith("templates/custom/template.md.j2:12:1: ")


def test_every_flowable_knows_the_template_line_of_its_block(context):
    """The writer hands each block's position to what it makes, so a layout error can name the line."""
    from reports.writers.pdf.flowables import source_position

    here = SourcePosition("template.md.j2", 7)
    blocks = (Paragraph(t("Satu"), position=here), Heading(2, t("Dua"), position=SourcePosition("x.j2", 9)))
    writer = PdfWriter(context)
    flowables = writer.visit(Document(metadata=metadata(), blocks=blocks))
    assert [str(source_position(flowable)) for flowable in flowables] == ["template.md.j2:7", "x.j2:9"]


def test_figure_inside_a_box_and_a_table_cell(context):
    figure = Figure(alt=MEMBERSHIP.alt, chart=MEMBERSHIP, caption=Caption("figure", t("Dalam kotak"), "Gambar", 2),
                    source=t("Sumber: uji"))
    table = make_table((TableRow((cell("Grafik"),)),), (TableRow((TableCell((figure,)),)),))
    document = Document(metadata=metadata(), blocks=(Div("key-facts", (figure,)), table))
    text = flat(" ".join(pdf_text(write_pdf(document, context))))
    assert text.count("Gambar 2. Dalam kotak") == 2


@pytest.mark.slow
@pytest.mark.parametrize("follower", ["paragraph", "list", "table", "figure", "box"])
def test_heading_is_never_left_alone_at_the_bottom_of_a_page(context, follower):
    following = {
        "paragraph": para("MULAI " + LOREM * 4),
        "list": BulletList(tuple(ListItem((para(f"MULAI butir {n} " + LOREM),)) for n in range(4))),
        "table": make_table((TableRow((cell("MULAI kolom"), cell("Kolom dua"))),),
                            tuple(TableRow((cell(f"Baris {n}"), cell(LOREM))) for n in range(6)),
                            caption=Caption("table", t("Tabel uji"), "Tabel", 1)),
        "figure": Figure(alt="uji", chart=MEMBERSHIP, caption=Caption("figure", t("MULAI gambar"), "Gambar", 1)),
        "box": Div("summary", (para("MULAI kotak " + LOREM * 2),)),
    }[follower]
    for lines in range(0, 60, 3):
        filler = tuple(para(f"Pengisi {n}.") for n in range(lines))
        document = Document(metadata=metadata(), blocks=filler + (Heading(2, t("JUDULUJI")), following))
        pages = pdf_text(write_pdf(document, context))
        page = next(text for text in pages if "JUDULUJI" in text)
        assert "MULAI" in page, (follower, lines)
        if lines <= 24 and follower != "figure":  # room for the start of the next block: no wasted page
            assert "JUDULUJI" in pages[0], (follower, lines)


def test_bytes_do_not_depend_on_the_environment_clock(context, sample_pdf, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000")
    assert write_pdf(sample_document(), context) == sample_pdf


def test_internal_links_to_tables_figures_and_boxed_headings(context):
    table = make_table((TableRow((cell("Kolom"),)),), (TableRow((cell("Isi"),)),), id="tabel-tanpa-judul")
    figure = Figure(alt="Deskripsi grafik yang belum ada", id="gambar-tanpa-grafik")
    links = Paragraph((Link("#tabel-tanpa-judul", t("tabel")), Text(", "), Link("#gambar-tanpa-grafik", t("gambar")),
                       Text(", "), Link("#dalam-kotak", t("kotak"))))
    document = Document(metadata=metadata(), blocks=(
        links, Div("summary", (Heading(2, t("Dalam kotak"), id="dalam-kotak"), para("Isi kotak."))), table, figure))
    data = write_pdf(document, context)
    reader = PdfReader(io.BytesIO(data))
    annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])]
    assert len([a for a in annotations if a.get("/Subtype") == "/Link"]) == 3
    assert "Deskripsi grafik yang belum ada" in pdf_text(data)[0]


HOSTILE = (
    '<img src="/etc/passwd">', "&amp; stays &amp;", "&#x41; &nbsp; &lt;", "<br/><font color=red>x</font>",
    "]]> <![CDATA[ y ]]>", "\"double\" 'single'", "back\\slash %s {page} {total}", "a<b", "x>y", "&",
    "Café naïve Œuvre — “quoted” ‘x’ … €5 ±2 ×3", "Москва, Пекин и Астана",
)


def test_hostile_text_appears_unchanged(context):
    document = Document(metadata=metadata(), blocks=tuple(para(text) for text in HOSTILE))
    text = flat(" ".join(pdf_text(write_pdf(document, context))))
    for expected in HOSTILE:
        assert flat(expected) in text, expected


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st


def _covered_alphabet() -> list[str]:
    """Characters the body font draws: letters, digits, punctuation and symbols, left-to-right scripts."""
    import unicodedata

    from reportlab.pdfbase import pdfmetrics

    theme = load_theme(THEME_FOLDER)
    cmap = pdfmetrics.getFont(register_theme_fonts(theme, THEME_FOLDER).body.regular).face.charToGlyph
    return sorted(
        chr(code) for code in cmap
        if code < 0xFFFF and unicodedata.category(chr(code))[0] in "LNPS"
        and unicodedata.bidirectional(chr(code)) not in ("R", "AL", "AN")
        and not unicodedata.decomposition(chr(code)).startswith("<")  # compatibility forms (ligatures, …)
    )


COVERED = st.sampled_from(_covered_alphabet() + list("&<>\"' ") * 20)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(COVERED, min_size=1, max_size=80).filter(lambda s: s.strip()))
def test_any_text_the_font_covers_appears_unchanged(context, text):
    document = Document(metadata=metadata(), blocks=(para(text),))
    assert flat(text) in flat(" ".join(pdf_text(write_pdf(document, context))))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF))
def test_any_emoji_is_refused_by_name(context, emoji):
    with pytest.raises(LayoutError, match=f"U\\+{ord(emoji):04X}"):
        write_pdf(Document(metadata=metadata(), blocks=(para(f"teks {emoji} teks"),)), context)


def test_letter_paper_and_theme_texts(context):
    theme = context.theme.model_copy(update={"page_size": "Letter", "header_text": "Kepala tema",
                                             "organisation_name": "Pusat Kajian", "footer_text": "Terbatas"})
    letter = RenderContext(theme=theme, theme_folder=THEME_FOLDER, charts=context.charts, timestamp=TIMESTAMP)
    document = Document(metadata=metadata(), blocks=(para(LOREM * 10), PageBreak(), para("Halaman kedua.")))
    reader = PdfReader(io.BytesIO(write_pdf(document, letter)))
    width, height = (float(value) for value in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (612, 792)
    second = reader.pages[1].extract_text()
    assert "Kepala tema" in second and "Pusat Kajian" in second and "Terbatas" in second
    assert "Halaman 2 dari 2" in second


def test_page_label_with_an_unknown_placeholder_is_a_template_error(context):
    from reports.errors import TemplateError

    document = Document(metadata=metadata(page_label="Hal {halaman}"), blocks=(para("x"),))
    with pytest.raises(TemplateError, match="page label"):
        write_pdf(document, context)


EDGE_CASES = {
    "empty document": (),
    "empty paragraph": (Paragraph(()),),
    "only a page break": (PageBreak(),),
    "heading taller than a page, alone": (Heading(1, t("Judul sangat panjang " * 200)),),
    "heading taller than a page, then text": (Heading(1, t("Judul sangat panjang " * 200)), para("Teks.")),
    "heading before a page break": (para("Awal."), Heading(2, t("Judul")), PageBreak(), para("Sesudah.")),
    "title block taller than a page": (Div("title-block", (para("Judul sangat panjang " * 300, "title"),)),),
    "figure with a caption taller than a page": (
        Figure(alt="a", chart=MEMBERSHIP, caption=Caption("figure", t("keterangan " * 900), "Gambar", 1)),),
    "box taller than a page": (Div("key-facts", tuple(para(LOREM * 3) for _ in range(8))),),
    "skipped heading levels": (Heading(1, t("Satu")), Heading(3, t("Tiga")), Heading(2, t("Dua"))),
    "unbroken URL": (para("https://example.org/" + "a" * 500),),
    "deeply nested list": (BulletList((ListItem((para("1"), BulletList((ListItem((para("2"), BulletList((ListItem((
        para("3"), BulletList((ListItem((para("4 paling dalam"),)),), ordered=True))),)))),)))),)),),
    "empty table": (make_table((), ()),),
    "table of empty cells": (make_table((TableRow((TableCell(()), TableCell(()))),), (TableRow(()),)),),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_render_without_hanging(context, name):
    import signal

    def give_up(*_: object) -> None:
        raise TimeoutError(f"layout of '{name}' did not finish")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(30)
    try:
        data = write_pdf(Document(metadata=metadata(), blocks=EDGE_CASES[name]), context)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    pages = pdf_text(data)
    assert len(pages) >= 1
    assert f"Halaman 1 dari {len(pages)}" in pages[0]


def test_bare_link_shows_its_address(context):
    document = Document(metadata=metadata(), blocks=(Paragraph((Text("Lihat "), Link("https://example.org/a", ()))),))
    assert "https://example.org/a" in pdf_text(write_pdf(document, context))[0]


# --- long paragraphs ----------------------------------------------------------------------------


def numbered_words(count: int, start: int = 0) -> str:
    return " ".join(f"kata{index}" for index in range(start, start + count))


@pytest.mark.slow
def test_very_long_paragraph_is_laid_out_in_linear_time(ragged_context, tmp_path):
    """reportlab wraps the rest of a paragraph again at every page break (30,000 words took 7 s, 50,000 half a
    minute); the writer lays a long paragraph out in pieces, and its text comes out whole and in order."""
    text = numbered_words(30_000)
    started = time.perf_counter()
    data = write_pdf(Document(metadata(), (para("Awal."), para(text), para("Akhir."))), ragged_context)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"30,000 words took {elapsed:.1f} s"
    expected = ["Awal."] + text.split() + ["Akhir."]
    path = tmp_path / "long.pdf"
    path.write_bytes(data)
    poppler = subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"], capture_output=True,
                             text=True, check=True).stdout
    for extracted in (" ".join(pdf_text(data)), poppler):
        words = [word for word in extracted.split() if word.startswith(("kata", "Awal", "Akhir"))]
        assert words == expected  # no word lost, doubled or joined to its neighbour at a piece's end


@pytest.mark.slow
def test_long_paragraph_pieces_lay_out_as_the_whole_paragraph(context, monkeypatch, tmp_path):
    """The pieces are cut at line ends: every word sits exactly where the unbroken paragraph puts it, with
    inline styles, links and line breaks, in a list, a box and a table cell too."""
    import reports.writers.pdf.writer as pdf_module

    rich = Paragraph((Text(numbered_words(700)), Strong(t(" " + numbered_words(300, 700))), Text(" "),
                      Link("https://example.org/", t(numbered_words(40, 1000))), Text(" "),
                      Emphasis(t(numbered_words(500, 1040))), LineBreak(), Text(numbered_words(600, 1540))))
    table = make_table((TableRow((cell("A"), cell("B"))),), (TableRow((cell("x"), cell(numbered_words(1300)))),),
                       (0.3, 0.7))
    # a forced break (or two) every two or three lines: no piece may start with one
    broken = Paragraph(tuple(inline for start in range(0, 1500, 25)
                             for inline in (Text(numbered_words(25, start)),) + (LineBreak(),) * (1 + start % 2)))
    items = BulletList((ListItem((para(numbered_words(1200)),)), ListItem((para("dua"),))))
    # words of many lengths: lines break differently at widths 1.5 pt apart (a box's text and its figures)
    vocabulary = LOREM.split()
    mixed = [" ".join(vocabulary[(index * stride) % len(vocabulary)] for index in range(1100)) for stride in (8, 14)]
    box = Div("key-facts", tuple(para(text) for text in mixed))
    blocks = (para("Awal."), rich, broken, items, box, table,
              Figure(alt="a", chart=MEMBERSHIP, caption=Caption("figure", t(numbered_words(1000)), "Gambar", 1)),
              para("Akhir."))
    document = Document(metadata(), blocks)
    pieces = write_pdf(document, context)
    monkeypatch.setattr(pdf_module, "paragraph_pieces", lambda paragraph, width, words=500: [paragraph])
    whole = write_pdf(document, context)

    def word_boxes(data: bytes, name: str) -> list[tuple[str, ...]]:
        """Each word with its page and box, to a hundredth of a point (the pieces' heights add up in a
        different order: positions may differ by float rounding, 0.0001 pt)."""
        path = tmp_path / name
        path.write_bytes(data)
        html = subprocess.run([need_tool("pdftotext"), "-bbox", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        boxes, page = [], 0
        for line in html.splitlines():
            if "<page " in line:
                page += 1
            found = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', line)
            if found:
                boxes.append((str(page), found[5]) + tuple(f"{float(value):.2f}" for value in found.groups()[:4]))
        return boxes

    def marked_paragraphs(data: bytes) -> int:
        """Marked-content sequences of paragraphs and captions: one per piece and page."""
        return sum(len(re.findall(rb"/(?:P|Caption) <</MCID", page.get_contents().get_data()))
                   for page in PdfReader(io.BytesIO(data)).pages)

    assert marked_paragraphs(pieces) > marked_paragraphs(whole)  # the long paragraphs were cut
    cut, uncut = word_boxes(pieces, "pieces.pdf"), word_boxes(whole, "whole.pdf")
    moved = next((pair for pair in zip(cut, uncut) if pair[0] != pair[1]), None)
    assert moved is None and len(cut) == len(uncut) > 8500, moved  # no long diff of thousands of words


@pytest.mark.parametrize("where", ["box", "table cell"])
def test_list_cut_inside_a_box_or_cell_keeps_every_line_in_the_frame(context, ragged_context, where, tmp_path):
    """reportlab split cell content at the column width but drew it at the width less the cell padding: the
    part before a page break ran out of the bottom of the cell, over the footer and off the page."""
    text = numbered_words(1500)
    item = BulletList((ListItem((para(text),)), ListItem((para("dua"),))))
    block = (Div("key-facts", (para("Fakta"), item)) if where == "box" else
             make_table((TableRow((cell("A"),)),), (TableRow((TableCell((para("Fakta"), item)),)),)))
    path = tmp_path / "cut.pdf"
    path.write_bytes(write_pdf(Document(metadata(), (block,)), ragged_context))
    write_pdf(Document(metadata(), (block,)), context)  # justified too (no layout error), though not read back
    html = subprocess.run([need_tool("pdftotext"), "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    words = re.findall(r'yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">(kata\d+)<', html)
    assert [word for _, word in words] == text.split()  # each line once, in order: none off the page
    frame_bottom = 842 - ragged_context.theme.margins.bottom * mm  # A4; the footer is below it
    assert max(float(bottom) for bottom, _ in words) <= frame_bottom
