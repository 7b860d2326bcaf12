"""End to end: `reports build` makes a PDF and a DOCX that say the same thing, checked with real readers.

Assertions are on what a reader gets back (text extracted by pdftotext/pypdf and python-docx, styles,
fields, outline, fonts), never on bytes — except the determinism test, whose point is the bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import build_files, libreoffice_pdfs, need_tool
from essay import seed_essay, sentences

from reports.content.validate import check_content
from reports.document import nodes
from reports.document.traversal import plain_text, walk
from reports.language.countries import member_name
from reports.pipeline import build_tree

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "data" / "sco-russia.yaml"
SECOND = ROOT / "tests" / "data" / "african-union.yaml"




@dataclass(frozen=True)
class Built:
    pdf: Path
    docx: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("build")
    written, _ = build_files(CONTENT, out_dir=out)
    by_suffix = {path.suffix: path for path in written}
    return Built(pdf=by_suffix[".pdf"], docx=by_suffix[".docx"])


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def pdf_pages(path: Path) -> list[str]:
    need_tool("pdftotext")
    output = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return output.stdout.split("\f")


def pdf_body_text(path: Path, running_header: str) -> str:
    """All page text minus the running header and footer, which interrupt sentences at page breaks."""
    kept: list[str] = []
    for page in pdf_pages(path):
        first = True
        for line in page.splitlines():
            stripped = line.strip()
            if not stripped or stripped == running_header or re.fullmatch(r"(Halaman|Page) \d+ (dari|of) \d+", stripped):
                continue
            if first and kept and re.search(r"[a-z]-$", kept[-1]) and stripped[:1].islower():
                # pdftotext joins a word hyphenated at a line's end, but not across pages: the layout may break
                # a word at a page's last line, and a reader reads it whole
                kept[-1] = kept[-1][:-1] + stripped
            else:
                kept.append(stripped)
            first = False
    return _normalise(" ".join(kept))


def docx_paragraph_texts(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph, table cells included, in document order."""
    import docx

    document = docx.Document(str(path))
    found: list[tuple[str, str]] = []

    def visit(container: object) -> None:
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        for block in container.iter_inner_content():  # type: ignore[attr-defined]
            if isinstance(block, Paragraph):
                found.append((block.style.name if block.style is not None else "", block.text))
            elif isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        visit(cell)

    visit(document)
    return found


def docx_text(path: Path) -> str:
    return _normalise(" ".join(text for _, text in docx_paragraph_texts(path)))


def test_every_sentence_of_the_essay_is_in_both_outputs(built: Built) -> None:
    seed_text = seed_essay()
    title = check_content(CONTENT).content.document.title
    pdf_text = pdf_body_text(built.pdf, title)
    word_text = docx_text(built.docx)
    missing_pdf = [sentence for sentence in sentences(seed_text) if _normalise(sentence) not in pdf_text]
    missing_docx = [sentence for sentence in sentences(seed_text) if _normalise(sentence) not in word_text]
    assert not missing_pdf, f"{len(missing_pdf)} sentences missing from the PDF, e.g. {missing_pdf[:2]}"
    assert not missing_docx, f"{len(missing_docx)} sentences missing from the DOCX, e.g. {missing_docx[:2]}"


def _sector_table_rows_docx(path: Path) -> list[list[str]]:
    import docx

    document = docx.Document(str(path))
    tables = [table for table in document.tables if table.style is not None and table.style.name == "Briefing Table"]
    assert len(tables) == 1
    return [[_normalise(cell.text) for cell in row.cells] for row in tables[0].rows]


def test_interest_table_has_one_row_per_sector_with_the_same_cells_in_both(built: Built) -> None:
    content = check_content(CONTENT).content
    rows = _sector_table_rows_docx(built.docx)
    header, body = rows[0], rows[1:]
    assert header == ["Sektor", "Tujuan", "Instrumen di organisasi", "Bukti dalam esai"]
    assert [row[0] for row in body] == [interest.sector for interest in content.actor.interests]
    pdf_text = pdf_body_text(built.pdf, content.document.title)
    for interest, row in zip(content.actor.interests, body):
        assert row[1] == _normalise(interest.goal)
        for instrument in interest.instruments:
            assert _normalise(instrument) in row[2]
            assert _normalise(instrument) in pdf_text
        for evidence in interest.evidence:
            assert _normalise(evidence.text) in row[3]
            assert _normalise(evidence.text) in pdf_text


def test_chart_country_names_are_vector_text_in_the_pdf(built: Built) -> None:
    content = check_content(CONTENT).content
    pdf_text = pdf_body_text(built.pdf, content.document.title)
    language = content.document.language
    for category in content.organisation.membership:
        for member in category.members:
            assert member_name(member, language) in pdf_text
    need_tool("pdfimages")
    images = subprocess.run(["pdfimages", "-list", str(built.pdf)], capture_output=True, text=True, check=True)
    assert len(images.stdout.strip().splitlines()) <= 2, "charts must be vector, not raster images"


def test_docx_pictures_have_alt_text(built: Built) -> None:
    with zipfile.ZipFile(built.docx) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', body)
    assert descriptions, "the DOCX holds the charts"
    assert all(description.strip() for description in descriptions)
    assert any("Kirgizstan" in description for description in descriptions)


def test_captions_are_numbered_identically(built: Built) -> None:
    content = check_content(CONTENT).content
    document = build_tree(check_content(CONTENT)).document
    expected = [
        f"{caption.label} {caption.number}" for caption in walk(document) if isinstance(caption, nodes.Caption)
    ]
    assert expected == ["Gambar 1", "Tabel 1", "Gambar 2"]
    docx_captions = [text for style, text in docx_paragraph_texts(built.docx) if style == "Caption"]
    pdf_text = pdf_body_text(built.pdf, content.document.title)
    for label in expected:
        assert any(text.startswith(label) for text in docx_captions), (label, docx_captions)
        assert label in pdf_text


def test_headings_use_word_heading_styles(built: Built) -> None:
    document = build_tree(check_content(CONTENT)).document
    headings = [(node.level, plain_text(node)) for node in walk(document) if isinstance(node, nodes.Heading)]
    styled = [(style, text) for style, text in docx_paragraph_texts(built.docx) if style.startswith("Heading")]
    assert styled == [(f"Heading {level}", text) for level, text in headings]


def test_pdf_passes_qpdf_and_embeds_every_font(built: Built) -> None:
    subprocess.run([need_tool("qpdf"), "--check", str(built.pdf)], check=True, capture_output=True)
    fonts = subprocess.run([need_tool("pdffonts"), str(built.pdf)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        columns = row.split()
        assert columns[-5] == "yes", f"font not embedded: {row}"
        assert "Helvetica" not in row and "ZapfDingbats" not in row


def test_pdf_has_metadata_and_outline(built: Built) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(built.pdf))
    content = check_content(CONTENT).content
    assert reader.metadata is not None and reader.metadata.title == content.document.title
    assert reader.metadata.author == content.document.author
    assert reader.trailer["/Root"].get("/Lang") == "id"
    outline_titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Ringkasan Eksekutif" in outline_titles
    assert "Halaman 1 dari" in (reader.pages[0].extract_text() or "")


@pytest.mark.slow
def test_libreoffice_opens_the_docx_with_the_same_headings(built: Built, tmp_path: Path) -> None:
    converted, = libreoffice_pdfs([built.docx], tmp_path, timeout=240)
    assert converted.is_file(), "LibreOffice could not convert the DOCX"
    text = _normalise(" ".join(pdf_pages(converted)))
    for style, heading in docx_paragraph_texts(built.docx):
        if style.startswith("Heading"):
            assert _normalise(heading) in text


def test_second_content_file_builds_with_the_same_template(tmp_path: Path) -> None:
    written, _ = build_files(SECOND, out_dir=tmp_path)
    assert sorted(path.name for path in written) == ["african-union-briefing.docx", "african-union-briefing.pdf"]
    text = docx_text(tmp_path / "african-union-briefing.docx")
    content = check_content(SECOND).content
    assert "Executive Summary" in text and "Figure 1" in text
    for category in content.organisation.membership:
        assert _normalise(category.label) in text


@pytest.mark.slow
def test_same_input_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    build_files(CONTENT, out_dir=first)
    build_files(CONTENT, out_dir=second)
    for name in ("sco-russia-briefing.pdf", "sco-russia-briefing.docx"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.slow
def test_cli_build_with_no_arguments_writes_the_default_briefing(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-m", "reports.cli", "build", "--format", "pdf", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "sco-russia-briefing.pdf").is_file()
    assert not list((tmp_path / "out").glob("*.part")), "no temporary files left behind"
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_build_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    content = tmp_path / "sco-russia.yaml"
    content.write_bytes(CONTENT.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    other_input = out / "sco-russia-briefing.pdf"  # another input of the same run, named like an output
    other_input.write_bytes(CONTENT.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "reports.cli", "build", str(content), str(other_input), "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert "overwrite the input" in result.stderr
    assert other_input.read_bytes() == CONTENT.read_bytes(), "the input was not touched"
    assert (out / "sco-russia-briefing-briefing.docx").is_file(), "the other file of the batch still built"


def test_unknown_format_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reports.cli", "build", "--format", "odt", "--out", "/nonexistent-never-written"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "unknown format" in result.stderr and "Traceback" not in result.stderr


def test_read_only_output_folder_is_an_output_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    result = subprocess.run(
        [sys.executable, "-m", "reports.cli", "build", "--format", "pdf", "--out", str(folder)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 7, result.stderr
