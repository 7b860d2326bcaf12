"""`reports import ESSAY`: an essay file becomes a content draft — its paragraphs verbatim under its headings,
its title and language, the countries it names, and a TODO marker for every part that cannot be inferred.

A TODO marker is a text value starting `TODO:` (`summary: ["TODO: 3 to 5 points …"]`); `reports check`
reports each one with its line, and accepts the draft only when none is left (`reports.content.validate`).
Countries are found by their CLDR names in the essay's language and in English, the locale's other names and,
for misspellings, by closeness to a name; the name the essay uses most becomes the name the document shows
(`name`), its other spellings are kept for the prose (`other_names`), so a verbatim essay checks clean.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reports.content.essay import Block
from reports.language import countries
from reports.language.labels import labels_for

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in is that for with as was by are on this which from it be an".split()),
    "id": frozenset("yang dan di dengan untuk tidak adalah ini dari dalam pada oleh juga akan karena tersebut "
                    "bahwa dapat sebagai".split()),
    "ms": frozenset("yang dan di dengan untuk tidak ialah ini dari dalam pada oleh juga akan kerana boleh "
                    "bahawa sebagai".split()),
    "fr": frozenset("le la les de des et est que une un pour dans par sur qui pas du au".split()),
    "de": frozenset("der die das und ist nicht ein eine zu den von mit sich des auf für im dem".split()),
    "es": frozenset("el la los las de y que en un una por con para es del se al".split()),
    "pt": frozenset("o a os as de e que em um uma para com por não do da dos das".split()),
    "nl": frozenset("de het een en van is dat in te op voor met zijn niet door".split()),
    "it": frozenset("il lo la gli le di e che un una per con non del della sono in".split()),
}
"""Common words of the languages `reports import` can guess; any other is given with `--language`."""


def guess_language(text: str) -> str | None:
    """The language whose common words the text uses most, when it clearly uses them (else None)."""
    words = Counter(word.casefold() for word in re.findall(r"\w+", text))
    scores = {language: sum(words[word] for word in common) for language, common in STOPWORDS.items()}
    best = max(scores, key=lambda language: scores[language])
    total = sum(words.values()) or 1
    return best if scores[best] >= max(5, total * 0.05) else None


@dataclass
class FoundCountry:
    code: str
    spellings: Counter[str] = field(default_factory=Counter)
    """How often the essay writes each spelling."""
    misspelt: set[str] = field(default_factory=set)
    """Spellings that are no known name of the country (found by closeness)."""
    first: int = 0
    """Position of the first mention, for the order of the proposal."""


def _known_names(language: str) -> dict[str, str]:
    """Name → code for every country: CLDR in `language` and English (with and without a parenthesis), and the
    locale files' other names."""
    names: dict[str, str] = {}
    for tag in dict.fromkeys((language, "en")):
        variants = labels_for(tag).country_variants if tag else {}
        for code, name in countries.territory_names(tag).items():
            if len(code) != 2 or not code.isalpha() or code in ("EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"):
                continue
            for form in (name, name.split(" (")[0]):
                names.setdefault(form, code)
        for code, others in variants.items():
            for other in others:
                names.setdefault(other, code)
    return names


def find_countries(text: str, language: str) -> list[FoundCountry]:
    """The countries the text names, in order of first mention, with the spellings it uses."""
    names = _known_names(language)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
                         + r")(?!\w)")
    found: dict[str, FoundCountry] = {}
    covered: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        code = names[match.group(1)]
        country = found.setdefault(code, FoundCountry(code, first=match.start()))
        country.spellings[match.group(1)] += 1
        covered.append(match.span())
    single_words = {name.casefold(): code for name, code in names.items() if " " not in name and len(name) >= 5}
    for match in re.finditer(r"\b[A-Z]\w{4,}\b", text):
        if any(start <= match.start() < end for start, end in covered) or match.group().casefold() in single_words:
            continue
        close = difflib.get_close_matches(match.group().casefold(), list(single_words), n=1, cutoff=0.85)
        if close:
            code = single_words[close[0]]
            country = found.setdefault(code, FoundCountry(code, first=match.start()))
            country.spellings[match.group()] += 1
            country.misspelt.add(match.group())
            country.first = min(country.first, match.start())
    return sorted(found.values(), key=lambda country: country.first)


def member_entry(country: FoundCountry, language: str) -> str | dict[str, Any]:
    """`CN`, or `{country: CN, name: {id: China}, other_names: {id: [Cina]}}` when the essay names it its own way:
    its most used real name is the name the document shows; every other spelling is kept for the prose."""
    # abbreviations ("AS", "US") are kept for the prose but never shown as the name
    real = sorted((spelling for spelling, _ in country.spellings.most_common() if spelling not in country.misspelt),
                  key=lambda spelling: (spelling.isupper(), -country.spellings[spelling]))
    shown = real[0] if real else countries.country_name(country.code, language)
    entry: dict[str, Any] = {"country": country.code}
    if shown != countries.country_name(country.code, language):
        entry["name"] = {language: shown}
    others = sorted(spelling for spelling in country.spellings if spelling != shown)
    if others:
        entry["other_names"] = {language: others}
    return country.code if len(entry) == 1 else entry


_NAMED_ACRONYM = re.compile(r"((?:[A-Z][\w'-]*\s+(?:(?:of|for|the|and|on|de|des|du|la|dan|untuk)\s+)*){1,8}"
                            r"[A-Z][\w'-]*)\s+\(([A-Z]{2,8})\)")


def organisation_name(text: str) -> tuple[str, str] | None:
    """(name, acronym) from the first "Full Name (ACRONYM)" of two words or more that starts with the acronym's
    first letter and holds its letters in order ("Association of Southeast Asian Nations (ASEAN)")."""
    for match in _NAMED_ACRONYM.finditer(text):
        words = match.group(1).split()
        acronym = match.group(2)
        for start in range(len(words) - 1):
            if words[start][0] == acronym[0] and _in_order(acronym.casefold(), "".join(words[start:]).casefold()):
                return " ".join(words[start:]), acronym
    return None


def _in_order(letters: str, text: str) -> bool:
    remaining = iter(text)
    return all(letter in remaining for letter in letters)


def body_sections(blocks: list[Block]) -> list[dict[str, Any]]:
    """Headed sections from the essay's blocks: heading levels as found (1 highest), text before the first
    heading under a TODO heading."""
    levels = sorted({block.level for block in blocks if block.kind == "heading"})
    rank = {level: index + 1 for index, level in enumerate(levels)}
    root: dict[str, Any] = {"sections": []}
    stack: list[tuple[int, dict[str, Any]]] = [(0, root)]
    for block in blocks:
        if block.kind == "heading":
            level = rank[block.level]
            while stack[-1][0] >= level:
                stack.pop()
            section: dict[str, Any] = {"heading": block.text, "blocks": [], "sections": []}
            stack[-1][1]["sections"].append(section)
            stack.append((level, section))
            continue
        if len(stack) == 1:
            opening: dict[str, Any] = {"heading": "TODO: a heading for the opening paragraphs of the essay",
                                       "blocks": [], "sections": []}
            root["sections"].append(opening)
            stack.append((1, opening))
        entry: dict[str, Any] = ({"paragraph": block.text} if block.kind == "paragraph"
                                 else {"items": list(block.items), **({"ordered": True} if block.ordered else {})})
        stack[-1][1]["blocks"].append(entry)
    return [_tidy(section) for section in root["sections"]]


def _tidy(section: dict[str, Any]) -> dict[str, Any]:
    tidy: dict[str, Any] = {"heading": section["heading"]}
    if section["blocks"]:
        tidy["blocks"] = section["blocks"]
    if section["sections"]:
        tidy["sections"] = [_tidy(child) for child in section["sections"]]
    return tidy
