"""A batch worker ends when the process that started it ends, however that ends (`kill -9` included).

A pool worker waits for its next job on a pipe whose writing end it holds itself (it inherited both ends), so it
never sees end-of-file when its parent dies: it would live on, re-parented to PID 1, holding whatever it
inherited — the build server's socket and its client's connection, so the client would wait for ever. Each
worker therefore ties its life to its parent's when it starts:

* Linux: the kernel's parent-death signal (`prctl(PR_SET_PDEATHSIG, SIGKILL)`), exact and free;
* other POSIX systems (macOS): a daemon thread that notices the parent has gone (the worker is re-parented);
* Windows: a daemon thread waiting on the parent's process handle.

A worker killed mid-job leaves no half-written file: outputs are replaced whole (`reports.output`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def tie_to_parent(parent: int) -> str:
    """End this process when `parent` ends; the way chosen ('signal', 'thread'). Call it first thing in a worker.

    `parent`: the process id the worker was started by, or 0 for whichever process is its parent now (a worker
    forked by a fork server dies with the fork server, which dies with its own parent).
    """
    parent = parent or os.getppid()
    if sys.platform.startswith("linux") and _parent_death_signal():
        if os.getppid() != parent:  # it died before the signal was asked for
            os._exit(1)
        return "signal"
    watcher = _watch_windows_parent if os.name == "nt" else _watch_parent
    threading.Thread(target=watcher, args=(parent,), name="reports-parent-watch", daemon=True).start()
    return "thread"


def _parent_death_signal() -> bool:
    """Ask Linux to kill this process when its parent ends; False when the call is not to be had."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError, ImportError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def _watch_windows_parent(parent: int) -> None:
    import ctypes

    synchronize, infinite = 0x00100000, 0xFFFFFFFF
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(synchronize, False, parent)
    if handle:
        kernel32.WaitForSingleObject(handle, infinite)
    os._exit(1)
