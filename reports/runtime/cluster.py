"""A batch on a Dask distributed cluster whose workers share no file system with the client.

The client (this process) does everything that touches the user's files, as a local batch does: it answers
unchanged documents from their build records (`reports.runtime.uptodate`), reads each content file once, packs
the template folders once (`reports.runtime.bundles`) and sends them to the workers with Dask's scatter; each
task (`reports.runtime.remote`) returns the bytes of each format, and the client writes them atomically into the
output folder with the user's umask and records the build. Warnings and errors come back located with the
client's paths. A worker that dies, or runs another installation, fails its documents, never the batch.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

from reports.errors import Diagnostic, ReportsError, UsageError
from reports.runtime import uptodate
from reports.runtime.bundles import Packed, pack
from reports.runtime.jobs import (
    Job,
    Outcome,
    failed,
    record_request,
    refuse_overwriting_inputs,
    start_record,
    unchanged,
)
from reports.runtime.remote import RemoteResult, RemoteTask, installation, run_remote


def run_on_dask(items: list[tuple[int, Job]], address: str, workers: int, finished: Callable[[Outcome], None]) -> None:
    try:
        from distributed import Client, LocalCluster
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
        _run(client, items, finished)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Sent:
    """A job on its way: what the client needs to finish it when its result comes back."""

    def __init__(self, index: int, job: Job, packed: Packed, content_stamp: list[int]) -> None:
        self.index = index
        self.job = job
        self.packed = packed
        self.content_stamp = content_stamp
        self.request = record_request(job)
        self.trees_before = start_record(job, self.request)
        self.started = time.perf_counter()


def _run(client: Any, items: list[tuple[int, Job]], finished: Callable[[Outcome], None]) -> None:
    from distributed import as_completed

    wanted = installation()
    bundles: dict[tuple[Path, ...], tuple[Packed, Any]] = {}
    for _, job in items:  # template folders too large to send stop the batch before anything is built (exit 2)
        own = _own_folders(job)
        if own not in bundles:
            packed = pack(own)
            bundles[own] = (packed, client.scatter(packed.bundle, broadcast=True, hash=False))
    contents: dict[Path, tuple[Any, list[int]]] = {}
    futures: dict[Any, _Sent] = {}
    for index, job in items:
        try:
            skipped = unchanged(job, index, record_request(job), "this computer")
            if skipped is not None:
                finished(skipped)
                continue
            refuse_overwriting_inputs(job)
            if job.content not in contents:
                data, stamp = _read_content(job)
                contents[job.content] = (client.scatter(data, hash=True), stamp)
        except ReportsError as error:
            finished(failed(job, index, error, 0.0, "this computer"))
            continue
        packed, bundle = bundles[_own_folders(job)]
        content, stamp = contents[job.content]
        futures[client.submit(run_remote, _task(index, job, packed, wanted), content, bundle, pure=False)] = _Sent(
            index, job, packed, stamp)
    for future in as_completed(list(futures)):
        sent = futures.pop(future)
        try:
            result: RemoteResult = future.result()
        except Exception as error:  # a worker lost (KilledWorker) or the cluster failing
            from reports.runtime.executors import lost

            finished(lost(sent.index, sent.job, f"the Dask worker building it failed ({type(error).__name__}: {error})"))
            continue
        finished(_finish(sent, result))


def _own_folders(job: Job) -> tuple[Path, ...]:
    """The job's template folders that the workers do not have: all but the built-in templates."""
    return tuple(folder for folder in job.search_path if not _built_in(folder))


def _built_in(folder: Path) -> bool:
    from reports.paths import TEMPLATES_DIR

    return folder == TEMPLATES_DIR.resolve()


def _read_content(job: Job) -> tuple[bytes, list[int]]:
    """The content file's bytes and stamp; a content error (exit 3), worded as a local build words it, when the
    file cannot be read as a content file (missing, a folder, a pipe, too large)."""
    from reports.content.loader import MAX_CONTENT_BYTES, load_file

    try:
        info = os.stat(job.content)
        if os.path.isfile(job.content) and info.st_size <= MAX_CONTENT_BYTES:
            return job.content.read_bytes(), [info.st_size, info.st_mtime_ns]
    except OSError:
        pass
    load_file(job.content, job.display_name)  # raises the ContentError a local build would give
    return job.content.read_bytes(), []  # it became readable meanwhile


def _task(index: int, job: Job, packed: Packed, wanted: dict[str, str]) -> RemoteTask:
    from reports.paths import PROJECT_ROOT

    numbers = {folder: number for number, folder in enumerate(packed.folders)}
    client_paths = {"content": str(job.content), "project": str(PROJECT_ROOT),
                    **{str(number): str(folder) for folder, number in numbers.items()}}
    return RemoteTask(index=index, label=job.label or job.display_name, display_name=job.display_name,
                      content_name=job.content.name, template_name=job.template_name, formats=job.formats,
                      folders=tuple(None if _built_in(folder) else numbers[folder] for folder in job.search_path),
                      client_paths=client_paths, installation=wanted, student=job.student, form=job.form,
                      source_date_epoch=job.source_date_epoch, render_seconds=job.render_seconds, debug=job.debug,
                      use_cache=job.cache_dir is not None)


def _finish(sent: _Sent, result: RemoteResult) -> Outcome:
    """Write what a worker built into the output folder (atomically, with the user's umask) and record the build."""
    from reports.output import write_atomically

    job = sent.job
    label = job.label or job.display_name
    seconds = time.perf_counter() - sent.started
    if result.exit_code:
        return Outcome(sent.index, label, errors=result.errors, exit_code=result.exit_code, seconds=seconds,
                       worker=result.worker, details=result.details)
    targets = job.outputs()
    try:
        for name, data in result.outputs.items():
            write_atomically(targets[name], data, job.umask)
        if sent.request is not None and job.cache_dir is not None:
            read = {path: sent.packed.stamps.get(path) for path in result.read}
            read[str(job.content)] = sent.content_stamp or None
            uptodate.save(sent.request, job.cache_dir, read, result.warnings, sent.trees_before)
    except Exception as error:  # the output folder refused the file (exit 7), or a bug
        return failed(job, sent.index, error, seconds, result.worker)
    return Outcome(sent.index, label, written=tuple(targets[name] for name in result.outputs),
                   warnings=result.warnings, seconds=seconds, worker=result.worker)
