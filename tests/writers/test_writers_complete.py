"""Every writer handles every node type: a missing handler fails here, not for a user."""

from __future__ import annotations

import importlib

import pytest

from reports.document import nodes
from reports.writers.base import visitor_name


@pytest.mark.parametrize(("module", "writer"), [("reports.writers.pdf.writer", "PdfWriter"), ("reports.writers.docx.writer", "DocxWriter")])
def test_writer_has_a_visitor_for_every_node_type(module: str, writer: str) -> None:
    cls = getattr(importlib.import_module(module), writer)
    missing = [node_type.__name__ for node_type in nodes.ALL if not callable(getattr(cls, visitor_name(node_type), None))]
    assert not missing, f"{writer} cannot write: {', '.join(missing)}"


def test_all_lists_every_node_class() -> None:
    declared = {
        value
        for name, value in vars(nodes).items()
        if isinstance(value, type) and value.__module__ == nodes.__name__ and name not in {"Metadata", "SourcePosition", "Picture"}
    }
    assert declared == set(nodes.ALL)
