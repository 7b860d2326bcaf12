"""`reports build`: content files (and a roster) into documents, in parallel, up to date, or watched."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from reports.cli.base import UserPath, fail, invocation, main, print_diagnostics, templates_dir_option
from reports.errors import Diagnostic, ExitCode, ReportsError, UsageError
from reports.paths import DEFAULT_CONTENT
from reports.runtime.invocation import Invocation
from reports.writers import FORMATS

if TYPE_CHECKING:  # the batch module (and its process pool) is imported only by `build`
    from reports.runtime.batch import BatchResult
    from reports.runtime.jobs import Job, Outcome


@dataclass(frozen=True)
class _OutputNames:
    """Outputs named as the user named them. The build works with absolute paths (a build server runs it for a
    client elsewhere); a file written is shown relative to the working folder when inside it, and a message about
    a path under --out names it under --out as typed."""

    to: Invocation
    typed: Path
    """--out as given."""
    folder: Path
    """--out made absolute."""

    def written(self, target: Path) -> str:
        inside = self.to.shown(target)
        if inside != str(target) or not target.is_relative_to(self.folder):
            return inside
        return str(self.typed / target.relative_to(self.folder))

    def located(self, diagnostic: Diagnostic) -> Diagnostic:
        path = Path(diagnostic.file)
        if not diagnostic.file or not path.is_absolute() or not path.is_relative_to(self.folder):
            return diagnostic
        return replace(diagnostic, file=str(self.typed / path.relative_to(self.folder)))


QUIET, NORMAL, VERBOSE = -1, 0, 1
"""How much `build` says: errors and warnings only; also each file written; also what each document took."""


class _BatchReport:
    """Prints each document's diagnostics and files in input order, with a progress bar on a terminal."""

    def __init__(self, total: int, show_progress: bool, to: Invocation, names: _OutputNames,
                 verbosity: int = NORMAL, show_written: bool = True) -> None:
        self.to = to
        self.show_written = show_written
        self.names = names
        self.verbosity = verbosity
        self.total = total
        self.next_index = 0
        self.waiting: dict[int, Outcome] = {}
        self.progress = None
        if show_progress:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            # no refresh thread (a pool may fork after this); redrawn as each document finishes
            self.progress = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                     console=Console(file=to.stderr), auto_refresh=False, transient=True,
                                     redirect_stdout=False, redirect_stderr=False)
            self.task = self.progress.add_task("build", total=total)
            self.progress.start()

    def _echo(self, line: str, err: bool) -> None:
        if self.progress is not None and (err or self.to.stdout.isatty()):
            self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            self.to.echo(line, err=err)

    def done(self, outcome: Outcome) -> None:
        self.waiting[outcome.index] = outcome
        while self.next_index in self.waiting:
            ready = self.waiting.pop(self.next_index)
            self.next_index += 1
            for diagnostic in (*ready.warnings, *ready.errors):
                self._echo(self.names.located(diagnostic).format(), err=True)
            if ready.details:
                self._echo(ready.details.rstrip("\n"), err=True)
            if self.verbosity >= NORMAL:
                for target in ready.written if self.show_written else ():
                    self._echo(f"{'up to date' if ready.skipped else 'wrote'} {self.names.written(target)}",
                               err=False)
            if self.verbosity >= VERBOSE:
                self._echo(self._timing(ready), err=True)
        if self.progress is not None:
            self.progress.advance(self.task)
            self.progress.refresh()

    @staticmethod
    def _timing(outcome: Outcome) -> str:
        what = ("found up to date" if outcome.skipped else "built" if outcome.ok
                else f"failed (exit {outcome.exit_code})")
        where = f" by {outcome.worker}" if outcome.worker else ""
        return f"{outcome.label}: {what} in {outcome.seconds * 1000:.0f} ms{where}"

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _located(error: ReportsError, names: _OutputNames) -> ReportsError:
    error.diagnostics = [names.located(diagnostic) for diagnostic in error.diagnostics]
    return error


def _summary(result: BatchResult, workers: str, to: Invocation, verbosity: int = NORMAL, class_sets: int = 0,
             students_kept: bool = True) -> None:
    """The batch's last line: documents built, the files left in --out (a class set counted as one), failures."""
    from reports.runtime.jobs import EXIT_MEANINGS

    built = [outcome for outcome in result.outcomes if outcome.ok]
    files = sum(len(outcome.written) for outcome in built) if students_kept else 0
    unchanged = sum(outcome.skipped for outcome in built)
    parts = [f"{files} file{'s' if files != 1 else ''}"] if students_kept else []
    if class_sets or not students_kept:
        parts.append(f"{class_sets or 'no'} class set{'s' if class_sets != 1 else ''}")
    note = f"; {unchanged} of the documents up to date" if unchanged else ""
    if verbosity >= NORMAL:
        to.echo(f"built {len(built)} of {len(result.outcomes)} documents ({' and '.join(parts)}{note}) in "
                f"{result.seconds:.1f} s with {workers}", err=True)
    failures = result.failures
    if failures:
        to.echo(f"{len(failures)} failed:", err=True)
        for outcome in failures:
            meaning = EXIT_MEANINGS.get(ExitCode(outcome.exit_code), "error")
            to.echo(f"  {outcome.label}: {meaning} (exit {outcome.exit_code})", err=True)


@main.command()
@click.argument("files", nargs=-1, type=UserPath(path_type=Path, dir_okay=False))
@click.option("--template", "-t", "template_name", default="briefing", show_default=True, help="Template folder name.")
@click.option("--format", "-f", "formats", default=",".join(FORMATS), show_default=True,
              help="Comma-separated output formats.")
@click.option("--out", "-o", "out_dir", default=Path("build"), show_default=True,
              type=UserPath(path_type=Path, file_okay=False), help="Output folder.")
@click.option("--roster", type=UserPath(path_type=Path, dir_okay=False),
              help="Class list (CSV with columns name, class, …): one personalised document per row, "
                   "named <stem>-<template>-<name>.<format>.")
@click.option("--class-set", "class_set", flag_value="also", default=None,
              help="With --roster: also write one print-ready PDF of the whole class, <stem>-<template>-class-set.pdf, "
                   "each student's handout starting on a new sheet of paper when printed on both sides.")
@click.option("--class-set-only", "class_set", flag_value="only",
              help="With --roster: write only the class set, not one file per student.")
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
@click.option("--quiet", "-q", is_flag=True,
              help="Print only errors and warnings: no list of files written, no summary, no progress bar.")
@click.option("--verbose", "-v", is_flag=True,
              help="Also print the template folders searched, the cache folder, and what each document took.")
@templates_dir_option
def build(files: tuple[Path, ...], template_name: str, formats: str, out_dir: Path,
          templates_dirs: tuple[Path, ...], roster: Path | None, class_set: str | None, jobs: int | None,
          executor: str, watch: bool, force: bool, no_cache: bool, quiet: bool, verbose: bool) -> None:
    """Build CONTENT files (default: data/sco-russia.yaml) into <stem>-<template>.<format> files.

    \b
    A document whose content, template, theme, fonts, code and outputs are all unchanged since its
    last build is not built again ("up to date"); --force builds it anyway.
    Many files (and a --roster) are built in parallel; a file that fails does not stop the others.
    The summary lists what failed; the exit code is the worst among the failures.
    With --roster, --class-set joins the students' PDFs into one file for the printer (again after each --watch round).
    """
    from reports.paths import default_cache_dir, template_search_path
    from reports.runtime.batch import default_workers, parse_executor, plan_jobs, run_jobs
    from reports.templating.limits import render_seconds_from

    # paths and settings are the invocation's (the build server runs this for its clients), never the process's
    to = invocation()
    out_folder = to.path(out_dir)
    names = _OutputNames(to, out_dir, out_folder)
    if quiet and verbose:
        fail(UsageError([Diagnostic("--quiet and --verbose contradict each other — give one of them")]), to)
    verbosity = QUIET if quiet else VERBOSE if verbose else NORMAL

    jobs_folder = out_folder
    # --class-set-only's private folder of the students' PDFs goes however the build ends (kept while watching)
    try:
        try:
            kind, _ = parse_executor(executor)
            search_path = template_search_path(tuple(to.path(folder) for folder in templates_dirs), to.environ)
            wanted = [name.strip().lower() for name in formats.split(",") if name.strip()]
            sources = [(to.path(path), to.shown(path)) for path in files or (DEFAULT_CONTENT,)]
            roster_file = to.path(roster) if roster is not None else None
            jobs_folder = _class_set_folder(class_set, roster, wanted, out_folder)
            if class_set == "only":  # the students' own files are joined, then discarded: only their PDFs
                wanted = ["pdf"]

            def plan(forced: bool) -> list[Job]:
                from reports.runtime.roster import read_roster

                rows = read_roster(roster_file, to.shown(roster)) if roster is not None and roster_file else None
                return plan_jobs(sources, template_name, wanted, jobs_folder, search_path,
                                 cache_dir=None if no_cache else default_cache_dir(to.environ), roster=rows,
                                 protected=(roster_file,) if roster_file is not None else (),
                                 skip_unchanged=not no_cache and jobs_folder == out_folder,
                                 force=forced, source_date_epoch=to.environ.get("SOURCE_DATE_EPOCH", ""),
                                 render_seconds=render_seconds_from(to.environ.get("REPORTS_RENDER_SECONDS")),
                                 umask=to.umask, debug=to.debug)

            planned = plan(force)
            if class_set:
                from reports.runtime.batch import refuse_collisions
                from reports.runtime.class_set import class_set_path

                refuse_collisions(planned, {class_set_path(path, template_name, out_folder):
                                            f"the class set of {name}" for path, name in sources})
        except ReportsError as error:
            fail(_located(error, names), to)
        workers = jobs or default_workers()
        if verbosity >= VERBOSE:
            to.echo("templates searched: " + ", ".join(str(folder) for folder in search_path), err=True)
            to.echo(f"cache: {'none (--no-cache)' if no_cache else default_cache_dir(to.environ)}", err=True)
        report = _BatchReport(len(planned), len(planned) > 1 and to.stderr.isatty() and verbosity >= NORMAL, to,
                              names, verbosity, show_written=jobs_folder == out_folder)
        try:
            result = run_jobs(planned, workers, executor, on_done=report.done)
        except ReportsError as error:
            report.close()
            fail(_located(error, names), to)
        report.close()
        exit_code = result.exit_code
        class_sets = 0
        if class_set:
            set_exit, class_sets = _write_class_sets(planned, result.outcomes, out_folder, to, names, verbosity)
            exit_code = max(exit_code, set_exit)
        if len(planned) > 1:
            used = min(workers, len(planned))
            where = ("Dask workers" if kind == "dask" else
                     f"{used} process{'es' if used != 1 else ''}" if used > 1 else "1 process")
            _summary(result, where, to, verbosity, class_sets, students_kept=jobs_folder == out_folder)
        if watch:
            def join_sets(jobs: list[Job], outcomes: list[Outcome]) -> None:
                _write_class_sets(jobs, outcomes, out_folder, to, names, verbosity)

            _watch(lambda: plan(False), [path for path, _ in sources] + ([roster_file] if roster_file else []),
                   search_path, to, names, verbosity, join_sets if class_set else None,
                   show_written=jobs_folder == out_folder)
        sys.exit(exit_code)
    finally:
        _discard(jobs_folder, out_folder)


def _class_set_folder(class_set: str | None, roster: Path | None, formats: list[str], out_folder: Path) -> Path:
    """Where the students' files are built: --out, or for --class-set-only a private folder inside it, removed
    once the set is joined."""
    if class_set is None:
        return out_folder
    if roster is None or "pdf" not in formats:
        raise UsageError([Diagnostic("--class-set joins the students' PDFs: give a --roster, and pdf among the "
                                     "--format(s)")])
    if class_set == "also":
        return out_folder
    import tempfile

    out_folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".class-set-", dir=out_folder))


def _discard(jobs_folder: Path, out_folder: Path) -> None:
    if jobs_folder != out_folder:
        import shutil

        shutil.rmtree(jobs_folder, ignore_errors=True)


def _write_class_sets(planned: Sequence[Job], outcomes: Sequence[Outcome], out_folder: Path, to: Invocation,
                      names: _OutputNames, verbosity: int = NORMAL) -> tuple[int, int]:
    """Join each content file's handouts into its class set: the exit code of what went wrong (0 if nothing) and
    how many class sets were written."""
    from reports.runtime.class_set import write_class_sets

    try:
        written, problems = write_class_sets(planned, outcomes, out_folder, to.umask)
    except ReportsError as error:
        print_diagnostics([names.located(diagnostic) for diagnostic in error.diagnostics], to)
        return int(error.exit_code), 0
    for target in written if verbosity >= NORMAL else ():
        to.echo(f"wrote {names.written(target)}")
    print_diagnostics(problems, to)
    # a set missing a failed handout says so, but the handout's failure is the exit code; otherwise it is the
    # file system's (a handout removed since it was written, a full disk)
    failed_builds = any(not outcome.ok for outcome in outcomes)
    return (int(ExitCode.OUTPUT) if problems and not failed_builds else 0), len(written)


def _watch(plan: Callable[[], list[Job]], inputs: list[Path], search_path: tuple[Path, ...], to: Invocation,
           names: _OutputNames, verbosity: int = NORMAL,
           after_round: Callable[[list[Job], list[Outcome]], None] | None = None, show_written: bool = True) -> NoReturn:
    """Rebuild on every change until Ctrl-C; a round's failures are reported and watching goes on.
    `after_round` joins the round's handouts into class sets (--class-set)."""
    from reports.runtime.watch import watch

    def one_round(jobs: list[Job], outcomes: list[Outcome], seconds: float) -> None:
        report = _BatchReport(len(outcomes), False, to, names, verbosity, show_written=show_written)
        for outcome in outcomes:
            report.done(outcome)
        if after_round is not None:
            after_round(jobs, outcomes)
        rebuilt = sum(outcome.ok and not outcome.skipped for outcome in outcomes)
        failed = sum(not outcome.ok for outcome in outcomes)
        to.echo(f"rebuilt {rebuilt} of {len(outcomes)} document(s) in {seconds:.2f} s"
                + (f"; {failed} failed" if failed else "") + " — still watching", err=True)

    def planned() -> list[Job]:
        try:
            return plan()
        except ReportsError as error:
            print_diagnostics([names.located(diagnostic) for diagnostic in error.diagnostics], to)
            return []

    from reports.runtime.watch import FontsChanged

    try:
        watch(planned, inputs, search_path, one_round, lambda line: to.echo(line, err=True))
    except KeyboardInterrupt:
        pass
    except FontsChanged as changed:
        to.echo(f"font file(s) changed: {changed} — fonts are loaded once per process; run "
                "`reports build --watch` again to use them", err=True)
        sys.exit(int(ExitCode.ASSET))
    except (OSError, RuntimeError) as error:  # watchfiles: the system's limit of watched folders, a gone folder
        to.echo(f"cannot watch for changes: {error} — keep content files in a folder of their own, or raise "
                "the system's inotify limit (fs.inotify.max_user_watches)", err=True)
        sys.exit(int(ExitCode.OUTPUT))
    to.echo("stopped watching", err=True)
    sys.exit(int(ExitCode.OK))
