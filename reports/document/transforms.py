"""Document-wide passes that run once, before any writer, so every format numbers things alike."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import TypeVar

from reports.document import nodes
from reports.document.traversal import plain_text, rebuild, walk

Node = TypeVar("Node")


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

    for node in walk(document):
        if isinstance(node, (nodes.Heading, nodes.Figure, nodes.Table)) and node.id:
            used.add(node.id)

    def change(node: object) -> object:
        if isinstance(node, nodes.Heading) and not node.id:
            return dataclasses.replace(node, id=unique(slugify(plain_text(node))))
        if isinstance(node, nodes.Figure) and not node.id:
            return dataclasses.replace(node, id=unique("figure"))
        if isinstance(node, nodes.Table) and not node.id:
            return dataclasses.replace(node, id=unique("table"))
        return node

    # ids are assigned in document order: walk order is document order, and rebuild visits
    # children before parents but siblings left to right, which keeps headings in order.
    return rebuild(document, change)


def number_captions(document: nodes.Document, labels: dict[str, str]) -> nodes.Document:
    """Number figure and table captions in document order, each kind in its own sequence."""
    counters: dict[str, int] = {}

    def change(node: object) -> object:
        if isinstance(node, nodes.Caption):
            counters[node.kind] = counters.get(node.kind, 0) + 1
            return dataclasses.replace(node, number=counters[node.kind], label=labels.get(node.kind, node.kind.title()))
        return node

    return rebuild(document, change)


def apply_all(document: nodes.Document, labels: dict[str, str]) -> nodes.Document:
    return number_captions(assign_ids(document), labels)
