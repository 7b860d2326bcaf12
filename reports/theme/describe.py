"""A template's theme as builds see it: every value after `extends` and the house defaults, each with where it
comes from — what `reports templates theme NAME` prints.

A copied template's theme.yaml usually holds a few lines over `extends: base`; the sizes, colours and chart
palette it inherits live elsewhere (the base theme, the scale's defaults). Listing them with their origin lets a
user change one by copying its line, as Quarto's `quarto inspect` or Typst's `show` rules make defaults visible.
The output is YAML (comments carry the origins), so it can be pasted back into a theme.yaml.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from reports.content.loader import FieldPath, LoadedDocument, Position
from reports.errors import TemplateError
from reports.theme.model import Theme, load_theme_document

COMMENT_COLUMN = 44
"""Where the origin comments start, so they read as a column."""


def describe_theme(folder: Path, search_path: tuple[Path, ...] | None = None) -> str:
    """The theme of the template in `folder`, one value a line with its origin, as commented YAML."""
    from reports.content.validate import validate_as

    document = load_theme_document(folder, search_path)
    theme = validate_as(document, Theme, TemplateError)
    files = _chain(document, folder)
    lines = [f"# Theme of the template '{folder.name}' as builds use it: " + " over ".join(files + ["the house defaults"]) + ".",
             "# Each value names the file and line that set it; copy a line into your theme.yaml to change it.",
             "# Sizes and spaces in roles and boxes are multiples of font_size, leading of the role's size, widths in points."]
    values: dict[str, Any] = theme.model_dump(mode="json", exclude_none=True, exclude={"extends"})
    for key, value in values.items():
        if isinstance(value, dict) and value:
            lines.append(f"{key}:")
            for inner, inner_value in value.items():
                lines.append(_line(f"  {inner}: {_flow(inner_value)}", _origin(document, (key, inner), inner_value)))
        else:
            lines.append(_line(f"{key}: {_flow(value)}", _origin(document, (key,), value)))
    return "\n".join(lines) + "\n"


def _chain(document: LoadedDocument, folder: Path) -> list[str]:
    """The theme files merged, the template's own first (as `extends` reads)."""
    files = {_short(position) for position in document.key_positions.values()}
    own = _short(Position(0, 0, str(folder / "theme.yaml")))
    return [own] + sorted(files - {own})


def _short(position: Position) -> str:
    """`folder/theme.yaml`: which template's theme, without the machine's paths."""
    path = Path(position.file)
    return f"{path.parent.name}/{path.name}"


def _flow(value: object) -> str:
    """One line of YAML: mappings and lists in flow style, strings quoted only where YAML needs it."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=math.inf).strip().removesuffix("\n...").strip()


def _line(text: str, origin: str) -> str:
    return f"{text.ljust(COMMENT_COLUMN - 1)} # {origin}"


def _origin(document: LoadedDocument, path: FieldPath, value: object) -> str:
    """Where a value comes from: the line that set it, or which of its fields a file set and that the rest are
    defaults."""
    if path in document.value_positions and not isinstance(value, dict):
        return _where(document.value_positions[path])
    given = list(_leaves(document, path).items())
    if not given:
        return "house default"
    by_file: dict[str, tuple[int, list[str]]] = {}
    for tail, position in sorted(given, key=lambda item: item[1].line):
        _, fields = by_file.setdefault(_short(position), (position.line, []))
        fields.append(".".join(str(step) for step in tail))
    origin = "; ".join(f"{file}:{line} sets {', '.join(fields)}" for file, (line, fields) in by_file.items())
    complete = isinstance(value, dict) and {tail[0] for tail, _ in given} >= set(value)
    return origin if complete or not isinstance(value, dict) else origin + "; the rest house defaults"


def _leaves(document: LoadedDocument, path: FieldPath) -> dict[tuple[object, ...], Position]:
    """Values set in a file below `path`, by their path relative to it."""
    depth = len(path)
    return {tuple(found[depth:]): position for found, position in document.value_positions.items()
            if len(found) > depth and tuple(found[:depth]) == tuple(path)}


def _where(position: Position) -> str:
    return f"{_short(position)}:{position.line}"
