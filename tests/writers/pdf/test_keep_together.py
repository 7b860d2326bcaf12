"""A role the theme keeps together (`keep_together`, Word's "keep lines together") is never split across pages
in the PDF: the paragraph moves to the next page whole, unless it is taller than a page."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle

from reports.writers.pdf.hyphenation import TypesetParagraph

TEXT = " ".join(["A model answer that runs over several lines of the teacher edition."] * 6)


def _paragraph(keep_whole_below: float) -> TypesetParagraph:
    paragraph = TypesetParagraph(TEXT, ParagraphStyle("answer", fontName="Helvetica", fontSize=10, leading=12))
    paragraph.keep_whole_below = keep_whole_below
    return paragraph


def test_a_kept_paragraph_is_not_split_where_it_does_not_fit() -> None:
    _, height = _paragraph(0).wrap(200, 1000)
    assert height > 48  # several lines
    assert len(_paragraph(0).split(200, 30)) == 2  # reportlab's own: two lines here, the rest on the next page
    assert _paragraph(700).split(200, 30) == []  # kept: all of it on the next page


def test_a_kept_paragraph_taller_than_a_page_still_flows_on() -> None:
    assert len(_paragraph(40).split(200, 30)) == 2
