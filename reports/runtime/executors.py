"""Where a batch's jobs run: in a pool of local processes (a Dask cluster: `reports.runtime.cluster`).

On Linux, pool workers are forked while this process has one thread (else a safe start method: forking a
process with threads can copy a held lock), so they start with what is already imported; on macOS, where
system libraries are not safe to fork, and on Windows, which cannot fork, they are spawned. Each keeps its own
cache warm across its jobs (`reports.runtime.process`). A warm parent (the build server) makes each roster's
form before forking, so every worker starts with it. Workers die with their parent (`reports.runtime.lifeline`)
and close what they must not hold (the server's socket, its client's connection). Every job ends in an
`Outcome`, also when its worker dies.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from typing import Any, Callable, Sequence

from reports.errors import Diagnostic, ExitCode
from reports.runtime.jobs import Job, Outcome, internal_error, run_indexed
from reports.runtime.process import is_warm, kept_from_workers, process_cache


def start_method() -> str:
    """How pool workers start: `fork` on Linux while this process has one thread (they start with what is already
    imported), `forkserver` on Linux otherwise, `spawn` on macOS (forking its system libraries is unsafe) and
    wherever nothing else is offered (Windows)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "darwin" or "fork" not in methods:
        return "spawn"
    if threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _worker_started(parent: int, inherited: dict[int, tuple[int, int]]) -> None:
    """Every pool worker's first step: close what a forked worker inherited but must not hold, and end with its
    parent (a fork server's worker with the fork server: `parent` 0)."""
    from reports.runtime.lifeline import tie_to_parent

    for descriptor, identity in inherited.items():
        try:
            info = os.fstat(descriptor)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) == identity:
            try:
                os.close(descriptor)
            except OSError:
                pass  # closed meanwhile: nothing held
    tie_to_parent(parent)


def run_in_processes(items: list[tuple[int, Job]], workers: int, finished: Callable[[Outcome], None]) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    import multiprocessing

    method = start_method()
    # a warm process (the build server) makes the roster's form once, and every forked worker starts with it; a
    # cold one would first import and set up serially what the workers do side by side, so they make their own
    if method == "fork" and is_warm():
        _prepare_forms([job for _, job in items])
    started: tuple[Any, ...] = ((os.getpid(), kept_from_workers()) if method == "fork" else
                                (0 if method == "forkserver" else os.getpid(), {}))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=_worker_started, initargs=started)
    try:
        futures = {pool.submit(run_indexed, item): item for item in items}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index, job = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    outcome = lost(index, job, "the worker process building it died (out of memory, or killed)")
                except Exception as error:  # the job itself never raises: this is the pool failing
                    outcome = Outcome(index, job.label or job.display_name, exit_code=int(ExitCode.INTERNAL),
                                      errors=(internal_error(job.display_name, error),))
                finished(outcome)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _prepare_forms(jobs: Sequence[Job]) -> None:
    """Make the form of each content file and template the roster rows share (see `reports.runtime.mail_merge`).

    Each worker would otherwise make its own: the same layout once per worker instead of once. Nothing here
    may stop the batch: a form that cannot be made leaves each row to build (and report) on its own.
    """
    from reports.runtime.mail_merge import prepare

    requests = {(job.content, job.display_name, job.template_name, job.search_path, job.cache_dir, job.formats,
                 tuple(sorted(job.student or {}))): job
                for job in jobs if job.form and job.student}
    for job in requests.values():
        try:
            prepare(job, process_cache(job.cache_dir))
        except Exception:  # a bug in making the form: the rows still build the ordinary way (and report it)
            if job.debug:
                traceback.print_exc()


def lost(index: int, job: Job, why: str) -> Outcome:
    return Outcome(index, job.label or job.display_name, exit_code=int(ExitCode.INTERNAL),
                   errors=(Diagnostic(f"not built: {why} — run it again, alone, to see why", file=job.display_name),))
