"""Validate a loaded content file against the model and report every problem at once, located.

Pydantic reports errors by field path; the loader knows where each path is in the file; this
module joins the two and adds what pydantic cannot know: "did you mean" for misspelt keys and
warnings for content that is legal but suspicious (a country spelt differently in the prose than
its canonical name, a count in the prose that disagrees with a list).
"""

from __future__ import annotations

import difflib
import hashlib
import stat
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, TypeVar

from pydantic import BaseModel, ValidationError

from reports.cache import Cache
from reports.content.lint import count_warnings, spelling_warnings
from reports.content.loader import FieldPath, LoadedDocument, load_file, load_text
from reports.content.model import Content
from reports.errors import ContentError, Diagnostic, ReportsError
from reports.language.labels import labels_for


@dataclass(frozen=True)
class CheckedContent:
    content: Content
    source: LoadedDocument
    warnings: list[Diagnostic]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every BaseModel reachable from a field annotation (through Optional, list, dict, Annotated, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for argument in typing.get_args(annotation):
        found.extend(_models_in(argument))
    return found


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
                next_models.extend(_models_in(field.annotation))
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
            if isinstance(part, int) or part in _fields_at(tuple(path), root):
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


def validate(document: LoadedDocument) -> Content:
    return validate_as(document, Content, ContentError)


def validate_as(document: LoadedDocument, model: type[Validated], error_type: type[ReportsError]) -> Validated:
    """Validate loaded YAML against `model`; raise `error_type` listing every problem, located."""
    try:
        return model.model_validate(document.data)
    except ValidationError as failure:
        problems = []
        for error in failure.errors(include_url=False):
            path = _data_path(document, error["loc"], model)
            message, at_key = _describe(error, path, model)
            if error["type"] == "missing":
                path_for_position = path[:-1]
            else:
                path_for_position = path
            diagnostic = document.diagnostic(path_for_position, message, prefer_key=at_key)
            problems.append(
                Diagnostic(diagnostic.message, diagnostic.file, diagnostic.line, diagnostic.column,
                           field_path=".".join(str(part) for part in path))
            )
        problems.sort(key=lambda d: (d.line, d.column))
        raise error_type(problems) from None


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
    labels = labels_for(content.document.language, cache)
    warnings = spelling_warnings(content, document, labels) + count_warnings(content, document, labels)
    return CheckedContent(content=content, source=document, warnings=warnings)
