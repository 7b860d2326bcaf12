"""The page around the text: document template, running header, "page X of Y" footer, outline, metadata.

The footer needs the total page count before any page is finished, so `build_pdf` lays the story out
twice: the first pass only counts pages, the second draws the footers with the real total. (The
"NumberedCanvas" recipe that defers pages to `save()` breaks bookmarks: every destination then points
at page 1.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Callable

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError as ReportlabLayoutError

from reports.errors import Diagnostic, LayoutError
from reports.nodes import Metadata
from reports.writers.pdf_flowables import describe
from reports.writers.pdf_styles import PdfStyles
from reports.writers.pdf_tagging import FOOTER, HEADER, StructureTree, TaggingCanvas, artifact


@dataclass(frozen=True)
class PageTexts:
    """Texts drawn on every page, outside the text frame."""

    header_left: str
    header_right: str
    footer_left: str
    page_label: str
    """Pattern with `{page}` and `{total}`."""


@dataclass(frozen=True)
class TaggedStory:
    """The flowables of one layout pass and the structure tree their tagged leaves belong to."""

    flowables: list[Flowable]
    structure: StructureTree


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    key: str
    level: int
    """0-based outline level."""


def pdf_date(timestamp: dt.datetime) -> str:
    """`D:YYYYMMDDHHmmSS+00'00'` in UTC (a naive timestamp is taken as UTC)."""
    if timestamp.tzinfo is not None:
        timestamp = timestamp.astimezone(dt.timezone.utc)
    return timestamp.strftime("D:%Y%m%d%H%M%S+00'00'")


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text, shortened with an ellipsis to fit the width (running headers are single lines)."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class PageDecorator:
    """Draws the running header (pages after the first) and the footer (every page), as artifacts."""

    def __init__(self, styles: PdfStyles, texts: PageTexts, total_pages: int | None) -> None:
        self.styles = styles
        self.texts = texts
        self.total_pages = total_pages

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
            canvas.setFont(font, size)
            canvas.setFillColor(styles.palette.table_header_text)
            canvas.drawString(left, page_height - top * 0.42 + (top * 0.42 - size) / 2 + 1.5,
                              _fit(self.texts.header_right, font, size, styles.frame_width))
        canvas.restoreState()

    def _header(self, canvas: Canvas) -> None:
        styles = self.styles
        page_width, page_height = styles.page_size
        top, right, _, left = styles.margins
        font, size = styles.fonts.heading.regular, styles.font_size * 0.78
        baseline = page_height - top + size * 2.2
        canvas.saveState()
        canvas.setFillColor(styles.palette.muted)
        right_text = self.texts.header_right
        right_width = stringWidth(right_text, font, size) if right_text else 0.0
        if right_text:
            canvas.setFont(font, size)
            canvas.drawRightString(page_width - right, baseline, right_text)
        canvas.setFont(font, size)
        gap = size * 2 if right_text else 0.0
        canvas.drawString(left, baseline, _fit(self.texts.header_left, font, size,
                                               styles.frame_width - right_width - gap))
        canvas.setStrokeColor(styles.palette.rule)
        canvas.setLineWidth(0.5)
        rule_y = baseline - size * 0.75
        canvas.line(left, rule_y, page_width - right, rule_y)
        canvas.restoreState()

    def _footer(self, canvas: Canvas, page: int) -> None:
        styles = self.styles
        page_width, _ = styles.page_size
        _, right, bottom, left = styles.margins
        font, size = styles.fonts.heading.regular, styles.font_size * 0.78
        baseline = bottom - size * 3.0
        total = self.total_pages if self.total_pages is not None else page
        label = self.texts.page_label.format(page=page, total=total)
        canvas.saveState()
        canvas.setStrokeColor(styles.palette.rule)
        canvas.setLineWidth(0.5)
        canvas.line(left, baseline + size * 1.5, page_width - right, baseline + size * 1.5)
        canvas.setFillColor(styles.palette.muted)
        canvas.setFont(font, size)
        canvas.drawRightString(page_width - right, baseline, label)
        if self.texts.footer_left:
            label_width = stringWidth(label, font, size)
            canvas.drawString(left, baseline, _fit(self.texts.footer_left, font, size,
                                                   styles.frame_width - label_width - size * 2))
        canvas.restoreState()


class BriefingDocTemplate(BaseDocTemplate):
    """Adds outline entries after headings and turns reportlab layout failures into located errors."""

    def __init__(self, target: io.BytesIO, **options: object) -> None:
        super().__init__(target, **options)
        self._outline_level = -1
        self._flowable_in_hand: Flowable | None = None

    def afterFlowable(self, flowable: Flowable) -> None:
        entry: OutlineEntry | None = getattr(flowable, "outline_entry", None)
        if entry is None:
            return
        level = min(entry.level, self._outline_level + 1)  # PDF outlines cannot skip levels
        self._outline_level = level
        frame = self.frame
        # frame._y is now the heading's bottom; aim a little above its top so viewers show it whole
        top = frame._y + getattr(flowable, "height", 0) + 4
        self.canv.bookmarkPage(entry.key, fit="XYZ", left=frame._x1, top=top)
        self.canv.addOutlineEntry(entry.title, entry.key, level=level, closed=False)

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        in_hand = flowables[0] if flowables else None
        try:
            super().handle_flowable(flowables)
        except ReportlabLayoutError:
            what = describe(in_hand) if in_hand is not None else "a block"
            raise LayoutError([Diagnostic(
                f"{what} does not fit on a page (page {self.page}) — shorten it, split it into smaller blocks, "
                f"or make the figure or table narrower")]) from None


@dataclass(frozen=True)
class PdfInfo:
    metadata: Metadata
    timestamp: dt.datetime


def build_pdf(make_story: Callable[[], TaggedStory | list[Flowable]], styles: PdfStyles, texts: PageTexts,
              info: PdfInfo) -> bytes:
    """Lay out the story twice (count pages, then draw "page X of Y") and return the PDF bytes.

    A story given as a bare list of flowables has no structure of its own: only its artifacts are tagged.
    """
    pages = _build_once(_tagged(make_story()), styles, texts, info, total_pages=None)[1]
    return _build_once(_tagged(make_story()), styles, texts, info, total_pages=pages)[0]


def _tagged(story: TaggedStory | list[Flowable]) -> TaggedStory:
    return story if isinstance(story, TaggedStory) else TaggedStory(list(story), StructureTree())


def _build_once(story: TaggedStory, styles: PdfStyles, texts: PageTexts, info: PdfInfo,
                total_pages: int | None) -> tuple[bytes, int]:
    top, right, bottom, left = styles.margins
    page_width, page_height = styles.page_size
    decorator = PageDecorator(styles, texts, total_pages)
    frame_options = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    first_frame = Frame(left, bottom, styles.frame_width, styles.frame_height, id="first", **frame_options)
    later_frame = Frame(left, bottom, styles.frame_width, styles.frame_height, id="later", **frame_options)
    metadata = info.metadata
    target = io.BytesIO()
    document = BriefingDocTemplate(
        target,
        pagesize=styles.page_size,
        leftMargin=left, rightMargin=right, topMargin=top, bottomMargin=bottom,
        title=metadata.title,
        author=metadata.author,
        subject=metadata.subject,
        keywords=list(metadata.keywords),
        creator="reports",
        lang=metadata.language,
        displayDocTitle=True,
        invariant=1,
        initialFontName=styles.fonts.body.regular,
        initialFontSize=styles.font_size,
        initialLeading=styles.leading,
        pageTemplates=[
            PageTemplate(id="first", frames=[first_frame], onPage=decorator.first_page, autoNextPageTemplate="later",
                         pagesize=styles.page_size),
            PageTemplate(id="later", frames=[later_frame], onPage=decorator.later_page, pagesize=styles.page_size),
        ],
    )
    date = pdf_date(info.timestamp)

    def make_canvas(*args: object, **kwargs: object) -> Canvas:
        canvas = TaggingCanvas(*args, structure=story.structure, **kwargs)
        canvas.setDateFormatter(lambda *_: date)
        # the file /ID is a digest seeded with reportlab's clock (or SOURCE_DATE_EPOCH): seed it with the
        # context's timestamp instead, so the bytes depend on the input alone
        signature = hashlib.md5(b"reports " + date.encode(), usedforsecurity=False)
        canvas._doc.signature = signature
        return canvas

    document.build(story.flowables, canvasmaker=make_canvas)
    return target.getvalue(), document.page
