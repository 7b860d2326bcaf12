"""The worksheet on paper, in both formats: the DOCX as LibreOffice lays it out keeps the PDF's pages (issue 15).

Both editions in both languages. The activities fit on the first two pages of the student sheet and the reading
starts on a page of its own; every heading the students find their way by (levels 1 and 2), every true/false
statement and every discussion question is on the same page in the PDF and in the DOCX; a question is never
parted from its answer space — the ruled lines on the student sheet, the model answer in the teacher edition —
and no page of the teacher edition is near empty. The ruled lines are drawn, not text, so pdfplumber finds them where pdftotext sees nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import as_typeset, libreoffice_pdfs
from handout_fixtures import CONTENT, handouts  # noqa: F401 — both editions in both languages, built once

from reports.content.classroom import Classroom
from reports.content.validate import check_content
from reports.document.nodes import Heading
from reports.document.traversal import plain_text, walk
from reports.language.labels import labels_for
from reports.paths import template_search_path
from reports.pipeline import build_tree

pytestmark = pytest.mark.slow

EDITIONS = [(language, template) for language in CONTENT for template in ("handout", "handout-teacher")]
FOOTER_ZONE = 10.0
"""Points above the page's last line (the footer) where its rule is drawn: not an answer line."""


@dataclass(frozen=True)
class Line:
    top: float
    bottom: float
    text: str


@dataclass(frozen=True)
class Page:
    lines: list[Line]
    rules: list[float]
    """Heights of the long horizontal rules drawn on the page: answer lines, table and footer rules."""

    @property
    def text(self) -> str:
        """The page's lines joined; a line that ends at a word's own hyphen (`masing-` / `masing`) joined whole."""
        return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(line.text for line in self.lines))


def read_pages(pdf: Path) -> list[Page]:
    pdfplumber = pytest.importorskip("pdfplumber")
    pages = []
    with pdfplumber.open(str(pdf)) as document:
        for page in document.pages:
            lines = [Line(line["top"], line["bottom"], " ".join(line["text"].split()))
                     for line in page.extract_text_lines()]
            rules = sorted({round(edge["top"], 1) for edge in page.horizontal_edges
                            if edge["x1"] - edge["x0"] > page.width * 0.4})
            pages.append(Page(lines, rules))
    return pages


@pytest.fixture(scope="module")
def pdf_pages(handouts) -> dict[tuple[str, str], list[Page]]:
    """The PDFs as built: no LibreOffice needed for what this module checks of them."""
    return {edition: read_pages(handouts[edition][".pdf"]) for edition in EDITIONS}


@pytest.fixture(scope="module")
def docx_pages(handouts, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[Page]]:
    """The DOCX files as LibreOffice lays them out (converted to PDF)."""
    documents = [handouts[edition][".docx"] for edition in EDITIONS]
    result = {}
    for edition, docx, from_word in zip(EDITIONS, documents,
                                        libreoffice_pdfs(documents, tmp_path_factory.mktemp("handout-layout"))):
        assert from_word.is_file(), f"LibreOffice did not convert {docx.name}"
        result[edition] = read_pages(from_word)
    return result


@pytest.fixture(params=["PDF", "DOCX"])
def laid_out(request: pytest.FixtureRequest) -> dict[tuple[str, str], list[Page]]:
    """Each edition's pages in one format: the PDF as built, or the DOCX through LibreOffice."""
    return request.getfixturevalue("pdf_pages" if request.param == "PDF" else "docx_pages")


def classroom(language: str) -> Classroom:
    found = check_content(CONTENT[language]).content.classroom
    assert found is not None
    return found


def page_of(pages: list[Page], text: str) -> int:
    """1-based page where `text` first appears, 0 when it does not."""
    return next((number for number, page in enumerate(pages, 1) if text in page.text), 0)


def question_end(pages: list[Page], question: str) -> tuple[int, int]:
    """(page index, line index) of the last line of a question's text."""
    words = question.split()
    for index, page in enumerate(pages):
        for number, line in enumerate(page.lines):
            if " ".join(words[:4]) in line.text:
                last = number
                while last + 1 < len(page.lines) and words[-1] not in page.lines[last].text.split():
                    last += 1
                return index, last
    raise AssertionError(f"question not found: {question[:40]!r}")


@pytest.mark.parametrize(("language", "template"), EDITIONS)
def test_the_docx_keeps_the_pdfs_pages(pdf_pages, docx_pages, language: str, template: str) -> None:
    pages = {"PDF": pdf_pages[(language, template)], "DOCX": docx_pages[(language, template)]}
    assert len(pages["DOCX"]) == len(pages["PDF"])
    document = build_tree(check_content(CONTENT[language]), template, template_search_path()).document
    headings = [" ".join(plain_text(node).split()) for node in walk(document)
                if isinstance(node, Heading) and node.level <= 2]
    questions = [as_typeset(question.question, language)[:40] for question in classroom(language).questions]
    activity = classroom(language).activity
    # the first words only: the rest of a statement's cell comes after the row's boxes in the extracted text
    statements = [" ".join(as_typeset(item.statement, language).split()[:4]) for item in activity.true_false]
    where = {text: (page_of(pages["PDF"], text), page_of(pages["DOCX"], text))
             for text in headings + questions + statements}
    assert [text for text, (pdf_page, _) in where.items() if pdf_page == 0] == []
    assert {text: pair for text, pair in where.items() if pair[0] != pair[1]} == {}
    reading = labels_for(language)["reading"]
    reading_page = next(page for text, (page, _) in where.items() if text.startswith(reading))
    # the student's activities alone fit on two pages; the teacher edition's answers take a third
    assert reading_page == (3 if template == "handout" else 4)
    assert all(where[text][0] < reading_page for text in questions + statements)


@pytest.mark.parametrize("language", CONTENT)
def test_each_question_has_its_ruled_lines_on_its_own_page(laid_out, language: str) -> None:
    pages = laid_out[(language, "handout")]
    for question in classroom(language).questions:
        index, last = question_end(pages, as_typeset(question.question, language))
        page = pages[index]
        below = page.lines[last].bottom
        following = page.lines[last + 1] if last + 1 < len(page.lines) else None
        if following is None or following is page.lines[-1]:  # the footer: its rule is no answer line
            limit = page.lines[-1].top - FOOTER_ZONE
        else:
            limit = following.top
        drawn = [rule for rule in page.rules if below < rule < limit]
        # the samples give `lines`, not `space`
        assert len(drawn) == question.ruled_lines, (question.question[:40], index + 1, drawn)


@pytest.mark.parametrize("language", CONTENT)
def test_each_model_answer_starts_on_its_questions_page(laid_out, language: str) -> None:
    pages = laid_out[(language, "handout-teacher")]
    label = labels_for(language)["answer"]
    for question in classroom(language).questions:
        index, last = question_end(pages, as_typeset(question.question, language))
        page = pages[index]
        assert last + 1 < len(page.lines) - 1, f"{question.question[:40]!r} ends page {index + 1}"
        answer = page.lines[last + 1].text
        assert answer.startswith(f"{label}:"), (question.question[:40], answer)
        assert " ".join(as_typeset(question.answer, language).split()[:3]) in answer


@pytest.mark.parametrize("language", CONTENT)
def test_no_page_of_the_teacher_edition_is_near_empty(laid_out, language: str) -> None:
    for number, page in enumerate(laid_out[(language, "handout-teacher")], 1):
        assert len(page.text) > 400, f"page {number} holds only {page.text!r}"


@pytest.mark.parametrize("language", CONTENT)
def test_no_model_answer_or_marking_guide_is_split_across_pages(laid_out, language: str) -> None:
    """The theme keeps answers and marking guides whole (`keep_together`): Word's "keep lines together", and a
    PDF paragraph that moves to the next page rather than split."""
    pages = laid_out[(language, "handout-teacher")]
    texts = [text for question in classroom(language).questions for text in (question.answer, *question.marking)]
    for text in texts:
        words = as_typeset(text, language).split()
        first = page_of(pages, " ".join(words[:6]))
        assert first, text[:40]
        assert " ".join(words[-6:]) in pages[first - 1].text, (text[:40], first)
