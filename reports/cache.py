"""What one build may reuse from earlier ones: the single cache object the core receives.

Building a document repeats work that depends only on files and settings that rarely change: a theme's fonts
parsed, its Word styles defined, a chart drawn, a template compiled. The core never keeps such results in
module globals; it asks the `Cache` it is handed (`RenderContext.cache`, `reports.build(cache=…)`), by a
namespace and a key that names everything the result depends on:

    facts = cache.memo("font-facts", (path, size, mtime), lambda: parse(path))

The cache's lifetime is its owner's, and explicit. `reports.build` makes a fresh one per call unless given
one; the runtime keeps one per process for as long as its inputs can be trusted (a batch worker's jobs, the
build server between template changes, a watch session) and calls `clear()` when a template folder
changes. A cache with a `folder` also keeps entries on disk, for later processes (drawn charts, font facts,
Word chart parts): files named by the hash of what they depend on, written whole, read back only when they
look like what was written (`read_entry`).

Memory use is bounded per namespace (`limit`, least recently used first out). It is safe to share between
threads: two threads asking for the same missing key may both make it, and one result is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, TypeVar

Value = TypeVar("Value")

DEFAULT_LIMIT = 64


class Cache:
    """Memos by namespace, an optional folder for entries on disk, and counts of what was reused."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        """Where entries are kept on disk; None keeps nothing outside memory."""
        self._namespaces: dict[str, OrderedDict[Hashable, Any]] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}: {len(entries)}" for name, entries in sorted(self._namespaces.items()))
        return f"Cache(folder={self.folder!s}, {{{sizes}}})"

    # --- memory ----------------------------------------------------------------------------------

    def get(self, namespace: str, key: Hashable) -> Any | None:
        """The value kept under `key`, or None."""
        with self._lock:
            entries = self._namespaces.get(namespace)
            if entries is None or key not in entries:
                return None
            entries.move_to_end(key)
            return entries[key]

    def put(self, namespace: str, key: Hashable, value: Value, limit: int = DEFAULT_LIMIT) -> Value:
        """Keep `value` under `key`; the least recently used entries beyond `limit` are forgotten."""
        with self._lock:
            entries = self._namespaces.setdefault(namespace, OrderedDict())
            entries[key] = value
            entries.move_to_end(key)
            while len(entries) > limit:
                entries.popitem(last=False)
        return value

    def memo(self, namespace: str, key: Hashable, make: Callable[[], Value], limit: int = DEFAULT_LIMIT) -> Value:
        """The value kept under `key`, made (and kept) when there is none. Errors are never kept."""
        with self._lock:
            entries = self._namespaces.get(namespace)
            if entries is not None and key in entries:
                entries.move_to_end(key)
                self._counts[f"{namespace}:hits"] = self._counts.get(f"{namespace}:hits", 0) + 1
                return entries[key]  # type: ignore[no-any-return]
        value = make()
        self.count(f"{namespace}:made")
        return self.put(namespace, key, value, limit)

    def holds(self, namespace: str, value: object) -> bool:
        """Is this very object kept in `namespace` (not an equal one: kept objects are reused by identity)?"""
        with self._lock:
            return any(kept is value for kept in self._namespaces.get(namespace, {}).values())

    def values(self, namespace: str) -> list[Any]:
        with self._lock:
            return list(self._namespaces.get(namespace, {}).values())

    def forget(self, namespaces: Iterable[str]) -> None:
        with self._lock:
            for namespace in namespaces:
                self._namespaces.pop(namespace, None)

    def clear(self) -> None:
        """Forget everything kept in memory (a template folder changed); entries on disk stay, since their
        names say what they were made from."""
        with self._lock:
            self._namespaces.clear()

    # --- counts ------------------------------------------------------------------------------------

    def count(self, event: str, by: int = 1) -> None:
        with self._lock:
            self._counts[event] = self._counts.get(event, 0) + by

    def counts(self) -> dict[str, int]:
        """How often each kind of result was made or reused (`charts:drawn`, `font-facts:hits`, …)."""
        with self._lock:
            return dict(self._counts)

    # --- disk --------------------------------------------------------------------------------------

    def entry_path(self, *parts: str) -> Path | None:
        """`folder/parts…`, or None without a folder."""
        return self.folder.joinpath(*parts) if self.folder is not None else None

    def read_entry(self, path: Path | None, signature: bytes) -> bytes | None:
        """An entry's bytes if they start with `signature` (what such an entry always starts with); None when
        there is no folder or the entry is missing, unreadable or not what was written."""
        if path is None:
            return None
        from reports.output import read_cache_entry

        return read_cache_entry(path, signature)

    def write_entry(self, path: Path | None, data: bytes) -> None:
        """Keep an entry on disk, written whole; a folder that cannot be written only costs time later."""
        if path is None:
            return
        from reports.output import write_cache_entry

        write_cache_entry(path, data)
