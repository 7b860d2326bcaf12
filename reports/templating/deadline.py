"""A time limit on template code, in any thread, on any system.

A template is untrusted code (`reports.templating.sandbox`): a loop that never ends must end the build with a
located template error, not hang it. Python can interrupt running code between two bytecodes only, and two
things can do it:

* a timer signal (`SIGALRM`): cheap (≈25 µs a render), but Unix only, and it reaches the main thread only;
* elsewhere — Windows, a Dask worker's threads, a program calling `reports.build` from a thread — a watchdog
  thread that waits for the deadline and then raises `RenderTimeout` in the rendering thread through CPython's
  `PyThreadState_SetAsyncExc` (≈0.3 ms a render: a thread started and joined).

Both deliver the exception at the same points (between bytecodes, not inside one long C call: the sandbox
bounds those before they start). The watchdog lives only while the template renders and is joined before the
limit returns, so the process is single-threaded again afterwards (batches fork only a single-threaded process;
the memory limit needs one). Without either (another Python implementation, off the main thread) rendering has
no time limit.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


class RenderTimeout(Exception):
    """Raised inside template code when its time is up, so the traceback points at the line that was running.

    An Exception, as Jinja needs to map its traceback from the compiled code's lines to the template's."""


def _async_raiser() -> Callable[[int, type[BaseException] | None], int] | None:
    """`PyThreadState_SetAsyncExc(thread, exception)`; None (clears a pending one); None outside CPython."""
    try:
        import ctypes

        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):
        return None

    def raise_in(thread: int, exception: type[BaseException] | None) -> int:
        return int(set_async_exc(ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else None))

    return raise_in


_raise_in = _async_raiser()


class _Watchdog:
    def __init__(self, seconds: float, thread: int) -> None:
        self._seconds = seconds
        self._thread_id = thread
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._done = False
        self._fired = False
        self._watcher = threading.Thread(target=self._watch, name="reports-render-deadline", daemon=True)

    def start(self) -> None:
        self._watcher.start()

    def _watch(self) -> None:
        if self._finished.wait(self._seconds):
            return
        with self._lock:  # never after the render has ended: the exception would land in unrelated code
            if not self._done and _raise_in is not None:
                self._fired = True
                _raise_in(self._thread_id, RenderTimeout)

    def stop(self) -> None:
        try:
            with self._lock:
                self._done = True
                if self._fired and _raise_in is not None:
                    _raise_in(self._thread_id, None)  # fired but not yet delivered: the render ended first
        finally:
            self._finished.set()
            if self._watcher.ident is not None:
                self._watcher.join()


def _timer_signal_usable() -> bool:
    return (hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread())


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise `RenderTimeout` in this thread if the block runs longer than `seconds`."""
    if _timer_signal_usable():
        with _timer_signal(seconds):
            yield
        return
    if _raise_in is None:
        yield
        return
    watchdog = _Watchdog(seconds, threading.get_ident())
    try:
        watchdog.start()
        yield
    finally:
        watchdog.stop()


@contextmanager
def _timer_signal(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise RenderTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
