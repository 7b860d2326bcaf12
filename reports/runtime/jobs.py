"""One job of a batch: one document (a content file, optionally personalised for one roster row), built and
written into its output folder; what became of it is an `Outcome`.

`run_job` answers an unchanged job from its build record (`reports.runtime.uptodate`) before the builder is
even imported; otherwise it builds through the core (`reports.pipeline`), or fills the row in from its
roster's form (`reports.runtime.mail_merge`), writes each file atomically and records the build. It never
raises for anything that happens while building: a user's mistake and a bug alike become the Outcome.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from reports.errors import Diagnostic, ExitCode, ReportsError, UsageError
from reports.paths import output_path
from reports.runtime import uptodate
from reports.runtime.uptodate import BuildRequest

if TYPE_CHECKING:
    from reports.cache import Cache

EXIT_MEANINGS = {
    ExitCode.INTERNAL: "internal error",
    ExitCode.USAGE: "usage error",
    ExitCode.CONTENT: "content error",
    ExitCode.TEMPLATE: "template error",
    ExitCode.ASSET: "asset error",
    ExitCode.LAYOUT: "layout error",
    ExitCode.OUTPUT: "output error",
}


@dataclass(frozen=True)
class Job:
    """One document: a content file, optionally personalised for one roster row."""

    content: Path
    display_name: str
    """The content file as the user named it (diagnostics show this)."""
    template_name: str
    formats: tuple[str, ...]
    out_dir: Path
    search_path: tuple[Path, ...]
    cache_dir: Path | None = None
    """The cache folder (charts, fonts' facts, build records); None: memory only, and no build is skipped."""
    protected: tuple[Path, ...] = ()
    student: Mapping[str, str] | None = None
    suffix: str = ""
    roster_file: str = ""
    """The roster as the user named it, and the student's line in it: a problem of the row is shown there."""
    roster_line: int = 0
    label: str = ""
    """How the summary names this job: the file, plus the roster row for a personalised one."""
    skip_unchanged: bool = False
    """Leave the outputs alone when nothing they depend on changed since they were built (needs a cache)."""
    force: bool = False
    """Build even when up to date; the build is still recorded, so the next one can be skipped."""
    form: bool = False
    """One row of many of a roster: fill it in from a form made once per process (`reports.runtime.mail_merge`)."""
    source_date_epoch: str = ""
    """`SOURCE_DATE_EPOCH` as the user set it (the build time written into the files), '' for none."""
    render_seconds: float | None = None
    """The template's time limit (`REPORTS_RENDER_SECONDS`); None for the default."""
    umask: int | None = None
    """The user's umask, for the files written (the build server's client's); None: this process's."""
    debug: bool = False
    """`REPORTS_DEBUG`: an internal error keeps its traceback (`Outcome.details`)."""

    def outputs(self) -> dict[str, Path]:
        """Each format's output file."""
        return {name: output_path(self.content, self.template_name, self.out_dir, name, self.suffix)
                for name in self.formats}

    def request(self) -> BuildRequest:
        return BuildRequest(self.content, self.display_name, self.template_name, self.formats,
                            tuple(self.outputs().values()), self.search_path, self.student, self.source_date_epoch)


@dataclass(frozen=True)
class Outcome:
    """What became of one job: the files written and the warnings, or the errors and their exit code."""

    index: int
    label: str
    written: tuple[Path, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    exit_code: int = 0
    seconds: float = 0.0
    worker: str = ""
    """Which process built it: host name and process id."""
    skipped: bool = False
    """Nothing had changed: the files named in `written` were left as they were."""
    details: str = ""
    """The traceback of an internal error, when the job asked for it (`Job.debug`)."""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def run_job(job: Job, index: int = 0, cache: Cache | None = None) -> Outcome:
    """Build one job; never raises for anything that happens while building (that becomes the Outcome).

    An unchanged job (see `reports.runtime.uptodate`) is answered before the builder is even imported.
    `cache`: what the build may reuse (default: this process's cache for the job's cache folder).
    """
    started = time.perf_counter()
    label = job.label or job.display_name
    worker = f"{socket.gethostname()} pid {os.getpid()}"
    request = record_request(job)
    skipped = unchanged(job, index, request, worker)
    if skipped is not None:
        return skipped
    trees_before = start_record(job, request)
    try:
        if cache is None:
            from reports.runtime.process import process_cache

            cache = process_cache(job.cache_dir)
        with uptodate.recording() as opened:
            written, warnings = build_job(job, cache)
        if request is not None:
            uptodate.save(request, job.cache_dir, opened, warnings, trees_before)  # type: ignore[arg-type]
    except Exception as error:  # a user's mistake or a bug: this document fails, the others go on
        return failed(job, index, error, time.perf_counter() - started, worker)
    return Outcome(index, label, written=tuple(written), warnings=tuple(warnings),
                   seconds=time.perf_counter() - started, worker=worker)


def record_request(job: Job) -> BuildRequest | None:
    """What the job's build record is kept under; None when its build is never recorded (nor skipped)."""
    if not job.skip_unchanged or job.cache_dir is None:
        return None
    request = job.request()
    if {path.resolve() for path in request.outputs} & {path.resolve() for path in job.protected}:
        return None  # an output would replace an input of this run: let the build refuse it
    if str(job.content.resolve()).startswith(("/dev/", "/proc/")):
        return None  # standard input or a descriptor: a new stream every run, nothing to compare
    return request


def unchanged(job: Job, index: int, request: BuildRequest | None, worker: str) -> Outcome | None:
    """The job's outcome when nothing its outputs depend on changed since they were built (and it is not
    forced), else None."""
    if request is None or job.force or job.cache_dir is None:
        return None
    started = time.perf_counter()
    found = uptodate.up_to_date(request, job.cache_dir)
    if found is None:
        return None
    return Outcome(index, job.label or job.display_name, written=found.outputs, warnings=found.warnings, skipped=True,
                   seconds=time.perf_counter() - started, worker=worker)


def start_record(job: Job, request: BuildRequest | None) -> dict[str, Any] | None:
    """Drop the job's old record (a build that fails half-way is never taken as done) and fingerprint its
    template folders, which must be the same when the build ends for it to be recorded."""
    if request is None or job.cache_dir is None:
        return None
    uptodate.forget(request, job.cache_dir)
    return uptodate.template_trees(job.search_path)


def failed(job: Job, index: int, error: Exception, seconds: float, worker: str) -> Outcome:
    """The outcome of a job that raised: a user's mistake with its diagnostics, or a bug (exit 1)."""
    label = job.label or job.display_name
    if isinstance(error, ReportsError):
        diagnostics = list(error.diagnostics)
        if job.student and job.roster_file:
            from reports.runtime.roster import relocated

            diagnostics = relocated(diagnostics, job.student, job.roster_file, job.roster_line)
        return Outcome(index, label, errors=tuple(diagnostics), exit_code=int(error.exit_code),
                       seconds=seconds, worker=worker)
    details = "".join(traceback.format_exception(error)) if job.debug else ""
    return Outcome(index, label, errors=(internal_error(job.display_name, error),), exit_code=int(ExitCode.INTERNAL),
                   seconds=seconds, worker=worker, details=details)


def refuse_overwriting_inputs(job: Job) -> None:
    """No output may replace the content file or another input of the same run (`protected`)."""
    inputs = {job.content.resolve(), *(path.resolve() for path in job.protected)}
    for target in job.outputs().values():
        if target.resolve() in inputs:
            raise UsageError([Diagnostic("the output would overwrite the input — choose another --out folder",
                                         file=str(target))])


def build_job(job: Job, cache: Cache) -> tuple[list[Path], list[Diagnostic]]:
    """Build the job's document through the core and write its files; return them and the warnings."""
    from reports.output import write_atomically

    refuse_overwriting_inputs(job)
    targets = job.outputs()
    rendered, warnings = make_outputs(job, cache)
    for name, data in rendered.items():
        write_atomically(targets[name], data, job.umask)
    return [targets[name] for name in rendered], warnings


def make_outputs(job: Job, cache: Cache) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The bytes of each format of the job's document, and the warnings; nothing is written.

    A roster row is filled in from its roster's form when that gives the same files (`reports.runtime.mail_merge`).
    """
    from reports.content.validate import check_content
    from reports.pipeline import build_tree, render, timestamp_from_epoch
    from reports.templating.limits import MAX_RENDER_SECONDS

    timestamp = timestamp_from_epoch(job.source_date_epoch) if job.source_date_epoch.strip() else None
    seconds = job.render_seconds if job.render_seconds is not None else MAX_RENDER_SECONDS
    checked = check_content(job.content, job.display_name, cache)
    filled = None
    if job.student:
        from reports.runtime.mail_merge import merged

        filled = merged(checked, job.template_name, job.search_path, job.student, cache, job.formats, job.form,
                        timestamp, seconds)
    if filled is not None:
        return filled
    built = build_tree(checked, job.template_name, job.search_path, job.student, cache, seconds)
    return render(built, job.formats, cache, timestamp), list(built.warnings)


def run_indexed(item: tuple[int, Job]) -> Outcome:
    """Module-level (picklable) entry point for pools and clusters."""
    return run_job(item[1], item[0])


def internal_error(file: str, error: BaseException) -> Diagnostic:
    return Diagnostic(f"internal error (a bug in reports, not in your files): {type(error).__name__}: {error} — "
                      "set REPORTS_DEBUG=1 for the traceback and report it", file=file)
