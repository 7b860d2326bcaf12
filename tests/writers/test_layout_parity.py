"""The DOCX as LibreOffice lays it out keeps the PDF's pages: page 1 holds the summary, the key facts and the
membership chart's caption in both, the DOCX runs to the same number of pages or one more, and every Heading 1
starts on the same page. Word's and reportlab's line breaking differ, so the shared type scale, measure and
keep-with-next settings are what keep them in step — this test notices when they drift."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, build_files, libreoffice_pdfs, need_tool

from reports.content.validate import check_content
from reports.document.nodes import Heading
from reports.document.traversal import plain_text, walk
from reports.language.labels import labels_for
from reports.paths import template_search_path
from reports.pipeline import build_tree

pytestmark = pytest.mark.slow

CONTENTS = {
    "sco-russia (id)": PROJECT_ROOT / "data" / "sco-russia.yaml",
    "sco-russia (en)": PROJECT_ROOT / "data" / "sco-russia.en.yaml",
    "african-union": PROJECT_ROOT / "tests" / "data" / "african-union.yaml",
}


@dataclass(frozen=True)
class Pages:
    pdf: list[str]
    docx: list[str]
    headings: list[str]
    must_open: list[str]
    """What page 1 holds: the summary's and key facts' titles, the membership chart's caption label."""


def pages_of(pdf: Path) -> list[str]:
    """Each page's text, whitespace folded (pdftotext joins words hyphenated at line ends)."""
    pdftotext = need_tool("pdftotext")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pages]:
    out = tmp_path_factory.mktemp("parity")
    built: dict[str, tuple[Path, Path]] = {}
    for name, content in CONTENTS.items():
        written, _ = build_files(content, "briefing", ("pdf", "docx"), out / name.split()[0] / name.split()[-1])
        pdf, docx = sorted(written, key=lambda path: path.suffix != ".pdf")
        built[name] = (pdf, docx)
    converted = dict(zip(built, libreoffice_pdfs([docx for _, docx in built.values()], out / "libreoffice")))
    result = {}
    for name, (pdf, docx) in built.items():
        from_word = converted[name]
        assert from_word.is_file(), f"LibreOffice did not convert {docx.name}"
        checked = check_content(CONTENTS[name])
        document = build_tree(checked, "briefing", template_search_path()).document
        labels = labels_for(checked.content.document.language)
        headings = [" ".join(plain_text(node).split()) for node in walk(document)
                    if isinstance(node, Heading) and node.level == 1]
        result[name] = Pages(pages_of(pdf), pages_of(from_word), headings,
                             [labels["executive_summary"], labels["key_facts"], f"{labels['figure']} 1."])
    return result


def page_of(pages: list[str], text: str) -> int:
    """1-based page where `text` first appears."""
    return next((number for number, page in enumerate(pages, 1) if text in page), 0)


@pytest.mark.parametrize("name", CONTENTS)
def test_page_one_holds_the_summary_key_facts_and_the_membership_chart_in_both(laid_out: dict[str, Pages],
                                                                             name: str) -> None:
    pages = laid_out[name]
    for text in pages.must_open:
        assert text in pages.pdf[0], f"PDF page 1 lacks {text!r}"
        assert text in pages.docx[0], f"DOCX page 1 (LibreOffice) lacks {text!r}"


@pytest.mark.parametrize("name", CONTENTS)
def test_the_docx_runs_to_the_same_pages_or_one_more(laid_out: dict[str, Pages], name: str) -> None:
    pages = laid_out[name]
    assert len(pages.docx) in (len(pages.pdf), len(pages.pdf) + 1), (len(pages.pdf), len(pages.docx))


@pytest.mark.parametrize("name", CONTENTS)
def test_every_heading_1_starts_on_the_same_page(laid_out: dict[str, Pages], name: str) -> None:
    pages = laid_out[name]
    assert len(pages.headings) >= 4
    where = {heading: (page_of(pages.pdf, heading), page_of(pages.docx, heading)) for heading in pages.headings}
    assert all(pdf_page > 0 for pdf_page, _ in where.values()), where
    assert {heading: pair for heading, pair in where.items() if pair[0] != pair[1]} == {}
