"""Skip a build when nothing that could change its output has changed since the last one.

make decides by file times; we keep a record per build instead, so a file touched but unchanged
(a `git checkout`) does not force a rebuild, and a file the build read is compared by its bytes whenever
its size or time differ.
The record (`<cache folder>/builds/<key>.json`, the key a hash of the request) lists:

- every file the build *opened for reading*, caught by an audit hook rather than listed by hand, so
  nothing is forgotten: the content, templates, themes, locale files, fonts, logos, a reference.docx —
  with size, time and SHA-256 (a changed time with the same bytes still counts as unchanged);
- every file in the template folders and assets (size and time): a template or font added earlier in
  the search path changes which one is used without any opened file changing;
- the code: the file of every module loaded when the build ended (an upgrade or an edit of `reports`
  itself makes every record stale), kept once in `code-<hash>.json` for all records that share it;
- the outputs as written (size, time, inode): an output edited, replaced or deleted since is rebuilt;
- the warnings, reported again when the build is skipped.

Only the standard library is imported, so `reports build` with nothing to do answers before the
builder and its libraries are loaded (≈0.1 s instead of ≈1 s). A record that cannot be read, parsed
or written never fails a build: it only means building again. A build during which a file it read, or a
template folder, changed is not recorded (its outputs may hold the old bytes).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from reports.errors import Diagnostic
from reports.paths import ASSETS_DIR

RECORD_VERSION = 2
MAX_TREE_ENTRIES = 2000
"""A template folder bigger than this (someone pointed --templates-dir at their home) is not
fingerprinted: its builds are never skipped rather than slowed by a walk of thousands of files."""
MAX_RECORD_BYTES = 4 * 1024 * 1024
_NOT_INPUTS = (".py", ".pyc", ".so", ".pth")
"""Code is fingerprinted from `sys.modules`, which also covers modules imported before the build."""
_SYSTEM_ROOTS = ("/proc/", "/dev/", "/sys/")

_recording = threading.local()
_hook_installed = False
_hook_lock = threading.Lock()


@dataclass(frozen=True)
class BuildRequest:
    """Everything a build is asked to do; two requests with the same key make the same files."""

    content: Path
    display_name: str
    template_name: str
    formats: tuple[str, ...]
    outputs: tuple[Path, ...]
    search_path: tuple[Path, ...]
    student: Mapping[str, str] | None = None
    source_date_epoch: str = ""

    def identity(self) -> dict[str, Any]:
        return {
            "content": str(self.content.resolve()),
            "display_name": self.display_name,
            "template": self.template_name,
            "formats": list(self.formats),
            "outputs": [str(path.resolve()) for path in self.outputs],
            "search_path": [str(path) for path in self.search_path],
            "student": dict(sorted(self.student.items())) if self.student is not None else None,
            "source_date_epoch": self.source_date_epoch.strip(),
            "python": [sys.executable, sys.version],
        }

    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Skipped:
    """A build found up to date: the files it would have written, and the warnings it gave."""

    outputs: tuple[Path, ...]
    warnings: tuple[Diagnostic, ...]


# --- what a build reads ------------------------------------------------------------------------------


def _on_audit_event(event: str, arguments: tuple[Any, ...]) -> None:
    """Collect files opened for reading by the thread that is recording (an audit hook must never raise)."""
    if event != "open":
        return
    opened: dict[str, list[int] | None] | None = getattr(_recording, "opened", None)
    if opened is None:
        return
    try:
        path, mode, flags = arguments
        if isinstance(path, int) or path is None:
            return
        if isinstance(mode, str):
            if any(letter in mode for letter in "wax+"):
                return
        elif isinstance(flags, int) and flags & os.O_ACCMODE != os.O_RDONLY:
            return
        name = os.path.abspath(os.fsdecode(path))
        if name not in opened:
            opened[name] = file_stamp(name)  # as read: a later change (an edit saved mid-build) shows at save
    except Exception:  # noqa: BLE001 — an exception here would surface in the caller's open()
        return


def _install_hook() -> None:
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_on_audit_event)  # hooks cannot be removed: one per process, idle unless recording
            _hook_installed = True


@contextmanager
def recording() -> Iterator[dict[str, list[int] | None]]:
    """The files this thread opens for reading inside the `with` block, with their size and time then."""
    _install_hook()
    opened: dict[str, list[int] | None] = {}
    outer = getattr(_recording, "opened", None)
    _recording.opened = opened
    try:
        yield opened
    finally:
        _recording.opened = outer
        if outer is not None:
            for name, stamp in opened.items():
                outer.setdefault(name, stamp)


# --- fingerprints ------------------------------------------------------------------------------------


def file_stamp(path: str) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def _sha256(path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            # small blocks: the record is made when the build's memory is at its highest (a font file read
            # whole would add its size to the peak)
            while block := handle.read(1 << 16):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _input_files(opened: Mapping[str, list[int] | None] | Iterable[str], cache_dir: Path,
                 outputs: Sequence[Path]) -> list[list[Any]] | None:
    """[path, size, mtime_ns, sha256] of every regular file read, except code, caches and outputs; None when
    the build cannot be known to be repeatable: a pipe or device was read, or a file changed after it was read."""
    read_as = opened if isinstance(opened, Mapping) else dict.fromkeys(opened)
    skipped_roots = (str(cache_dir.resolve()) + os.sep, *_SYSTEM_ROOTS)
    written = {str(path.resolve()) for path in outputs}
    files: list[list[Any]] = []
    for path in sorted(read_as):
        if path.endswith(_NOT_INPUTS) or path.startswith(skipped_roots) or path in written:
            continue
        try:
            info = os.stat(path)
        except OSError:
            continue  # opened but gone (a temporary file): nothing to compare later
        if stat.S_ISDIR(info.st_mode):
            continue  # opened to sync it after a write, or to list it (the trees cover listings)
        if not stat.S_ISREG(info.st_mode):
            return None  # a pipe or device was read: such a build cannot be known to be unchanged
        stamp = [info.st_size, info.st_mtime_ns]
        if read_as[path] is not None and read_as[path] != stamp:
            return None  # changed while the build ran: the outputs may hold the old bytes
        digest = _sha256(path)
        if digest is None:
            return None
        files.append([path, *stamp, digest])
    return files


def folder_tree(root: Path) -> list[list[Any]] | None:
    """[relative path, size, mtime_ns] of every file under root (None: too many to fingerprint)."""
    entries: list[list[Any]] = []
    pending = [str(root)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    if len(entries) >= MAX_TREE_ENTRIES:
                        return None
                    name = os.path.relpath(entry.path, root)
                    try:
                        info = entry.stat(follow_symlinks=True)
                    except OSError:
                        entries.append([name, -1, -1])  # a dangling link: its repair changes the fingerprint
                        continue
                    if stat.S_ISDIR(info.st_mode):
                        pending.append(entry.path)
                        entries.append([name, 0, 0])  # its time changes with every editor's temporary file
                    else:
                        entries.append([name, info.st_size, info.st_mtime_ns])
        except FileNotFoundError:
            if folder == str(root):
                return []  # a folder that does not exist yet: creating it later changes the fingerprint
        except OSError:
            return None
    return sorted(entries)


def _trees(search_path: Sequence[Path]) -> dict[str, Any] | None:
    trees: dict[str, Any] = {}
    for root in (*search_path, ASSETS_DIR):
        tree = folder_tree(root)
        if tree is None:
            return None
        trees[str(root)] = tree
    return trees


_code_stamps: dict[str, list[int]] = {}


def code_files() -> list[list[Any]]:
    """[file, size, mtime_ns] of every loaded module: what the build ran.

    Each module file is stamped once per process, when first seen: a process keeps running the code it
    loaded even if the file changes later, so the first stamp is the true one (and a batch of a hundred
    documents stats a thousand files once, not a hundred times).
    """
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path not in _code_stamps:
            found = file_stamp(path)
            if found is not None:
                _code_stamps[path] = found
    return sorted([path, *stamp] for path, stamp in _code_stamps.items())


def _output_stamp(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino]


# --- records -----------------------------------------------------------------------------------------


def _record_path(cache_dir: Path, request: BuildRequest) -> Path:
    return cache_dir / "builds" / f"{request.key()}.json"


def template_trees(search_path: Sequence[Path]) -> dict[str, Any] | None:
    """The fingerprint of the template folders and assets; take it before a build and give it to `save`."""
    return _trees(search_path)


def save(request: BuildRequest, cache_dir: Path, opened: Mapping[str, list[int] | None] | Iterable[str],
         warnings: Sequence[Diagnostic], trees_before: dict[str, Any] | None = None) -> bool:
    """Record a finished build; False when it cannot be known to be repeatable (then it is never skipped).

    `opened` is what `recording()` collected; `trees_before` the template folders' fingerprint taken when the
    build started: a template saved while the build ran must not be recorded as built.
    """
    files = _input_files(opened, cache_dir, request.outputs)
    trees = _trees(request.search_path)
    outputs = [[str(path), _output_stamp(path)] for path in request.outputs]
    if files is None or trees is None or any(stamp is None for _, stamp in outputs):
        return False
    if trees_before is not None and trees_before != trees:
        return False
    code = json.dumps(code_files(), ensure_ascii=False)
    code_key = hashlib.sha256(code.encode()).hexdigest()[:40]
    record = {
        "version": RECORD_VERSION,
        "request": request.identity(),
        "inputs": files,
        "trees": trees,
        "code": code_key,  # the list of a thousand module files, kept once for all records that share it
        "outputs": outputs,
        "warnings": [_diagnostic_fields(diagnostic) for diagnostic in warnings],
    }
    folder = cache_dir / "builds"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        code_file = folder / f"code-{code_key}.json"
        if not code_file.exists():
            _write_whole(code_file, code)
        _write_whole(_record_path(cache_dir, request), json.dumps(record, ensure_ascii=False))
    except OSError:
        return False
    return True


def _write_whole(target: Path, text: str) -> None:
    """Write through a temporary file and rename: a reader sees the old file or the new one."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


_code_lists: dict[str, list[list[Any]]] = {}


def _code_list(cache_dir: Path, key: str) -> list[list[Any]]:
    if key not in _code_lists:
        path = cache_dir / "builds" / f"code-{key}.json"
        if path.stat().st_size > MAX_RECORD_BYTES:
            raise ValueError("code list too large")
        text = path.read_text(encoding="utf-8")
        if hashlib.sha256(text.encode()).hexdigest()[:40] != key:
            raise ValueError("code list does not match its name")
        _code_lists[key] = json.loads(text)
    return _code_lists[key]


def forget(request: BuildRequest, cache_dir: Path) -> None:
    """Drop the record before a build starts, so a build that fails half-way is never taken as done."""
    try:
        _record_path(cache_dir, request).unlink(missing_ok=True)
    except OSError:
        pass


def up_to_date(request: BuildRequest, cache_dir: Path) -> Skipped | None:
    """The last build's outputs and warnings when nothing it depends on has changed, else None."""
    path = _record_path(cache_dir, request)
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("version") != RECORD_VERSION or record.get("request") != request.identity():
            return None
        for output, stamp in record["outputs"]:
            if _output_stamp(Path(output)) != stamp:
                return None
        for module_file, size, mtime in _code_list(cache_dir, str(record["code"])):
            if file_stamp(module_file) != [size, mtime]:
                return None
        for input_file, size, mtime, digest in record["inputs"]:
            if file_stamp(input_file) != [size, mtime] and _sha256(input_file) != digest:
                return None
        if _trees(request.search_path) != record["trees"]:
            return None
        warnings = tuple(Diagnostic(**fields) for fields in record["warnings"])
    except Exception:  # noqa: BLE001 — a record of any other shape (damaged, hand-edited) only means building again
        return None
    return Skipped(tuple(request.outputs), warnings)


def _diagnostic_fields(diagnostic: Diagnostic) -> dict[str, Any]:
    return {"message": diagnostic.message, "file": diagnostic.file, "line": diagnostic.line,
            "column": diagnostic.column, "field_path": diagnostic.field_path, "severity": diagnostic.severity}
