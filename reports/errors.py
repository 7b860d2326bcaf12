"""Diagnostics and the error types that map one-to-one onto the CLI's exit codes.

Every user-facing failure is a `ReportsError` carrying one or more `Diagnostic`s, so the CLI
can print all problems at once (`file:line:col field.path: message`) and exit with the code
documented in the README. Anything else that escapes is a bug and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal


class ExitCode(IntEnum):
    """Stable exit codes; documented in README.md and relied on by scripts."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    CONTENT = 3
    TEMPLATE = 4
    ASSET = 5
    LAYOUT = 6
    OUTPUT = 7


Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located as precisely as the input allows."""

    message: str
    """What is wrong and, after an em dash, how to fix it."""
    file: str = ""
    """Path of the file the problem is in, as the user named it."""
    line: int = 0
    """1-based line; 0 when unknown."""
    column: int = 0
    """1-based column; 0 when unknown."""
    field_path: str = ""
    """Dotted path of the field in the content model (`organisation.membership.0.label`)."""
    severity: Severity = "error"

    def format(self) -> str:
        location = self.file or "<input>"
        if self.line:
            location += f":{self.line}:{self.column or 1}"
        prefix = f"{location}: "
        if self.field_path:
            prefix += f"{self.field_path}: "
        if self.severity != "error":
            prefix += f"{self.severity}: "
        return prefix + self.message


@dataclass
class ReportsError(Exception):
    """Base for every error a user can cause; never shown with a traceback."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    exit_code: ExitCode = ExitCode.INTERNAL

    def __str__(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)

    @classmethod
    def single(cls, message: str, **location: str | int) -> "ReportsError":
        return cls([Diagnostic(message, **location)])  # type: ignore[arg-type]


@dataclass
class UsageError(ReportsError):
    exit_code: ExitCode = ExitCode.USAGE


@dataclass
class ContentError(ReportsError):
    exit_code: ExitCode = ExitCode.CONTENT


@dataclass
class TemplateError(ReportsError):
    exit_code: ExitCode = ExitCode.TEMPLATE


@dataclass
class AssetError(ReportsError):
    exit_code: ExitCode = ExitCode.ASSET


@dataclass
class LayoutError(ReportsError):
    exit_code: ExitCode = ExitCode.LAYOUT


@dataclass
class OutputError(ReportsError):
    exit_code: ExitCode = ExitCode.OUTPUT
