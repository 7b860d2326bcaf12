"""The content model as a tree of fields: field patterns (`actor.interests.*.key_points`), every field of every
part, and every value of a content with its path — for the check of what a template shows and its tests.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Iterator

from pydantic import BaseModel

from reports.content.loader import FieldPath
from reports.content.model import Content
from reports.content.types import is_metadata


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every BaseModel reachable from a field annotation (through Optional, list, dict, Annotated, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for argument in typing.get_args(annotation):
        found.extend(model for model in models_in(argument) if model not in found)
    return found


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(_is_list(argument) for argument in typing.get_args(annotation))


def pattern_of(path: FieldPath) -> str:
    """`actor.interests.0.key_points.2` → `actor.interests.*.key_points.*`."""
    return ".".join("*" if isinstance(part, int) else str(part) for part in path)


def matches(path: FieldPath, pattern: str) -> bool:
    """Whether `path` lies at or under the field `pattern` names (`*` for any list index)."""
    parts = pattern.split(".")
    return len(path) >= len(parts) and all(
        part == "*" and isinstance(step, int) or part == str(step) for part, step in zip(parts, path))


def check_pattern(pattern: str) -> None:
    """Raise ValueError unless `pattern` names a field of the content model (`*` where a list is)."""
    models: list[type[BaseModel]] = [Content]
    listed = False
    for part in pattern.split("."):
        if part == "*":
            if not listed:
                raise ValueError(f"'{pattern}': '*' stands for a list index, but this field is not a list")
            listed = False
            continue
        fields = {name: field for model in models for name, field in model.model_fields.items()}
        if part not in fields:
            import difflib

            close = difflib.get_close_matches(part, list(fields), n=1)
            hint = f" — did you mean '{close[0]}'?" if close else f" — fields here: {', '.join(fields)}"
            raise ValueError(f"'{pattern}' is not a content field: no '{part}'{hint}")
        annotation = fields[part].annotation
        listed = _is_list(annotation)
        models = models_in(annotation) or models


@dataclass(frozen=True)
class Leaf:
    path: FieldPath
    model: type[BaseModel]
    """The part of the content the field belongs to."""
    field: str
    value: Any
    """The field's value, or for a list or mapping field one item of it."""


def leaves(content: BaseModel, path: FieldPath = ()) -> Iterator[Leaf]:
    """Every value the content file sets below models (defaults are left out): text, numbers, flags, dates;
    list items and mapping entries each on their own (a mapping's keys become path parts, `name.en`)."""
    for name in type(content).model_fields:
        value = getattr(content, name)
        if name in content.model_fields_set and value is not None:
            yield from _values(value, path + (name,), type(content), name)


def _values(value: Any, path: FieldPath, model: type[BaseModel], name: str) -> Iterator[Leaf]:
    if isinstance(value, BaseModel):
        yield from leaves(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _values(item, path + (key,), model, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _values(item, path + (index,), model, name)
    else:
        yield Leaf(path, model, name, value)


def every_field(root: type[BaseModel] = Content) -> Iterator[tuple[type[BaseModel], str]]:
    """Each field of each part of the content model once, parts in the order they are reached."""
    seen: list[type[BaseModel]] = []
    queue = [root]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for name, field in model.model_fields.items():
            yield model, name
            queue.extend(models_in(field.annotation))


def metadata_only(model: type[BaseModel], name: str) -> bool:
    """Whether the schema says no template prints this field."""
    return is_metadata(model, name)
