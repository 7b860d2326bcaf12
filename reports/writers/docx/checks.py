"""Checks that run before the DOCX writer touches python-docx: text Word cannot store, styles needed.

Both walk the whole tree first so every problem is reported at once, with the field path of the text
(`blocks[3].content[0].text`), instead of python-docx failing on the first bad character at save time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterator

from docx.enum.style import WD_STYLE_TYPE

from reports.document.nodes import (
    BulletList,
    Caption,
    Div,
    Document,
    Figure,
    Heading,
    Link,
    ListItem,
    Paragraph,
    Span,
    Table,
    TableRow,
    Text,
)
from reports.document.traversal import child_fields, walk
from reports.errors import Diagnostic, LayoutError
from reports.theme.model import Theme
from reports.writers.docx.numbering import LIST_DEPTH
from reports.writers.docx.style_index import CHARACTER, PARAGRAPH, TABLE

# Characters XML 1.0 cannot carry (lxml refuses them; Word would refuse the file): C0 controls other than
# tab, line feed and carriage return, lone surrogates, and the non-characters U+FFFE/U+FFFF.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class StyleNeeds:
    """Styles a document uses, gathered before writing so missing ones are reported all at once."""

    needed: set[tuple[str, WD_STYLE_TYPE]] = field(default_factory=set)
    paragraph_roles: set[str] = field(default_factory=set)
    span_roles: set[str] = field(default_factory=set)
    list_roles: dict[str, str] = field(default_factory=dict)
    """Paragraph roles met inside list items: role → `ol`/`ul` when it starts an item (a numbered question), `li`
    when it continues one (an answer line); readers other than Word must keep them in the list."""
    table_roles: set[str] = field(default_factory=set)
    continuing_roles: set[str] = field(default_factory=set)
    """Roles of paragraphs that continue a list item (an answer under its question)…"""
    free_roles: set[str] = field(default_factory=set)
    """…and of paragraphs outside any list item: a role in both is not marked as a continuation."""

    @property
    def continuation_roles(self) -> set[str]:
        """Roles only ever met continuing a list item, whose Word style may say so (`Numbering`)."""
        return self.continuing_roles - self.free_roles


def _character_name(character: str) -> str:
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "")
    if not name:
        controls = {0: "NUL", 7: "BEL", 8: "BACKSPACE", 11: "VERTICAL TAB", 12: "FORM FEED", 27: "ESCAPE"}
        name = controls.get(ord(character), "control character" if ord(character) < 32 else "surrogate")
    return f"{code} ({name})"


def _strings(node: object, path: str) -> Iterator[tuple[str, str]]:
    """(field path, text) of every string a writer puts into the file, depth-first."""
    if isinstance(node, Text):
        yield f"{path}.text", node.text
        return
    for attribute in ("alt", "label", "target"):
        value = getattr(node, attribute, None)
        if isinstance(value, str):
            yield f"{path}.{attribute}", value
    chart = getattr(node, "chart", None)
    if chart is not None:
        yield f"{path}.chart.title", chart.title
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, tuple):
            for index, child in enumerate(value):
                yield from _strings(child, f"{path}.{name}[{index}]")
        elif value is not None:
            yield from _strings(value, f"{path}.{name}")


def document_strings(document: Document, theme: Theme | None = None) -> list[tuple[str, str]]:
    """(field path, text) of every string the DOCX holds: metadata, the theme's running texts, every node's."""
    metadata = document.metadata
    strings: list[tuple[str, str]] = [
        (f"metadata.{name}", getattr(metadata, name))
        for name in ("title", "language", "author", "subject", "running_header", "page_label")
    ]
    if theme is not None:
        strings += [(f"theme.{name}", getattr(theme, name)) for name in ("organisation_name", "header_text", "footer_text")]
    strings += [(f"metadata.keywords[{index}]", keyword) for index, keyword in enumerate(metadata.keywords)]
    for index, block in enumerate(document.blocks):
        strings += list(_strings(block, f"blocks[{index}]"))
    return strings


def check_writable(document: Document, theme: Theme | None = None) -> None:
    """LayoutError naming every character Word cannot store (the content model normally stops them)."""
    problems = []
    for path, text in document_strings(document, theme):
        for match in _UNWRITABLE.finditer(text):
            snippet = text[max(0, match.start() - 20): match.start()].encode("unicode_escape").decode("ascii")
            problems.append(Diagnostic(
                f"the character {_character_name(match.group())} cannot be stored in a DOCX file (after "
                f"'{snippet}') — remove it from the content", field_path=path))
    if problems:
        raise LayoutError(problems)


def style_needs(document: Document, theme: Theme) -> StyleNeeds:
    """Every style the document will name, with its type, and the roles that need a style created."""
    name = theme.style_for
    needs = StyleNeeds()
    needs.needed |= {(name(role), PARAGRAPH) for role in ("body", "header", "footer", "table-spacing")}
    in_items: set[int] = set()  # paragraphs of list items, met before them in document order
    for node in walk(document):
        if isinstance(node, Paragraph):
            if node.role:
                needs.paragraph_roles.add(node.role)
                if id(node) not in in_items:
                    needs.free_roles.add(node.role)
            needs.needed.add((name(node.role or "body"), PARAGRAPH))
        elif isinstance(node, Heading):
            needs.needed.add((name(f"heading-{min(max(node.level, 1), 3)}"), PARAGRAPH))
        elif isinstance(node, (BulletList, ListItem)):
            if isinstance(node, BulletList):
                for item in node.items:
                    paragraphs = [block for block in item.blocks if isinstance(block, Paragraph)]
                    for index, paragraph in enumerate(paragraphs):
                        in_items.add(id(paragraph))
                        if paragraph.role:
                            first = index == 0 and item.blocks[0] is paragraph
                            needs.list_roles[paragraph.role] = ("ol" if node.ordered else "ul") if first else "li"
                            if not first:
                                needs.continuing_roles.add(paragraph.role)
            for role in ("bullet", "number", "list-continue"):
                for depth in range(1, LIST_DEPTH + 1):
                    base = name(role)
                    needs.needed.add((base if depth == 1 else f"{base} {depth}", PARAGRAPH))
        elif isinstance(node, Caption):
            needs.needed |= {(name("caption"), PARAGRAPH), (name("caption-label"), CHARACTER)}
        elif isinstance(node, (Table, TableRow)):
            role = getattr(node, "role", "") or "table"
            if role != "table":
                needs.table_roles.add(role)
            needs.needed |= {(name(role), TABLE), (name("table-text"), PARAGRAPH), (name("table-heading"), PARAGRAPH),
                             (name("table-bullet"), PARAGRAPH), (name("table-number"), PARAGRAPH)}
        elif isinstance(node, Figure):
            needs.needed |= {(name("figure"), PARAGRAPH), (name("source"), PARAGRAPH)}
        elif isinstance(node, Div):
            if node.role in theme.boxes:  # a shaded one-cell table
                needs.needed |= {(name(node.role), TABLE), (name("box-text"), PARAGRAPH)}
            elif node.role == "box-title":
                needs.needed.add((name("box-title"), PARAGRAPH))
        elif isinstance(node, Span):
            needs.span_roles.add(node.role)
            needs.needed.add((name(node.role), CHARACTER))
        elif isinstance(node, Link):
            needs.needed.add((name("hyperlink"), CHARACTER))
    return needs
