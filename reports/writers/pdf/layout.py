"""Laying a story out on pages: reportlab's document template, with outline entries after headings, located
layout errors, and a layout observer.

`build_pdf` lays the story out once (the footers' "page X of Y" is filled in when the canvas is saved:
`page.LabellingCanvas`). A `LayoutObserver` given to it is told what reportlab decided while it drew — each
page begun with its page template, each flowable drawn and where, each outline entry — which is all
`replay.replay_pdf` needs to draw the same layout again without deciding anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError as ReportlabLayoutError

from reports.document.nodes import Metadata
from reports.errors import Diagnostic, LayoutError
from reports.writers.pdf.flowables import describe, source_position
from reports.writers.pdf.page import LabellingCanvas, PageDecorator, PageTexts, pdf_date
from reports.writers.pdf.structure import StructureTree
from reports.writers.pdf.styles import PdfStyles
from reports.writers.pdf.tagging import Tagged


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


@dataclass(frozen=True)
class PdfInfo:
    metadata: Metadata
    timestamp: dt.datetime


OutlineEvent = tuple[str, str, float, float, str, int]
"""`("outline", key, left, top, title, level)`: an outline entry and the bookmark it points at."""


class LayoutObserver(Protocol):
    """Told what reportlab decided while it laid a story out, in drawing order.

    reportlab deep-copies the current frame, which holds the observer, whenever it measures a group of
    flowables (`_listWrapOn`): an observer is a log, not a value, and returns itself from `__deepcopy__`.
    """

    def page_begun(self, template_id: str) -> None: ...

    def flowable_drawn(self, flowable: Flowable, frame: Frame, x: float, y: float, spare_width: float) -> None: ...

    def outline_added(self, event: OutlineEvent) -> None: ...

    def layout_finished(self, drawn: list[Tagged]) -> None:
        """The tagged flowables that were drawn (their "already drawn" mark decides artifact or content)."""


class BriefingDocTemplate(BaseDocTemplate):
    """Adds outline entries after headings, turns reportlab layout failures into located errors, and tells an
    observer what it decides."""

    def __init__(self, target: io.BytesIO, observer: LayoutObserver | None = None, **options: object) -> None:
        super().__init__(target, **options)
        self._outline_level = -1
        self.observer = observer

    def handle_pageBegin(self) -> None:
        if self.observer is not None:
            self.observer.page_begun(self.pageTemplate.id)
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
        event: OutlineEvent = ("outline", entry.key, frame._x1, top, entry.title, level)
        if self.observer is not None:
            self.observer.outline_added(event)
        add_outline(self.canv, event)

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        in_hand = flowables[0] if flowables else None
        try:
            super().handle_flowable(flowables)
        except ReportlabLayoutError:
            what = describe(in_hand) if in_hand is not None else "a block"
            position = source_position(in_hand) if in_hand is not None else None
            raise LayoutError([Diagnostic(
                f"{what} does not fit on a page (page {self.page}) — shorten it, split it into smaller blocks, "
                f"or make the figure or table narrower", file=position.file if position else "",
                line=position.line if position else 0)]) from None


def add_outline(canvas: Canvas, event: OutlineEvent) -> None:
    _, key, left, top, title, level = event
    canvas.bookmarkPage(key, fit="XYZ", left=left, top=top)
    canvas.addOutlineEntry(title, key, level=level, closed=False)


class _ObservedFrame(Frame):
    """A frame that tells the observer each flowable it draws, with where."""

    def __init__(self, *args: Any, observer: LayoutObserver, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._observer = observer

    def _add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:
        # reportlab's `_add` measures, decides and draws in one method; rather than copy it, the flowable's
        # own `drawOn` is shadowed for this call (in the instance dict, which a `Tagged` keeps for itself)
        # by one that tells the observer and draws
        observer, frame, own = self._observer, self, flowable.__dict__
        draw = flowable.drawOn

        def noted(canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
            observer.flowable_drawn(flowable, frame, x, y, _sW)
            draw(canvas, x, y, _sW)

        own["drawOn"] = noted
        try:
            return super()._add(flowable, canv, trySplit)
        finally:
            own.pop("drawOn", None)

    add = _add


def build_pdf(make_story: Callable[[], TaggedStory | list[Flowable]], styles: PdfStyles, texts: PageTexts,
              info: PdfInfo, observer: LayoutObserver | None = None) -> bytes:
    """Lay the story out once ("page X of Y" is filled in at save) and return the PDF bytes.

    A story given as a bare list of flowables has no structure of its own: only its artifacts are tagged.
    `observer` is told what was drawn where (`replay.LayoutPlan` records it).
    """
    story = make_story()
    story = story if isinstance(story, TaggedStory) else TaggedStory(list(story), StructureTree())
    document, make_canvas, target = new_document(story.structure, styles, texts, info, observer)
    document.build(story.flowables, canvasmaker=make_canvas)
    if observer is not None:
        observer.layout_finished(list(document.canv.drawn_tagged or ()))
    release(document)
    return target.getvalue()


def release(document: BaseDocTemplate) -> None:
    """Break the reference cycles a finished document template is part of, so that it and all it holds — the
    canvas, the PDF's objects, the structure tree, the story — are freed at once rather than at the garbage
    collector's next full pass (which came after the DOCX writer: 1.4 MB of a cold build's peak)."""
    document._nameSpace.clear()  # reportlab's own: `{"doc": document}`
    document.canv._doctemplate = None


def new_document(structure: StructureTree, styles: PdfStyles, texts: PageTexts, info: PdfInfo,
                 observer: LayoutObserver | None) -> tuple[BriefingDocTemplate, Callable[..., Canvas], io.BytesIO]:
    """The document template, the canvas maker and the output buffer of one PDF."""
    top, right, bottom, left = styles.margins
    decorator = PageDecorator(styles, texts)
    frame_options: dict[str, Any] = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    if observer is not None:
        frame_options["observer"] = observer
    make_frame: Callable[..., Frame] = Frame if observer is None else _ObservedFrame
    first_frame = make_frame(left, bottom, styles.frame_width, styles.frame_height, id="first", **frame_options)
    later_frame = make_frame(left, bottom, styles.frame_width, styles.frame_height, id="later", **frame_options)
    metadata = info.metadata
    target = io.BytesIO()
    document = BriefingDocTemplate(
        target,
        observer=observer,
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
        # PDF 1.7: the version PDF/UA-1 is written against (ISO 32000-1); reportlab's default says 1.4
        canvas = LabellingCanvas(*args, labels=decorator, structure=structure, language=metadata.language,
                                 timestamp=info.timestamp, pdfVersion=(1, 7), **kwargs)
        canvas.setDateFormatter(lambda *_: date)
        # the file /ID is a digest seeded with reportlab's clock (or SOURCE_DATE_EPOCH): seed it with the
        # context's timestamp instead, so the bytes depend on the input alone
        signature = hashlib.md5(b"reports " + date.encode(), usedforsecurity=False)
        canvas._doc.signature = signature
        if observer is not None:
            canvas.drawn_tagged = []
        return canvas

    return document, make_canvas, target
