"""The canvas of a tagged PDF: records which structure element owns each marked-content id (MCID) on each page
and, at save, writes the StructTreeRoot, the ParentTree, `/StructParents` on pages and
`/MarkInfo << /Marked true >>` with reportlab's own PDF object classes. Its text objects end each paragraph
line with a real space, so the text of a structure element keeps its word boundaries (reportlab draws lines
without them). Link annotations are listed in the structure as `/Link` elements inside the paragraph that
holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase.pdfdoc import LinkAnnotation, PDFArray, PDFDictionary, PDFName, PDFPage, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from reports.writers.pdf.hyphenation import BROKEN_WORD_MARK
from reports.writers.pdf.structure import LAYOUT, StructElement, StructureTree

if TYPE_CHECKING:
    from reports.writers.pdf.tagging import Tagged


_PAGE_KEYS = PDFPage.__NoDefault__ + ["StructParents", "Tabs"]


class _SpacedText(PDFTextObject):
    """A text object that ends each line it breaks (`T*`) with a real space, and writes the hyphen of a word the
    layout broke as a soft hyphen.

    reportlab draws paragraph lines without the space at which it broke them; viewers that read text by
    position guess it back, but the text of a structure element (what a screen reader reads) would join
    the last word of one line to the first of the next. The space after a paragraph's last line is dropped
    again when the text is drawn, unless the paragraph continues on the next page. A line that ends with a
    broken word (`hyphenation`) gets no space: the word goes on.
    """

    _final_space: int | None = None
    _broken_word: bool = False
    """The text drawn last ends with the first part of a broken word."""

    def _textOut(self, text: Any, TStar: int = 0) -> None:
        if type(text) is str and text:
            self._broken_word = text.endswith(BROKEN_WORD_MARK)
            text = text.replace(BROKEN_WORD_MARK, "")
        if not TStar or type(text) is not str or (text and text[-1].isspace()) or self._broken_word:
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
    def linkRect(self, contents: Any, destinationname: Any, *args: Any, **kwargs: Any) -> Any:
        self._link_destination = destinationname  # the annotation made next links there (`_link_target`)
        try:
            return super().linkRect(contents, destinationname, *args, **kwargs)
        finally:
            self._link_destination = None

    def _addAnnotation(self, annotation: Any, name: Any = None, addtopage: int = 1) -> Any:
        if getattr(self, "_link_destination", None) is not None:
            annotation.reports_destination = self._link_destination
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
            kids: list[Any] = [write(child, ref) for child in element.children if child.has_content()]  # noqa: F821 — recursion ruff misreads
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
                _describe_link(annotation, self._structure.link_texts)
                annotation_keys.append((next_key, link_ref))
                next_key += 1
                kids.append(link_ref)
            if kids:
                entries["K"] = kids[0] if len(kids) == 1 else PDFArray(kids)
            if element.alt:
                entries["Alt"] = PDFString(element.alt)
            if element.broke_words and element.text:
                entries["ActualText"] = PDFString(element.text)
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


def _link_target(annotation: Any) -> str:
    """A link annotation's URL, or `#` and the name of its destination."""
    if isinstance(annotation, PDFDictionary):
        action = annotation.dict.get("A")
        uri = action.dict.get("URI") if isinstance(action, PDFDictionary) else None
        return str(getattr(uri, "s", uri or ""))
    destination = getattr(annotation, "reports_destination", None)
    return f"#{destination}" if destination else ""


def _describe_link(annotation: Any, texts: dict[str, str]) -> None:
    """`/Contents` of a link annotation: the link's text (else its address), for readers of the annotation."""
    target = _link_target(annotation)
    description = texts.get(target) or target.removeprefix("mailto:") or "link"
    if isinstance(annotation, PDFDictionary):
        annotation.dict["Contents"] = PDFString(description)
    else:
        annotation.Contents = PDFString(description)


def _set_annotation_key(annotation: Any, key: int) -> None:
    """`/StructParent key` on a link annotation (reportlab's annotation classes take extra keys as keywords)."""
    if isinstance(annotation, PDFDictionary):
        annotation.dict["StructParent"] = key
    else:  # a `LinkAnnotation` checks its keys against a list of permitted ones
        annotation.permitted = tuple(annotation.permitted) + ("StructParent",)
        annotation.otherkw["StructParent"] = key
