"""Reading a DOCX as pandoc does (pypandoc-binary), for tests that check what another program gets from our files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def pandoc_ast(path: Path) -> dict:
    """pandoc's JSON document tree of a file (its DOCX reader for a .docx)."""
    pypandoc = pytest.importorskip("pypandoc")
    return json.loads(pypandoc.convert_file(str(path), "json"))


def stringify(inlines: list[dict]) -> str:
    """Plain text of pandoc inlines."""
    words: list[str] = []
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Str":
            words.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            words.append(" ")
        elif kind in ("Strong", "Emph", "Underline", "SmallCaps"):
            words.append(stringify(content))
        elif kind in ("Span", "Link") or kind == "Quoted":
            words.append(stringify(content[1]))
    return "".join(words)


def blocks_of(node: object, kind: str) -> list[dict]:
    """Every pandoc block of a kind, at any depth (inside tables, figures, lists)."""
    found: list[dict] = []
    if isinstance(node, dict):
        if node.get("t") == kind:
            found.append(node)
        for value in node.values():
            found += blocks_of(value, kind)
    elif isinstance(node, list):
        for value in node:
            found += blocks_of(value, kind)
    return found


def text_of(node: object) -> str:
    """Plain text of pandoc blocks (a list item, say), paragraph after paragraph in reading order."""
    if isinstance(node, dict):
        if node.get("t") in ("Para", "Plain"):
            return stringify(node["c"])
        return " ".join(filter(None, (text_of(value) for value in node.values())))
    if isinstance(node, list):
        return " ".join(filter(None, (text_of(value) for value in node)))
    return ""
