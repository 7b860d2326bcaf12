"""Document-wide passes that run once, before any writer, so every format numbers things alike."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Callable, TypeVar

from reports.document import nodes

Node = TypeVar("Node")


def _rebuild(node: Node, change: Callable[[object], object]) -> Node:
    """Copy of `node` with `change` applied to every descendant node, bottom-up (the tree is frozen)."""
    if not dataclasses.is_dataclass(node) or isinstance(node, nodes.Text):
        return node
    updates = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            updates[field.name] = tuple(_rebuild(child, change) for child in value)
        elif isinstance(value, nodes.Caption):
            updates[field.name] = _rebuild(value, change)
    rebuilt = dataclasses.replace(node, **updates) if updates else node  # type: ignore[type-var]
    return change(rebuilt)  # type: ignore[return-value]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "section"


def assign_ids(document: nodes.Document) -> nodes.Document:
    """Give each heading, figure and table without an id a unique, readable one."""
    used: set[str] = set()

    def unique(base: str) -> str:
        candidate, counter = base, 2
        while candidate in used:
            candidate, counter = f"{base}-{counter}", counter + 1
        used.add(candidate)
        return candidate

    for node in nodes.walk(document):
        if isinstance(node, (nodes.Heading, nodes.Figure, nodes.Table)) and node.id:
            used.add(node.id)

    def change(node: object) -> object:
        if isinstance(node, nodes.Heading) and not node.id:
            return dataclasses.replace(node, id=unique(slugify(nodes.plain_text(node))))
        if isinstance(node, nodes.Figure) and not node.id:
            return dataclasses.replace(node, id=unique("figure"))
        if isinstance(node, nodes.Table) and not node.id:
            return dataclasses.replace(node, id=unique("table"))
        return node

    # ids are assigned in document order: walk order is document order, and _rebuild visits
    # children before parents but siblings left to right, which keeps headings in order.
    return _rebuild(document, change)


def number_captions(document: nodes.Document, labels: dict[str, str]) -> nodes.Document:
    """Number figure and table captions in document order, each kind in its own sequence."""
    counters: dict[str, int] = {}

    def change(node: object) -> object:
        if isinstance(node, nodes.Caption):
            counters[node.kind] = counters.get(node.kind, 0) + 1
            return dataclasses.replace(node, number=counters[node.kind], label=labels.get(node.kind, node.kind.title()))
        return node

    return _rebuild(document, change)


def apply_all(document: nodes.Document, labels: dict[str, str]) -> nodes.Document:
    return number_captions(assign_ids(document), labels)
