"""The template stage: a sandboxed Jinja2 environment that turns content into light markup.

Templates are shared between teachers, so they are untrusted code: the environment is Jinja2's
sandbox (≥ 3.1.6) with StrictUndefined (a typo is an error, never an empty string), a loader that
only reads files inside the template folders (also through symlinks), and a `finalize` that
escapes every printed value for Markdown, so content text can never turn into markup.
"""

from __future__ import annotations

import difflib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from reports.errors import Diagnostic, TemplateError
from reports.markup import escape_markdown
from reports.paths import TEMPLATES_DIR

MAIN_TEMPLATE = "template.md.j2"


@dataclass(frozen=True)
class TemplateFolder:
    name: str
    path: Path
    """Folder holding `template.md.j2` and `theme.yaml`."""


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


def _environment(template: TemplateFolder, search_path: tuple[Path, ...]) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    roots = [template.path] + [root.resolve() for root in search_path]

    class ConfinedLoader(FileSystemLoader):
        """FileSystemLoader that refuses anything resolving outside the template roots (`..`, symlinks)."""

        def get_source(self, environment: Any, name: str) -> tuple[str, str, Callable[[], bool]]:
            for root in roots:
                candidate = (root / name).resolve()
                if not candidate.is_relative_to(root):
                    continue
                if candidate.is_file():
                    return super().get_source(environment, name)
            raise TemplateNotFound(name)

    def finalize(value: object) -> str:
        if hasattr(value, "__html__"):  # explicitly trusted markup from a filter
            return str(value)
        return escape_markdown(str(value))

    environment = ImmutableSandboxedEnvironment(
        loader=ConfinedLoader([str(root) for root in roots], followlinks=False),
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


def render_template(template: TemplateFolder, context: dict[str, Any], search_path: tuple[Path, ...] = (TEMPLATES_DIR,)) -> str:
    from jinja2 import TemplateError as JinjaTemplateError

    environment = _environment(template, search_path)
    try:
        return environment.get_template(MAIN_TEMPLATE).render(**context)
    except JinjaTemplateError as error:
        raise TemplateError([_located(error, template)]) from None
    except (ArithmeticError, ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
        raise TemplateError([_located(error, template)]) from None
