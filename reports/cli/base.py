"""What every command shares: the `reports` command group, paths shown as the user typed them, diagnostics
printed located, and the mapping of errors to exit codes."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Callable, NoReturn, TypeVar

import click

from reports.errors import Diagnostic, ExitCode, ReportsError
from reports.paths import PROJECT_ROOT

Command = TypeVar("Command", bound=Callable[..., object])


def display_path(path: Path) -> str:
    """Paths as the user would type them: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def fail(error: ReportsError) -> NoReturn:
    print_diagnostics(error.diagnostics)
    sys.exit(int(error.exit_code))


def templates_dir_option(command: Command) -> Command:
    return click.option(
        "--templates-dir", "templates_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False),
        help="Extra folder of templates, searched before your user folder and the built-in templates.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reports")
def main() -> None:
    """Build briefing papers and handouts (DOCX and PDF) from structured essay content.

    \b
    Exit codes: 0 success, 1 internal error (a bug), 2 usage error, 3 content error,
    4 template error, 5 asset error, 6 layout error, 7 output error.
    """


def _silence_library_logs() -> None:
    """Libraries log what they repair or skip as warnings (fontTools: "extra bytes at the end of 'head' table");
    with no logging set up, Python prints those to stderr, beside diagnostics that are one line per problem and
    already say what is wrong. They go nowhere unless REPORTS_DEBUG asks for them; a program that set up its own
    logging keeps its handlers."""
    import logging

    root = logging.getLogger()
    if root.handlers:
        return
    if os.environ.get("REPORTS_DEBUG"):
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")
    else:
        root.addHandler(logging.NullHandler())


def run(arguments: list[str] | None = None) -> None:
    """Console-script entry point: the only place that turns an unexpected exception into exit 1.

    A `build` goes to a running build server when there is one (`reports server start`); given
    `arguments` (the server itself calls this), the command always runs in this process.
    """
    _silence_library_logs()
    if arguments is None:
        from reports.runtime import server

        if server.wanted(sys.argv[1:]):
            try:
                code = server.run_on_server(sys.argv[1:])
            except KeyboardInterrupt:
                click.echo("interrupted", err=True)
                sys.exit(130)
            if code is not None:
                sys.exit(code)
            if server.required():
                click.echo(f"no build server took the command (REPORTS_SERVER=required) — start one with "
                           f"`reports server start` ({server.socket_path()})", err=True)
                sys.exit(int(ExitCode.USAGE))
    try:
        main(args=arguments, prog_name="reports", standalone_mode=True)
    except ReportsError as error:
        fail(error)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # a bug: say so plainly, keep the traceback for those who ask
        if os.environ.get("REPORTS_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"internal error (a bug in reports, not in your files): {type(error).__name__}: {error}\n"
            f"Set REPORTS_DEBUG=1 for the traceback and report it with the command you ran ({PROJECT_ROOT}).",
            err=True,
        )
        sys.exit(int(ExitCode.INTERNAL))
