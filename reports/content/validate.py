"""Validate a loaded content file against the model and report every problem at once, located.

Pydantic reports errors by field path; the loader knows where each path is in the file; this
module joins the two and adds what pydantic cannot know: "did you mean" for misspelt keys and
warnings for content that is legal but suspicious (a country spelt differently in the prose than
its canonical name, a count in the prose that disagrees with a list).
"""

from __future__ import annotations

import difflib
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, TypeVar

from pydantic import BaseModel, ValidationError

from reports.content import countries
from reports.errors import ContentError, Diagnostic, ReportsError
from reports.templating.labels import Labels, labels_for
from reports.content.loader import FieldPath, LoadedDocument, load_file
from reports.content.model import Content


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

_NOT_PROSE = frozenset({"id", "country", "language", "date", "facts_as_of", "unit", "schema_version", "source"})
"""Codes, dates, and `document.source`, which describes (and may quote) the original text as it was."""


def _prose(content: Content) -> Iterator[tuple[FieldPath, str]]:
    """Every free-text value in the content, with its field path."""

    def walk(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in _NOT_PROSE:
                    yield from walk(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, path + (index,))

    yield from walk(content.model_dump(exclude_none=True), ())


_WORD = re.compile(r"\w+(?:-\w+)*")


def _spelling_warnings(content: Content, document: LoadedDocument, labels: Labels) -> list[Diagnostic]:
    """Names in the prose close to, but not exactly, a member's canonical name (in either language)."""
    language = content.document.language
    codes = {member.country for category in content.organisation.membership for member in category.members if member.country}
    codes.add(content.actor.country)
    canonical_by_reference: dict[str, str] = {}
    for code in sorted(codes):
        for reference in (countries.country_name(code, language), countries.country_name(code, "en")):
            canonical_by_reference.setdefault(reference, countries.country_name(code, language))
    accepted = set(canonical_by_reference)
    for code in codes:
        accepted.update(labels.country_variants.get(code, ()))
    accepted_folded = {name.casefold() for name in accepted}
    # names grouped by their number of words: each window of the prose is cut and folded once per width
    # and compared with the names of that width only (a name-major loop re-cut every window per name)
    names_by_width: dict[int, list[tuple[str, str]]] = {}
    for name in sorted(canonical_by_reference):
        names_by_width.setdefault(len(name.split()), []).append((name, name.casefold()))
    verdicts: dict[tuple[str, str], bool] = {}
    """(candidate, name) → looks misspelt; prose repeats its words, so each pair is compared once."""
    builds_on_name: dict[str, bool] = {}

    def misspelt(folded: str, name_folded: str) -> bool:
        key = (folded, name_folded)
        if key not in verdicts:
            # ratio() ≤ 2·min(len)/(sum of lengths): most pairs fail on length alone, before a matcher is built
            shorter, total = min(len(folded), len(name_folded)), len(folded) + len(name_folded)
            if 2 * shorter < 0.8 * total:
                verdicts[key] = False
            else:
                matcher = difflib.SequenceMatcher(None, folded, name_folded)
                verdicts[key] = matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8
        return verdicts[key]

    def inflected(folded: str) -> bool:
        """An inflection or demonym built on an accepted name ("Russian", "Rusia-nya")."""
        if folded not in builds_on_name:
            builds_on_name[folded] = any(folded.startswith(known) for known in accepted_folded)
        return builds_on_name[folded]

    warnings: list[Diagnostic] = []
    reported: set[tuple[FieldPath, str]] = set()
    for path, text in _prose(content):
        words = _WORD.findall(text)
        for start, first in enumerate(words):
            if not first[:1].isupper():
                continue
            for width, names in names_by_width.items():
                if start + width > len(words):
                    continue
                candidate = " ".join(words[start : start + width]) if width > 1 else first
                folded = candidate.casefold()
                if folded in accepted_folded or (path, folded) in reported or inflected(folded):
                    continue
                for name, name_folded in names:
                    if misspelt(folded, name_folded):
                        reported.add((path, folded))
                        warnings.append(
                            document.diagnostic(
                                path,
                                f"'{candidate}' looks like a misspelling of '{canonical_by_reference[name]}' — "
                                "use the canonical name",
                                severity="warning",
                            )
                        )
                        break
    return warnings


def _count_warnings(content: Content, document: LoadedDocument, labels: Labels) -> list[Diagnostic]:
    founders = [category for category in content.organisation.membership if category.founding]
    if not founders:
        return []
    expected = sum(len(category.members) for category in founders)
    number_words = {word.casefold(): value for word, value in labels.number_words.items()}
    nouns = "|".join(re.escape(noun) for noun in labels.country_nouns)
    founding_verbs = [verb.casefold() for verb in labels.founding_verbs]
    pattern = re.compile(rf"\b(\d+|\w+)\s+(?:{nouns})\b", re.IGNORECASE)
    warnings = []
    for path, text in _prose(content):
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if not any(verb in sentence.casefold() for verb in founding_verbs):
                continue
            for match in pattern.finditer(sentence):
                word = match.group(1).casefold()
                value = int(word) if word.isdigit() else number_words.get(word)
                if value is not None and value != expected:
                    warnings.append(
                        document.diagnostic(
                            path,
                            f"the prose says '{match.group(0)}' founded it, but the founding lists name {expected} — "
                            "make the prose and the membership lists agree",
                            severity="warning",
                        )
                    )
    return warnings


def check_content(path: Path, display_name: str | None = None) -> CheckedContent:
    """Load, validate and lint one content file; raise ContentError with every error found."""
    document = load_file(path, display_name)
    content = validate(document)
    labels = labels_for(content.document.language)
    warnings = _spelling_warnings(content, document, labels) + _count_warnings(content, document, labels)
    return CheckedContent(content=content, source=document, warnings=warnings)
