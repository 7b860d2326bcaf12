"""reports: structured essay content → Jinja2 template → one document tree → DOCX and PDF.

The Python API is the core's: `reports.build` makes the bytes of each format from a content file (or the content
as data) and writes nothing; a `reports.Cache` kept across calls reuses fonts, styles and charts.

    import reports
    outputs = reports.build("data/sco-russia.yaml", template="briefing", formats=("pdf", "docx"))
    Path("briefing.pdf").write_bytes(outputs["pdf"])

Errors a user can fix are `reports.ReportsError` subclasses whose `diagnostics` say where and how.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reports.errors import Diagnostic, ExitCode, ReportsError

if TYPE_CHECKING:
    from reports.cache import Cache
    from reports.pipeline import Outputs

__version__ = "0.1.0"
__all__ = ["Cache", "Diagnostic", "ExitCode", "Outputs", "ReportsError", "build", "__version__"]


def build(content: Any, template: str = "briefing", formats: Any = ("pdf", "docx"), **options: Any) -> Outputs:
    """Build one document and return `{format: bytes}`; see `reports.pipeline.build` for every option."""
    from reports.pipeline import build as build_document

    return build_document(content, template, formats, **options)


def __getattr__(name: str) -> Any:
    # imported on first use: every `reports.*` import (the command line's up-to-date check too) loads this module
    if name == "Cache":
        from reports.cache import Cache

        return Cache
    if name == "Outputs":
        from reports.pipeline import Outputs

        return Outputs
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
