"""The page around the text: document template, running header, "page X of Y" footer, outline, metadata.

The footer's "page X of Y" needs the total page count before any page is finished. `build_pdf` lays the
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
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

from reportlab.pdfbase.pdfdoc import PDFPage
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError as ReportlabLayoutError

from reports.errors import Diagnostic, LayoutError
from reports.document.nodes import Metadata
from reports.writers.pdf.flowables import describe
from reports.writers.pdf.styles import PdfStyles
from reports.writers.pdf.tagging import FOOTER, HEADER, StructureTree, TaggingCanvas, artifact


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


@dataclass
class PagePlan:
    """What was drawn on one page, in drawing order: the page template it used, and events —
    `("draw", flowable, frame, x, y, spare_width)` and `("outline", key, left, top, title, level)`."""

    template_id: str
    events: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class LayoutPlan:
    """A finished layout, kept so the same flowables can be drawn again on a new canvas (`replay_pdf`).

    reportlab decides page breaks and positions while it draws; recording the outcome lets a document whose
    flowables did not change size — a roster row where only a name differs (`reports.runtime.merge`) — skip every
    decision and only draw.
    """

    pages: list[PagePlan] = field(default_factory=list)
    tagged: list[Any] = field(default_factory=list)
    """The `Tagged` flowables drawn, whose "already drawn" mark is cleared before each replay."""

    # A log, not a value: reportlab deep-copies the current frame (which holds the plan) whenever it measures
    # a group of flowables (`_listWrapOn`); a copied plan would copy every flowable recorded so far.
    def __deepcopy__(self, memo: dict[int, Any]) -> LayoutPlan:
        return self


class ReplayMismatch(RuntimeError):
    """Drawing a recorded layout again did not take the course it took (`replay_pdf`)."""


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
    """Draws the running header (pages after the first) and the footer (every page), as artifacts.

    The footer's texts are left as a placeholder while the page is laid out and filled in by
    `fill_in_labels` once the total is known.
    """

    def __init__(self, styles: PdfStyles, texts: PageTexts) -> None:
        self.styles = styles
        self.texts = texts
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

    def _footer_baseline(self) -> tuple[str, float, float]:
        """Font, size and baseline of the footer texts."""
        styles = self.styles
        size = styles.font_size * 0.78
        return styles.fonts.heading.regular, size, styles.margins[2] - size * 3.0

    def _footer(self, canvas: Canvas, page: int) -> None:
        styles = self.styles
        page_width, _ = styles.page_size
        _, right, _, left = styles.margins
        _, size, baseline = self._footer_baseline()
        canvas.saveState()
        canvas.setStrokeColor(styles.palette.rule)
        canvas.setLineWidth(0.5)
        canvas.line(left, baseline + size * 1.5, page_width - right, baseline + size * 1.5)
        canvas.setFillColor(styles.palette.muted)
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
        label_width = stringWidth(label, font, size)
        code = [_text_code(canvas, page_width - right - label_width, baseline, label, font, size)]
        if self.texts.footer_left:
            code.append(_text_code(canvas, left, baseline, _fit(self.texts.footer_left, font, size,
                                                                styles.frame_width - label_width - size * 2),
                                   font, size))
        return "\n".join(code)




def _text_code(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> str:
    """`BT … ET` drawing one line of text, as `drawString` would (fonts are the only resource it needs,
    and they are the document's, so the code can go into any page's stream)."""
    text_object = PDFTextObject(canvas, x, y)  # not the canvas's own: no word space added at the line end
    text_object.setFont(font, size)
    text_object.textOut(text)
    return str(text_object.getCode())


class _LabellingCanvas(TaggingCanvas):
    """A tagging canvas that fills in the footers' page labels when it is saved, once the total is known."""

    def __init__(self, *args: Any, labels: PageDecorator, **kwargs: Any) -> None:
        self._labels = labels
        super().__init__(*args, **kwargs)

    def save(self) -> None:
        # reportlab's document template saves the canvas right after finishing the last page; the labels
        # must be in the page streams before the file is written, and their text drawn before the fonts
        # are subset (both happen when the document is formatted)
        if len(self._code):
            self.showPage()
        self._labels.fill_in_labels(self, list(self._doc.Pages.pages))
        super().save()


class BriefingDocTemplate(BaseDocTemplate):
    """Adds outline entries after headings and turns reportlab layout failures into located errors."""

    def __init__(self, target: io.BytesIO, plan: LayoutPlan | None = None, **options: object) -> None:
        super().__init__(target, **options)
        self._outline_level = -1
        self._flowable_in_hand: Flowable | None = None
        self.plan = plan
        """Filled in with what is drawn where, when given."""

    def handle_pageBegin(self) -> None:
        if self.plan is not None:
            self.plan.pages.append(PagePlan(self.pageTemplate.id))
        super().handle_pageBegin()

    def afterFlowable(self, flowable: Flowable) -> None:
        entry: OutlineEntry | None = getattr(flowable, "outline_entry", None)
        if entry is None:
            return
        level = min(entry.level, self._outline_level + 1)  # PDF outlines cannot skip levels
        self._outline_level = level
        frame = self.frame
        # frame._y is now the heading's bottom; aim a little above its top so viewers show it whole
        top = frame._y + getattr(flowable, "height", 0) + 4
        event = ("outline", entry.key, frame._x1, top, entry.title, level)
        if self.plan is not None:
            self.plan.pages[-1].events.append(event)
        _add_outline(self.canv, event)

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        in_hand = flowables[0] if flowables else None
        try:
            super().handle_flowable(flowables)
        except ReportlabLayoutError:
            what = describe(in_hand) if in_hand is not None else "a block"
            raise LayoutError([Diagnostic(
                f"{what} does not fit on a page (page {self.page}) — shorten it, split it into smaller blocks, "
                f"or make the figure or table narrower")]) from None


def _add_outline(canvas: Canvas, event: tuple[Any, ...]) -> None:
    _, key, left, top, title, level = event
    canvas.bookmarkPage(key, fit="XYZ", left=left, top=top)
    canvas.addOutlineEntry(title, key, level=level, closed=False)


class _RecordingFrame(Frame):
    """A frame that notes in the plan each flowable it draws, with where (see `LayoutPlan`)."""

    def __init__(self, *args: Any, plan: LayoutPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plan = plan

    def _add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:
        # reportlab's `_add` measures, decides and draws in one method; rather than copy it, the flowable's
        # own `drawOn` is shadowed for this call (in the instance dict, which a `Tagged` keeps for itself)
        # by one that notes the call and draws
        plan, frame, own = self._plan, self, flowable.__dict__
        draw = flowable.drawOn

        def noted(canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
            plan.pages[-1].events.append(("draw", flowable, frame, x, y, _sW))
            draw(canvas, x, y, _sW)

        own["drawOn"] = noted
        try:
            return super()._add(flowable, canv, trySplit)
        finally:
            own.pop("drawOn", None)

    add = _add


@dataclass(frozen=True)
class PdfInfo:
    metadata: Metadata
    timestamp: dt.datetime


def build_pdf(make_story: Callable[[], TaggedStory | list[Flowable]], styles: PdfStyles, texts: PageTexts,
              info: PdfInfo, plan: LayoutPlan | None = None) -> bytes:
    """Lay the story out once ("page X of Y" is filled in at save) and return the PDF bytes.

    A story given as a bare list of flowables has no structure of its own: only its artifacts are tagged.
    With `plan`, what is drawn where is recorded in it, for `replay_pdf`.
    """
    return _build_once(_tagged(make_story()), styles, texts, info, plan)


def replay_pdf(plan: LayoutPlan, structure: StructureTree, styles: PdfStyles, texts: PageTexts,
               info: PdfInfo) -> bytes:
    """Draw a recorded layout again on a new canvas: the same bytes the layout itself wrote, made without any
    layout decision — or, when flowables were changed in place since (same sizes), the document they make.

    Drawing is what a page's content, its fonts and its tagging come from, so the structure tree's marks of
    the earlier drawing are cleared first; pages begin and end through reportlab's own document template
    (page templates, header and footer, page size), which must choose the recorded page templates again.
    """
    for element in structure.root.walk():
        element.marked.clear()
        element.annotations.clear()
        element.bbox = None
    for tagged in plan.tagged:
        tagged.__dict__["_tagged_drawn"] = False
    document, make_canvas, target = _document(TaggedStory([], structure), styles, texts, info, None)
    document._startBuild(None, make_canvas)
    canvas = document.canv
    canvas._doctemplate = document
    for page in plan.pages:
        document.clean_hanging()  # the page begin reportlab left pending: header, footer, frames
        if document.pageTemplate.id != page.template_id:
            raise ReplayMismatch(f"page {document.page} began with page template {document.pageTemplate.id}, "
                               f"not {page.template_id} as when it was laid out")
        for event in page.events:
            if event[0] == "outline":
                _add_outline(canvas, event)
                continue
            _, flowable, frame, x, y, spare = event
            flowable._frame, flowable.canv = frame, canvas  # as `Frame._add` sets them while drawing
            try:
                flowable.drawOn(canvas, x, y, _sW=spare)
            finally:
                for name in ("canv", "_frame"):
                    if hasattr(flowable, name):
                        delattr(flowable, name)
            document._curPageFlowableCount += 1
        document.handle_pageEnd()
    document._endBuild()
    _release(document)
    return target.getvalue()


def _tagged(story: TaggedStory | list[Flowable]) -> TaggedStory:
    return story if isinstance(story, TaggedStory) else TaggedStory(list(story), StructureTree())


def _build_once(story: TaggedStory, styles: PdfStyles, texts: PageTexts, info: PdfInfo,
                plan: LayoutPlan | None = None) -> bytes:
    document, make_canvas, target = _document(story, styles, texts, info, plan)
    document.build(story.flowables, canvasmaker=make_canvas)
    if plan is not None:
        plan.tagged = list(document.canv.drawn_tagged)
    _release(document)
    return target.getvalue()


def _release(document: BaseDocTemplate) -> None:
    """Break the reference cycles a finished document template is part of, so that it and all it holds — the
    canvas, the PDF's objects, the structure tree, the story — are freed at once rather than at the garbage
    collector's next full pass (which came after the DOCX writer: 1.4 MB of a cold build's peak)."""
    document._nameSpace.clear()  # reportlab's own: `{"doc": document}`
    document.canv._doctemplate = None


def _document(story: TaggedStory, styles: PdfStyles, texts: PageTexts, info: PdfInfo,
              plan: LayoutPlan | None) -> tuple[BriefingDocTemplate, Callable[..., Canvas], io.BytesIO]:
    """The document template, the canvas maker and the output buffer of one PDF."""
    top, right, bottom, left = styles.margins
    page_width, page_height = styles.page_size
    decorator = PageDecorator(styles, texts)
    frame_options = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    make_frame: Callable[..., Frame] = Frame if plan is None else partial(_RecordingFrame, plan=plan)
    first_frame = make_frame(left, bottom, styles.frame_width, styles.frame_height, id="first", **frame_options)
    later_frame = make_frame(left, bottom, styles.frame_width, styles.frame_height, id="later", **frame_options)
    metadata = info.metadata
    target = io.BytesIO()
    document = BriefingDocTemplate(
        target,
        plan=plan,
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
        canvas = _LabellingCanvas(*args, labels=decorator, structure=story.structure, **kwargs)
        canvas.setDateFormatter(lambda *_: date)
        # the file /ID is a digest seeded with reportlab's clock (or SOURCE_DATE_EPOCH): seed it with the
        # context's timestamp instead, so the bytes depend on the input alone
        signature = hashlib.md5(b"reports " + date.encode(), usedforsecurity=False)
        canvas._doc.signature = signature
        if plan is not None:
            canvas.drawn_tagged = []
        return canvas

    return document, make_canvas, target
