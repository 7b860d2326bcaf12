"""Which words the PDF's hyphenation may break (`reports.writers.pdf.hyphenation`)."""

from __future__ import annotations

from reports.writers.pdf.hyphenation import LONGEST_HYPHENATED, hyphenator_for


def test_words_of_running_text_are_broken_in_their_language() -> None:
    breaks = hyphenator_for("id")
    assert breaks is not None
    heads = [head for head, _ in breaks("perekonomian")]
    assert heads and all("perekonomian".startswith(head.rstrip("-")) for head in heads)


def test_acronyms_numbers_and_over_long_words_stay_whole() -> None:
    breaks = hyphenator_for("en")
    assert breaks is not None
    assert list(breaks("NATO")) == [] and list(breaks("2024s")) == []
    # a 'word' longer than a line: reportlab's own splitting keeps it inside the margins (tests/hostile long-words)
    assert list(breaks("gesellschafts" * 4)) == [] and len("gesellschafts" * 4) > LONGEST_HYPHENATED


def test_a_language_without_a_dictionary_is_not_hyphenated() -> None:
    assert hyphenator_for("zz") is None


def test_a_justified_line_that_would_stretch_its_spaces_beyond_an_em_is_set_ragged() -> None:
    import io
    import subprocess

    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate

    from reports.writers.pdf.hyphenation import TypesetParagraph

    style = ParagraphStyle("justified", fontName="Helvetica", fontSize=10, leading=12, alignment=TA_JUSTIFY)
    text = "0 0 çN tΠ sN " + "W" * 18 + " and then a few more words to make a last line."
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, leftMargin=200, rightMargin=200).build([TypesetParagraph(text, style)])
    # pdftotext reads words spread over a whole line as columns, one a line; set ragged, they stay one line
    extracted = subprocess.run(["pdftotext", "-", "-"], input=buffer.getvalue(), capture_output=True).stdout.decode()
    assert "0 0 çN tΠ sN" in extracted
