"""The format-neutral document tree: a small, closed set of immutable node types.

Templates produce light markup; `reports.templating.markup` parses it once into these nodes; transforms number
figures and tables; then one writer per format visits the tree. New looks come from a `role` on a
node (mapped to a style by the theme), never from new node types, so every writer stays complete:
`tests/writers/test_writers_complete.py` asserts each writer has a `visit_<node>` for every type in `ALL`.

The types say which shapes exist: a `Block` is what may stand in a document, a box, a list item or a table
cell; list items, table rows and cells, and captions exist only inside their list, table or figure, so a
writer never meets one on its own. Every block carries the `SourcePosition` of the template line it came
from (not part of its value: two trees that differ only there are equal), so an error found while laying
it out can say where to look.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Union

if TYPE_CHECKING:
    from reports.charts.spec import ChartSpec

@dataclass(frozen=True)
class SourcePosition:
    """Where a block came from: a template file and line (of the template that printed it)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def _position() -> SourcePosition | None:
    return field(default=None, compare=False, repr=False, kw_only=True)  # type: ignore[no-any-return]


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
    position: SourcePosition | None = _position()
    """The template line that printed it (None for a block made by code)."""


@dataclass(frozen=True)
class Paragraph:
    content: tuple[Inline, ...]
    role: str = ""
    """Paragraph style role (`title`, `subtitle`, `byline`, `source`, `lead`); empty for body text."""
    position: SourcePosition | None = _position()
    """The template line that printed it (None for a block made by code)."""


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    ordered: bool = False
    position: SourcePosition | None = _position()
    """The template line that printed it (None for a block made by code)."""


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
    header_columns: int = 0
    """Leading columns whose body cells head their row (a sector name before its goal and evidence)."""
    position: SourcePosition | None = _position()
    """The template line that printed it (None for a block made by code)."""


@dataclass(frozen=True)
class Picture:
    """An image as the writers embed it: decoded and checked once, before layout (`reports.theme.images`)."""

    name: str
    """The file name the theme gives, for messages and the tree dump."""
    data: bytes = field(repr=False)
    """PNG or JPEG bytes in a form both writers draw alike (8-bit grey, RGB or RGBA; no CMYK, no palette)."""
    format: Literal["PNG", "JPEG"]
    width: int
    """Pixels."""
    height: int
    """Pixels."""


@dataclass(frozen=True)
class Figure:
    alt: str
    """Alternative text for screen readers; required."""
    chart: ChartSpec | None = None
    """The chart drawn for this figure."""
    image: Picture | None = None
    """An image drawn instead of a chart: a logo or photo named by the theme, confined to the template folder
    and decoded by `reports.theme.images`."""
    width: float = 1.0
    """Fraction of the text width (0–1]."""
    caption: Caption | None = None
    source: tuple[Inline, ...] = ()
    """Source line printed under the figure."""
    id: str = ""
    position: SourcePosition | None = _position()
    """The template line that printed it (None for a block made by code)."""


@dataclass(frozen=True)
class Div:
    role: str
    """Box or region role (`key-facts`, `summary`, `title-block`, `box-title`); mapped to styles by the theme."""
    blocks: tuple[Block, ...]
    position: SourcePosition | None = _position()
    """The template line that printed it (None for a block made by code)."""


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""

    position: SourcePosition | None = _position()


Block = Union[Heading, Paragraph, BulletList, Table, Figure, Div, PageBreak]
"""What may stand in a document, a box, a list item or a table cell."""


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


