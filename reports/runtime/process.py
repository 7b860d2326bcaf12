"""What a long-lived process keeps: one `reports.Cache` per cache folder, for the life of the process, and the
descriptors its forked batch workers must not keep.

A batch worker builds many documents, the build server and `--watch` build many rounds: each keeps the
fonts, styles, templates, checked content and charts of the ones before in the cache it hands the core.
Whoever sees a template folder change (the server, the watcher) calls `forget_everything`, since what the
caches hold was read from those folders. The core itself never keeps anything between calls.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reports.cache import Cache

_caches: dict[Path | None, Cache] = {}
_lock = threading.Lock()
_warm = False
_kept_from_workers: dict[int, tuple[int, int]] = {}


def mark_warm() -> None:
    """Say that this process has the builder loaded and laid out once (the build server, after its warm-up): a
    batch then makes each roster's form before forking its workers, which start with it."""
    global _warm
    _warm = True


def is_warm() -> bool:
    return _warm


def process_cache(folder: Path | None) -> Cache:
    """This process's cache for entries kept in `folder` (None: memory only)."""
    with _lock:
        cache = _caches.get(folder)
        if cache is None:
            cache = _caches[folder] = Cache(folder)
        return cache


def forget_everything() -> None:
    """Empty every cache of this process (a template folder changed); entries on disk stay valid."""
    with _lock:
        caches = list(_caches.values())
    for cache in caches:
        cache.clear()


def keep_from_workers(descriptor: int) -> None:
    """Say that batch workers forked from now on must close `descriptor` (the build server's socket, its lock, a
    client's connection): held by a worker, it would outlive this process and keep the client waiting and the
    socket taken. The file's identity is noted, so a worker never closes another file that took its number."""
    try:
        info = os.fstat(descriptor)
    except OSError:
        return
    with _lock:
        _kept_from_workers[descriptor] = (info.st_dev, info.st_ino)


def release_to_workers(descriptor: int) -> None:
    with _lock:
        _kept_from_workers.pop(descriptor, None)


def kept_from_workers() -> dict[int, tuple[int, int]]:
    """Descriptor → (device, inode) of every descriptor a forked worker must close."""
    with _lock:
        return dict(_kept_from_workers)
