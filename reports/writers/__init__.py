"""The writers, one per output format, and the registry that is the one list of formats.

Each writer turns a finished document tree into the bytes of one file format (`writers/pdf/`, `writers/docx/`).
Everything that asks which formats exist — the command line's `--format`, a batch's plan, the core's
`render` — reads `WRITERS`; a writer module is imported only when its format is built, so this registry
costs nothing to import.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from reports.errors import Diagnostic, UsageError

if TYPE_CHECKING:
    from reports.document.nodes import Document
    from reports.writers.base import RenderContext

WriteFunction = Callable[["Document", "RenderContext"], bytes]


@dataclass(frozen=True)
class Writer:
    """One output format: its name (also the file extension) and where its writer lives."""

    name: str
    module: str
    """Module holding `function`, imported on first use."""
    function: str
    media_type: str

    def load(self) -> WriteFunction:
        return getattr(importlib.import_module(self.module), self.function)  # type: ignore[no-any-return]


WRITERS: dict[str, Writer] = {
    writer.name: writer
    for writer in (
        Writer("pdf", "reports.writers.pdf.writer", "write_pdf", "application/pdf"),
        Writer("docx", "reports.writers.docx.writer", "write_docx",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    )
}

FORMATS: tuple[str, ...] = tuple(WRITERS)
"""Every output format, in the order they are built."""


def wanted_formats(names: Iterable[str]) -> tuple[str, ...]:
    """The formats asked for, each once, in the order given; an unknown or missing one is a usage error (exit 2)."""
    wanted = tuple(dict.fromkeys(name.strip().lower() for name in names if name.strip()))
    unknown = [name for name in wanted if name not in WRITERS]
    if unknown:
        raise UsageError([Diagnostic(f"unknown format(s) {', '.join(unknown)} — choose from {', '.join(FORMATS)}")])
    if not wanted:
        raise UsageError([Diagnostic(f"no output format given — choose from {', '.join(FORMATS)}")])
    return wanted
