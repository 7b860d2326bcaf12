"""Warnings for content that is legal but suspicious: a member named in the prose differently from the name the
document shows, or misspelt, and a founding count in the prose that disagrees with the membership lists.

Warnings never stop a build; `reports check` prints them located, like errors. Each says how to fix it *for
this field*: the essay's own prose (`body`) is kept verbatim, so there the fix is in the lists or in
`other_names` / `document.checks`, never in the prose; editorial text may simply be corrected.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from reports.content.loader import FieldPath, LoadedDocument
from reports.content.model import Actor, Content, Member
from reports.errors import Diagnostic
from reports.language import countries
from reports.language.labels import Labels
from reports.language.tags import in_language

_NOT_PROSE = frozenset({"id", "country", "language", "date", "facts_as_of", "joined", "unit", "schema_version",
                        "source", "name", "other_names", "checks", "sort_members", "sections",
                        "member_label"})
"""Codes, dates, names given as names, instructions to the check, and `document.source`, which describes (and may
quote) the original text as it was."""


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


def essay_prose(path: FieldPath) -> bool:
    """The essay's own words (`body`), which a content file keeps as written."""
    return bool(path) and path[0] == "body"


def objective_warnings(content: Content, document: LoadedDocument) -> list[Diagnostic]:
    """A learning objective that no question, activity or reading says it serves: the handout would promise what
    the lesson never practises."""
    classroom = content.classroom
    if classroom is None:
        return []
    served = classroom.served_objectives()
    warnings = []
    for index, objective in enumerate(classroom.objectives):
        if objective.id is None:
            fix = ("give it an `id:` (and its `text:`) and list that id under `objectives:` of the question, the "
                   "activity or the reading that serves it")
        elif objective.id in served:
            continue
        else:
            fix = (f"list '{objective.id}' under `objectives:` of the question, the activity or the reading that "
                   "serves it, or add an activity for it")
        warnings.append(document.diagnostic(("classroom", "objectives", index),
                                            f"no activity serves this learning objective — {fix}",
                                            severity="warning"))
    return warnings


def paragraph_warnings(content: Content, document: LoadedDocument, labels: Labels) -> list[Diagnostic]:
    """A true/false statement whose deciding paragraph is missing or not in the reading: the student sheet asks for
    that number, and the teacher edition prints it as the answer."""
    classroom = content.classroom
    if classroom is None or not classroom.activity.true_false:
        return []
    from reports.content.reading import reading_blocks

    numbers = {block.number for block in reading_blocks(content, labels) if block.number}
    last = max(numbers, default=0)
    warnings = []
    for index, item in enumerate(classroom.activity.true_false):
        path: FieldPath = ("classroom", "activity", "true_false", index)
        if item.paragraph is None:
            warnings.append(document.diagnostic(
                path, "no `paragraph:` — the student sheet asks for the paragraph that decides this statement, and "
                      "the teacher edition's Paragraph column stays empty without it; give its number from the "
                      "reading", severity="warning"))
            continue
        cited = [int(number) for number in re.findall(r"\d+", item.paragraph)]
        outside = [number for number in cited if number not in numbers]
        if not cited or outside:
            what = f"paragraph {', '.join(map(str, outside))} is not" if outside else "this names no paragraph"
            warnings.append(document.diagnostic(
                path + ("paragraph",), f"{what} in the reading, whose paragraphs run from 1 to {last} — give the "
                                       "number the handout prints beside the paragraph", severity="warning"))
    return warnings


def source_warnings(content: Content, document: LoadedDocument) -> list[Diagnostic]:
    """A translation that would quote its source's title untranslated."""
    source, language = content.document.source, content.document.language
    if source.language is None or source.language == language or source.title_in(language) != source.title:
        return []
    return [document.diagnostic(
        ("document", "source", "title"),
        f"the source is in '{source.language}' but the document in '{language}': its title would be quoted "
        f"untranslated — add `translated_title: {{{language}: …}}` to document.source", severity="warning")]


# --- names -------------------------------------------------------------------------------------------


@dataclass
class _Country:
    code: str
    shown: str
    """The name the document shows (`countries.member_name`)."""
    entry: str
    """Where its names are given: the first member with this code, or the actor."""
    accepted: set[str] = field(default_factory=set)
    """The shown name and the `other_names` in the document's language."""
    known: set[str] = field(default_factory=set)
    """Every other name the check recognises as naming it: CLDR's (in this language and English, with and without
    a parenthesis), the locale's variants, the content's names in other languages."""


def _countries(content: Content, labels: Labels) -> dict[str, _Country]:
    language = content.document.language
    chosen = content.country_names()
    found: dict[str, _Country] = {}
    entries: list[tuple[str, Member | Actor]] = [
        (f"organisation.membership.{index}.members.{member_index}", member)
        for index, category in enumerate(content.organisation.membership)
        for member_index, member in enumerate(category.members)]
    for entry, named in [*entries, ("actor", content.actor)]:
        if named.country is None:
            continue
        shown = countries.member_name(named, language, chosen)
        country = found.setdefault(named.country, _Country(named.country, shown, entry))
        country.accepted.add(country.shown)
        country.accepted.update(in_language(named.other_names, language) or ())
        for tag in (language, "en"):
            cldr = countries.country_name(named.country, tag)
            country.known.update({cldr, *(part.strip(" )") for part in cldr.split("(")), *cldr.split(" (")[:1]})
        country.known.update(labels.country_variants.get(named.country, ()))
        country.known.update((named.name or {}).values())
    for country in found.values():
        country.known = {name for name in country.known if name and name not in country.accepted}
    return found


_WORD = re.compile(r"\w+")


def name_warnings(content: Content, document: LoadedDocument, labels: Labels) -> list[Diagnostic]:
    """A member or the actor named in the prose by another name than the document shows, or misspelt."""
    language = content.document.language
    found = _countries(content, labels)
    by_surface = {name: country for country in found.values() for name in country.accepted | country.known}
    if not by_surface:
        return []
    names_of_countries = {name for tag in (language, "en") for name in countries.territory_names(tag).values()}
    # other countries' names are matched too, so that "Korea" is not read inside "North Korea"
    exact = _names_pattern(frozenset(by_surface) | names_of_countries)
    fuzzy = _FuzzyNames(sorted(by_surface), names_of_countries | set(by_surface))
    warnings: list[Diagnostic] = []
    reported: set[tuple[FieldPath, str]] = set()
    for path, text in prose_fields(content):
        covered: list[tuple[int, int]] = []
        for match in exact.finditer(text):
            covered.append(match.span())
            surface, country = match.group(1), by_surface.get(match.group(1))
            if country is not None and surface not in country.accepted and (path, surface) not in reported:
                reported.add((path, surface))
                warnings.append(document.diagnostic(path, _other_name_message(surface, country, path, language),
                                                    severity="warning"))
        for start, end, candidate, name in fuzzy.misspellings(text, covered):
            if (path, candidate) not in reported:
                reported.add((path, candidate))
                country = by_surface[name]
                warnings.append(document.diagnostic(path, _misspelling_message(candidate, country, path, language),
                                                    severity="warning"))
    return warnings


def _names_pattern(names: frozenset[str]) -> re.Pattern[str]:
    """Any of `names` as whole words, the longest first. The same names give the same pattern text, which `re`
    compiles once per process (its own cache): compiling 600 names takes longer than reading an essay."""
    longest_first = sorted(names, key=lambda name: (-len(name), name))
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(name) for name in longest_first) + r")(?!\w)")


def _keep_it(surface: str, country: _Country, language: str) -> str:
    return f"list it in `other_names: {{{language}: [{surface}]}}` of {country.entry}"


def _other_name_message(surface: str, country: _Country, path: FieldPath, language: str) -> str:
    said = f"'{surface}' names {country.code}, which this document shows as '{country.shown}'"
    if essay_prose(path):
        return (f"{said} — the essay keeps its words: {_keep_it(surface, country, language)}; or show the essay's "
                f"name everywhere with `name: {{{language}: {surface}}}` there")
    return f"{said} — write '{country.shown}', or {_keep_it(surface, country, language)}"


def _misspelling_message(candidate: str, country: _Country, path: FieldPath, language: str) -> str:
    said = f"'{candidate}' looks like a misspelling of '{country.shown}' ({country.code})"
    if essay_prose(path):
        return f"{said} — to keep the essay as written, {_keep_it(candidate, country, language)}"
    return f"{said} — use the name '{country.shown}', or {_keep_it(candidate, country, language)}"


def _folded_words(text: str) -> str:
    """"Timor-Leste" and "Timor Leste" alike: the words, folded, one space apart."""
    return " ".join(_WORD.findall(text.casefold()))


class _FuzzyNames:
    """Capitalised runs of words in the prose close to, but not exactly, a name of a member (ratio ≥ 0.8)."""

    def __init__(self, names: list[str], not_misspelt: set[str]) -> None:
        self.not_misspelt = {_folded_words(name) for name in not_misspelt}
        """Names of members and of every other country: a word that names something is no misspelling."""
        self.stems = tuple(folded for folded in (_folded_words(name) for name in names) if len(folded) > 3)
        """The members' names, which an inflection or demonym starts with."""
        # names grouped by their number of words: each window of the prose is cut and folded once per width
        self.by_width: dict[int, list[tuple[str, str]]] = {}
        for name in names:
            self.by_width.setdefault(len(_WORD.findall(name)), []).append((name, _folded_words(name)))
        self.verdicts: dict[tuple[str, str], bool] = {}
        """(candidate, name) → looks misspelt; prose repeats its words, so each pair is compared once."""
        self.builds_on_name: dict[str, bool] = {}

    def _misspelt(self, folded: str, name_folded: str) -> bool:
        key = (folded, name_folded)
        if key not in self.verdicts:
            # ratio() ≤ 2·min(len)/(sum of lengths): most pairs fail on length alone, before a matcher is built; and
            # a misspelt name keeps its first letter (Kyrgyztan, Afganistan), which rules out most of the rest
            shorter, total = min(len(folded), len(name_folded)), len(folded) + len(name_folded)
            if 2 * shorter < 0.8 * total or folded[:1] != name_folded[:1]:
                self.verdicts[key] = False
            else:
                matcher = difflib.SequenceMatcher(None, folded, name_folded)
                self.verdicts[key] = matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8
        return self.verdicts[key]

    def _inflected(self, folded: str) -> bool:
        """An inflection or demonym built on a name ("Russian", "Rusianya")."""
        if folded not in self.builds_on_name:
            self.builds_on_name[folded] = folded.startswith(self.stems)
        return self.builds_on_name[folded]

    def misspellings(self, text: str, covered: list[tuple[int, int]]) -> Iterator[tuple[int, int, str, str]]:
        """(start, end, candidate, name it is close to) for each misspelt name outside the `covered` spans."""
        words = list(_WORD.finditer(text))
        for index, first in enumerate(words):
            if not first.group()[:1].isupper() or any(start <= first.start() < end for start, end in covered):
                continue
            for width, names in self.by_width.items():
                if index + width > len(words):
                    continue
                last = words[index + width - 1]
                candidate = text[first.start():last.end()]
                folded = _folded_words(candidate)
                if folded in self.not_misspelt or self._inflected(folded):
                    continue
                name = next((name for name, name_folded in names if self._misspelt(folded, name_folded)), None)
                if name is not None:
                    yield first.start(), last.end(), candidate, name
                    break


# --- founding counts ---------------------------------------------------------------------------------

_BREAK = re.compile(r"[;:()]")
"""Punctuation that ends the reach of a founding word within a sentence (commas do not: "founded in 2001, by six")."""


def count_warnings(content: Content, document: LoadedDocument, labels: Labels) -> list[Diagnostic]:
    """A number of countries the prose says founded the organisation, unlike the founding members in the lists.

    A count is read as a founding count only when it is bound to a founding word: one before it in the same
    sentence with no semicolon, colon or joining word ("and", "dan") between ("founded … by six countries"),
    or one right after it ("lima negara pendiri", "five founding members"); and never when a word of joining
    later is close ("enam negara yang bergabung kemudian").
    """
    expected = sum(len(category.founding_members()) for category in content.organisation.membership)
    if not expected:
        return []
    reader = _CountReader(labels)
    exempt = [" ".join(phrase.casefold().split())
              for phrase in (content.document.checks.not_founding_counts if content.document.checks else [])]
    warnings: list[Diagnostic] = []
    reported: set[tuple[FieldPath, str]] = set()
    for path, text in prose_fields(content):
        for phrase, value in reader.founding_counts(text):
            if value == expected or any(phrase.casefold() in exempted for exempted in exempt) or \
                    (path, phrase) in reported:
                continue
            reported.add((path, phrase))
            fix = ("if the prose is right, mark the founders in the lists (`founding: true` on each founding member, "
                   "or on a category of founders)")
            if not essay_prose(path):
                fix = "correct the text, or " + fix
            warnings.append(document.diagnostic(
                path,
                f"the prose says '{phrase}' founded it, but the membership lists mark {expected} founding "
                f"member{'s' if expected != 1 else ''} — {fix}; if '{phrase}' does not count founders, add it to "
                "`document.checks.not_founding_counts`",
                severity="warning"))
    return warnings


class _CountReader:
    def __init__(self, labels: Labels) -> None:
        self.number_words = {word.casefold(): value for word, value in labels.number_words.items()}
        numbers = "".join("|" + re.escape(word) for word in sorted(self.number_words, key=len, reverse=True))
        nouns = "|".join(re.escape(noun) for noun in sorted(labels.country_nouns, key=len, reverse=True))
        # a number, perhaps one word ("five founding members", "six other states"), then a noun for countries
        self.count = re.compile(rf"\b(\d+{numbers})\s+(?:(\w+)\s+)??(?:{nouns})\b", re.IGNORECASE)
        self.founding = [word.casefold() for word in labels.founding_verbs]
        self.later = [word.casefold() for word in labels.later_words]
        self.joining = {word.casefold() for word in labels.clause_words}

    def founding_counts(self, text: str) -> Iterator[tuple[str, int]]:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            folded = sentence.casefold()
            if not any(word in folded for word in self.founding):
                continue
            for match in self.count.finditer(sentence):
                word = " ".join(match.group(1).casefold().split())
                value = int(word) if word.isdigit() else self.number_words.get(word)
                between = (match.group(2) or "").casefold()
                if value is not None and self._bound(sentence[: match.start()].casefold(), between,
                                                     sentence[match.end():].casefold()):
                    yield match.group(0), value

    def _bound(self, before: str, between: str, after: str) -> bool:
        """Whether a founding word reaches the count: from before it without a break, or right at it."""
        following = _WORD.findall(_BREAK.split(after, 1)[0])[:4]
        if between.startswith(tuple(self.later)):
            return False
        if between.startswith(tuple(self.founding)):
            return not any(word.startswith(tuple(self.later)) for word in following)
        if any(word.startswith(tuple(self.later)) for word in following):
            return False
        reach = _BREAK.split(before)[-1]
        for joining in self.joining:
            reach = re.split(rf"\b{re.escape(joining)}\b", reach)[-1]
        if any(word in reach for word in self.founding):
            return not any(re.search(rf"\b{re.escape(word)}", reach) for word in self.later)
        return any(word.startswith(tuple(self.founding)) for word in following[:2])
