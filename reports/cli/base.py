"""What every command shares: the `reports` command group, paths shown as the user typed them, diagnostics
printed located, the mapping of errors to exit codes, and the invocation a command runs for (its own process's,
or a build server's client's: `reports.runtime.invocation`)."""

from __future__ import annotations

import os
import stat
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence, TypeVar

import click

from reports import __version__
from reports.errors import Diagnostic, ExitCode, ReportsError
from reports.runtime.invocation import Invocation

Command = TypeVar("Command", bound=Callable[..., object])


def invocation() -> Invocation:
    """Whom the running command works for: the invocation it was given (`invoke`), else this process's."""
    context = click.get_current_context(silent=True)
    given = context.find_object(Invocation) if context is not None else None
    return given if given is not None else Invocation.of_this_process()


def display_path(path: Path) -> str:
    """Paths as the user would type them: relative to the working directory when inside it."""
    return invocation().shown(path)


def print_diagnostics(diagnostics: Sequence[Diagnostic], to: Invocation | None = None) -> None:
    to = to or invocation()
    for diagnostic in diagnostics:
        to.echo(diagnostic.format(), err=True)


def fail(error: ReportsError, to: Invocation | None = None) -> NoReturn:
    print_diagnostics(error.diagnostics, to)
    sys.exit(int(error.exit_code))


class UserPath(click.Path):
    """A path argument relative to the invocation's working folder (a build server's client's, not the server's),
    checked as `click.Path` checks it, with click's messages."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        given = Path(os.fsdecode(value))
        found = ctx.find_object(Invocation) if ctx is not None else None
        if found is None:
            return super().convert(value, param, ctx)
        try:
            mode = os.stat(found.path(given)).st_mode
        except OSError:
            return self.coerce_path_result(value)
        shown = click.format_filename(value)
        if not self.file_okay and stat.S_ISREG(mode):
            self.fail(f"{self.name.title()} {shown!r} is a file.", param, ctx)
        if not self.dir_okay and stat.S_ISDIR(mode):
            self.fail(f"{self.name.title()} {shown!r} is a directory.", param, ctx)
        return self.coerce_path_result(value)


def templates_dir_option(command: Command) -> Command:
    return click.option(
        "--templates-dir", "templates_dirs", multiple=True, type=UserPath(path_type=Path, file_okay=False),
        help="Extra folder of templates, searched before your user folder and the built-in templates.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="essay-reports", prog_name="reports")
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


def run() -> None:
    """Console-script entry point: the command line of this process, ending in its exit code.

    A `build` goes to a running build server when there is one (`reports server start`); when none takes it,
    or for any other command, the command runs here.
    """
    from reports.runtime import server_client as server
    from reports.runtime.server_socket import socket_path, unavailable_reason

    _silence_library_logs()
    arguments = sys.argv[1:]
    if server.wanted(arguments):
        try:
            answer = server.run_on_server(arguments)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        if answer.exit_code is not None:
            sys.exit(answer.exit_code)
        if answer.note:
            click.echo(answer.note, err=True)
        if server.required():
            click.echo("no build server took the command (REPORTS_SERVER=required) — start one with "
                       f"`reports server start` ({socket_path()})", err=True)
            sys.exit(int(ExitCode.USAGE))
    elif server.required() and server.served(arguments) and unavailable_reason() is not None:
        click.echo(f"no build server took the command (REPORTS_SERVER=required): the build server cannot run here: "
                   f"{unavailable_reason()}", err=True)
        sys.exit(int(ExitCode.USAGE))
    sys.exit(invoke(arguments, Invocation.of_this_process()))


def invoke(arguments: list[str], client: Invocation) -> int:
    """Run one command line for `client` (its working folder, environment, streams and umask) and return its exit
    code; the only place that turns an unexpected exception into exit 1. The build server calls this for its
    clients: nothing here changes process-wide state."""
    try:
        result = main.main(args=arguments, prog_name="reports", standalone_mode=False, obj=client)
        return result if isinstance(result, int) else 0
    except SystemExit as ending:
        return ending.code if isinstance(ending.code, int) else (0 if ending.code is None else 1)
    except click.ClickException as error:  # what click's standalone mode prints, to the client's stream
        error.show(file=client.stderr)
        return error.exit_code
    except click.Abort:
        client.echo("Aborted!", err=True)
        return 1
    except ReportsError as error:
        print_diagnostics(error.diagnostics, client)
        return int(error.exit_code)
    except KeyboardInterrupt:
        client.echo("interrupted", err=True)
        return 130
    except BrokenPipeError:  # `reports build … | head -1`: the reader went away, as click's standalone mode ends
        from click.utils import PacifyFlushWrapper

        if client.stdout is sys.stdout:  # this process's own terminal: flushing it at exit must not fail again
            sys.stdout = PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
        return 1
    except Exception as error:  # a bug: say so plainly, keep the traceback for those who ask
        if client.debug:
            traceback.print_exc(file=client.stderr)
        client.echo(f"internal error (a bug in reports, not in your files): {type(error).__name__}: {error}\n"
                    f"Set REPORTS_DEBUG=1 for the traceback and report it with the command you ran (reports {__version__}).",
                    err=True)
        return int(ExitCode.INTERNAL)
