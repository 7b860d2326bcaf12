"""Warnings for content that is legal but suspicious: a member named in the prose differently from its
canonical name, a count in the prose that disagrees with the membership lists.

Warnings never stop a build; `reports check` prints them located, like errors.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Iterator

from reports.content.loader import FieldPath, LoadedDocument
from reports.content.model import Content
from reports.errors import Diagnostic
from reports.language import countries
from reports.language.labels import Labels

_NOT_PROSE = frozenset({"id", "country", "language", "date", "facts_as_of", "unit", "schema_version", "source"})
"""Codes, dates, and `document.source`, which describes (and may quote) the original text as it was."""


def prose_fields(content: Content) -> Iterator[tuple[FieldPath, str]]:
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


def spelling_warnings(content: Content, document: LoadedDocument, labels: Labels) -> list[Diagnostic]:
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
    for path, text in prose_fields(content):
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


def count_warnings(content: Content, document: LoadedDocument, labels: Labels) -> list[Diagnostic]:
    founders = [category for category in content.organisation.membership if category.founding]
    if not founders:
        return []
    expected = sum(len(category.members) for category in founders)
    number_words = {word.casefold(): value for word, value in labels.number_words.items()}
    nouns = "|".join(re.escape(noun) for noun in labels.country_nouns)
    founding_verbs = [verb.casefold() for verb in labels.founding_verbs]
    pattern = re.compile(rf"\b(\d+|\w+)\s+(?:{nouns})\b", re.IGNORECASE)
    warnings = []
    for path, text in prose_fields(content):
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
