"""Template folders as data, for cluster workers that cannot see the client's files.

A Dask worker may run on another machine: it has `reports` and its built-in templates installed (the same
version: `reports.runtime.remote` checks), but not the user's template folders, fonts and logos. The client packs
each of those folders into a `Bundle` — every file's bytes, every folder and link, named by the SHA-256 of it all —
and sends it once to every worker (Dask's scatter with broadcast); a worker writes a bundle out once, into a
private temporary folder of its own named by the digest, and builds from there (`materialise`). The
content file travels the same way (`materialise_content`). Nothing is read from or written to the client's
folders by a worker.

Links are kept as links, so a link leading out of a template folder is refused on the worker exactly as it is
on the client (the sandbox resolves it and finds it outside).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal, Sequence

from reports.errors import Diagnostic, UsageError

MAX_BUNDLE_FILES = 2000
"""As many files as the up-to-date check fingerprints in a template folder (`uptodate.MAX_TREE_ENTRIES`)."""
MAX_BUNDLE_BYTES = 256 * 1024 * 1024
"""Template folders hold templates, themes, fonts and logos: a few MB. More is a folder pointed at by mistake."""

Kind = Literal["file", "folder", "link"]


@dataclass(frozen=True)
class Entry:
    name: str
    """The path inside its folder, with `/` between parts."""
    kind: Kind
    data: bytes = b""
    """A file's bytes."""
    target: str = ""
    """A link's target, as written in the link."""


@dataclass(frozen=True)
class Bundle:
    digest: str
    folders: tuple[tuple[Entry, ...], ...]
    """The entries of each folder packed, in the order given."""


@dataclass(frozen=True)
class Packed:
    """A bundle, and what the client needs to read a worker's answer against it."""

    bundle: Bundle
    folders: tuple[Path, ...]
    """The client's folders, in the bundle's order."""
    stamps: dict[str, list[int]]
    """Each packed file (the client's path) → [size, mtime_ns] as it was read: a build record compares them."""


def pack(folders: Sequence[Path]) -> Packed:
    """Every file, folder and link under each of `folders` (a missing folder packs as empty); a usage error
    (exit 2) when they hold more than a worker should be sent."""
    digest = hashlib.sha256()
    packed: list[tuple[Entry, ...]] = []
    stamps: dict[str, list[int]] = {}
    count = size = 0
    for number, folder in enumerate(folders):
        entries: list[Entry] = []
        for path in _walk(folder):
            info = os.lstat(path)
            name = PurePosixPath(*path.relative_to(folder).parts).as_posix()
            if stat.S_ISLNK(info.st_mode):
                entry = Entry(name, "link", target=os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                entry = Entry(name, "folder")
            elif stat.S_ISREG(info.st_mode):
                try:
                    entry = Entry(name, "file", data=path.read_bytes())
                except OSError:
                    continue  # unreadable here too: a build that needs it fails on the worker as it would here
                stamps[str(path)] = [info.st_size, info.st_mtime_ns]
            else:
                continue  # a pipe or device is no template file
            count += 1
            size += len(entry.data)
            if count > MAX_BUNDLE_FILES or size > MAX_BUNDLE_BYTES:
                raise UsageError([Diagnostic(
                    f"the template folders hold more than {MAX_BUNDLE_FILES} files or "
                    f"{MAX_BUNDLE_BYTES // 2**20} MiB — too much to send to every Dask worker; point --templates-dir "
                    "at a folder that holds only templates", file=str(folder))])
            entries.append(entry)
            for part in (str(number), entry.kind, entry.name, entry.target):
                digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(hashlib.sha256(entry.data).digest())
        packed.append(tuple(entries))
    return Packed(Bundle(digest.hexdigest(), tuple(packed)), tuple(folders), stamps)


def _walk(folder: Path) -> list[Path]:
    """Everything under `folder`, sorted, without following links (a linked folder is packed as its link)."""
    found: list[Path] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                for item in listing:
                    path = Path(item.path)
                    found.append(path)
                    if item.is_dir(follow_symlinks=False):
                        pending.append(path)
        except FileNotFoundError:
            continue  # a folder on the search path that does not exist (yet)
    return sorted(found)


# --- on the worker -------------------------------------------------------------------------------------------

_lock = threading.Lock()
_own: list[Path] = []
_materialised: dict[str, tuple[Path, ...]] = {}


def private_folder() -> Path:
    """This process's own temporary folder (mode 0700), removed when the process ends."""
    with _lock:
        if not _own:
            folder = Path(tempfile.mkdtemp(prefix="reports-worker-"))
            atexit.register(shutil.rmtree, folder, True)
            _own.append(folder)
        return _own[0]


def materialise(bundle: Bundle) -> tuple[Path, ...]:
    """The bundle's folders written out in this process's private folder (once per digest); their paths."""
    with _lock:
        known = _materialised.get(bundle.digest)
    if known is not None:
        return known
    home = private_folder() / "bundles"
    final = home / bundle.digest
    with _lock:  # one thread writes it; a Dask worker runs tasks in threads
        if bundle.digest not in _materialised:
            if not final.is_dir():
                building = Path(tempfile.mkdtemp(prefix=".partial-", dir=_made(home)))
                for number, entries in enumerate(bundle.folders):
                    _write_folder(building / str(number), entries)
                building.rename(final)
            _materialised[bundle.digest] = tuple(final / str(number) for number in range(len(bundle.folders)))
        return _materialised[bundle.digest]


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_folder(root: Path, entries: Sequence[Entry]) -> None:
    root.mkdir()
    for entry in entries:
        parts = PurePosixPath(entry.name).parts
        if not parts or ".." in parts or PurePosixPath(entry.name).is_absolute():
            continue  # never written outside the folder, whatever a bundle says
        path = root.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        if entry.kind == "folder":
            path.mkdir(exist_ok=True)
        elif entry.kind == "file":
            path.write_bytes(entry.data)
        else:
            try:
                os.symlink(entry.target, path)
            except OSError:
                pass  # a system without links (Windows without the privilege): the template that needs it fails


def materialise_content(data: bytes, name: str) -> Path:
    """A content file's bytes as a file named `name` in this process's private folder (once per content)."""
    digest = hashlib.sha256(data).hexdigest()
    path = private_folder() / "content" / digest / (Path(name).name or "content.yaml")
    with _lock:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.partial")
            partial.write_bytes(data)
            partial.replace(path)
    return path
