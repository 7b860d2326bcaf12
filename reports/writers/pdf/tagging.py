"""Tagged PDF on reportlab: a structure tree in reading order, linked to marked content in the page streams.

reportlab's open-source edition writes no structure tree, so to a screen reader its PDFs are a flat picture
of text. This module adds the structure without changing the layout, in three parts:

* `StructureTree` is built by the PDF writer *while it visits the document tree*, so the structure is in
  logical (content) order whatever the page layout does. Standard roles only: Document, H1–H3, P,
  L/LI/Lbl/LBody, Table/TR/TH/TD (TH with `/Scope /Column`), Figure (with `/Alt` and `/BBox`), Caption, Div.
* `Tagged` wraps one leaf flowable (a paragraph, a chart) and brackets its drawing with
  `/P <</MCID n>> BDC … EMC` through the canvas's public `addLiteral`, outside the flowable's own `q … Q`,
  never nested. The parts a split makes keep their element; a second drawing of the same flowable (a table
  header row repeated on the next page) is marked as an artifact instead. A `Tagged` with no element marks
  decoration (a rule) as an artifact.
* `TaggingCanvas` records which element owns each marked-content id (MCID) on each page and, at save,
  writes the StructTreeRoot, the ParentTree, `/StructParents` on pages and `/MarkInfo << /Marked true >>`
  with reportlab's own PDF object classes. Its text objects end each paragraph line with a real space, so
  the text of a structure element keeps its word boundaries (reportlab draws lines without them).

Anything else drawn — running header and footer, bands, rules, box shading, table backgrounds and grid lines —
is bracketed by `artifact(canvas, kind)`. Link annotations are listed in the structure as `/Link` elements
(with an object reference) inside the paragraph that holds them.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from reportlab.pdfbase.pdfdoc import LinkAnnotation, PDFArray, PDFDictionary, PDFName, PDFPage, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.flowables import Flowable, LIIndenter, ListFlowable

__all__ = [
    "StructElement",
    "StructureTree",
    "Tagged",
    "TaggedList",
    "TaggingCanvas",
    "artifact",
    "untagged",
]

HEADER = ("Pagination", "Header")
FOOTER = ("Pagination", "Footer")
LAYOUT = ("Layout", "")
PAGINATION = ("Pagination", "")
"""Artifact kinds: (/Type, /Subtype). Layout: rules, bands, shading; Pagination: running texts, repeats."""

_PAGE_KEYS = PDFPage.__NoDefault__ + ["StructParents", "Tabs"]


# --- the logical structure ----------------------------------------------------------------------


@dataclass(eq=False)
class StructElement:
    """One element of the structure tree; leaves own marked content, groups own elements."""

    role: str
    """Standard structure type (`P`, `H1`, `TD`, …)."""
    alt: str = ""
    """Alternative text (`/Alt`), for figures."""
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Attribute owner (`Table`, `List`, `Layout`) → name → PDF name value (`Scope` → `Column`)."""
    keep_when_empty: bool = False
    """Kept even without content (an empty table cell keeps its row rectangular)."""
    children: list[StructElement] = field(default_factory=list)
    marked: list[tuple[int, int]] = field(default_factory=list)
    """(page index, MCID) of each piece of marked content, in drawing order."""
    annotations: list[tuple[int, Any]] = field(default_factory=list)
    """(page index, annotation object) of link annotations drawn inside this element's content."""
    bbox: list[float] | None = None
    """Bounding box on its (first) page, in default user space: x0, y0, x1, y1."""

    # An element is an identity, not a value: reportlab copies flowables while laying them out (a table
    # cut inside a row deep-copies each cell flowable before splitting it, `_findSplit`), and the copy's
    # drawing must still be content of *this* element — a copied element would sit in a copied tree that
    # is never written, and its marked content would belong to nothing.
    def __copy__(self) -> StructElement:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> StructElement:
        return self

    def add(self, role: str, **options: Any) -> StructElement:
        # no link back to the parent: the structure is written top-down, and a cycle would keep a document's
        # whole story alive until the garbage collector's next full pass (the cold build's peak memory)
        child = StructElement(role, **options)
        self.children.append(child)
        return child

    def has_content(self) -> bool:
        """True when something was drawn for it (or a descendant), or it must stay anyway."""
        return bool(self.marked or self.annotations or self.keep_when_empty
                    or any(child.has_content() for child in self.children))

    def walk(self) -> Iterator[StructElement]:
        yield self
        for child in self.children:
            yield from child.walk()


class StructureTree:
    """The structure tree of one PDF, built in content order by the writer's visitors."""

    def __init__(self) -> None:
        self.root = StructElement("Document")
        self._open: list[StructElement] = [self.root]

    def clear_marks(self) -> None:
        """Forget what a drawing of the story marked (its content ids, links, boxes), to draw it again."""
        for element in self.root.walk():
            element.marked.clear()
            element.annotations.clear()
            element.bbox = None

    @property
    def current(self) -> StructElement:
        return self._open[-1]

    @contextmanager
    def group(self, role: str, **options: Any) -> Iterator[StructElement]:
        """An element whose children are the elements made inside the `with` block."""
        element = self.current.add(role, **options)
        self._open.append(element)
        try:
            yield element
        finally:
            self._open.pop()

    def leaf(self, role: str, **options: Any) -> StructElement:
        """An element that will own marked content (a paragraph, a heading, a figure, a list label)."""
        return self.current.add(role, **options)

    def tag(self, flowable: Flowable, role: str, **options: Any) -> Tagged:
        """The flowable, drawn as the content of a new leaf element."""
        return Tagged(flowable, self.leaf(role, **options))


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


class _SpacedText(PDFTextObject):
    """A text object that ends each line it breaks (`T*`) with a real space.

    reportlab draws paragraph lines without the space at which it broke them; viewers that read text by
    position guess it back, but the text of a structure element (what a screen reader reads) would join
    the last word of one line to the first of the next. The space after a paragraph's last line is dropped
    again when the text is drawn, unless the paragraph continues on the next page.
    """

    _final_space: int | None = None

    def _textOut(self, text: Any, TStar: int = 0) -> None:
        if not TStar or type(text) is not str or (text and text[-1].isspace()):
            self._final_space = None
            super()._textOut(text, TStar)
            return
        super()._textOut(text, 0)
        self._final_space = len(self._code)
        super()._textOut(" ", 1)

    def drop_final_space(self) -> None:
        """Remove the space after the last line (the text object must be complete: nothing follows it)."""
        if self._final_space is not None:
            self._code[self._final_space] = "T*"
            self._final_space = None


@dataclass
class _PageRecord:
    page: PDFPage
    owners: list[StructElement]
    """The element owning each MCID on the page (index = MCID)."""


class TaggingCanvas(Canvas):
    """A canvas that records marked content per page and writes the structure tree when it is saved."""

    def __init__(self, *args: Any, structure: StructureTree | None = None, **kwargs: Any) -> None:
        self._structure = structure or StructureTree()
        self._pages: list[_PageRecord] = []
        self._owners: list[StructElement] = []
        self._depth = 0
        self._open_element: StructElement | None = None
        self._keep_final_space = False
        self.drawn_tagged: list[Tagged] | None = None
        """Every content `Tagged` drawn on this canvas, when a layout is recorded (it clears their marks to draw
        again); None otherwise: the list would keep every flowable alive as long as the canvas."""
        super().__init__(*args, **kwargs)

    @property
    def structure(self) -> StructureTree:
        return self._structure

    # marked content
    def begin_marked_content(self, element: StructElement, continues: bool = False) -> None:
        """`/Role <</MCID n>> BDC`. Marked content never nests: inside an open sequence this only counts."""
        self._depth += 1
        if self._depth > 1:
            return
        mcid = len(self._owners)
        self._owners.append(element)
        element.marked.append((len(self._pages), mcid))
        self._open_element = element
        self._keep_final_space = continues
        self.addLiteral(f"{PDFName(element.role)} <</MCID {mcid}>> BDC")

    def begin_artifact(self, kind: tuple[str, str] = LAYOUT) -> None:
        """`/Artifact <</Type /Layout>> BDC` (or /Pagination, with a /Subtype for headers and footers)."""
        self._depth += 1
        if self._depth > 1:
            return
        artifact_type, subtype = kind
        properties = f"/Type /{artifact_type}" + (f" /Subtype /{subtype}" if subtype else "")
        self._open_element = None
        self.addLiteral(f"/Artifact <<{properties}>> BDC")

    def end_marked_content(self) -> None:
        if self._depth <= 0:
            raise RuntimeError("end of marked content without a beginning")
        self._depth -= 1
        if self._depth == 0:
            self._open_element = None
            self._keep_final_space = False
            self.addLiteral("EMC")

    # text with word spaces at line ends
    def beginText(self, x: float = 0, y: float = 0, direction: Any = None) -> PDFTextObject:
        return _SpacedText(self, x, y, direction=direction)

    def drawText(self, aTextObject: PDFTextObject) -> None:
        if isinstance(aTextObject, _SpacedText) and not self._keep_final_space:
            aTextObject.drop_final_space()
        super().drawText(aTextObject)
        # reportlab's paragraph drawing gives the text object a method bound to itself (`_do_line`): a cycle
        # through the text object's canvas that kept the canvas, the PDF and the story alive until the garbage
        # collector's next full pass. The object's text is in the page now; nothing uses it after this.
        aTextObject.__dict__.pop("_do_line", None)

    # links: listed in the structure inside the element whose text holds them
    def _addAnnotation(self, annotation: Any, name: Any = None, addtopage: int = 1) -> Any:
        result = super()._addAnnotation(annotation, name, addtopage)
        if addtopage and self._open_element is not None and _is_link(annotation):
            self._open_element.annotations.append((len(self._pages), annotation))
        return result

    # pages
    def showPage(self) -> None:
        if self._depth:
            raise RuntimeError("marked content left open at the end of a page")
        super().showPage()
        self._pages.append(_PageRecord(self._doc.Pages.pages[-1], self._owners))
        self._owners = []

    def save(self) -> None:
        if len(self._code):
            self.showPage()
        self._write_structure()
        super().save()

    def _write_structure(self) -> None:
        doc = self._doc
        page_refs = [doc.Reference(record.page) for record in self._pages]
        owners_refs: dict[int, Any] = {}
        annotation_keys: list[tuple[int, Any]] = []
        next_key = len(self._pages)

        root_dictionary = PDFDictionary({"Type": PDFName("StructTreeRoot")})
        root_ref = doc.Reference(root_dictionary)

        def write(element: StructElement, parent_ref: Any) -> Any:
            nonlocal next_key
            dictionary = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName(element.role), "P": parent_ref})
            entries = dictionary.dict  # filled in below: the children need this element's reference first
            ref = doc.Reference(dictionary)
            owners_refs[id(element)] = ref
            kids: list[Any] = [write(child, ref) for child in element.children if child.has_content()]
            first_page = element.marked[0][0] if element.marked else None
            if first_page is not None:
                entries["Pg"] = page_refs[first_page]
            for page, mcid in element.marked:
                if page == first_page:
                    kids.append(mcid)
                else:
                    kids.append(PDFDictionary({"Type": PDFName("MCR"), "Pg": page_refs[page], "MCID": mcid}))
            for page, annotation in element.annotations:
                link = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName("Link"), "P": ref})
                link_ref = doc.Reference(link)
                annotation_ref = doc.Reference(annotation)
                link.dict["K"] = PDFDictionary({"Type": PDFName("OBJR"), "Obj": annotation_ref,
                                                "Pg": page_refs[page]})
                _set_annotation_key(annotation, next_key)
                annotation_keys.append((next_key, link_ref))
                next_key += 1
                kids.append(link_ref)
            if kids:
                entries["K"] = kids[0] if len(kids) == 1 else PDFArray(kids)
            if element.alt:
                entries["Alt"] = PDFString(element.alt)
            attributes = [PDFDictionary({"O": PDFName(owner), **{key: _attribute_value(value)
                                                                 for key, value in values.items()}})
                          for owner, values in sorted(element.attributes.items())]
            if element.bbox is not None:
                attributes.append(PDFDictionary({"O": PDFName("Layout"), "BBox": PDFArray(element.bbox),
                                                 "Placement": PDFName("Block")}))
            if attributes:
                entries["A"] = attributes[0] if len(attributes) == 1 else PDFArray(attributes)
            return ref

        document_ref = write(self._structure.root, root_ref)
        # `write` calls itself, so its closure holds it: a cycle that would keep the whole PDF document (every
        # object, every page stream) alive until the garbage collector's next full pass
        del write
        numbers: list[Any] = []
        for index, record in enumerate(self._pages):
            page = record.page
            page.__NoDefault__ = _PAGE_KEYS  # an instance list: lets the page write the two keys below
            page.Tabs = PDFName("S")
            if record.owners:
                if any(id(owner) not in owners_refs for owner in record.owners):
                    raise RuntimeError("marked content drawn for an element outside this canvas's structure tree")
                page.StructParents = index
                numbers += [index, PDFArray([owners_refs[id(owner)] for owner in record.owners])]
        for key, link_ref in annotation_keys:
            numbers += [key, link_ref]
        root_dictionary.dict["K"] = document_ref
        root_dictionary.dict["ParentTree"] = PDFDictionary({"Nums": PDFArray(numbers)})
        root_dictionary.dict["ParentTreeNextKey"] = next_key
        catalog = doc.Catalog
        catalog.StructTreeRoot = root_ref
        catalog.MarkInfo = PDFDictionary({"Marked": "true"})


def _attribute_value(value: Any) -> Any:
    if isinstance(value, str):
        return PDFName(value)
    return value


def _is_link(annotation: Any) -> bool:
    """A link annotation: `linkURL` makes a plain dictionary, `linkRect` a `LinkAnnotation`."""
    if isinstance(annotation, PDFDictionary):
        return annotation.dict.get("Subtype") == PDFName("Link")
    return isinstance(annotation, LinkAnnotation)


def _set_annotation_key(annotation: Any, key: int) -> None:
    """`/StructParent key` on a link annotation (reportlab's annotation classes take extra keys as keywords)."""
    if isinstance(annotation, PDFDictionary):
        annotation.dict["StructParent"] = key
    else:  # a `LinkAnnotation` checks its keys against a list of permitted ones
        annotation.permitted = tuple(annotation.permitted) + ("StructParent",)
        annotation.otherkw["StructParent"] = key


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

    reportlab's own refuses any split that leaves one line for the next page, whatever the paragraph allows; a
    piece of a long paragraph (`pdf_flowables.paragraph_pieces`) that more pieces follow allows it, and a
    refused split at the top of a page — in a table cell, at the top of a frame — is a layout failure.
    """

    def split(self, aW: float, aH: float) -> list[Flowable]:
        flowable = self._flowable
        parts = flowable.split(aW - self._leftIndent - self._rightIndent, aH)
        style = getattr(flowable, "style", None)
        allows_widows = getattr(flowable, "allowWidows", getattr(style, "allowWidows", 1))
        if len(parts) > 1 and hasattr(flowable, "blPara") and not allows_widows:  # reportlab's own rule
            lines, first_lines = len(flowable.blPara.lines), len(parts[0].blPara.lines)
            if (getattr(style, "alignment", None) == 4 and first_lines >= lines - 2) or first_lines == lines - 1:
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
