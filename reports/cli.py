"""The `reports` command line: parse arguments, call the library, map errors to exit codes.

Everything a command does is a library function a Python user can call too; this module only
translates between the shell and those functions. A user's mistake is printed as located
diagnostics with the documented exit code; only a bug (exit 1) mentions Python at all.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NoReturn, TypeVar

import click

from reports.errors import Diagnostic, ExitCode, ReportsError, UsageError
from reports.paths import DEFAULT_CONTENT, PROJECT_ROOT

if TYPE_CHECKING:  # the batch module (and its process pool) is imported only by `build`
    from reports.runtime.batch import BatchResult
    from reports.runtime.jobs import Job, Outcome

Command = TypeVar("Command", bound=Callable[..., object])


def _display(path: Path) -> str:
    """Paths as the user would type them: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def _fail(error: ReportsError) -> NoReturn:
    _print_diagnostics(error.diagnostics)
    sys.exit(int(error.exit_code))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reports")
def main() -> None:
    """Build briefing papers and handouts (DOCX and PDF) from structured essay content.

    \b
    Exit codes: 0 success, 1 internal error (a bug), 2 usage error, 3 content error,
    4 template error, 5 asset error, 6 layout error, 7 output error.
    """


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, not the per-file summary.")
@click.option("--accessibility", "-a", is_flag=True,
              help="Also check accessibility with a template: colour contrast (WCAG AA), heading levels, "
                   "figures' alternative text, document language.")
@click.option("--template", "-t", "template_name", default="briefing", show_default=True,
              help="Template folder name (with --accessibility).")
@click.option("--templates-dir", "templates_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Extra folder of templates, searched before your user folder and the built-in templates.")
def check(files: tuple[Path, ...], quiet: bool, accessibility: bool, template_name: str,
          templates_dirs: tuple[Path, ...]) -> None:
    """Validate content FILES (default: data/sco-russia.yaml) and report every problem at once.

    With --accessibility, also build each file's document with the template (nothing is written) and
    report what would make it hard to use with a screen reader or for readers with low vision;
    warnings only still exit 0.
    """
    from reports.content.validate import check_content

    worst = ExitCode.OK
    for path in files or (DEFAULT_CONTENT,):
        name = _display(path)
        try:
            checked = check_content(path, name)
        except ReportsError as error:
            _print_diagnostics(error.diagnostics)
            worst = max(worst, error.exit_code)
            continue
        _print_diagnostics(checked.warnings)
        warnings = len(checked.warnings)
        verdict = "valid"
        if accessibility:
            from reports.accessibility import check_accessibility  # builds documents: only when asked
            from reports.paths import template_search_path

            try:
                report = check_accessibility(path, template_name, template_search_path(templates_dirs), name)
            except ReportsError as error:
                _print_diagnostics(error.diagnostics)
                worst = max(worst, error.exit_code)
                continue
            _print_diagnostics(report.diagnostics)
            warnings += sum(diagnostic.severity == "warning" for diagnostic in report.diagnostics)
            worst = max(worst, report.exit_code)
            verdict = f"valid, accessibility checked with template '{template_name}'"
            if report.exit_code != ExitCode.OK:
                verdict = f"accessibility problems with template '{template_name}'"
        if not quiet:
            suffix = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
            click.echo(f"{name}: {verdict}{suffix}")
    sys.exit(int(worst))


def templates_dir_option(command: Command) -> Command:
    return click.option(
        "--templates-dir", "templates_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False),
        help="Extra folder of templates, searched before your user folder and the built-in templates.",
    )(command)


class _BatchReport:
    """Prints each document's diagnostics and files in input order, with a progress bar on a terminal."""

    def __init__(self, total: int, show_progress: bool) -> None:
        self.total = total
        self.next_index = 0
        self.waiting: dict[int, Outcome] = {}
        self.progress = None
        if show_progress:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            # no refresh thread (a pool may fork after this); redrawn as each document finishes
            self.progress = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                     console=Console(stderr=True), auto_refresh=False, transient=True,
                                     redirect_stdout=False, redirect_stderr=False)
            self.task = self.progress.add_task("build", total=total)
            self.progress.start()

    def _echo(self, line: str, err: bool) -> None:
        if self.progress is not None and (err or sys.stdout.isatty()):
            self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(line, err=err)

    def done(self, outcome: Outcome) -> None:
        self.waiting[outcome.index] = outcome
        while self.next_index in self.waiting:
            ready = self.waiting.pop(self.next_index)
            self.next_index += 1
            for diagnostic in (*ready.warnings, *ready.errors):
                self._echo(diagnostic.format(), err=True)
            for target in ready.written:
                self._echo(f"{'up to date' if ready.skipped else 'wrote'} {_display(target)}", err=False)
        if self.progress is not None:
            self.progress.advance(self.task)
            self.progress.refresh()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _summary(result: BatchResult, workers: str) -> None:
    from reports.runtime.jobs import EXIT_MEANINGS

    built = [outcome for outcome in result.outcomes if outcome.ok]
    files = sum(len(outcome.written) for outcome in built)
    unchanged = sum(outcome.skipped for outcome in built)
    note = f", {unchanged} of them up to date" if unchanged else ""
    click.echo(f"built {len(built)} of {len(result.outcomes)} documents ({files} files{note}) in "
               f"{result.seconds:.1f} s with {workers}", err=True)
    failures = result.failures
    if failures:
        click.echo(f"{len(failures)} failed:", err=True)
        for outcome in failures:
            meaning = EXIT_MEANINGS.get(ExitCode(outcome.exit_code), "error")
            click.echo(f"  {outcome.label}: {meaning} (exit {outcome.exit_code})", err=True)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--template", "-t", "template_name", default="briefing", show_default=True, help="Template folder name.")
@click.option("--format", "-f", "formats", default="pdf,docx", show_default=True,
              help="Comma-separated output formats.")
@click.option("--out", "-o", "out_dir", default=Path("build"), show_default=True,
              type=click.Path(path_type=Path, file_okay=False), help="Output folder.")
@click.option("--roster", type=click.Path(path_type=Path, dir_okay=False),
              help="Class list (CSV with columns name, class, …): one personalised document per row, "
                   "named <stem>-<template>-<name>.<format>.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Documents built at once, each in its own process (default: the number of CPUs).")
@click.option("--executor", default="processes", show_default=True,
              help="Where a batch runs: local 'processes', or Dask distributed: 'dask://HOST:PORT' (a running "
                   "scheduler) or 'dask://local' (a local cluster); needs the 'dask' extra.")
@click.option("--watch", "-w", is_flag=True,
              help="After building, keep running and rebuild in this process whenever a content file, the "
                   "roster or a template folder changes (only what changed is rebuilt). Ctrl-C stops.")
@click.option("--force", is_flag=True,
              help="Build every document even when nothing it depends on changed since its last build.")
@click.option("--no-cache", is_flag=True,
              help="Use no cache at all: draw every chart again and build every document (implies --force). "
                   "The cache is $REPORTS_CACHE_DIR, else $XDG_CACHE_HOME/reports/charts, else "
                   "~/.cache/reports/charts.")
@templates_dir_option
def build(files: tuple[Path, ...], template_name: str, formats: str, out_dir: Path,
          templates_dirs: tuple[Path, ...], roster: Path | None, jobs: int | None, executor: str,
          watch: bool, force: bool, no_cache: bool) -> None:
    """Build CONTENT files (default: data/sco-russia.yaml) into <stem>-<template>.<format> files.

    \b
    A document whose content, template, theme, fonts, code and outputs are all unchanged since its
    last build is not built again ("up to date"); --force builds it anyway.
    Many files (and a --roster) are built in parallel; a file that fails does not stop the others.
    The summary lists what failed; the exit code is the worst among the failures.
    """
    from reports.paths import template_search_path
    from reports.runtime.batch import default_workers, parse_executor, plan_jobs, run_jobs
    from reports.runtime.roster import read_roster
    from reports.templating.render import render_seconds_from

    try:
        kind, _ = parse_executor(executor)
        search_path = template_search_path(templates_dirs)
        wanted = [name.strip().lower() for name in formats.split(",") if name.strip()]
        sources = [(path, _display(path)) for path in files or (DEFAULT_CONTENT,)]

        def plan(forced: bool) -> list[Job]:
            rows = read_roster(roster, _display(roster)) if roster is not None else None
            return plan_jobs(sources, template_name, wanted, out_dir, search_path, cache_default=not no_cache,
                             roster=rows, protected=(roster,) if roster is not None else (),
                             skip_unchanged=not no_cache, force=forced,
                             source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH", ""),
                             render_seconds=render_seconds_from(os.environ.get("REPORTS_RENDER_SECONDS")))

        planned = plan(force)
    except ReportsError as error:
        _fail(error)
    workers = jobs or default_workers()
    report = _BatchReport(len(planned), show_progress=len(planned) > 1 and sys.stderr.isatty())
    try:
        result = run_jobs(planned, workers, executor, on_done=report.done)
    except ReportsError as error:
        report.close()
        _fail(error)
    report.close()
    if len(planned) > 1:
        used = min(workers, len(planned))
        where = ("Dask workers" if kind == "dask" else
                 f"{used} process{'es' if used != 1 else ''}" if used > 1 else "1 process")
        _summary(result, where)
    if watch:
        _watch(lambda: plan(False), [path for path, _ in sources] + ([roster] if roster else []),
               search_path)
    sys.exit(result.exit_code)


def _watch(plan: Callable[[], list[Job]], inputs: list[Path], search_path: tuple[Path, ...]) -> NoReturn:
    """Rebuild on every change until Ctrl-C; a round's failures are reported and watching goes on."""
    from reports.runtime.watch import watch

    def one_round(outcomes: list[Outcome], seconds: float) -> None:
        report = _BatchReport(len(outcomes), show_progress=False)
        for outcome in outcomes:
            report.done(outcome)
        rebuilt = sum(outcome.ok and not outcome.skipped for outcome in outcomes)
        failed = sum(not outcome.ok for outcome in outcomes)
        click.echo(f"rebuilt {rebuilt} of {len(outcomes)} document(s) in {seconds:.2f} s"
                   + (f"; {failed} failed" if failed else "") + " — still watching", err=True)

    def planned() -> list[Job]:
        try:
            return plan()
        except ReportsError as error:
            _print_diagnostics(error.diagnostics)
            return []

    from reports.runtime.watch import FontsChanged

    try:
        watch(planned, inputs, search_path, one_round, lambda line: click.echo(line, err=True))
    except KeyboardInterrupt:
        pass
    except FontsChanged as changed:
        click.echo(f"font file(s) changed: {changed} — fonts are loaded once per process; run "
                   "`reports build --watch` again to use them", err=True)
        sys.exit(int(ExitCode.ASSET))
    except (OSError, RuntimeError) as error:  # watchfiles: the system's limit of watched folders, a gone folder
        click.echo(f"cannot watch for changes: {error} — keep content files in a folder of their own, or raise "
                   "the system's inotify limit (fs.inotify.max_user_watches)", err=True)
        sys.exit(int(ExitCode.OUTPUT))
    click.echo("stopped watching", err=True)
    sys.exit(int(ExitCode.OK))


@main.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file instead of stdout.")
def schema(out: Path | None) -> None:
    """Print the content file's JSON Schema (for editor autocompletion and checking)."""
    from reports.content.schema import content_json_schema

    text = json.dumps(content_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    from reports.output import write_atomically

    write_atomically(out, text.encode("utf-8"))


@main.group()
def templates() -> None:
    """List templates, or copy one to customise."""


@templates.command("list")
@templates_dir_option
def templates_list(templates_dirs: tuple[Path, ...]) -> None:
    """Show the templates found, where, and which copy wins (user folders before built-ins)."""
    from reports.paths import template_search_path
    from reports.templating.folders import list_templates

    search_path = template_search_path(templates_dirs)
    click.echo("Searched, first match wins: " + ", ".join(_display(folder) for folder in search_path))
    for folder, hidden in list_templates(search_path):
        note = "  (hidden by an earlier folder)" if hidden else ""
        click.echo(f"{folder.name:<20} {_display(folder.path)}{note}")


@templates.command("new")
@click.argument("name")
@click.option("--from", "source_name", default="briefing", show_default=True, help="Template to copy.")
@click.option("--dir", "destination", type=click.Path(path_type=Path, file_okay=False),
              help="Folder to put the copy in (default: your user template folder).")
@templates_dir_option
def templates_new(name: str, source_name: str, destination: Path | None, templates_dirs: tuple[Path, ...]) -> None:
    """Copy template SOURCE to a new template NAME that you can edit."""
    from reports.paths import template_search_path, user_template_folder
    from reports.templating.folders import copy_template, find_template

    search_path = template_search_path(templates_dirs)
    source = find_template(source_name, search_path)
    target = copy_template(source, name, destination or user_template_folder())
    click.echo(f"created {_display(target)} from {source_name}; edit theme.yaml or template.md.j2, then "
               f"`reports build --template {name}`" + (f" --templates-dir {_display(destination)}" if destination else ""))


@templates.command("reference")
@click.argument("name")
@click.option("--out", "-o", "out", default=Path("reference.docx"), show_default=True,
              type=click.Path(path_type=Path, dir_okay=False), help="Where to write the reference document.")
@click.option("--content", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_CONTENT,
              help="Content to fill the sample with (default: data/sco-russia.yaml).")
@templates_dir_option
def templates_reference(name: str, out: Path, content: Path, templates_dirs: tuple[Path, ...]) -> None:
    """Write a Word reference document with every style template NAME uses.

    \b
    Restyle it in Word (Home → Styles → Modify), save it as reference.docx in the template's
    folder, and later DOCX builds take their styles from it (as pandoc's --reference-doc).
    """
    from reports.output import write_atomically
    from reports.paths import template_search_path
    from reports.pipeline import build_tree, load_content, render

    if out.resolve() == content.resolve():
        raise UsageError([Diagnostic("the reference document would overwrite the content file", file=str(out))])
    # a DOCX whose styles are the template's, defined from its theme (pandoc's reference.docx idea)
    built = build_tree(load_content(content), name, template_search_path(templates_dirs))
    write_atomically(out, render(built, ("docx",))["docx"])
    click.echo(f"wrote {_display(out)}; save your restyled copy as reference.docx in the template folder")


@main.group("server")
def server_group() -> None:
    """A resident build process that keeps the builder loaded: `reports build` then takes ≈0.1 s.

    \b
    While a server runs, every `reports build` (not --watch) hands its work to it and prints what it
    says; the files and exit codes are the same. It exits when idle or on `reports server stop`.
    REPORTS_SERVER=off makes `reports build` ignore it.
    """


@server_group.command("start")
@click.option("--idle-minutes", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Stop after this long without a request.")
def server_start(idle_minutes: float) -> None:
    """Start a build server in the background and wait until it answers."""
    import subprocess
    import time

    from reports.runtime import server

    if server.status() is not None:
        click.echo(f"a reports server is already running on {server.socket_path()}")
        return
    # the server outlives this command: its messages go to a log beside its socket, not to a pipe
    # nobody reads (or to a terminal that may be gone)
    log_path = server.socket_path().with_name("server.log")
    try:
        log = open(log_path, "ab") if server.prepare_socket_folder() else None
    except OSError:
        log = None
    if log is None:
        click.echo(f"{server.socket_path().parent}: cannot be used for the server's socket (it must be a folder of "
                   "yours that nobody else can enter) — remove it or set REPORTS_SERVER_SOCKET", err=True)
        sys.exit(int(ExitCode.USAGE))
    with log:
        process = subprocess.Popen([sys.executable, "-m", "reports.cli", "server", "run", "--idle-minutes",
                                    str(idle_minutes)], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.status() is not None:
            click.echo(f"reports server running on {server.socket_path()} (pid {process.pid})")
            return
        if process.poll() is not None:
            click.echo(f"the server stopped at once — see {log_path}", err=True)
            sys.exit(int(ExitCode.USAGE))
        time.sleep(0.05)
    click.echo("the server did not answer within 60 s", err=True)
    sys.exit(int(ExitCode.INTERNAL))


@server_group.command("run")
@click.option("--idle-minutes", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Stop after this long without a request.")
def server_run(idle_minutes: float) -> None:
    """Run a build server in this terminal (Ctrl-C stops it)."""
    from reports.runtime import server

    try:
        sys.exit(server.serve(idle_minutes))
    except KeyboardInterrupt:
        sys.exit(int(ExitCode.OK))


@server_group.command("stop")
def server_stop() -> None:
    """Stop the running build server."""
    from reports.runtime import server

    click.echo("stopped" if server.stop() else "no server was running")


@server_group.command("status")
def server_status() -> None:
    """Say whether a build server runs, where, and since when (exit 0 if it does, 1 if not)."""
    import datetime as dt

    from reports.runtime import server

    answer = server.status()
    if answer is None:
        click.echo(f"no server on {server.socket_path()}")
        sys.exit(1)
    since = dt.datetime.fromtimestamp(float(answer.get("since", 0))).isoformat(timespec="seconds")
    click.echo(f"running on {server.socket_path()}, pid {answer.get('pid')}, since {since}")


def run(arguments: list[str] | None = None) -> None:
    """Console-script entry point: the only place that turns an unexpected exception into exit 1.

    A `build` goes to a running build server when there is one (`reports server start`); given
    `arguments` (the server itself calls this), the command always runs in this process.
    """
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
        _fail(error)
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


if __name__ == "__main__":
    run()
