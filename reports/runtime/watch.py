"""`reports build --watch`: build, then rebuild in the same process whenever an input changes.

An analyst edits the content and looks at the PDF again; a teacher adjusts a template. A new process
pays ≈0.6 s of imports and font loading before it does any work; a process that stays up rebuilds
the briefing in ≈0.1 s (Typst's `watch` and Quarto's `preview` work the same way). Each round asks
every job again and lets `reports.runtime.uptodate` decide what really changed, so saving one file of a
batch rebuilds only the documents that read it.

Watched: the content files (their folders, with subfolders, filtered to the files themselves), the
roster, and every template folder on the search path (templates, themes, fonts, logos, reference
documents). watchfiles (inotify/FSEvents, polling where those are
missing) groups the events of one save (editors write, rename and touch) into one change set.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

from reports.paths import ASSETS_DIR
from reports.runtime.jobs import Job, Outcome, run_job
from reports.theme.fonts import FONT_SUFFIXES

DEBOUNCE_MS = 150
"""How long a burst of events (an editor's save) may last before the rebuild starts."""
READY_TIMEOUT_MS = 300
"""How often the watcher wakes with no change (its first wake says the subscription is in place)."""


class FontsChanged(Exception):
    """A font file in a template folder changed: only a new process can use it."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def watched_roots(files: Iterable[Path], search_path: Sequence[Path]) -> tuple[list[Path], set[Path]]:
    """Folders to subscribe to, and the named files (resolved) whose events matter besides template folders'."""
    exact = {path.resolve() for path in files}
    roots = {path.parent for path in exact}
    folders = {folder for folder in (*search_path, ASSETS_DIR) if folder.is_dir()}
    return sorted(roots | folders), exact


def is_relevant(changed: Path, exact: set[Path], folders: Sequence[Path]) -> bool:
    """A change to one of the named files, or anywhere inside a template folder."""
    resolved = changed.resolve() if changed.exists() else changed
    return resolved in exact or changed in exact or any(resolved.is_relative_to(folder) for folder in folders)


def watch(
    plan: Callable[[], Sequence[Job]],
    inputs: Iterable[Path],
    search_path: Sequence[Path],
    report_round: Callable[[list[Job], list[Outcome], float], None],
    say: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Rebuild `plan()`'s jobs in this process on every relevant change until `stop` is set (or Ctrl-C).

    `plan` is called again each round, so a changed roster gives the new list of students.
    """
    from watchfiles import watch as changes_of

    roots, exact = watched_roots(inputs, search_path)
    folders = [folder for folder in (*search_path, ASSETS_DIR) if folder.is_dir()]
    announced = False
    # Ctrl-C arrives as KeyboardInterrupt for the caller to end quietly. The first (empty) yield comes
    # once the folders are subscribed: only then is "watching" true, and an edit saved from then on seen.
    for changes in changes_of(*roots, debounce=DEBOUNCE_MS, stop_event=stop, raise_interrupt=True,
                              yield_on_timeout=True, rust_timeout=READY_TIMEOUT_MS):
        if not announced:
            say(f"watching {len(exact)} file(s) and {len(folders)} template folder(s) for changes — "
                "press Ctrl-C to stop")
            announced = True
        changed = [path for path in (Path(name) for _, name in changes) if is_relevant(path, exact, folders)]
        if not changed:
            continue  # a timeout, the output folder, an editor's swap file, a neighbour of the content file
        say(f"changed: {', '.join(sorted({path.name for path in changed}))}")
        fonts = sorted({path.name for path in changed if path.suffix.lower() in FONT_SUFFIXES})
        if fonts:
            # reportlab and matplotlib keep a font once registered, by its path: a font file replaced in
            # place cannot be taken up by this process, and a build with the old one would be wrong
            raise FontsChanged(fonts)
        if any(path not in exact and path.resolve() not in exact for path in changed):
            from reports.runtime.process import forget_everything

            forget_everything()  # a template folder changed: labels, font lookups and themes are read again
        started = time.perf_counter()
        jobs = list(plan())
        outcomes = [run_job(job, index) for index, job in enumerate(jobs)]
        report_round(jobs, outcomes, time.perf_counter() - started)
