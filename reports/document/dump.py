"""A deterministic text dump of a document tree, like pandoc's native output: the format-neutral golden
file, so a change to the tree shows as a readable diff (`tests/document/golden/`)."""

from __future__ import annotations

from reports.document.nodes import BulletList, Figure, Table, Text
from reports.document.traversal import children


def dump(node: object, indent: int = 0) -> str:
    """The tree below `node` as indented lines, one node a line with its attributes."""
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
        if node.header_columns:
            attributes.append(f"header-columns={node.header_columns}")
    if isinstance(node, Figure) and node.chart is not None:
        attributes.append(f"chart={node.chart.name!r}")
    if isinstance(node, Figure) and node.image is not None:
        attributes.append(f"image={node.image.name!r}")
    lines = f"{pad}{name}{(' ' + ' '.join(attributes)) if attributes else ''}\n"
    for child in children(node):
        lines += dump(child, indent + 1)
    return lines
