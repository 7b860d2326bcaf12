"""Rendering a template's main file to light markup, within a time, memory and size limit.

The environment is the sandbox of `reports.templating.sandbox`; this module runs it for one document and turns
whatever goes wrong (an undefined name, a loop that does not end, a value too large) into a located
`TemplateError`: the template file and line, never a Python traceback.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from reports.cache import Cache
from reports.errors import Diagnostic, TemplateError
from reports.paths import TEMPLATES_DIR
from reports.templating.folders import MAIN_TEMPLATE, TemplateFolder
from reports.templating.sandbox import MAX_OUTPUT_CHARACTERS, template_environment

MAX_RENDER_SECONDS = 10.0
"""A briefing renders in milliseconds; ten seconds means a runaway loop in a shared template."""


def _located(error: BaseException, template: TemplateFolder) -> Diagnostic:
    """The template file and line an exception came from (Jinja rewrites tracebacks to template lines)."""
    file, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not line:
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.endswith(".j2"):
                file, line = frame.filename, frame.lineno
                break
    message = str(getattr(error, "message", None) or error)
    if type(error).__name__ == "UndefinedError":
        message += " — check the spelling of the name; content fields are under `content.`"
    elif type(error).__name__ == "SecurityError":
        message = f"not allowed in templates: {message}"
    return Diagnostic(message, file=file or str(template.path / MAIN_TEMPLATE), line=line or 0, column=1 if line else 0)


def render_seconds_from(value: str | None) -> float:
    """The time limit a setting asks for (`REPORTS_RENDER_SECONDS`: a slow machine, a huge content file), at
    least 0.1 s; the default when it is unset or not a number."""
    try:
        return max(0.1, float(value or ""))
    except ValueError:
        return MAX_RENDER_SECONDS


MAX_RENDER_MEMORY_BYTES = 1024 * 2**20
"""Extra address space rendering may take: `'%05000000000d' % 1`, `'x' | center(10**10)` or a string doubled
in a loop (`~` cannot be intercepted like `*`) fail with MemoryError instead of exhausting the machine."""


@contextmanager
def _memory_limit(extra_bytes: int) -> Iterator[None]:
    """Cap the process's address space at its current size plus `extra_bytes` while rendering.

    Only where it is safe and possible: Linux (the current size comes from /proc), the main thread of a
    process running no other threads (the limit is process-wide), and never above an existing hard limit.
    """
    try:
        import resource
    except ImportError:  # not on POSIX
        yield
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        current = None
    if current is None or threading.active_count() != 1:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft < limit:
        yield  # a tighter limit is already in force
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # refused by the system: render without the cap
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class _RenderTimeout(Exception):
    """Raised from a timer signal inside template code, so its traceback points at the looping line."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt rendering after `seconds` (main thread only: signals cannot reach other threads)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _RenderTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_template(template: TemplateFolder, context: dict[str, Any], search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
                    cache: Cache | None = None, seconds: float = MAX_RENDER_SECONDS) -> str:
    """Render the template's main file to markup, within `seconds` and the memory and size limits."""
    from jinja2 import TemplateError as JinjaTemplateError

    environment = template_environment(template, search_path, cache)
    pieces: list[str] = []
    size = 0
    try:
        with _deadline(seconds), _memory_limit(MAX_RENDER_MEMORY_BYTES):
            for piece in environment.get_template(MAIN_TEMPLATE).generate(**context):
                size += len(piece)
                if size > MAX_OUTPUT_CHARACTERS:
                    raise TemplateError([Diagnostic(
                        f"the template produced more than {MAX_OUTPUT_CHARACTERS:,} characters — "
                        "check for loops that repeat text", file=str(template.path / MAIN_TEMPLATE))])
                pieces.append(piece)
    except _RenderTimeout as error:
        located = _located(error, template)
        raise TemplateError([Diagnostic(
            f"rendering took longer than {seconds:g} s — a loop in the template does not end",
            file=located.file, line=located.line, column=located.column)]) from None
    except MemoryError as error:
        located = _located(error, template)
        raise TemplateError([Diagnostic(
            f"rendering needed more than {MAX_RENDER_MEMORY_BYTES // 2**20:,} MiB of memory — check for text built up "
            "in loops or filters with huge widths", file=located.file, line=located.line, column=located.column)]) from None
    except RecursionError as error:
        located = _located(error, template)
        raise TemplateError([Diagnostic("recursion too deep — a macro or recursive loop calls itself without end",
                                        file=located.file, line=located.line, column=located.column)]) from None
    except JinjaTemplateError as error:
        raise TemplateError([_located(error, template)]) from None
    except (ArithmeticError, ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as error:
        raise TemplateError([_located(error, template)]) from None
    return "".join(pieces)
