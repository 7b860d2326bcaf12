"""The page around the text: the band on page 1, the running header, the "page X of Y" footer.

The footer's "page X of Y" needs the total page count before any page is finished. `layout.build_pdf` lays the
story out once: each page's footer leaves a placeholder line (a PDF comment) where its texts go, and when
the canvas is saved — the last page known — the placeholders are replaced by the text objects, measured
with the real total (the label is right-aligned and leaves the rest of the line to the footer's left text).
The page streams are still uncompressed text then, and nothing else on a page depends on the total.

Laying the story out twice (count the pages, then draw) cost nearly half of the PDF writer's time. Two
other ways were tried: reportlab's "NumberedCanvas" recipe, which defers whole pages to `save()`, breaks
bookmarks (every destination points at page 1); a Form XObject per page's label (`doForm` while laying
out, `beginForm`/`endForm` at save) works too, but adds an object per page and a `Do` to every footer,
which code reading the page streams takes for an image (a tagged-PDF test does). Filled-in placeholders
give the page streams drawing the footer directly gave.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfdoc import PDFPage
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import BaseDocTemplate

from reports.writers.pdf.fallback import FallbackFonts
from reports.writers.pdf.structure import FOOTER, HEADER
from reports.writers.pdf.styles import PdfStyles, face_of
from reports.writers.pdf.tagging import artifact
from reports.writers.pdf.tagging_canvas import TaggingCanvas
from reports.writers.pdf.xmp import add_xmp_metadata


@dataclass(frozen=True)
class PageTexts:
    """Texts drawn on every page, outside the text frame."""

    header_left: str
    header_right: str
    footer_left: str
    page_label: str
    """Pattern with `{page}` and `{total}`."""


def pdf_date(timestamp: dt.datetime) -> str:
    """`D:YYYYMMDDHHmmSS+00'00'` in UTC (a naive timestamp is taken as UTC)."""
    if timestamp.tzinfo is not None:
        timestamp = timestamp.astimezone(dt.timezone.utc)
    return timestamp.strftime("D:%Y%m%d%H%M%S+00'00'")


def _width(text: str, font: str, size: float, fallback: FallbackFonts | None) -> float:
    return fallback.width(text, font, size) if fallback is not None else stringWidth(text, font, size)


def _fit(text: str, font: str, size: float, width: float, fallback: FallbackFonts | None = None) -> str:
    """The text, shortened with an ellipsis to fit the width (running headers are single lines)."""
    if _width(text, font, size, fallback) <= width:
        return text
    while text and _width(text + "…", font, size, fallback) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _draw(canvas: Canvas, x: float, y: float, text: str, font: str, size: float, fallback: FallbackFonts | None) -> None:
    """`drawString`, with the runs of characters the font lacks in their fallback font."""
    runs = fallback.canvas_runs(text, font) if fallback is not None else [(font, text)]
    if len(runs) <= 1:  # one font: as drawString always drew it
        canvas.setFont(runs[0][0] if runs else font, size)
        canvas.drawString(x, y, text)
        return
    text_object = canvas.beginText(x, y)
    for name, run in runs:
        text_object.setFont(name, size)
        text_object.textOut(run)
    canvas.drawText(text_object)


class PageDecorator:
    """Draws the running header (pages after the first) and the footer (every page), as artifacts.

    The footer's texts are left as a placeholder while the page is laid out and filled in by
    `fill_in_labels` once the total is known.
    """

    def __init__(self, styles: PdfStyles, texts: PageTexts) -> None:
        self.styles = styles
        self.texts = texts
        self.theme = styles.theme
        self.fallback = styles.fonts.fallback
        """Sets the characters of the running texts the heading font lacks."""
        self._labelled: list[int] = []
        self._token = secrets.token_hex(8)
        """Numbers of the pages whose footer has a placeholder for its texts, in page order."""

    def first_page(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        canvas.showOutline()
        with artifact(canvas, HEADER):
            self._top_band(canvas)
        with artifact(canvas, FOOTER):
            self._footer(canvas, document.page)

    def later_page(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        with artifact(canvas, HEADER):
            self._header(canvas)
        with artifact(canvas, FOOTER):
            self._footer(canvas, document.page)

    def _top_band(self, canvas: Canvas) -> None:
        """A band of the primary colour across the top of page 1, the publication's signature."""
        styles = self.styles
        page_width, page_height = styles.page_size
        top, _, _, left = styles.margins
        canvas.saveState()
        canvas.setFillColor(styles.palette.primary)
        canvas.rect(0, page_height - top * 0.42, page_width, top * 0.42, stroke=0, fill=1)
        canvas.setFillColor(styles.palette.accent)
        canvas.rect(0, page_height - top * 0.42 - 2.2, page_width, 2.2, stroke=0, fill=1)
        if self.texts.header_right:
            font, size = styles.fonts.heading.bold, styles.font_size * 0.8
            canvas.setFillColor(styles.palette.table_header_text)
            _draw(canvas, left, page_height - top * 0.42 + (top * 0.42 - size) / 2 + 1.5,
                  _fit(self.texts.header_right, font, size, styles.frame_width, self.fallback), font, size,
                  self.fallback)
        canvas.restoreState()

    def _header(self, canvas: Canvas) -> None:
        styles, look = self.styles, self.theme.look("header")
        page_width, page_height = styles.page_size
        top, right, _, left = styles.margins
        font, size = face_of(styles.fonts, look), look.size
        baseline = page_height - top + size * 2.2
        canvas.saveState()
        canvas.setFillColor(HexColor(look.colour))
        right_text = self.texts.header_right
        right_width = _width(right_text, font, size, self.fallback) if right_text else 0.0
        if right_text:
            _draw(canvas, page_width - right - right_width, baseline, right_text, font, size, self.fallback)
        gap = size * 2 if right_text else 0.0
        _draw(canvas, left, baseline, _fit(self.texts.header_left, font, size, styles.frame_width - right_width - gap,
                                           self.fallback), font, size, self.fallback)
        if look.rule_below is not None:
            rule = look.rule_below
            canvas.setStrokeColor(HexColor(rule.colour))
            canvas.setLineWidth(rule.width)
            rule_y = baseline - size * 0.25 - rule.gap
            canvas.line(left, rule_y, page_width - right, rule_y)
        canvas.restoreState()

    def _footer_baseline(self) -> tuple[str, float, float]:
        """Font, size and baseline of the footer texts."""
        styles, look = self.styles, self.theme.look("footer")
        size = look.size
        return face_of(styles.fonts, look), size, styles.margins[2] - size * 3.0

    def _footer(self, canvas: Canvas, page: int) -> None:
        styles, look = self.styles, self.theme.look("footer")
        page_width, _ = styles.page_size
        _, right, _, left = styles.margins
        _, size, baseline = self._footer_baseline()
        canvas.saveState()
        if look.rule_above is not None:
            rule = look.rule_above
            canvas.setStrokeColor(HexColor(rule.colour))
            canvas.setLineWidth(rule.width)
            rule_y = baseline + size * 0.75 + rule.gap
            canvas.line(left, rule_y, page_width - right, rule_y)
        canvas.setFillColor(HexColor(look.colour))
        # the texts need the total page count, not known yet: `fill_in_labels` replaces this line at save
        canvas.addLiteral(self._placeholder(page))
        self._labelled.append(page)
        canvas.restoreState()

    def fill_in_labels(self, canvas: Canvas, pages: list[PDFPage]) -> None:
        """Replace each footer's placeholder with its texts: "page X of Y" and the footer's left text.

        Called when the last page is finished and before the file is written. `pages` are the document's
        pages in order; their streams are still the text of their operators.
        """
        if not self._labelled:
            return
        total = self._labelled[-1]  # every page is labelled, in order: the last one's number is the count
        for number in self._labelled:
            placeholder = self._placeholder(number)
            page = pages[number - 1] if number <= len(pages) else None
            if page is None or not isinstance(page.stream, str) or page.stream.count(placeholder) != 1:
                raise RuntimeError(f"the footer of page {number} was not found in its page stream")
            page.stream = page.stream.replace(placeholder, self._footer_texts(canvas, number, total))

    def _placeholder(self, page: int) -> str:
        """A line of a page stream only the footer writes: a PDF comment, harmless should it ever stay. A
        random token per document (it never reaches the file) so no text of the content can look like it."""
        return f"%reports-page-label-{self._token}-{page}"

    def _footer_texts(self, canvas: Canvas, page: int, total: int) -> str:
        """The text objects of a page's footer (the fill colour is set around them, on the page)."""
        styles = self.styles
        page_width, _ = styles.page_size
        _, right, _, left = styles.margins
        font, size, baseline = self._footer_baseline()
        label = self.texts.page_label.format(page=page, total=total)
        label_width = _width(label, font, size, self.fallback)
        code = [_text_code(canvas, page_width - right - label_width, baseline, label, font, size, self.fallback)]
        if self.texts.footer_left:
            code.append(_text_code(canvas, left, baseline, _fit(self.texts.footer_left, font, size,
                                                                styles.frame_width - label_width - size * 2,
                                                                self.fallback), font, size, self.fallback))
        return "\n".join(code)




def _text_code(canvas: Canvas, x: float, y: float, text: str, font: str, size: float,
               fallback: FallbackFonts | None = None) -> str:
    """`BT … ET` drawing one line of text, as `drawString` would (fonts are the only resource it needs,
    and they are the document's, so the code can go into any page's stream)."""
    text_object = PDFTextObject(canvas, x, y)  # not the canvas's own: no word space added at the line end
    if fallback is not None:
        fallback.text_out(text_object, text, font, size)
    else:
        text_object.setFont(font, size)
        text_object.textOut(text)
    return str(text_object.getCode())


class LabellingCanvas(TaggingCanvas):
    """A tagging canvas that fills in the footers' page labels when it is saved, once the total is known, and
    writes the XMP metadata (`xmp`): a document's canvas."""

    def __init__(self, *args: Any, labels: PageDecorator, language: str, timestamp: dt.datetime,
                 **kwargs: Any) -> None:
        self._labels = labels
        self._language = language
        self._timestamp = timestamp
        super().__init__(*args, **kwargs)

    def save(self) -> None:
        # reportlab's document template saves the canvas right after finishing the last page; the labels
        # must be in the page streams before the file is written, and their text drawn before the fonts
        # are subset (both happen when the document is formatted)
        if len(self._code):
            self.showPage()
        self._labels.fill_in_labels(self, list(self._doc.Pages.pages))
        add_xmp_metadata(self._doc, self._language, self._timestamp)
        super().save()
