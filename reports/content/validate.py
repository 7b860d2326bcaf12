"""Validate a loaded content file against the model and report every problem at once, located.

Pydantic reports errors by field path; the loader knows where each path is in the file; this
module joins the two and adds what pydantic cannot know: "did you mean" for misspelt keys, the TODO
markers of a draft (reported instead of the errors they cause), errors that join fields in different places
(`reports.content.consistency`) and warnings for content that is legal but suspicious (`reports.content.lint`).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, TypeVar

from pydantic import BaseModel, ValidationError

from reports.cache import Cache
from reports.content.consistency import consistency_errors
from reports.content.fields import models_in
from reports.content.lint import (
    count_warnings,
    name_warnings,
    objective_warnings,
    paragraph_warnings,
    source_warnings,
)
from reports.content.loader import FieldPath, LoadedDocument, load_file, load_text
from reports.content.model import Content
from reports.errors import ContentError, Diagnostic, ReportsError
from reports.language.labels import labels_for


@dataclass(frozen=True)
class CheckedContent:
    content: Content
    source: LoadedDocument
    warnings: list[Diagnostic]


def _fields_at(path: FieldPath, root: type[BaseModel] = Content) -> list[str]:
    """Field names allowed in the mapping at `path` (union of candidates where the path is ambiguous)."""
    models: list[type[BaseModel]] = [root]
    for part in path:
        if isinstance(part, int):
            continue
        next_models: list[type[BaseModel]] = []
        for model in models:
            field = model.model_fields.get(part)
            if field is not None:
                next_models.extend(models_in(field.annotation))
        if not next_models:
            continue  # a union tag or a dict key: stay where we are
        models = next_models
    names: list[str] = []
    for model in models:
        names.extend(name for name in model.model_fields if name not in names)
    return names


def _data_path(document: LoadedDocument, loc: tuple[int | str, ...], root: type[BaseModel]) -> FieldPath:
    """Drop the parts of a pydantic location that are validator or union tags, not data keys."""
    path: list[str | int] = []
    node: Any = document.data
    for index, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str):
            if part in node:
                path.append(part)
                node = node[part]
                continue
            following = loc[index + 1] if index + 1 < len(loc) else None
            if following is not None and (following in node if isinstance(following, str) else False):
                continue
            path.append(part)
            node = None
        elif isinstance(node, list) and isinstance(part, int):
            path.append(part)
            node = node[part] if part < len(node) else None
        elif node is None or isinstance(node, str):
            # a scalar standing for a whole part (`facts_as_of: "2016"` for `{value: "2016"}`) is the field itself
            shorthand_value = isinstance(node, str) and part == "value"
            if isinstance(part, int) or (part in _fields_at(tuple(path), root) and not shorthand_value):
                path.append(part)
        # other parts are tags pydantic adds for unions/validators; skip them
    return tuple(path)


def _describe(error: Any, path: FieldPath, root: type[BaseModel]) -> tuple[str, bool]:
    """Message for one pydantic error, and whether it points at the key rather than the value."""
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _fields_at(path[:-1], root)
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f" — did you mean '{close[0]}'?" if close else f" — allowed here: {', '.join(allowed)}"
        return f"unknown field '{key}'{hint}", True
    if kind == "missing":
        return "required field is missing — add it", True
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind == "string_too_short":
        message = "must not be empty — write the text or remove the field"
    elif kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        message = f"'{error.get('input')}' is not a valid date — write it as YYYY-MM-DD, e.g. 2001-06-15"
    elif kind in ("int_parsing", "int_from_float", "float_parsing"):
        message = f"'{error.get('input')}' is not a number — write digits only (no thousands separators)"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = "expected a mapping of fields (`name: value` lines) here"
    elif kind == "list_type":
        message = "expected a list (lines starting with `- `) here"
    elif kind in ("string_type",):
        message = "expected text here"
    elif kind == "too_short":
        message = f"{message} — add items"
    elif kind == "too_long":
        message = f"{message} — shorten the list"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        message = f"{message.replace('Input should be', 'must be')} — change the number"
    return message, False


Validated = TypeVar("Validated", bound=BaseModel)


TODO_MARKER = re.compile(r"^TODO(?::|$)")
"""A text value starting `TODO:` (or just `TODO`) marks a part of a draft still to write (`reports import`)."""


def todo_markers(document: LoadedDocument) -> list[tuple[FieldPath, str]]:
    """Every TODO marker in the loaded file, with its field path, in file order."""
    found: list[tuple[FieldPath, str]] = []

    def walk(value: Any, path: FieldPath) -> None:
        if isinstance(value, str):
            if TODO_MARKER.match(value.strip()):
                found.append((path, " ".join(value.split())))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, path + (index,))

    walk(document.data, ())
    return found


def _related(path: FieldPath, todo: FieldPath) -> bool:
    """An error at a TODO, inside it, or at the list or part holding it is the TODO's, not an error of its own."""
    shorter = min(len(path), len(todo))
    return path[:shorter] == todo[:shorter]


def validate(document: LoadedDocument) -> Content:
    """The content, validated; a ContentError lists every problem, and every TODO marker of a draft instead of
    the errors its markers cause (`actor.country: "TODO: …"` is not a country code, but it is not a mistake)."""
    todos = todo_markers(document)
    todo_problems = [
        _located(document, path, path, text if text != "TODO" else "TODO: fill in this field")
        for path, text in todos
    ]
    try:
        content = Content.model_validate(document.data)
    except ValidationError as failure:
        problems = [problem for problem, path in _problems(document, failure, Content)
                    if not any(_related(path, todo) for todo, _ in todos)]
        raise ContentError(sorted(problems + todo_problems, key=lambda d: (d.line, d.column))) from None
    if todo_problems:
        raise ContentError(todo_problems)
    return content


def validate_as(document: LoadedDocument, model: type[Validated], error_type: type[ReportsError]) -> Validated:
    """Validate loaded YAML against `model`; raise `error_type` listing every problem, located."""
    try:
        return model.model_validate(document.data)
    except ValidationError as failure:
        problems = [problem for problem, _ in _problems(document, failure, model)]
        raise error_type(sorted(problems, key=lambda d: (d.line, d.column))) from None


def _problems(document: LoadedDocument, failure: ValidationError,
              model: type[BaseModel]) -> list[tuple[Diagnostic, FieldPath]]:
    """Each pydantic error as a located diagnostic, with the field path it is about."""
    problems = []
    for error in failure.errors(include_url=False):
        path = _data_path(document, error["loc"], model)
        message, at_key = _describe(error, path, model)
        path_for_position = path[:-1] if error["type"] == "missing" else path
        problems.append((_located(document, path_for_position, path, message, prefer_key=at_key), path))
    return problems


def _located(document: LoadedDocument, position: FieldPath, path: FieldPath, message: str,
             prefer_key: bool = False) -> Diagnostic:
    diagnostic = document.diagnostic(position, message, prefer_key=prefer_key)
    return Diagnostic(diagnostic.message, diagnostic.file, diagnostic.line, diagnostic.column,
                      field_path=".".join(str(part) for part in path))


# --- warnings: legal but suspicious -------------------------------------------------------------


CONTENT_LIMIT = 32
"""Checked content files a cache keeps (a roster builds one file many times)."""
_CACHED_MAX_BYTES = 4 * 1024 * 1024
"""Larger files are not kept (the loader refuses content over 2 MiB anyway)."""


def check_content(path: Path, display_name: str | None = None, cache: Cache | None = None) -> CheckedContent:
    """Load, validate and lint one content file; raise ContentError with every error found.

    With a cache, the result is reused while the file's bytes are the same. Only regular files are kept (a
    pipe can be read once); errors are never kept.
    """
    if cache is not None:
        try:
            info = path.stat()
            data = path.read_bytes() if stat.S_ISREG(info.st_mode) and info.st_size <= _CACHED_MAX_BYTES else None
        except OSError:
            data = None  # the check reports the problem its own way
        if data is not None:
            key = (str(path.resolve()), display_name, hashlib.sha256(data).hexdigest())
            return cache.memo("content", key, lambda: _checked(load_file(path, display_name), cache), CONTENT_LIMIT)
    return _checked(load_file(path, display_name), cache)


def check_data(data: Mapping[str, Any], name: str = "<data>") -> CheckedContent:
    """Validate and lint content given as data (what `yaml.safe_load` of a content file gives, or a `Content`
    dumped with `model_dump(mode="json")`); diagnostics name `name` and the field, without lines."""
    import yaml

    try:
        text = yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)
    except yaml.YAMLError as error:
        raise ContentError([Diagnostic(f"the content data cannot be read as content: {error}", file=name)]) from None
    document = load_text(text, name)
    document.value_positions.clear()  # lines of a dump nobody sees would only mislead
    document.key_positions.clear()
    document.positioned = False
    return _checked(document)


def _checked(document: LoadedDocument, cache: Cache | None = None) -> CheckedContent:
    content = validate(document)
    problems = consistency_errors(content, document)
    if problems:
        raise ContentError(sorted(problems, key=lambda d: (d.line, d.column)))
    labels = labels_for(content.document.language, cache)
    warnings = (name_warnings(content, document, labels) + count_warnings(content, document, labels)
                + source_warnings(content, document) + objective_warnings(content, document)
                + paragraph_warnings(content, document, labels))
    return CheckedContent(content=content, source=document, warnings=warnings)
