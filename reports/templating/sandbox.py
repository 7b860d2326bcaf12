"""The sandbox templates run in: Jinja2's immutable sandbox with StrictUndefined, a loader confined to the
template folders, limits on what one expression may compute, and a `finalize` that escapes every printed value.

Templates are shared between teachers, so they are untrusted code: includes and extends stay inside the
template folders (also through symlinks), `'x' * 10**9` and `10 ** 10 ** 10` are refused before they are
computed, control and bidirectional characters are refused in template files and printed values, and content
text can never turn into markup.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Callable, TypeGuard

from reports.cache import Cache
from reports.errors import Diagnostic, TemplateError
from reports.templating.folders import TemplateFolder
from reports.templating.markup import escape_markdown

MAX_OUTPUT_CHARACTERS = 4_000_000
"""Twice the largest content file, with room for markup: more is a template multiplying text."""

MAX_POWER_EXPONENT = 1_000
MAX_INTEGER_BITS = 100_000
"""`(10 ** 1000) ** 1000` has small exponents but a million digits; one big multiplication cannot be
interrupted by the render deadline (it runs in C), so integer results are bounded before they are computed."""

MAX_FORMAT_WIDTH = 10_000
"""Widths and precisions in `'%.2f' % x`, `x | format`, `'{:>8}'.format(x)`: a printed value needs a few dozen
characters. `'%.500000000f' % 1.5` would build half a gigabyte in one C call, and as a constant expression Jinja
would compute it while *compiling* the template, where no error can name a line."""

_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?([-#0 +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([a-zA-Z%])")
"""One `%` conversion: mapping key (skipped: its digits are a name), flags, width, precision, type."""

_SPEC_NUMBER = re.compile(r"\d+")


def _refuse_too_wide(template: str, numbers: list[str]) -> None:
    """SecurityError naming the first width or precision over the limit, if any."""
    from jinja2.exceptions import SecurityError

    wide = next((int(number) for number in numbers if number.isdigit() and int(number) > MAX_FORMAT_WIDTH), None)
    if wide is not None:
        raise SecurityError(f"the format {_shown(template)} asks for a width or precision of {wide:,} characters; "
                            f"the limit is {MAX_FORMAT_WIDTH:,}")


def _check_percent_format(template: str, values: object) -> None:
    """Refuse a %-format whose widths or precisions (given inline or by `*`) exceed `MAX_FORMAT_WIDTH`."""
    numbers: list[str] = []
    for match in _PERCENT_FIELD.finditer(template):
        numbers += [number for number in (match.group(2), match.group(3)) if number]
    if "*" in numbers:  # the width comes from the values
        items = values if isinstance(values, tuple) else (values,)
        numbers += [str(abs(item)) for item in items if _whole(item)]
    _refuse_too_wide(template, numbers)


def _check_brace_format(template: str, values: list[object]) -> None:
    """The same limit for `str.format` specs (`{:>500000000}`), and for the values of nested ones (`{0:{1}}`)."""
    from string import Formatter

    numbers: list[str] = []
    pending = [template]
    while pending:
        try:
            fields = list(Formatter().parse(pending.pop()))
        except ValueError:
            return  # a malformed format fails on its own, with Python's message
        for _, _, spec, _ in fields:
            if spec:
                numbers += _SPEC_NUMBER.findall(spec)
                pending.append(spec)
                if "{" in spec:  # the width comes from the values
                    numbers += [str(abs(value)) for value in values if _whole(value)]
    _refuse_too_wide(template, numbers)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _result_bits(operator: str, left: int, right: int) -> int:
    """An upper bound of the bits of `left <operator> right`, computed without computing it."""
    if operator == "**":
        return left.bit_length() * max(right, 0)
    return left.bit_length() + right.bit_length()


def template_environment(template: TemplateFolder, search_path: tuple[Path, ...], cache: Cache | None = None) -> Any:
    """One sandbox per template folder and cache: Jinja then compiles each template once (it still reloads a
    template whose file changed)."""
    if cache is None:
        return _new_environment(template, search_path)
    return cache.memo("jinja", (template, search_path), lambda: _new_environment(template, search_path), limit=16)


def _new_environment(template: TemplateFolder, search_path: tuple[Path, ...]) -> Any:
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

        # intercepted operators are never folded at compile time either: they run, and fail, at their line
        intercepted_binops = frozenset(["*", "**", "%"])

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            from jinja2.exceptions import SecurityError

            if operator == "%" and isinstance(left, str):
                _check_percent_format(left, right)
                try:
                    return left % right
                except (TypeError, ValueError, KeyError) as error:
                    raise ValueError(f"the format {_shown(left)} does not fit the value(s) given to it ({error}) — "
                                     "give one value per %-field, several as a list like (a, b), or a mapping "
                                     "for %(name)s fields") from None

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
            try:
                return super().call_binop(context, operator, left, right)
            except OverflowError:
                raise OverflowError(f"{str(left)[:40]} {operator} {str(right)[:40]} is too large a number to compute "
                                    "— templates compute with ordinary numbers") from None

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            """`'…'.format(…)` as the sandbox runs it, with the width limit checked first."""
            wrapped = super().wrap_str_format(value)
            if wrapped is None:
                return None
            template = value.__self__

            def checked(*args: Any, **kwargs: Any) -> str:
                mapping = args[0] if value.__name__ == "format_map" and args and isinstance(args[0], dict) else kwargs
                _check_brace_format(template, [*args, *mapping.values()])
                return wrapped(*args, **kwargs)

            return checked

    def checked_format(value: str, *args: Any, **kwargs: Any) -> str:
        """Jinja's `format` filter (`'%5.1f' | format(x)`) with the width limit of `%`."""
        from jinja2.filters import do_format

        _check_percent_format(str(value), args)
        return do_format(value, *args, **kwargs)

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
    environment.filters["format"] = checked_format
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
        text_before = plain[:index]
        raise TemplateError([Diagnostic(
            f"{kind} is not allowed in a template — delete it (it is invisible in most editors)", file=shown,
            line=text_before.count("\n") + 1, column=index - (text_before.rfind("\n") + 1) + 1)])
    return text, modified


def _trusted_markup(value: object) -> Any:
    """`{{ x | markup }}`: print template-made markup (a recursive loop's output) without escaping it."""
    from markupsafe import Markup

    return Markup(str(value))


def _heading_marker(level: int) -> Any:
    """`{{ heading(2) }}` → `##`: heading levels computed by the template (nested sections)."""
    from markupsafe import Markup

    return Markup("#" * max(1, min(int(level), 3)))
