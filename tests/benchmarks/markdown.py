"""The briefing as pandoc Markdown, made from the same document tree the writers get.

For the pandoc side of the benchmark: the same headings, paragraphs, lists, tables, boxes (as fenced
divs) and the two charts (as pictures drawn beforehand: pandoc does not draw charts, so its timing
leaves chart drawing out).
"""

from __future__ import annotations

import re
from pathlib import Path

from reports.document import nodes
from reports.document.traversal import plain_text

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~^$])")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _inline(items: tuple[nodes.Inline, ...]) -> str:
    parts = []
    for item in items:
        if isinstance(item, nodes.Text):
            parts.append(_escape(item.text))
        elif isinstance(item, nodes.Emphasis):
            parts.append(f"*{_inline(item.content)}*")
        elif isinstance(item, nodes.Strong):
            parts.append(f"**{_inline(item.content)}**")
        elif isinstance(item, nodes.Link):
            parts.append(f"[{_inline(item.content)}]({item.target})")
        elif isinstance(item, nodes.LineBreak):
            parts.append("\\\n")
        elif isinstance(item, nodes.Span):
            parts.append(_inline(item.content))
    return "".join(parts)


def _cell(cell: nodes.TableCell) -> str:
    return " ".join(_inline(block.content) if isinstance(block, nodes.Paragraph) else _escape(plain_text(block))
                    for block in cell.blocks).replace("\n", " ")


def _blocks(blocks: tuple[object, ...], charts: dict[str, Path], indent: str = "") -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, nodes.Heading):
            out.append(f"{'#' * block.level} {_inline(block.content)}")
        elif isinstance(block, nodes.Paragraph):
            out.append(_inline(block.content))
        elif isinstance(block, nodes.Caption):
            out.append(f"*{_inline(block.content)}*")
        elif isinstance(block, nodes.BulletList):
            lines = []
            for number, item in enumerate(block.items, start=1):
                marker = f"{number}. " if block.ordered else "- "
                inner = _blocks(item.blocks, charts, " " * len(marker))
                text = "\n\n".join(inner).strip()
                lines.append(marker + text)
            out.append("\n".join(lines))
        elif isinstance(block, nodes.Table):
            rows = list(block.header_rows) + list(block.body_rows)
            if not rows:
                continue
            header = rows[0] if block.header_rows else nodes.TableRow(tuple(nodes.TableCell(()) for _ in rows[0].cells))
            body = rows[1:] if block.header_rows else rows
            lines = ["| " + " | ".join(_cell(cell) for cell in header.cells) + " |",
                     "|" + "|".join("-" * max(3, round(width * 40)) for width in block.column_widths) + "|"]
            lines += ["| " + " | ".join(_cell(cell) for cell in row.cells) + " |" for row in body]
            if block.caption is not None:
                lines += ["", f"Table: {_inline(block.caption.content)}"]
            out.append("\n".join(lines))
        elif isinstance(block, nodes.Figure):
            caption = _inline(block.caption.content) if block.caption else _escape(block.alt)
            target = charts.get(block.chart.name) if block.chart is not None else None
            if target is not None:
                out.append(f"![{caption}]({target.name}){{width={round(block.width * 100)}%}}")
        elif isinstance(block, nodes.Div):
            out.append(f"::: {{.{block.role or 'box'}}}\n" + "\n\n".join(_blocks(block.blocks, charts)) + "\n:::")
    return [indent + text.replace("\n", "\n" + indent) if indent else text for text in out]


def to_markdown(document: nodes.Document, charts: dict[str, Path]) -> str:
    meta = document.metadata

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    header = ["---", f"title: {quoted(meta.title)}", f"author: {quoted(meta.author)}", f"lang: {meta.language}", "---"]
    return "\n".join(header) + "\n\n" + "\n\n".join(_blocks(document.blocks, charts)) + "\n"
