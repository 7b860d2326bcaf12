"""The PDF is laid out once: "page X of Y" is filled in at save, and nothing else moves because of it.

`build_pdf` leaves a placeholder for each footer's texts and fills it in when the total is known (see
`reports/writers/pdf/page.py`). These tests read the result back: every page says its own number and the
real total, the footer's left text is fitted beside that label, the texts are painted inside the footer
artifact, the outline points at the pages (and places) of its headings, and the layout really ran once.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pikepdf
import pytest
from conftest import PROJECT_ROOT, need_tool
from pypdf import PdfReader

from reports.content.validate import check_content
from reports.document.nodes import Document
from reports.pipeline import build_tree, render_context
from reports.writers.base import RenderContext
from reports.writers.pdf import layout as pdf_layout
from reports.writers.pdf.writer import write_pdf

CONTENT = PROJECT_ROOT / "data" / "sco-russia.yaml"
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Line:
    """A line of text as pdftotext finds it; y grows downwards from the top of the page."""

    text: str
    x_min: float
    x_max: float
    y_min: float
    words: tuple[tuple[str, float, float], ...]
    """(word, x_min, x_max)."""


@pytest.fixture(scope="module")
def briefing() -> tuple[Document, RenderContext]:
    built = build_tree(check_content(CONTENT))
    return built.document, render_context(built)


@pytest.fixture(scope="module")
def briefing_pdf(briefing: tuple[Document, RenderContext]) -> bytes:
    return write_pdf(*briefing)


@pytest.fixture(scope="module")
def long_pdf(briefing: tuple[Document, RenderContext]) -> bytes:
    """Ten pages and more (a two-digit total), with a footer text too long to fit beside the label."""
    document, context = briefing
    longer = replace(document, blocks=document.blocks * 3)
    theme = context.theme.model_copy(update={"footer_text": "Bahan ajar kelas XI — " * 8})
    return write_pdf(longer, replace(context, theme=theme))


def page_lines(data: bytes, tmp_path: Path) -> list[list[Line]]:
    """Each page's lines, from `pdftotext -bbox-layout`."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    xhtml = subprocess.run([need_tool("pdftotext"), "-bbox-layout", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout
    pages: list[list[Line]] = []
    for page in ElementTree.fromstring(xhtml).iter(f"{XHTML}page"):
        lines = []
        for line in page.iter(f"{XHTML}line"):
            words = tuple((word.text or "", float(word.get("xMin", 0)), float(word.get("xMax", 0)))
                          for word in line.iter(f"{XHTML}word"))
            lines.append(Line(" ".join(word for word, _, _ in words), float(line.get("xMin", 0)),
                              float(line.get("xMax", 0)), float(line.get("yMin", 0)), words))
        pages.append(lines)
    return pages


def page_texts(data: bytes, tmp_path: Path) -> list[str]:
    """Each page's text in pdftotext's reading order."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    text = subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


# --- the footer -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("which", ["briefing_pdf", "long_pdf"])
def test_every_page_says_its_number_and_the_real_total(which: str, request: pytest.FixtureRequest,
                                                       tmp_path: Path) -> None:
    data: bytes = request.getfixturevalue(which)
    reader = PdfReader(io.BytesIO(data))
    total = len(reader.pages)
    assert total >= (10 if which == "long_pdf" else 2)
    texts = page_texts(data, tmp_path)
    assert len(texts) == total
    for number, (text, page) in enumerate(zip(texts, reader.pages), start=1):
        label = f"Halaman {number} dari {total}"
        # the label is the page's last line in reading order (after the body text, as it was drawn before)
        assert text.split("\n")[-1] == "" and [line for line in text.split("\n") if line][-1].endswith(label)
        assert len(re.findall(r"Halaman \d+ dari \d+", text)) == 1, number  # no other page's label
        assert label in (page.extract_text() or ""), number


def test_footer_text_is_fitted_beside_the_label_with_the_real_total(long_pdf: bytes, tmp_path: Path,
                                                                   briefing: tuple[Document, RenderContext]) -> None:
    size = briefing[1].theme.look("footer").size
    pages = page_lines(long_pdf, tmp_path)
    total = len(pages)
    for number, lines in enumerate(pages, start=1):
        (label,) = [line for line in lines if line.text == f"Halaman {number} dari {total}"]
        # pdftotext reads the two texts as separate lines: the left one is on the label's baseline
        (left,) = [line for line in lines if line is not label and abs(line.y_min - label.y_min) < 0.5]
        assert left.text.startswith("Bahan ajar kelas XI") and left.text.endswith("…")  # shortened to fit
        label_start, left_end = label.x_min, left.x_max
        gap = label_start - left_end
        # `_fit` keeps two font sizes between the texts, plus less than the character it had to drop and the
        # space before it (an em dash is an em wide): a label measured with another total (a digit narrower)
        # would leave less than that
        assert 2 * size - 0.5 <= gap < 3.4 * size, (number, gap)


def test_footer_texts_are_painted_inside_the_footer_artifact(briefing_pdf: bytes) -> None:
    """The texts filled in at save sit where the footer drew them: text painted in the footer artifact,
    no placeholder left behind and nothing drawn through an XObject."""
    pdf = pikepdf.open(io.BytesIO(briefing_pdf))
    for number, page in enumerate(pdf.pages, start=1):
        assert b"reports:page-label" not in page.Contents.read_bytes(), number
        in_footer = False
        footer_operators: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name == "BDC":
                properties: Any = operands[1]
                in_footer = str(operands[0]) == "/Artifact" and str(properties.get("/Subtype")) == "/Footer"
            elif name == "EMC":
                in_footer = False
            elif in_footer:
                footer_operators.append(name)
        assert "S" in footer_operators and "Tj" in footer_operators and "Do" not in footer_operators, number


# --- navigation ---------------------------------------------------------------------------------


def test_outline_points_at_the_page_and_place_of_each_heading(briefing_pdf: bytes, tmp_path: Path) -> None:
    reader = PdfReader(io.BytesIO(briefing_pdf))
    pages = page_lines(briefing_pdf, tmp_path)
    entries: list[Any] = []

    def walk(outline: list[Any]) -> None:
        for entry in outline:
            walk(entry) if isinstance(entry, list) else entries.append(entry)

    walk(reader.outline)
    assert len(entries) >= 8
    numbers = [reader.get_destination_page_number(entry) for entry in entries]
    assert numbers == sorted(numbers) and len(set(numbers)) >= 3  # not every destination on page 1
    for entry, index in zip(entries, numbers):
        height = float(reader.pages[index].mediabox.height)
        top = height - float(entry.top)  # the destination's top, measured down from the top of the page
        starts = [line for line in pages[index]
                  if len(line.text) >= min(len(entry.title), 12)
                  and (entry.title.startswith(line.text) or line.text.startswith(entry.title))]
        # the heading's first line starts just below the destination (it aims 4 pt above the heading)
        assert any(0 <= line.y_min - top <= 30 for line in starts), (entry.title, index + 1, top,
                                                                     [line.y_min for line in starts])


# --- one layout ---------------------------------------------------------------------------------


def test_the_story_is_made_and_laid_out_once(briefing: tuple[Document, RenderContext],
                                             briefing_pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    layouts: list[int] = []
    stories: list[int] = []
    original_build = pdf_layout.BriefingDocTemplate.build
    original_build_pdf = pdf_layout.build_pdf

    def counting_build(self: pdf_layout.BriefingDocTemplate, *args: Any, **kwargs: Any) -> Any:
        layouts.append(1)
        return original_build(self, *args, **kwargs)

    def counting_build_pdf(make_story: Any, *args: Any) -> bytes:
        def counted() -> Any:
            stories.append(1)
            return make_story()
        return original_build_pdf(counted, *args)

    monkeypatch.setattr(pdf_layout.BriefingDocTemplate, "build", counting_build)
    monkeypatch.setattr("reports.writers.pdf.writer.build_pdf", counting_build_pdf)
    data = write_pdf(*briefing)
    assert (len(layouts), len(stories)) == (1, 1)
    assert data == briefing_pdf  # and the same bytes as any other build of the same input


@pytest.mark.slow
def test_a_written_pdf_is_freed_at_once_not_left_for_the_garbage_collector() -> None:
    """reportlab's document template refers to itself, and the structure writer's recursive closure held the
    PDF document: every PDF (its objects, page streams, structure tree and story) stayed in memory until the
    next full collection — a cold build's peak, and a batch worker that kept a canvas per document grew
    +9 % over 100 documents. Nothing of a written PDF may be left to the cyclic collector."""
    import gc

    built = build_tree(check_content(PROJECT_ROOT / "data" / "sco-russia.yaml"))
    context = render_context(built)
    write_pdf(built.document, context)  # charts and fonts set up: what is left after this is the PDF's own
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        write_pdf(built.document, context)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kinds = {type(item).__name__ for item in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert not kinds & {"PDFDocument", "BriefingDocTemplate", "TaggingCanvas", "_LabellingCanvas", "StructElement",
                        "StructureTree", "Paragraph", "PDFStream"}, sorted(kinds)
