"""The format-neutral document tree: a small, closed set of immutable node types.

Templates produce light markup; `reports.templating.markup` parses it once into these nodes; transforms number
figures and tables; then one writer per format visits the tree. New looks come from a `role` on a
node (mapped to a style by the theme), never from new node types, so every writer stays complete:
`tests/test_writers_complete.py` asserts each writer has a `visit_<node>` for every type in `ALL`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Union

if TYPE_CHECKING:
    from reports.charts.spec import ChartSpec

# --- inlines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    """Literal text, never markup: writers escape it at their boundary."""


@dataclass(frozen=True)
class Emphasis:
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class Span:
    role: str
    """Character style name in the theme (`term`, `number`)."""
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


@dataclass(frozen=True)
class Link:
    target: str
    """An `https:`/`mailto:` URL or `#id` of a heading; other schemes are refused by the parser."""
    content: tuple[Inline, ...]


Inline = Union[Text, Emphasis, Strong, Span, LineBreak, Link]

# --- blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    """1–3; the title is a Paragraph with role `title`, not a heading."""
    content: tuple[Inline, ...]
    id: str = ""
    """Anchor for bookmarks and cross-references; filled in by `transforms.assign_ids`."""


@dataclass(frozen=True)
class Paragraph:
    content: tuple[Inline, ...]
    role: str = ""
    """Paragraph style role (`title`, `subtitle`, `byline`, `source`, `lead`); empty for body text."""


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Caption:
    kind: str
    """`figure` or `table`: selects the label and the numbering sequence."""
    content: tuple[Inline, ...]
    label: str = ""
    """Localised word before the number (`Gambar`, `Tabel`); set by `transforms.number_captions`."""
    number: int = 0
    """1-based number in its sequence; set by `transforms.number_captions`."""


@dataclass(frozen=True)
class TableCell:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class TableRow:
    cells: tuple[TableCell, ...]


@dataclass(frozen=True)
class Table:
    header_rows: tuple[TableRow, ...]
    """Rows repeated at the top of every page the table spans."""
    body_rows: tuple[TableRow, ...]
    column_widths: tuple[float, ...]
    """Relative widths summing to 1; `make_table` normalises them."""
    caption: Caption | None = None
    id: str = ""
    role: str = ""


@dataclass(frozen=True)
class Figure:
    alt: str
    """Alternative text for screen readers; required."""
    chart: ChartSpec | None = None
    """The chart drawn for this figure."""
    image: Path | None = None
    """An image file (PNG or JPEG) drawn instead of a chart: a logo or photo named by the theme,
    already resolved and confined to the template folder by `reports.theme.images`."""
    width: float = 1.0
    """Fraction of the text width (0–1]."""
    caption: Caption | None = None
    source: tuple[Inline, ...] = ()
    """Source line printed under the figure."""
    id: str = ""


@dataclass(frozen=True)
class Div:
    role: str
    """Box or region role (`key-facts`, `summary`, `title-block`, `box-title`); mapped to styles by the theme."""
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""


Block = Union[Heading, Paragraph, BulletList, ListItem, Table, TableRow, TableCell, Caption, Figure, Div, PageBreak]


@dataclass(frozen=True)
class Metadata:
    title: str
    language: str
    """BCP 47 tag; written to the DOCX and PDF so screen readers and spell checkers use it."""
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    running_header: str = ""
    """Text of the running header (the title, usually)."""
    page_label: str = "Page {page} of {total}"
    """Localised footer pattern with `{page}` and `{total}`."""


@dataclass(frozen=True)
class Document:
    metadata: Metadata
    blocks: tuple[Block, ...]
    theme_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)


ALL: tuple[type, ...] = (
    Text,
    Emphasis,
    Strong,
    Span,
    LineBreak,
    Link,
    Heading,
    Paragraph,
    BulletList,
    ListItem,
    Caption,
    TableCell,
    TableRow,
    Table,
    Figure,
    Div,
    PageBreak,
    Document,
)
"""Every node type; each writer must handle each one."""


def children(node: object) -> Iterator[object]:
    """Direct child nodes, in document order."""
    for name in ("blocks", "content", "items", "cells", "header_rows", "body_rows"):
        value = getattr(node, name, None)
        if isinstance(value, tuple):
            yield from value
    caption = getattr(node, "caption", None)
    if caption is not None:
        yield caption
    source = getattr(node, "source", None)
    if isinstance(source, tuple):
        yield from source


def walk(node: object) -> Iterator[object]:
    """The node and all its descendants, depth-first in document order."""
    yield node
    for child in children(node):
        yield from walk(child)


def plain_text(node: object) -> str:
    """Concatenated text of a node's inlines, for ids, alt text and outlines."""
    if isinstance(node, Text):
        return node.text
    if isinstance(node, LineBreak):
        return "\n"
    return "".join(plain_text(child) for child in children(node))


def make_table(
    header_rows: tuple[TableRow, ...],
    body_rows: tuple[TableRow, ...],
    column_widths: tuple[float, ...] | None = None,
    caption: Caption | None = None,
    id: str = "",
    role: str = "",
) -> Table:
    """A Table with equal row lengths (short rows padded) and relative widths summing to 1."""
    rows = header_rows + body_rows
    columns = max((len(row.cells) for row in rows), default=0)
    if column_widths is not None and len(column_widths) > columns:
        columns = len(column_widths)

    def pad(row: TableRow) -> TableRow:
        missing = columns - len(row.cells)
        return TableRow(row.cells + tuple(TableCell(()) for _ in range(missing))) if missing else row

    widths = tuple(column_widths or ()) + (1.0,) * (columns - len(column_widths or ()))
    total = sum(widths) or 1.0
    return Table(
        header_rows=tuple(pad(row) for row in header_rows),
        body_rows=tuple(pad(row) for row in body_rows),
        column_widths=tuple(width / total for width in widths),
        caption=caption,
        id=id,
        role=role,
    )


def dump(node: object, indent: int = 0) -> str:
    """Deterministic text dump of a tree: the format-neutral golden file."""
    pad = "  " * indent
    name = type(node).__name__
    if isinstance(node, Text):
        return f"{pad}Text {node.text!r}\n"
    attributes = []
    for attribute in ("level", "role", "kind", "label", "number", "ordered", "id", "target", "alt", "width"):
        value = getattr(node, attribute, None)
        if value not in (None, "", 0, False) or (attribute == "ordered" and isinstance(node, BulletList) and value):
            attributes.append(f"{attribute}={value!r}")
    if isinstance(node, Table):
        attributes.append("widths=" + ",".join(f"{width:.3f}" for width in node.column_widths))
    if isinstance(node, Figure) and node.chart is not None:
        attributes.append(f"chart={node.chart.name!r}")
    if isinstance(node, Figure) and node.image is not None:
        attributes.append(f"image={node.image.name!r}")
    lines = f"{pad}{name}{(' ' + ' '.join(attributes)) if attributes else ''}\n"
    for child in children(node):
        lines += dump(child, indent + 1)
    return lines
