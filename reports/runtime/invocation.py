"""Where and for whom a command runs: the working folder, environment, output streams and umask it is given.

A command line in its own process takes these from the process (`Invocation.of_this_process`). The build
server runs many clients' commands in one process, one after another, so it hands each command its client's
invocation instead of changing its own working folder, environment, `sys.stdout` or umask (process-wide state
that its other threads, and the workers it forks, would see mid-change). What a command builds then carries
the settings it needs as data (`reports.runtime.jobs.Job`: the cache folder, `SOURCE_DATE_EPOCH`, the umask),
so a worker never reads them from its own environment either.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, TextIO


@dataclass(frozen=True)
class Invocation:
    cwd: Path
    """The user's working folder: relative paths on the command line are relative to it."""
    environ: Mapping[str, str]
    stdout: TextIO
    stderr: TextIO
    umask: int
    """What new files and folders must not allow (the user's `umask`): outputs get 0666 less it."""

    @classmethod
    def of_this_process(cls) -> Invocation:
        from reports.output import process_umask

        return cls(Path.cwd(), dict(os.environ), sys.stdout, sys.stderr, process_umask())

    def path(self, given: Path) -> Path:
        """A path as the user gave it, made absolute against their working folder. Not resolved: the system
        then follows `..` after a link exactly as it would for the relative path."""
        return given if given.is_absolute() else self.cwd / given

    def shown(self, given: Path) -> str:
        """A path as the user would type it: relative to the working folder when inside it, else as given."""
        try:
            return str(self.path(given).resolve().relative_to(self.cwd.resolve()))
        except (ValueError, OSError, RuntimeError):
            return str(given)

    def echo(self, text: str, err: bool = False) -> None:
        """One line to the user's standard output (or error)."""
        import click

        click.echo(text, file=self.stderr if err else self.stdout)

    @property
    def debug(self) -> bool:
        """`REPORTS_DEBUG` is set: an internal error shows its traceback."""
        return bool(self.environ.get("REPORTS_DEBUG"))
