"""Walking the document tree: the one place that knows which fields of a node hold other nodes.

Writers, transforms, checks and the tree dump all go through `children`, `walk` and `rebuild`, so a new field
that holds nodes is seen by every one of them at once. A field holds children when its type names a node type
(`tuple[Block, ...]`, `Caption | None`); the answer is worked out once per node type from the dataclass fields.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, Iterator, TypeVar

from reports.document import nodes

Node = TypeVar("Node")

_NODE_TYPE_NAMES = frozenset({"Inline", "Block", *(node_type.__name__ for node_type in nodes.ALL)})
_WORD = re.compile(r"[A-Za-z_]\w*")
_child_fields: dict[type, tuple[str, ...]] = {}


def child_fields(node_type: type) -> tuple[str, ...]:
    """Names of the fields of `node_type` that hold nodes, in field (document) order."""
    known = _child_fields.get(node_type)
    if known is None:
        known = tuple(field.name for field in dataclasses.fields(node_type)
                      if _NODE_TYPE_NAMES.intersection(_WORD.findall(str(field.type))))
        _child_fields[node_type] = known
    return known


def children(node: object) -> Iterator[object]:
    """Direct child nodes, in document order."""
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, tuple):
            yield from value
        elif value is not None:
            yield value


def walk(node: object) -> Iterator[object]:
    """The node and all its descendants, depth-first in document order."""
    yield node
    for child in children(node):
        yield from walk(child)


def plain_text(node: object) -> str:
    """Concatenated text of a node's inlines, for ids, alt text and outlines."""
    if isinstance(node, nodes.Text):
        return node.text
    if isinstance(node, nodes.LineBreak):
        return "\n"
    return "".join(plain_text(child) for child in children(node))


def rebuild(node: Node, change: Callable[[object], object]) -> Node:
    """Copy of `node` with `change` applied to every node below it and then to it, bottom-up (the tree is
    frozen, so a changed node means new parents)."""
    if not dataclasses.is_dataclass(node) or isinstance(node, (type, nodes.Text)):
        return node
    updates: dict[str, object] = {}
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, tuple):
            rebuilt = tuple(rebuild(child, change) for child in value)
            if any(new is not old for new, old in zip(rebuilt, value)):
                updates[name] = rebuilt
        elif value is not None:
            rebuilt_child = rebuild(value, change)
            if rebuilt_child is not value:
                updates[name] = rebuilt_child
    changed = dataclasses.replace(node, **updates) if updates else node  # type: ignore[type-var]
    return change(changed)  # type: ignore[return-value]
