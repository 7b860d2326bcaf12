"""The template stage: a sandboxed Jinja2 environment that turns content into light markup.

Templates are shared between teachers, so they are untrusted code: the environment is Jinja2's
sandbox (≥ 3.1.6) with StrictUndefined (a typo is an error, never an empty string), a loader that
only reads files inside the template folders (also through symlinks), and a `finalize` that
escapes every printed value for Markdown, so content text can never turn into markup.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import signal
import threading
import traceback
import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from reports.errors import Diagnostic, TemplateError
from reports.templating.markup import escape_markdown
from reports.paths import TEMPLATES_DIR, template_search_path, user_template_folder  # noqa: F401 — re-exported

MAIN_TEMPLATE = "template.md.j2"

MAX_RENDER_SECONDS = 10.0
"""A briefing renders in milliseconds; ten seconds means a runaway loop in a shared template."""

MAX_OUTPUT_CHARACTERS = 4_000_000
"""Twice the largest content file, with room for markup: more is a template multiplying text."""

MAX_POWER_EXPONENT = 1_000

MAX_INTEGER_BITS = 100_000
"""`(10 ** 1000) ** 1000` has small exponents but a million digits; one big multiplication cannot be
interrupted by the render deadline (it runs in C), so integer results are bounded before they are computed."""


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _result_bits(operator: str, left: int, right: int) -> int:
    """An upper bound of the bits of `left <operator> right`, computed without computing it."""
    if operator == "**":
        return left.bit_length() * max(right, 0)
    return left.bit_length() + right.bit_length()


@dataclass(frozen=True)
class TemplateFolder:
    name: str
    path: Path
    """Folder holding `template.md.j2` and `theme.yaml`."""


def list_templates(search_path: tuple[Path, ...]) -> list[tuple[TemplateFolder, bool]]:
    """Every template found, with whether an earlier folder's template of the same name hides it."""
    found: list[tuple[TemplateFolder, bool]] = []
    seen: set[str] = set()
    for root in search_path:
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if (folder / MAIN_TEMPLATE).is_file():
                found.append((TemplateFolder(folder.name, folder.resolve()), folder.name in seen))
                seen.add(folder.name)
    return found


def copy_template(source: TemplateFolder, name: str, destination_root: Path) -> Path:
    """Copy a template folder under a new name for editing; symlinks are not followed or copied."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or name in {"base", "locales"}:
        raise TemplateError([Diagnostic(f"'{name}' cannot be a template name — use letters, digits and dashes")])
    target = destination_root / name
    if target.exists():
        raise TemplateError([Diagnostic(f"{target} already exists — choose another name or delete it first")])
    try:
        shutil.copytree(source.path, target, symlinks=True, ignore=_skip_symlinks)
    except OSError as error:
        raise TemplateError([Diagnostic(f"cannot copy the template: {error.strerror or error}", file=str(target))]) from None
    return target


def _skip_symlinks(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if os.path.islink(os.path.join(folder, name))]


def find_template(name: str, search_path: tuple[Path, ...] = (TEMPLATES_DIR,)) -> TemplateFolder:
    """The first folder named `name` that holds a main template, user folders first."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise TemplateError([Diagnostic(f"'{name}' is not a template name — use a folder name such as 'briefing'")])
    for root in search_path:
        candidate = root / name
        if (candidate / MAIN_TEMPLATE).is_file():
            return TemplateFolder(name=name, path=candidate.resolve())
    known = sorted(
        {folder.name for root in search_path if root.is_dir() for folder in root.iterdir() if (folder / MAIN_TEMPLATE).is_file()}
    )
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" — did you mean '{close[0]}'?" if close else f" — available: {', '.join(known) or 'none'}"
    raise TemplateError([Diagnostic(f"no template named '{name}'{hint}")])


@lru_cache(maxsize=16)
def _environment(template: TemplateFolder, search_path: tuple[Path, ...]) -> Any:
    """One sandbox per template folder and process: Jinja then compiles each template once (it still
    reloads a template whose file changed)."""
    from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    roots = [template.path] + [root.resolve() for root in search_path]

    class ConfinedLoader(BaseLoader):
        """Reads only files that resolve inside a template root: `..`, absolute names and symlinks out are refused.

        Jinja2's FileSystemLoader follows symlinks and, given several roots, opens the first file of that
        name in *any* root, so checking one root and then delegating to it could still read a link that
        leads outside. This loader reads exactly the file it checked.
        """

        def get_source(self, environment: Any, name: str) -> tuple[str, str, Callable[[], bool]]:
            pieces = [piece for piece in name.replace("\\", "/").split("/") if piece not in ("", ".")]
            if not pieces or ".." in pieces or name.startswith(("/", "\\")) or ":" in pieces[0]:
                raise TemplateNotFound(name, _outside_message(name))
            for root in roots:
                candidate = root.joinpath(*pieces)
                try:
                    resolved = candidate.resolve()
                except (OSError, RuntimeError):  # a symlink loop
                    continue
                if not resolved.is_relative_to(root) or not resolved.is_file():
                    continue
                source, modified = _read_template_file(resolved, str(candidate))
                return source, str(candidate), lambda: _modified_time(resolved) == modified
            raise TemplateNotFound(name, _outside_message(name))

    def finalize(value: object) -> str:
        _refuse_unsafe_characters(str(value), "a value the template prints")
        if hasattr(value, "__html__"):  # explicitly trusted markup from a filter
            return str(value)
        return escape_markdown(str(value))

    class LimitedSandbox(ImmutableSandboxedEnvironment):
        """The sandbox lets `'x' * 10**9` and `10 ** 10 ** 10` through; these limits do not."""

        intercepted_binops = frozenset(["*", "**"])

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            from jinja2.exceptions import SecurityError

            if operator == "**" and isinstance(right, int) and abs(right) > MAX_POWER_EXPONENT:
                raise SecurityError(f"exponent {right} is larger than {MAX_POWER_EXPONENT}")
            if _whole(left) and _whole(right) and _result_bits(operator, left, right) > MAX_INTEGER_BITS:
                raise SecurityError(f"the result of {operator} would have more than {MAX_INTEGER_BITS:,} bits — "
                                    "templates compute with ordinary numbers")
            if operator == "*":
                for sequence, count in ((left, right), (right, left)):
                    if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                        if len(sequence) * count > MAX_OUTPUT_CHARACTERS:
                            raise SecurityError(
                                f"repeating a {type(sequence).__name__} {count} times exceeds the output limit "
                                f"of {MAX_OUTPUT_CHARACTERS:,} characters"
                            )
            return super().call_binop(context, operator, left, right)

    environment = LimitedSandbox(
        loader=ConfinedLoader(),
        undefined=StrictUndefined,
        finalize=finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["markup"] = _trusted_markup
    environment.globals["heading"] = _heading_marker
    return environment


MAX_TEMPLATE_BYTES = 1024 * 1024
"""A template is a page or two of markup; a megabyte is an accident or an attack."""

_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""Control characters (Word and XML cannot store them), lone surrogates, and bidirectional controls, which
can make template code read differently from what it does ("Trojan Source")."""


def _character_problem(text: str) -> tuple[int, str] | None:
    match = _UNSAFE_CHARACTERS.search(text)
    if match is None:
        return None
    character = match.group()
    kind = "bidirectional control character" if unicodedata.category(character) == "Cf" else (
        "lone surrogate" if unicodedata.category(character) == "Cs" else "control character")
    return match.start(), f"{kind} U+{ord(character):04X}"


def _refuse_unsafe_characters(text: str, what: str) -> None:
    problem = _character_problem(text)
    if problem is not None:
        raise ValueError(f"{what} contains {problem[1]}, which no output format can hold — remove it")


def _outside_message(name: str) -> str:
    return (f"template '{name}' not found inside the template folders — includes, imports and extends may name "
            "only files inside them ('..', absolute paths and links that lead outside are refused)")


def _modified_time(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _read_template_file(path: Path, shown: str) -> tuple[str, float | None]:
    """The text of a template file: UTF-8, at most MAX_TEMPLATE_BYTES, no control or bidi characters."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_TEMPLATE_BYTES + 1)
        modified = _modified_time(path)
    except OSError as error:
        raise TemplateError([Diagnostic(f"cannot read the template: {error.strerror or error}", file=shown)]) from None
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise TemplateError([Diagnostic(f"template is larger than {MAX_TEMPLATE_BYTES:,} bytes — split it or "
                                        "remove what does not belong in a template", file=shown)])
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        raise TemplateError([Diagnostic(
            f"byte 0x{raw[error.start]:02x} is not UTF-8 — save the template as UTF-8", file=shown,
            line=before.count(b"\n") + 1,
            column=len(before.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")) + 1)]) from None
    problem = _character_problem(text.replace("\r", ""))
    if problem is not None:
        index, kind = problem
        plain = text.replace("\r", "")
        before = plain[:index]
        raise TemplateError([Diagnostic(
            f"{kind} is not allowed in a template — delete it (it is invisible in most editors)", file=shown,
            line=before.count("\n") + 1, column=index - (before.rfind("\n") + 1) + 1)])
    return text, modified


def _trusted_markup(value: object) -> Any:
    """`{{ x | markup }}`: print template-made markup (a recursive loop's output) without escaping it."""
    from markupsafe import Markup

    return Markup(str(value))


def _heading_marker(level: int) -> Any:
    """`{{ heading(2) }}` → `##`: heading levels computed by the template (nested sections)."""
    from markupsafe import Markup

    return Markup("#" * max(1, min(int(level), 3)))


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


def _render_seconds() -> float:
    """The time limit: REPORTS_RENDER_SECONDS when set (a slow machine, a huge content file), else the default."""
    try:
        return max(0.1, float(os.environ.get("REPORTS_RENDER_SECONDS", "")))
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


def render_template(template: TemplateFolder, context: dict[str, Any], search_path: tuple[Path, ...] = (TEMPLATES_DIR,)) -> str:
    """Render the template's main file to markup, within the time and size limits."""
    from jinja2 import TemplateError as JinjaTemplateError

    environment = _environment(template, search_path)
    pieces: list[str] = []
    size = 0
    try:
        with _deadline(_render_seconds()), _memory_limit(MAX_RENDER_MEMORY_BYTES):
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
            f"rendering took longer than {_render_seconds():g} s — a loop in the template does not end",
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
