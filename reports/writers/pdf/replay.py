"""Drawing a recorded layout again: what a roster's form (`forms`) is filled in with.

reportlab decides page breaks and positions while it draws. `LayoutPlan`, a `layout.LayoutObserver`, records
what it decided — the page template of each page, each flowable drawn and where, each outline entry — and
`replay_pdf` draws the same flowables again on a new canvas, through reportlab's own document template (page
templates, header and footer, page size) but without any layout decision. When flowables were changed in
place since (a paragraph set again with a student's name, measuring the same), the replay is the document
they make; drawing in the same order on a fresh canvas gives the bytes a full layout of it gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.platypus import Flowable, Frame

from reports.writers.pdf.layout import OutlineEvent, PdfInfo, add_outline, new_document, release
from reports.writers.pdf.page import PageTexts
from reports.writers.pdf.structure import StructureTree
from reports.writers.pdf.styles import PdfStyles
from reports.writers.pdf.tagging import Tagged


@dataclass
class PagePlan:
    """What was drawn on one page, in drawing order: the page template it used, and events —
    `("draw", flowable, frame, x, y, spare_width)` and `("outline", key, left, top, title, level)`."""

    template_id: str
    events: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class LayoutPlan:
    """A finished layout, recorded while it was made (a `layout.LayoutObserver`)."""

    pages: list[PagePlan] = field(default_factory=list)
    tagged: list[Tagged] = field(default_factory=list)
    """The `Tagged` flowables drawn, whose "already drawn" mark is cleared before each replay."""

    def page_begun(self, template_id: str) -> None:
        self.pages.append(PagePlan(template_id))

    def flowable_drawn(self, flowable: Flowable, frame: Frame, x: float, y: float, spare_width: float) -> None:
        self.pages[-1].events.append(("draw", flowable, frame, x, y, spare_width))

    def outline_added(self, event: OutlineEvent) -> None:
        self.pages[-1].events.append(event)

    def layout_finished(self, drawn: list[Tagged]) -> None:
        self.tagged = drawn

    def __deepcopy__(self, memo: dict[int, Any]) -> LayoutPlan:
        return self  # a log, not a value (see `layout.LayoutObserver`)


class ReplayMismatch(RuntimeError):
    """Drawing a recorded layout again did not take the course it took (`replay_pdf`)."""


def replay_pdf(plan: LayoutPlan, structure: StructureTree, styles: PdfStyles, texts: PageTexts,
               info: PdfInfo) -> bytes:
    """Draw a recorded layout again on a new canvas (see the module).

    Drawing is what a page's content, its fonts and its tagging come from, so the structure tree's marks of
    the earlier drawing are cleared first; the document template must choose the recorded page templates again
    (`ReplayMismatch` when it does not).
    """
    structure.clear_marks()
    for tagged in plan.tagged:
        tagged.mark_undrawn()
    document, make_canvas, target = new_document(structure, styles, texts, info, None)
    # reportlab's `build` is its loop of layout decisions; a replay runs the same steps around them: start the
    # build, begin each page as `build` does (`clean_hanging`), draw, end the page, end the build
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
                add_outline(canvas, event)  # type: ignore[arg-type]
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
    release(document)
    return target.getvalue()
