"""One document built on a cluster worker from data: what a task carries, what it runs, what it returns.

A `RemoteTask` holds everything but the bulky inputs: the content file's bytes and the template folders' bundle
(`reports.runtime.bundles`) come as separate arguments, scattered once and shared by every task that needs them.
The worker writes them out in its own private folder, builds through the core (`reports.runtime.jobs.make_outputs`:
the same steps as a local build, roster forms included) and returns the bytes of each format with the warnings
or errors — their paths rewritten to the client's, so a message names the client's template file and line — and
the client's names of the files the build read, for its build record. It never touches the client's folders.

The worker must run the same `reports` (code and built-in templates) and the same libraries as the client, or the
same input could give other bytes: each task carries the client's `installation()` and the worker checks it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from reports.errors import Diagnostic, UsageError
from reports.runtime.bundles import Bundle, materialise, materialise_content
from reports.runtime.jobs import Job, failed

LIBRARIES = ("reportlab", "python-docx", "python-pptx", "matplotlib", "fonttools", "pillow", "lxml", "xlsxwriter",
             "jinja2", "markdown-it-py", "babel", "pydantic", "pyyaml", "svglib")
"""The libraries whose version can change a document's bytes."""


@dataclass(frozen=True)
class RemoteTask:
    index: int
    label: str
    display_name: str
    content_name: str
    """The content file's name (the worker's copy gets it)."""
    template_name: str
    formats: tuple[str, ...]
    folders: tuple[int | None, ...]
    """The search path: each entry a folder of the bundle, or None for the worker's own built-in templates."""
    client_paths: Mapping[str, str]
    """What the worker's names stand for: 'content', 'project' (the installation) and each bundle folder's number
    → the client's path."""
    installation: Mapping[str, str]
    student: Mapping[str, str] | None = None
    form: bool = False
    source_date_epoch: str = ""
    render_seconds: float | None = None
    debug: bool = False
    use_cache: bool = False
    """Keep charts and fonts' facts in the worker's own cache folder (`reports.paths.default_cache_dir`)."""


@dataclass(frozen=True)
class RemoteResult:
    outputs: dict[str, bytes] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    exit_code: int = 0
    seconds: float = 0.0
    worker: str = ""
    read: tuple[str, ...] = ()
    """The client's paths of the files the build read (content, template folders, built-in files)."""
    details: str = ""


def installation() -> dict[str, str]:
    """This process's `reports` (a digest of its code and built-in templates and assets), Python and libraries."""
    return dict(_installation())


@functools.cache  # a fact of the process's code and libraries: computed once, the same for every caller
def _installation() -> dict[str, str]:
    from importlib import metadata

    from reports.paths import ASSETS_DIR, PACKAGE_DIR, TEMPLATES_DIR

    digest = hashlib.sha256()
    for root, pattern in ((PACKAGE_DIR, "*.py"), (TEMPLATES_DIR, "*"), (ASSETS_DIR, "*")):
        for path in sorted(root.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    found = {"reports": digest.hexdigest()[:16], "python": ".".join(map(str, sys.version_info[:2]))}
    for library in LIBRARIES:
        try:
            found[library] = metadata.version(library)
        except metadata.PackageNotFoundError:
            found[library] = "not installed"
    return found


def _same_installation(wanted: Mapping[str, str]) -> None:
    mine = installation()
    differing = [f"{name} {wanted.get(name, '?')} on this computer, {mine.get(name, '?')} on the worker"
                 for name in sorted(set(wanted) | set(mine)) if wanted.get(name) != mine.get(name)]
    if differing:
        what = "; ".join(item.replace("reports ", "reports' code or built-in templates ", 1) for item in differing)
        raise UsageError([Diagnostic(f"the Dask worker {socket.gethostname()} runs another installation than this "
                                     f"computer ({what}) — install the same version of reports and its libraries "
                                     "on every worker")])


def run_remote(task: RemoteTask, content: bytes, bundle: Bundle) -> RemoteResult:
    """Build one task on a worker; never raises for anything that happens while building."""
    from reports.paths import PROJECT_ROOT, TEMPLATES_DIR, default_cache_dir
    from reports.runtime import uptodate
    from reports.runtime.jobs import make_outputs
    from reports.runtime.process import process_cache

    started = time.perf_counter()
    worker = f"{socket.gethostname()} pid {os.getpid()}"
    job = Job(content=Path(task.content_name), display_name=task.display_name, template_name=task.template_name,
              formats=task.formats, out_dir=Path(), search_path=(), label=task.label, debug=task.debug)
    names: dict[str, str] = {str(PROJECT_ROOT): task.client_paths["project"]}
    try:
        _same_installation(task.installation)
        folders = materialise(bundle)
        content_path = materialise_content(content, task.content_name)
        names.update({str(folder): task.client_paths[str(number)] for number, folder in enumerate(folders)})
        names[str(content_path)] = task.client_paths["content"]
        job = Job(content=content_path, display_name=task.display_name, template_name=task.template_name,
                  formats=task.formats, out_dir=content_path.parent,
                  search_path=tuple(TEMPLATES_DIR if number is None else folders[number] for number in task.folders),
                  cache_dir=default_cache_dir() if task.use_cache else None, student=task.student,
                  label=task.label, form=task.form, source_date_epoch=task.source_date_epoch,
                  render_seconds=task.render_seconds, debug=task.debug)
        with uptodate.recording() as opened:
            outputs, warnings = make_outputs(job, process_cache(job.cache_dir))
    except Exception as error:  # a user's mistake or a bug: this document fails, the others go on
        outcome = failed(job, task.index, error, time.perf_counter() - started, worker)
        return RemoteResult(errors=_as_client(outcome.errors, names), exit_code=outcome.exit_code,
                            seconds=outcome.seconds, worker=worker, details=_rename(outcome.details, names))
    read = tuple(client for client in (_client_path(path, names) for path in opened) if client is not None)
    return RemoteResult(outputs, _as_client(warnings, names), seconds=time.perf_counter() - started, worker=worker,
                        read=read)


def _rename(text: str, names: Mapping[str, str]) -> str:
    """`text` with each of the worker's paths replaced by the client's (longest first: a folder inside another)."""
    for worker_path in sorted(names, key=len, reverse=True):
        text = text.replace(worker_path, names[worker_path])
    return text


def _as_client(diagnostics: Any, names: Mapping[str, str]) -> tuple[Diagnostic, ...]:
    from dataclasses import replace

    return tuple(replace(item, file=_rename(item.file, names), message=_rename(item.message, names))
                 for item in diagnostics)


def _client_path(path: str, names: Mapping[str, str]) -> str | None:
    """The client's name of a file the worker read; None for a file of the worker's own (Python, a library)."""
    for worker_path in sorted(names, key=len, reverse=True):
        if path == worker_path or path.startswith(worker_path.rstrip(os.sep) + os.sep):
            return names[worker_path] + path[len(worker_path):]
    return None
