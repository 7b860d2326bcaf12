"""Batches: many documents built in parallel, one failure never stopping the others.

A batch is a list of `Job`s (`reports.runtime.jobs`: one content file, or one content file × one roster
row, `reports.runtime.roster`), planned and checked here before anything is built. `run_jobs` builds them
in this process (one job, or `workers=1`), in a pool of local processes (`reports.runtime.executors`), or
on a Dask distributed cluster that needs no shared file system (`reports.runtime.cluster`). Every job ends in an `Outcome`, also when it fails (a user's mistake, a bug,
a worker that died), so the caller can report every failure at the end and exit with the worst code.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from reports.errors import Diagnostic, UsageError
from reports.runtime.jobs import Job, Outcome, run_indexed
from reports.writers import wanted_formats


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


def plan_jobs(
    files: Sequence[tuple[Path, str]],
    template_name: str,
    formats: Sequence[str],
    out_dir: Path,
    search_path: tuple[Path, ...],
    cache_dir: Path | None = None,
    roster: Sequence[Mapping[str, str]] | None = None,
    protected: Iterable[Path] = (),
    skip_unchanged: bool = False,
    force: bool = False,
    source_date_epoch: str = "",
    render_seconds: float | None = None,
    umask: int | None = None,
    debug: bool = False,
) -> list[Job]:
    """One job per content file (given as path and display name), or per file and roster row.

    Paths are taken as they are: a caller running for someone else (the build server) makes them absolute
    against its client's working folder first. Every setting a worker needs travels in the jobs (a worker
    never reads it from its own environment).

    Refused before anything is built (exit 2): an unknown format, and two documents whose outputs would have
    the same name — two content files, or a content file and a student of another (`a.yaml` for "b handout c"
    and `a-handout-b.yaml` for "c") — named both (the same file named twice is built once).
    """
    wanted = wanted_formats(formats)
    unique: dict[Path, tuple[Path, str]] = {}
    for path, name in files:
        unique.setdefault(path.resolve(), (path, name))
    guarded = tuple(dict.fromkeys([*(path for path, _ in unique.values()), *protected]))
    base = dict(template_name=template_name, formats=wanted, out_dir=out_dir, search_path=search_path,
                cache_dir=cache_dir, protected=guarded, skip_unchanged=skip_unchanged, force=force,
                source_date_epoch=source_date_epoch, render_seconds=render_seconds, umask=umask, debug=debug)
    jobs: list[Job] = []
    for path, name in unique.values():
        if roster is None:
            jobs.append(Job(content=path, display_name=name, label=name, **base))  # type: ignore[arg-type]
            continue
        from reports.runtime.roster import escaped, roster_suffixes

        for row, suffix in zip(roster, roster_suffixes(roster)):
            jobs.append(Job(content=path, display_name=name, student=dict(row), suffix=suffix, form=len(roster) > 1,
                            label=f"{name} for {escaped(row.get('name', suffix))}",
                            roster_file=getattr(row, "file", ""), roster_line=getattr(row, "line", 0),
                            **base))  # type: ignore[arg-type]
    refuse_collisions(jobs)
    return jobs


def describe_job(job: Job) -> str:
    """The document a job builds, as a message names it: the content file, and the student with its roster line."""
    if job.student is None:
        return job.display_name
    place = f" ({job.roster_file}:{job.roster_line})" if job.roster_file else ""
    return f"{job.display_name} for '{job.label.rsplit(' for ', 1)[-1]}'{place}"


def refuse_collisions(jobs: Sequence[Job], extra: Mapping[Path, str] | None = None) -> None:
    """Every output path of the batch, computed before anything is built: two documents (or a document and an
    `extra` output, such as the class set) written to one file is a usage error naming both (exit 2)."""
    owners: dict[Path, str] = dict(extra or {})
    clashes: dict[tuple[str, str], Diagnostic] = {}  # one message for two documents, not one per format
    for job in jobs:
        owner = describe_job(job)
        for target in job.outputs().values():
            earlier = owners.setdefault(target, owner)
            if earlier != owner and (earlier, owner) not in clashes:
                clashes[(earlier, owner)] = Diagnostic(
                    f"{earlier} and {owner} would both be written to {target.name} — rename one of them, or build "
                    "them in separate runs with different --out folders", file=job.display_name)
    if clashes:
        raise UsageError(list(clashes.values()))


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
        from reports.runtime.cluster import run_on_dask

        run_on_dask(items, address, workers, finished)
    elif len(items) <= 1 or workers == 1:
        for item in items:
            finished(run_indexed(item))
    else:
        from reports.runtime.executors import run_in_processes

        run_in_processes(items, min(workers, len(items)), finished)
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


