"""Tagged PDF on reportlab: a structure tree in reading order, linked to marked content in the page streams.

reportlab's open-source edition writes no structure tree, so to a screen reader its PDFs are a flat picture
of text. The structure is added without changing the layout, in three parts:

* `structure.StructureTree` is built by the PDF writer *while it visits the document tree*, so the structure is
  in logical (content) order whatever the page layout does. Standard roles only: Document, H1–H3, P,
  L/LI/Lbl/LBody, Table/TR/TH/TD (TH with `/Scope /Column`), Figure (with `/Alt` and `/BBox`), Caption, Div.
* `Tagged` (this module) wraps one leaf flowable (a paragraph, a chart) and brackets its drawing with
  `/P <</MCID n>> BDC … EMC` through the canvas's public `addLiteral`, outside the flowable's own `q … Q`,
  never nested. The parts a split makes keep their element; a second drawing of the same flowable (a table
  header row repeated on the next page) is marked as an artifact instead. A `Tagged` with no element marks
  decoration (a rule) as an artifact.
* `tagging_canvas.TaggingCanvas` records which element owns each marked-content id (MCID) on each page and, at save,
  writes the StructTreeRoot, the ParentTree, `/StructParents` on pages and `/MarkInfo << /Marked true >>`
  with reportlab's own PDF object classes. Its text objects end each paragraph line with a real space, so
  the text of a structure element keeps its word boundaries (reportlab draws lines without them).

Anything else drawn — running header and footer, bands, rules, box shading, table backgrounds and grid lines —
is bracketed by `artifact(canvas, kind)`. Link annotations are listed in the structure as `/Link` elements
(with an object reference) inside the paragraph that holds them.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus.flowables import Flowable, LIIndenter, ListFlowable

from reports.writers.pdf.structure import LAYOUT, PAGINATION, StructElement, StructureTree

__all__ = ["Tagged", "TaggedList", "artifact", "marked_content", "tag", "untagged"]


# --- the logical structure ----------------------------------------------------------------------


# --- marked content in the page streams --------------------------------------------------------


@contextmanager
def marked_content(canvas: Canvas, element: StructElement, continues: bool = False) -> Iterator[None]:
    """Draws inside the block become content of `element` (on a plain canvas: untagged)."""
    begin = getattr(canvas, "begin_marked_content", None)
    if begin is None:
        yield
        return
    begin(element, continues)
    try:
        yield
    finally:
        canvas.end_marked_content()


@contextmanager
def artifact(canvas: Canvas, kind: tuple[str, str] = LAYOUT) -> Iterator[None]:
    """Draws inside the block are artifacts: decoration or pagination, not content."""
    begin = getattr(canvas, "begin_artifact", None)
    if begin is None:
        yield
        return
    begin(kind)
    try:
        yield
    finally:
        canvas.end_marked_content()


def untagged(flowable: Any) -> Any:
    """The flowable a `Tagged` wraps (anything else as it is)."""
    while isinstance(flowable, Tagged):
        flowable = flowable.__dict__["_tagged_flowable"]
    return flowable


def _draws_nothing(flowable: Any) -> bool:
    """Frame actions and spacers: parts of a split that need no tag."""
    return bool(getattr(flowable, "frameAction", None)) or type(flowable).__name__ in (
        "NullActionFlowable", "FrameBreak", "PageBreak", "SlowPageBreak", "CondPageBreak", "Spacer")


class Tagged(Flowable):
    """A leaf flowable drawn as marked content of a structure element (or, with no element, as an artifact).

    Layout is the wrapped flowable's own: every `Flowable` method is delegated explicitly (class attributes
    and methods of `Flowable` would otherwise shadow the wrapped ones, since `__getattr__` only sees what
    normal lookup misses — keep-with-next, spacing and splitting would silently change), other attributes
    are read from and written to the wrapped flowable.
    """

    _OWN = frozenset({"_tagged_flowable", "_tagged_element", "_tagged_kind", "_tagged_continues", "_tagged_drawn"})

    def __init__(self, flowable: Flowable, element: StructElement | None = None,
                 kind: tuple[str, str] = LAYOUT, continues: bool = False) -> None:
        own = self.__dict__
        own["_tagged_flowable"] = flowable
        own["_tagged_element"] = element
        own["_tagged_kind"] = kind
        own["_tagged_continues"] = continues  # a split part the next one continues: keeps its last word space
        own["_tagged_drawn"] = False

    @property
    def element(self) -> StructElement | None:
        return self.__dict__["_tagged_element"]

    # attributes: the wrapped flowable's
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_tagged_") or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["_tagged_flowable"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._OWN:
            self.__dict__[name] = value
        else:
            setattr(self.__dict__["_tagged_flowable"], name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._OWN:
            del self.__dict__[name]
        else:
            delattr(self.__dict__["_tagged_flowable"], name)

    def __repr__(self) -> str:
        element = self.__dict__["_tagged_element"]
        role = element.role if element is not None else "Artifact"
        return f"Tagged({role}, {self.__dict__['_tagged_flowable']!r})"

    # every method and class attribute `Flowable` defines, delegated
    @property
    def _fixedWidth(self) -> Any:  # type: ignore[override]
        return getattr(self.__dict__["_tagged_flowable"], "_fixedWidth", 0)

    @property
    def _fixedHeight(self) -> Any:  # type: ignore[override]
        return getattr(self.__dict__["_tagged_flowable"], "_fixedHeight", 0)

    @property
    def _doctemplate(self) -> Any:  # type: ignore[override]
        return getattr(self.__dict__["_tagged_flowable"], "_doctemplate", None)

    def _doctemplateAttr(self, name: str) -> Any:
        return self.__dict__["_tagged_flowable"]._doctemplateAttr(name)

    def _frameName(self) -> Any:
        return self.__dict__["_tagged_flowable"]._frameName()

    def _drawOn(self, canvas: Canvas) -> None:
        self.__dict__["_tagged_flowable"]._drawOn(canvas)

    def _hAlignAdjust(self, x: float, sW: float = 0) -> float:
        return self.__dict__["_tagged_flowable"]._hAlignAdjust(x, sW)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.__dict__["_tagged_flowable"].wrap(available_width, available_height)

    def wrapOn(self, canvas: Canvas, available_width: float, available_height: float) -> tuple[float, float]:
        return self.__dict__["_tagged_flowable"].wrapOn(canvas, available_width, available_height)

    def minWidth(self) -> float:
        return self.__dict__["_tagged_flowable"].minWidth()

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return self._wrap_parts(self.__dict__["_tagged_flowable"].split(available_width, available_height))

    def splitOn(self, canvas: Canvas, available_width: float, available_height: float) -> list[Flowable]:
        parts = self.__dict__["_tagged_flowable"].splitOn(canvas, available_width, available_height)
        return self._wrap_parts(parts)

    def getKeepWithNext(self) -> Any:
        if "keepWithNext" in self.__dict__:  # written straight into the instance dict by a caller
            return self.__dict__["keepWithNext"]
        return self.__dict__["_tagged_flowable"].getKeepWithNext()

    def getSpaceAfter(self) -> float:
        return self.__dict__["_tagged_flowable"].getSpaceAfter()

    def getSpaceBefore(self) -> float:
        return self.__dict__["_tagged_flowable"].getSpaceBefore()

    def isIndexing(self) -> Any:
        return self.__dict__["_tagged_flowable"].isIndexing()

    def identity(self, maxLen: int | None = None) -> str:
        return self.__dict__["_tagged_flowable"].identity(maxLen)

    def _wrap_parts(self, parts: list[Flowable]) -> list[Flowable]:
        inner = self.__dict__["_tagged_flowable"]
        if not parts:
            return parts
        if getattr(inner, "_JustifyLast", False) and hasattr(parts[-1], "frags"):
            parts[-1]._JustifyLast = True  # a piece of a long paragraph (`paragraph_pieces`): reportlab forgets it
        if len(parts) == 1 and parts[0] is inner:
            return [self]
        drawn = [index for index, part in enumerate(parts) if not _draws_nothing(part)]
        wrapped: list[Flowable] = []
        for index, part in enumerate(parts):
            if index not in drawn:
                wrapped.append(part)
                continue
            continues = index != drawn[-1] or self.__dict__["_tagged_continues"]
            wrapped.append(Tagged(part, self.__dict__["_tagged_element"], self.__dict__["_tagged_kind"], continues))
        return wrapped

    def mark_undrawn(self) -> None:
        """Its next drawing is content again, not a repeat (a recorded layout drawn anew: `replay`)."""
        self.__dict__["_tagged_drawn"] = False

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        inner = self.__dict__["_tagged_flowable"]
        element = self.__dict__["_tagged_element"]
        if element is None or self.__dict__["_tagged_drawn"]:
            # decoration, or a repeat of content already in the structure (a repeated table header row)
            with artifact(canvas, self.__dict__["_tagged_kind"] if element is None else PAGINATION):
                inner.drawOn(canvas, x, y, _sW)
            return
        self.__dict__["_tagged_drawn"] = True
        drawn = getattr(canvas, "drawn_tagged", None)
        if drawn is not None:
            drawn.append(self)
        with marked_content(canvas, element, self.__dict__["_tagged_continues"]):
            inner.drawOn(canvas, x, y, _sW)
        if getattr(inner, "broke_words", False):  # a hyphenated line: the element's text is given whole
            element.broke_words = True
        if element.role == "Figure" and hasattr(canvas, "absolutePosition"):
            left = inner._hAlignAdjust(x, _sW)
            # what was drawn: an Image keeps its size in drawWidth/drawHeight, other flowables in width/height
            width = float(getattr(inner, "drawWidth", 0) or getattr(inner, "width", 0) or 0)
            height = float(getattr(inner, "drawHeight", 0) or getattr(inner, "height", 0) or 0)
            corners = [canvas.absolutePosition(px, py) for px in (left, left + width) for py in (y, y + height)]
            box = [min(p[0] for p in corners), min(p[1] for p in corners),
                   max(p[0] for p in corners), max(p[1] for p in corners)]
            if element.bbox is None:
                element.bbox = [round(value, 2) for value in box]


# --- the canvas ---------------------------------------------------------------------------------


# --- lists --------------------------------------------------------------------------------------


class _TaggedBullet:
    """A list item's bullet or number, drawn as the content of its `Lbl` element."""

    def __init__(self, drawer: Any, label: StructElement | None) -> None:
        self._drawer = drawer
        self._label = label

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["_drawer"], name)

    def drawOn(self, indenter: Any, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        if self._label is None:
            with artifact(canvas, LAYOUT):
                self._drawer.drawOn(indenter, canvas, x, y, _sW)
            return
        with marked_content(canvas, self._label):
            self._drawer.drawOn(indenter, canvas, x, y, _sW)


class _ItemIndenter(LIIndenter):
    """reportlab's indenter of a list item's flowable, which lets a paragraph that allows widows split.

    reportlab's own refuses any split that leaves one line for the next page, whatever the paragraph allows, and
    for justified text any that leaves two; a piece of a long paragraph (`pdf_flowables.paragraph_pieces`) that
    more pieces follow allows it, and a refused split at the top of a page — in a table cell, at the top of a
    frame — is a layout failure. Widows stay forbidden where the paragraph forbids them, justified or not (the
    paragraph's own split already gives a widow a line of company).
    """

    def split(self, aW: float, aH: float) -> list[Flowable]:
        flowable = self._flowable
        parts = flowable.split(aW - self._leftIndent - self._rightIndent, aH)
        style = getattr(flowable, "style", None)
        allows_widows = getattr(flowable, "allowWidows", getattr(style, "allowWidows", 1))
        if len(parts) > 1 and hasattr(flowable, "blPara") and not allows_widows:
            lines, first_lines = len(flowable.blPara.lines), len(parts[0].blPara.lines)
            if first_lines == lines - 1:
                parts = []
        return [_ItemIndenter(part, leftIndent=self._leftIndent, rightIndent=self._rightIndent,
                              bullet=self._bullet if index == 0 else None) for index, part in enumerate(parts)]


class TaggedList(ListFlowable):
    """reportlab's list, with each item's bullet drawn as the content of that item's `Lbl` element."""

    def __init__(self, flowables: list[Any], labels: list[StructElement], **options: Any) -> None:
        super().__init__(flowables, **options)
        self._labels = list(labels)

    def _makeLIIndenter(self, flowable: Flowable, bullet: Any, params: Any = None) -> LIIndenter:
        """As reportlab's, with `_ItemIndenter`."""
        if not params:
            return _ItemIndenter(flowable, self._leftIndent, self._rightIndent, bullet)
        return _ItemIndenter(flowable, params.get("leftIndent", self._leftIndent),
                             params.get("rightIndent", self._rightIndent), bullet,
                             spaceBefore=params.get("spaceBefore", None), spaceAfter=params.get("spaceAfter", None))

    def _getContent(self) -> list[Flowable]:
        content = super()._getContent()
        starts = [flowable for flowable in content if isinstance(flowable, LIIndenter) and flowable._bullet]
        # one bullet per item, in item order; should reportlab ever differ, bullets become artifacts
        labels: list[StructElement | None] = list(self._labels) if len(starts) == len(self._labels) else \
            [None] * len(starts)
        for indenter, label in zip(starts, labels):
            indenter._bullet = _TaggedBullet(indenter._bullet, label)
        return content


def tag(structure: StructureTree, flowable: Flowable, role: str, **options: Any) -> Tagged:
    """The flowable, drawn as the content of a new leaf element of `structure`."""
    return Tagged(flowable, structure.leaf(role, **options))
