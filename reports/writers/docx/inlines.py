"""Inline nodes as Word runs: text, emphasis and strong as run-level italic and bold (as pandoc does), spans as
character styles, line breaks, and hyperlinks to URLs or bookmarks (a mixin of `writer.DocxWriter`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from reports.document.nodes import Emphasis, LineBreak, Link, Span, Strong, Text
from reports.theme.model import Theme
from reports.writers.docx.fields import external_hyperlink, internal_hyperlink
from reports.writers.docx.frames import RunState
from reports.writers.docx.ooxml import Element, break_run, text_run
from reports.writers.docx.style_index import CHARACTER


class InlineRuns:
    """The inline visitors of `writer.DocxWriter`: each appends runs to the paragraph being filled."""

    theme: Theme
    _word: WordDocument | None
    _inline_parent: Element | None
    _run: RunState
    _in_link: bool
    _style_id: Callable[..., str]
    _fill: Callable[..., None]
    visit: Callable[[Any], Any]

    def visit_text(self, node: Text) -> None:
        assert self._inline_parent is not None
        self._inline_parent.append(text_run(node.text, self._run.properties()))

    def visit_emphasis(self, node: Emphasis) -> None:
        self._fill(self._inline_parent, node.content, replace(self._run, italic=True))  # type: ignore[arg-type]

    def visit_strong(self, node: Strong) -> None:
        self._fill(self._inline_parent, node.content, replace(self._run, bold=True))  # type: ignore[arg-type]

    def visit_span(self, node: Span) -> None:
        style_id = self._style_id(node.role, CHARACTER)
        self._fill(self._inline_parent, node.content, replace(self._run, style_id=style_id))  # type: ignore[arg-type]

    def visit_line_break(self, node: LineBreak) -> None:
        assert self._inline_parent is not None
        self._inline_parent.append(break_run(self._run.properties()))

    def visit_link(self, node: Link) -> None:
        assert self._inline_parent is not None and self._word is not None
        content = node.content or (Text(node.target),)
        if self._in_link:  # Word has no links inside links: keep the text
            self._fill(self._inline_parent, content)
            return
        if node.target.startswith("#"):
            hyperlink = internal_hyperlink(node.target[1:])
        else:
            hyperlink = external_hyperlink(self._word.part.relate_to(node.target, RT.HYPERLINK, is_external=True))
        self._inline_parent.append(hyperlink)
        state = self._run if self._run.style_id else replace(self._run, style_id=self._style_id("hyperlink", CHARACTER))
        self._in_link = True
        try:
            self._fill(hyperlink, content, state)
        finally:
            self._in_link = False
