"""Rendering a template's main file to light markup, within a time, memory and size limit.

The environment is the sandbox of `reports.templating.sandbox`; this module runs it for one document and turns
whatever goes wrong (an undefined name, a loop that does not end, a value too large) into a located
`TemplateError`: the template file and line, never a Python traceback.
"""

from __future__ import annotations

import os
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from reports.cache import Cache
from reports.document.nodes import SourcePosition
from reports.errors import Diagnostic, TemplateError
from reports.paths import TEMPLATES_DIR
from reports.templating.deadline import RenderTimeout, deadline
from reports.templating.folders import MAIN_TEMPLATE, TemplateFolder
from reports.templating.limits import MAX_RENDER_SECONDS
from reports.templating.sandbox import MAX_OUTPUT_CHARACTERS, template_environment


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


def render_template(template: TemplateFolder, context: dict[str, Any], search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
                    cache: Cache | None = None, seconds: float = MAX_RENDER_SECONDS) -> str:
    """Render the template's main file to markup, within `seconds` and the memory and size limits."""
    return render_markup(template, context, search_path, cache, seconds).text


@dataclass(frozen=True)
class RenderedMarkup:
    text: str
    lines: tuple[SourcePosition | None, ...]
    """The template line that printed each line of `text` (index 0: line 1), when `render_markup` was asked to
    note them; () otherwise."""


def render_markup(template: TemplateFolder, context: dict[str, Any], search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
                  cache: Cache | None = None, seconds: float = MAX_RENDER_SECONDS,
                  note_lines: bool = False) -> RenderedMarkup:
    """`render_template`, and with `note_lines` the template line each markup line came from: the line of the
    template code that printed the line's first visible character (for a block printed by an include or a
    macro, the line of that template or of the call)."""
    from jinja2 import TemplateError as JinjaTemplateError

    environment = template_environment(template, search_path, cache)
    pieces: list[str] = []
    lines = _LineNotes(environment) if note_lines else None
    size = 0
    generator: Any = None
    try:
        # the memory limit first: it applies only while the process has one thread, and the deadline adds one
        with _memory_limit(MAX_RENDER_MEMORY_BYTES), deadline(seconds):
            generator = environment.get_template(MAIN_TEMPLATE).generate(**context)
            for piece in generator:
                size += len(piece)
                if size > MAX_OUTPUT_CHARACTERS:
                    raise TemplateError([Diagnostic(
                        f"the template produced more than {MAX_OUTPUT_CHARACTERS:,} characters — "
                        "check for loops that repeat text", file=str(template.path / MAIN_TEMPLATE))])
                pieces.append(piece)
                if lines is not None:
                    lines.add(piece, generator)
    except RenderTimeout as error:
        located = _located(error, template)
        if not located.line:  # the time ran out between two printed pieces: where the template stands
            located = _suspended_at(generator, environment) or located
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
    return RenderedMarkup("".join(pieces), lines.finish() if lines is not None else ())


def _suspended_at(generator: Any, environment: Any) -> Diagnostic | None:
    """The template file and line where a rendering generator is paused (after printing a piece)."""
    while getattr(generator, "gi_yieldfrom", None) is not None:
        generator = generator.gi_yieldfrom
    frame = getattr(generator, "gi_frame", None)
    if frame is None:
        return None
    for compiled in environment.cache.values() if environment.cache is not None else ():
        if compiled.filename == frame.f_code.co_filename:
            return Diagnostic("", file=compiled.filename, line=compiled.get_corresponding_lineno(frame.f_lineno),
                              column=1)
    return None


_TEXT_SEARCH_LINES = 8
"""How far after the line Jinja names a piece of template text is looked for (blank lines and block tags)."""


class _LineNotes:
    """Notes, as the template generates its output, which template line each output line starts at.

    Jinja compiles a template to a Python generator and keeps a map from the generated code's lines to the
    template's (`Template.get_corresponding_lineno`, which its tracebacks use); after each piece is yielded,
    the innermost generator of the `yield from` chain is paused at the code line that printed it.
    """

    def __init__(self, environment: Any) -> None:
        self._environment = environment
        self._templates: dict[str, Any] = {}
        self._sources: dict[str, tuple[str, ...]] = {}
        self._done: list[SourcePosition | None] = []
        self._current: SourcePosition | None = None

    def add(self, piece: str, generator: Any) -> None:
        frame: tuple[str, int] | None = None
        for index, segment in enumerate(piece.split("\n")):
            if index:
                self._done.append(self._current)
                self._current = None
            if self._current is None and segment.strip():
                if frame is None:
                    frame = self._frame(generator)
                    if frame is None:
                        return
                self._current = self._position(frame, index, segment.strip())

    def finish(self) -> tuple[SourcePosition | None, ...]:
        return (*self._done, self._current)

    def _frame(self, generator: Any) -> tuple[str, int] | None:
        """The template file and line of the code that yielded the last piece."""
        while getattr(generator, "gi_yieldfrom", None) is not None:
            generator = generator.gi_yieldfrom
        frame = getattr(generator, "gi_frame", None)
        if frame is None:
            return None
        template = self._template(frame.f_code.co_filename)
        if template is None:
            return None
        return frame.f_code.co_filename, template.get_corresponding_lineno(frame.f_lineno)

    def _position(self, frame: tuple[str, int], index: int, text: str) -> SourcePosition:
        """Where the `index`-th line of a piece starts. A piece of template text is the source's own text, found
        again on or after the line Jinja names (Jinja names text that follows a block tag by the tag's line);
        a printed value is not in the source: its code's line is the answer."""
        filename, line = frame
        source = self._sources.get(filename, ())
        probe = text[:60]
        for candidate in range(line + index, min(line + index + _TEXT_SEARCH_LINES, len(source)) + 1):
            if candidate >= 1 and probe in source[candidate - 1]:
                return SourcePosition(filename, candidate)
        if not 0 < line <= len(source) or "include" not in source[line - 1]:
            return SourcePosition(filename, line + index)  # a printed value: its expression's line
        # an include's text is yielded by the including template's loop: look for it, once, in the others
        self._template("")  # takes in the templates loaded since (an include is loaded when it runs)
        found = [(other, number) for other, lines in self._sources.items() if other != filename
                 for number, source_line in enumerate(lines, start=1) if probe in source_line]
        if len(found) == 1:
            return SourcePosition(*found[0])
        return SourcePosition(filename, line + index)

    def _template(self, filename: str) -> Any:
        if filename not in self._templates:
            for template in self._environment.cache.values() if self._environment.cache is not None else ():
                if template.filename not in self._templates:
                    self._templates[template.filename] = template
                    try:
                        source = self._environment.loader.get_source(self._environment, template.name)[0]
                        self._sources[template.filename] = tuple(source.split("\n"))
                    except Exception:  # noqa: BLE001 — without its source, the line stays as Jinja numbers it
                        self._sources[template.filename] = ()
        return self._templates.get(filename)
