"""The logical structure of a tagged PDF: a tree of standard structure elements (Document, H1–H3, P, L/LI/Lbl/
LBody, Table/TR/TH/TD, Figure, Caption, Div), built by the PDF writer while it visits the document tree, so
it is in reading order whatever the page layout does. Drawing links leaves to marked content
(`reports.writers.pdf.tagging`); the canvas writes the tree at save (`reports.writers.pdf.tagging_canvas`).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

HEADER = ("Pagination", "Header")


FOOTER = ("Pagination", "Footer")


LAYOUT = ("Layout", "")


PAGINATION = ("Pagination", "")
"""Artifact kinds: (/Type, /Subtype). Layout: rules, bands, shading; Pagination: running texts, repeats."""


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
    text: str = ""
    """The element's whole text, written as `/ActualText` when a line of it ends with a word the layout broke
    (`broke_words`): the hyphen is drawn, the text reads the word whole (`reports.writers.pdf.hyphenation`)."""
    broke_words: bool = False

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
        self.link_texts: dict[str, str] = {}
        """A link's target (its URL, or `#` and its destination's name) → the text of the link, which describes
        its annotation (`/Contents`, PDF/UA 7.18.5)."""

    def clear_marks(self) -> None:
        """Forget what a drawing of the story marked (its content ids, links, boxes), to draw it again."""
        for element in self.root.walk():
            element.marked.clear()
            element.annotations.clear()
            element.bbox = None
            element.broke_words = False

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
