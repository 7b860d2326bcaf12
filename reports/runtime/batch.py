"""Batches: many documents built in parallel, one failure never stopping the others.

A batch is a list of `Job`s (one content file, or one content file × one roster row). `run_jobs`
builds them in this process (one job, or `workers=1`), in a pool of local processes
(`concurrent.futures.ProcessPoolExecutor`; each worker keeps its caches warm: imported libraries,
registered fonts, themes, checked content and drawn charts), or on a Dask distributed cluster
(`dask://HOST:PORT`, or `dask://local` for a `LocalCluster` on this machine; the optional `dask`
extra, imported only then). Workers write their outputs themselves, atomically
(`reports.output.write_atomically`), one file per document and format; only a small `Outcome`
travels back. Every job ends in an `Outcome`, also when it fails (a user's mistake, a bug, a worker
that died), so the caller can report every failure at the end and exit with the worst code.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import sys
import threading
import time
import traceback
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from reports.errors import ContentError, Diagnostic, ExitCode, ReportsError, UsageError
from reports.runtime import uptodate
from reports.paths import FORMATS, default_cache_dir, output_path
from reports.runtime.uptodate import BuildRequest

EXIT_MEANINGS = {
    ExitCode.INTERNAL: "internal error",
    ExitCode.USAGE: "usage error",
    ExitCode.CONTENT: "content error",
    ExitCode.TEMPLATE: "template error",
    ExitCode.ASSET: "asset error",
    ExitCode.LAYOUT: "layout error",
    ExitCode.OUTPUT: "output error",
}

MAX_ROSTER_BYTES = 2 * 1024 * 1024
"""A class list is a few kilobytes; a province's schools a few hundred."""


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
    cache_default: bool = False
    """Use the worker's own default chart cache (`reports.paths.default_cache_dir`) instead of `cache_dir`."""
    protected: tuple[Path, ...] = ()
    student: Mapping[str, str] | None = None
    suffix: str = ""
    label: str = ""
    """How the summary names this job: the file, plus the roster row for a personalised one."""
    skip_unchanged: bool = False
    """Leave the outputs alone when nothing they depend on changed since they were built (needs a cache)."""
    force: bool = False
    """Build even when up to date; the build is still recorded, so the next one can be skipped."""
    form: bool = False
    """One row of many of a roster: fill it in from a form made once per process (`reports.runtime.merge`)."""

    def request(self) -> BuildRequest:
        outputs = tuple(output_path(self.content, self.template_name, self.out_dir, name, self.suffix)
                        for name in self.formats)
        return BuildRequest(self.content, self.display_name, self.template_name, self.formats, outputs,
                            self.search_path, self.student)


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

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]

    @property
    def exit_code(self) -> int:
        """The worst (highest) exit code among the failures; 0 when every document was built."""
        return max((outcome.exit_code for outcome in self.outcomes), default=0)


# --- one job ---------------------------------------------------------------------------------------


def run_job(job: Job, index: int = 0) -> Outcome:
    """Build one job; never raises for anything that happens while building (that becomes the Outcome).

    An unchanged job (see `reports.runtime.uptodate`) is answered before the builder is even imported.
    """
    started = time.perf_counter()
    label = job.label or job.display_name
    worker = f"{socket.gethostname()} pid {os.getpid()}"
    cache_dir = default_cache_dir() if job.cache_default else job.cache_dir
    request = job.request() if job.skip_unchanged and cache_dir is not None else None
    if request is not None and {path.resolve() for path in request.outputs} & {path.resolve() for path in job.protected}:
        request = None  # an output would replace an input of this run: let the build refuse it
    if request is not None and str(job.content.resolve()).startswith(("/dev/", "/proc/")):
        request = None  # standard input or a descriptor: a new stream every run, nothing to compare
    if request is not None and cache_dir is not None and not job.force:
        unchanged = uptodate.up_to_date(request, cache_dir)
        if unchanged is not None:
            return Outcome(index, label, written=unchanged.outputs, warnings=unchanged.warnings, skipped=True,
                           seconds=time.perf_counter() - started, worker=worker)
    trees_before = None
    if request is not None and cache_dir is not None:
        uptodate.forget(request, cache_dir)
        trees_before = uptodate.template_trees(job.search_path)
    try:
        from reports.pipeline import build

        with uptodate.recording() as opened:
            written, warnings = build(
                job.content, job.template_name, job.formats, job.out_dir, search_path=job.search_path,
                display_name=job.display_name, cache_dir=cache_dir,
                protected=job.protected, student=job.student, suffix=job.suffix, form=job.form,
            )
        if request is not None and cache_dir is not None:
            uptodate.save(request, cache_dir, opened, warnings, trees_before)
    except ReportsError as error:
        return Outcome(index, label, errors=tuple(error.diagnostics), exit_code=int(error.exit_code),
                       seconds=time.perf_counter() - started, worker=worker)
    except Exception as error:  # a bug: this document fails, the others go on
        if os.environ.get("REPORTS_DEBUG"):
            traceback.print_exc()
        return Outcome(index, label, errors=(_internal(job.display_name, error),), exit_code=int(ExitCode.INTERNAL),
                       seconds=time.perf_counter() - started, worker=worker)
    return Outcome(index, label, written=tuple(written), warnings=tuple(warnings),
                   seconds=time.perf_counter() - started, worker=worker)


def _run_indexed(item: tuple[int, Job]) -> Outcome:
    """Module-level (picklable) entry point for pools and clusters."""
    return run_job(item[1], item[0])


def _internal(file: str, error: BaseException) -> Diagnostic:
    return Diagnostic(f"internal error (a bug in reports, not in your files): {type(error).__name__}: {error} — "
                      "set REPORTS_DEBUG=1 for the traceback and report it", file=file)


# --- rosters ---------------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A file-name part from a person's name: accents dropped, lower case, runs of other characters → '-'.

    Accents on Latin letters are dropped (`Ráhma` → `rahma`); letters of other scripts are kept as they are
    (`Андрей` → `андрей`); nothing that could leave the folder survives.
    """
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue  # an accent on a Latin letter
        kept.append(char)
    plain = unicodedata.normalize("NFC", "".join(kept)).casefold()
    return re.sub(r"[\W_]+", "-", plain).strip("-")[:60].strip("-")


def read_roster(path: Path, display_name: str | None = None) -> list[dict[str, str]]:
    """Rows of a class list (CSV with a header: `name`, optionally `class`, any other columns).

    UTF-8 (with or without the BOM spreadsheets write), comma, semicolon or tab separated. Column names
    are matched ignoring case and surrounding spaces. Every problem is reported at once (exit 3), with
    its line. Empty rows are skipped.
    """
    shown = display_name or str(path)
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_ROSTER_BYTES else None
    except OSError as error:
        raise ContentError([Diagnostic(f"cannot read the roster: {error.strerror or error}", file=shown)]) from None
    if data is None:
        raise ContentError([Diagnostic(f"the roster is larger than {MAX_ROSTER_BYTES // 1024 // 1024} MiB — "
                                       "split it into several files", file=shown)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError([Diagnostic("the roster is not UTF-8 text — save it as 'CSV UTF-8' from your spreadsheet",
                                       file=shown, line=line)]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ContentError([Diagnostic("the roster is empty — its first line names the columns, e.g. "
                                           "'name,class'", file=shown, line=1)])
        columns = [cell.strip().casefold() for cell in header]
        if "name" not in columns:
            found = ", ".join(filter(None, columns))
            raise ContentError([Diagnostic(f"the roster has no 'name' column (found: {found}) — its first line "
                                           "names the columns, e.g. 'name,class'", file=shown, line=1)])
        rows: list[dict[str, str]] = []
        problems: list[Diagnostic] = []
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                problems.append(Diagnostic(f"this row has {len(cells)} cells but the header names {len(columns)} — "
                                           f"quote values that contain '{delimiter}'", file=shown, line=line))
                continue
            row = {column: cell.strip() for column, cell in zip(columns, cells) if column}
            row.setdefault("class", "")
            if not row.get("name"):
                problems.append(Diagnostic("this row has no name — fill in the 'name' column or delete the row",
                                           file=shown, line=line))
                continue
            rows.append(row)
    except csv.Error as error:
        raise ContentError([Diagnostic(f"the roster is not valid CSV: {error}", file=shown,
                                       line=reader.line_num)]) from None
    if problems:
        raise ContentError(problems)
    if not rows:
        raise ContentError([Diagnostic("the roster has no rows — add one line per student under the header",
                                       file=shown)])
    return rows


def roster_suffixes(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """A distinct file-name suffix per row: the name's slug, `-2`, `-3`… for repeated names, `row-N` for none."""
    suffixes: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        base = slug(row.get("name", "")) or f"row-{number}"
        candidate, count = base, 1
        while candidate in seen:
            count += 1
            candidate = f"{base}-{count}"
        seen.add(candidate)
        suffixes.append(candidate)
    return suffixes


def plan_jobs(
    files: Sequence[tuple[Path, str]],
    template_name: str,
    formats: Sequence[str],
    out_dir: Path,
    search_path: tuple[Path, ...],
    cache_dir: Path | None = None,
    cache_default: bool = False,
    roster: Sequence[Mapping[str, str]] | None = None,
    protected: Iterable[Path] = (),
    skip_unchanged: bool = False,
    force: bool = False,
) -> list[Job]:
    """One job per content file (given as path and display name), or per file and roster row.

    Refused before anything is built (exit 2): an unknown format, and two inputs whose outputs would
    have the same name (the same file named twice is built once).
    """
    wanted = tuple(dict.fromkeys(formats))
    unknown = [name for name in wanted if name not in FORMATS]
    if unknown:
        raise UsageError([Diagnostic(f"unknown format(s) {', '.join(unknown)} — choose from {', '.join(FORMATS)}")])
    if not wanted:
        raise UsageError([Diagnostic(f"no output format given — choose from {', '.join(FORMATS)}")])
    unique: dict[Path, tuple[Path, str]] = {}
    for path, name in files:
        unique.setdefault(path.resolve(), (path, name))
    owners: dict[str, str] = {}
    clashes: list[Diagnostic] = []
    for path, name in unique.values():
        target = output_path(path, template_name, out_dir, wanted[0]).name
        if target in owners:
            clashes.append(Diagnostic(f"{owners[target]} and {name} would both be built into {target} — build them "
                                      "in separate runs with different --out folders", file=name))
        owners.setdefault(target, name)
    if clashes:
        raise UsageError(clashes)
    guarded = tuple(dict.fromkeys([*(path for path, _ in unique.values()), *protected]))
    base = dict(template_name=template_name, formats=wanted, out_dir=out_dir, search_path=search_path,
                cache_dir=cache_dir, cache_default=cache_default, protected=guarded, skip_unchanged=skip_unchanged,
                force=force)
    jobs: list[Job] = []
    for path, name in unique.values():
        if roster is None:
            jobs.append(Job(content=path, display_name=name, label=name, **base))  # type: ignore[arg-type]
            continue
        for row, suffix in zip(roster, roster_suffixes(roster)):
            jobs.append(Job(content=path, display_name=name, student=dict(row), suffix=suffix, form=len(roster) > 1,
                            label=f"{name} for {row.get('name', suffix)}", **base))  # type: ignore[arg-type]
    return jobs


# --- running ---------------------------------------------------------------------------------------


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_jobs(
    jobs: Sequence[Job],
    workers: int | None = None,
    executor: str = "processes",
    on_done: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Build every job; `on_done` is called in this process as each one finishes (in finishing order).

    `executor`: `processes` (local process pool; in this process when one job or one worker), or
    `dask://HOST:PORT` / `dask://local`. Outcomes come back in job order.
    """
    started = time.perf_counter()
    workers = max(1, workers or default_workers())
    kind, address = parse_executor(executor)
    items = list(enumerate(jobs))
    outcomes: dict[int, Outcome] = {}

    def finished(outcome: Outcome) -> None:
        outcomes[outcome.index] = outcome
        if on_done is not None:
            on_done(outcome)

    if kind == "dask":
        _run_dask(items, address, workers, finished)
    elif len(items) <= 1 or workers == 1:
        for item in items:
            finished(_run_indexed(item))
    else:
        _run_processes(items, min(workers, len(items)), finished)
    return BatchResult([outcomes[index] for index, _ in items], time.perf_counter() - started)


def parse_executor(executor: str) -> tuple[str, str]:
    """Which executor: `processes` → ('processes', ''), `dask://local` → ('dask', 'local'),
    `dask://host:port` → ('dask', 'tcp://host:port'); anything else is a usage error (exit 2)."""
    text = executor.strip()
    if text in ("", "processes", "local"):
        return "processes", ""
    if text.startswith("dask://"):
        rest = text[len("dask://"):].strip("/")
        if rest == "local":
            return "dask", "local"
        if re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+:\d{1,5}", rest):
            return "dask", f"tcp://{rest}"
        if re.fullmatch(r"(tcp|tls|inproc|ucx)://.+", rest):
            return "dask", rest
    raise UsageError([Diagnostic(f"--executor '{executor}' is not understood — use 'processes' (the default), "
                                 "'dask://HOST:PORT' for a Dask scheduler, or 'dask://local' for a local Dask "
                                 "cluster")])


def _pool_context() -> object:
    """`fork` while this process has one thread (workers start with what is already imported), else a safe method."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run_processes(items: list[tuple[int, Job]], workers: int, finished: Callable[[Outcome], None]) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    context = _pool_context()
    # a warm process (the build server) makes the roster's form once, and every forked worker starts with it; a
    # cold one would first import and set up serially what the workers do side by side, so they make their own
    if getattr(context, "get_start_method", lambda: "")() == "fork" and "reports.writers.pdf.writer" in sys.modules:
        _prepare_forms([job for _, job in items])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)  # type: ignore[arg-type]
    try:
        futures = {pool.submit(_run_indexed, item): item for item in items}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index, job = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    outcome = _lost(index, job, "the worker process building it died (out of memory, or killed)")
                except Exception as error:  # the job itself never raises: this is the pool failing
                    outcome = Outcome(index, job.label or job.display_name, exit_code=int(ExitCode.INTERNAL),
                                      errors=(_internal(job.display_name, error),))
                finished(outcome)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _prepare_forms(jobs: Sequence[Job]) -> None:
    """Make the form of each content file and template the roster rows share (see `reports.runtime.merge`).

    Each worker would otherwise make its own: the same layout once per worker instead of once. Nothing here
    may stop the batch: a form that cannot be made leaves each row to build (and report) on its own.
    """
    from reports.runtime.merge import prepare

    requests = {(job.content, job.display_name, job.template_name, job.search_path, job.cache_dir,
                 job.cache_default, job.formats, tuple(sorted(job.student or {}))): job
                for job in jobs if job.form and job.student}
    for job in requests.values():
        try:
            prepare(job.content, job.display_name, job.template_name, job.search_path, job.student or {},
                    default_cache_dir() if job.cache_default else job.cache_dir, job.formats)
        except Exception:  # a bug in making the form: the rows still build the ordinary way
            if os.environ.get("REPORTS_DEBUG"):
                traceback.print_exc()


def _lost(index: int, job: Job, why: str) -> Outcome:
    return Outcome(index, job.label or job.display_name, exit_code=int(ExitCode.INTERNAL),
                   errors=(Diagnostic(f"not built: {why} — run it again, alone, to see why", file=job.display_name),))


def _absolute(job: Job) -> Job:
    """Workers of a cluster may run elsewhere: hand them absolute paths (on a file system they share)."""
    return replace(
        job,
        content=job.content.resolve(),
        out_dir=job.out_dir.resolve(),
        search_path=tuple(path.resolve() for path in job.search_path),
        cache_dir=job.cache_dir.resolve() if job.cache_dir is not None else None,
        protected=tuple(path.resolve() for path in job.protected),
    )


def _run_dask(items: list[tuple[int, Job]], address: str, workers: int, finished: Callable[[Outcome], None]) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError([Diagnostic("--executor dask://… needs Dask distributed, which is not installed — "
                                     "pip install 'reports[dask]'")]) from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as error:
        if cluster is not None:
            cluster.close()
        raise UsageError([Diagnostic(f"cannot reach the Dask scheduler at {address}: {error} — check the address "
                                     "and that the scheduler is running")]) from None
    try:
        absolute = [(index, _absolute(job)) for index, job in items]
        futures = client.map(_run_indexed, absolute, pure=False)
        jobs = {future.key: item for future, item in zip(futures, absolute)}
        for future in as_completed(futures):
            index, job = jobs[future.key]
            try:
                outcome = future.result()
            except Exception as error:  # a worker lost (KilledWorker) or the cluster failing
                outcome = _lost(index, job, f"the Dask worker building it failed ({type(error).__name__}: {error})")
            finished(outcome)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
