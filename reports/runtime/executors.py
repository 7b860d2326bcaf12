"""Where a batch's jobs run: in this process, in a pool of local processes, or on a Dask cluster.

Local pool workers are forked (while this process has one thread; else a safe start method) and each keeps
its own cache warm across its jobs (`reports.runtime.process`). A warm parent (the build server) makes each
roster's form before forking, so every worker starts with it. Every job ends in an `Outcome`, also when its
worker dies.
"""

from __future__ import annotations

import os
import threading
import traceback
from dataclasses import replace
from typing import Callable, Sequence

from reports.errors import Diagnostic, ExitCode, UsageError
from reports.paths import default_cache_dir
from reports.runtime.jobs import Job, Outcome, internal_error, run_indexed
from reports.runtime.process import is_warm, process_cache


def _pool_context() -> object:
    """`fork` while this process has one thread (workers start with what is already imported), else a safe method."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_in_processes(items: list[tuple[int, Job]], workers: int, finished: Callable[[Outcome], None]) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    context = _pool_context()
    # a warm process (the build server) makes the roster's form once, and every forked worker starts with it; a
    # cold one would first import and set up serially what the workers do side by side, so they make their own
    if getattr(context, "get_start_method", lambda: "")() == "fork" and is_warm():
        _prepare_forms([job for _, job in items])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)  # type: ignore[arg-type]
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

    requests = {(job.content, job.display_name, job.template_name, job.search_path, job.cache_dir,
                 job.cache_default, job.formats, tuple(sorted(job.student or {}))): job
                for job in jobs if job.form and job.student}
    for job in requests.values():
        try:
            prepare(job, process_cache(default_cache_dir() if job.cache_default else job.cache_dir))
        except Exception:  # a bug in making the form: the rows still build the ordinary way
            if os.environ.get("REPORTS_DEBUG"):
                traceback.print_exc()


def lost(index: int, job: Job, why: str) -> Outcome:
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


def run_on_dask(items: list[tuple[int, Job]], address: str, workers: int, finished: Callable[[Outcome], None]) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError([Diagnostic("--executor dask://… needs Dask distributed, which is not installed — "
                                     "pip install 'essay-reports[dask]'")]) from None
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
        futures = client.map(run_indexed, absolute, pure=False)
        jobs = {future.key: item for future, item in zip(futures, absolute)}
        for future in as_completed(futures):
            index, job = jobs[future.key]
            try:
                outcome = future.result()
            except Exception as error:  # a worker lost (KilledWorker) or the cluster failing
                outcome = lost(index, job, f"the Dask worker building it failed ({type(error).__name__}: {error})")
            finished(outcome)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
