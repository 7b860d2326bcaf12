"""Font coverage of the content: every character of every text field must be drawable, by the theme's fonts or
a fallback font (`reports.theme.fallback`).

A TrueType font that lacks a glyph draws nothing or a box, and reportlab's text layer breaks for characters
outside the Basic Multilingual Plane. The theme's fonts are helped by a fallback font (its `fallback_fonts`,
then the fonts installed on the machine), as in Typst, Word or LibreOffice. What no font can set is refused
before any writer runs, with the content file's line and column, the field, the character and what to do:

    data/x.yaml:12:12: organisation.membership.0.label: character 'ꔀ' (U+A500) is not in font DejaVu Serif
    (DejaVuSerif.ttf) nor in any font installed on this machine — install a font that has it (on Debian or
    Ubuntu: apt install fonts-noto-core) …

Rules, documented in the README ("Robustness"):

* a template may set any field in either theme font, bold or italic (titles, headings, table cells, chart
  labels), so a character must be in **every face of the body and the heading font**, or in a fallback font;
* text the build derives from the content in the document's language is checked where it comes from:
  a member's name (the content's or CLDR's) at the member's `country`, formatted dates at the date field;
* characters outside the BMP (emoji, historic scripts) are refused whatever the font: the PDF text
  layer cannot carry them reliably. Write them in words (":)" or "smiling face");
* scripts that need shaping reportlab cannot do (Arabic, Hebrew, Devanagari, Thai…: `reports.theme.scripts`)
  are refused whatever the font: they would come out as isolated, misordered letters.

Spaces, tabs and line breaks are not drawn as glyphs and are not checked.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from reports.cache import Cache
from reports.content.loader import FieldPath, LoadedDocument
from reports.content.model import Content
from reports.content.types import WrittenDate
from reports.errors import Diagnostic, LayoutError
from reports.language.countries import ChosenNames, Named, country_name, member_name
from reports.language.formatting import format_written_date
from reports.theme.model import Theme
from reports.theme.fallback import FontFallback, ThemeFace, font_fallback
from reports.theme.scripts import font_package, is_private_use, shaping_needed

MAX_NAMED_CHARACTERS = 5
"""Characters named in one field's diagnostic; the rest are counted."""

_NOT_DRAWN = frozenset(" \t\n\r")

def _texts(content: Content) -> Iterator[tuple[FieldPath, str, str]]:
    """Every text the content contributes to the document: field, text, and what it is when derived."""
    from reports.language.formatting import format_date

    language = content.document.language

    def walk(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str, str]]:
        if isinstance(value, str):
            yield path, value, ""
        elif isinstance(value, dt.date):
            shown = format_date(value, language)
            yield path, shown, f"the date as written in '{language}' (\"{shown}\")"
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, path + (index,))

    yield from walk(content.model_dump(exclude_none=True), ())
    # derived text, located at the field it is derived from
    names = content.country_names()
    for index, category in enumerate(content.organisation.membership):
        for member_index, member in enumerate(category.members):
            path = ("organisation", "membership", index, "members", member_index)
            if member.country is not None:
                yield path + ("country",), *_derived_name(member, language, names)
            if member.joined is not None:
                yield path + ("joined",), *_derived_date(member.joined, language)
    yield ("actor", "country"), *_derived_name(content.actor, language, names)
    yield ("document", "facts_as_of"), *_derived_date(content.document.facts_as_of, language)
    for index, milestone in enumerate(content.organisation.milestones):
        yield ("organisation", "milestones", index, "date"), *_derived_date(milestone.date, language)


def _with_typographic_quotes(texts: Iterator[tuple[FieldPath, str, str]], theme: Theme, language: str,
                             cache: Cache) -> Iterator[tuple[FieldPath, str, str]]:
    """The texts, and after each one that has straight quotes the curly ones the document shows instead
    (`smart_quotes`): a font must have them too, though the author did not type them."""
    from reports.language.labels import labels_for

    quotes = labels_for(language, cache).quotes if theme.smart_quotes else ""
    for path, text, origin in texts:
        yield path, text, origin
        if quotes and ("'" in text or '"' in text):
            yield path, quotes, f"the quotation marks that replace its straight quotes ({quotes}: `smart_quotes`)"


def _derived_name(member: Named, language: str, names: ChosenNames) -> tuple[str, str]:
    code = member.country
    assert code is not None  # called for members with a code and for the actor
    name = member_name(member, language, names)
    origin = "from CLDR" if name == country_name(code, language) else "the content's name for it"
    return name, f"the name of {code} in '{language}' (\"{name}\", {origin})"


def _derived_date(value: WrittenDate, language: str) -> tuple[str, str]:
    shown = format_written_date(value, language)
    return shown, f"the date as written in '{language}' (\"{shown}\")"


def _describe(character: str, with_name: bool = False) -> str:
    shown = character if character.isprintable() else repr(character)[1:-1]
    name = f", {unicodedata.name(character, 'unnamed').lower()}" if with_name else ""
    return f"'{shown}' (U+{ord(character):04X}{name})"


def _named(characters: list[str], with_name: bool = False) -> tuple[str, str, str]:
    """("character 'x' (U+0078)" or "characters … and 3 more", "is"/"are", "it"/"them")."""
    named = ", ".join(_describe(character, with_name) for character in characters[:MAX_NAMED_CHARACTERS])
    if len(characters) == 1:
        return f"character {named}", "is", "it"
    more = f" and {len(characters) - MAX_NAMED_CHARACTERS} more" if len(characters) > MAX_NAMED_CHARACTERS else ""
    return f"characters {named}{more}", "are", "them"


@dataclass
class _FieldProblems:
    """A field's characters no font can set, by reason."""

    outside: list[str] = field(default_factory=list)
    """Outside the Basic Multilingual Plane."""
    shaped: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Character → (script, what its shaping does)."""
    missing: dict[str, ThemeFace] = field(default_factory=dict)
    """Character → the first theme face lacking it (and no fallback has it)."""

    def __bool__(self) -> bool:
        return bool(self.outside or self.shaped or self.missing)

    def message(self) -> str:
        parts = []
        if self.outside:
            subject, verb, pronoun = _named(self.outside, with_name=True)
            parts.append(f"{subject} {verb} outside the Basic Multilingual Plane (an emoji or rare symbol): reports "
                         f"does not set such characters, because the PDF text layer cannot carry them — write "
                         f"{pronoun} in words")
        for script in dict.fromkeys(script for script, _ in self.shaped.values()):
            characters = [character for character, (name, _) in self.shaped.items() if name == script]
            subject, verb, _ = _named(characters)
            what = self.shaped[characters[0]][1]
            parts.append(f"{subject} {verb} {script} script, which needs shaping ({what}) that reportlab, which sets "
                         f"the PDF, cannot do — write the text in a Latin transliteration or leave it out")
        if self.missing:
            parts.append(_missing_message(self.missing))
        return "; ".join(parts)


def _missing_message(missing: dict[str, ThemeFace]) -> str:
    characters = list(missing)
    private = [character for character in characters if is_private_use(character)]
    if len(private) == len(characters):
        subject, verb, pronoun = _named(characters)
        meaning = "the font made for it shows what it means" if verb == "is" else \
            "the fonts made for them show what they mean"
        return f"{subject} {verb} from the Private Use Area: only {meaning} — write {pronoun} in words"
    face = missing[characters[0]]
    subject, verb, pronoun = _named(characters)
    packages = ", ".join(dict.fromkeys(font_package(character) for character in characters
                                       if not is_private_use(character)))
    return (f"{subject} {verb} not in font {face.family} ({face.file.name}) nor in any font installed on this "
            f"machine — install a font that has {pronoun} (on Debian or Ubuntu: apt install {packages}), or name one "
            f"under fallback_fonts in the template's theme.yaml, or write the text without {pronoun}")


def check_font_coverage(content: Content, theme: Theme, theme_folder: Path, source: LoadedDocument,
                        cache: Cache | None = None, fallback: FontFallback | None = None) -> list[Diagnostic]:
    """Located errors for every text field holding characters no font can set (one per field): the theme's fonts
    lack them and no fallback font has them, or they need shaping, or they are outside the BMP.

    `cache` keeps the fonts' facts (in its folder too, when it has one) and the fallback's answers.
    """
    cache = cache if cache is not None else Cache()
    if fallback is None:
        fallback = font_fallback(theme, theme_folder, cache, content.document.language)
    fallback.theme_faces()  # a theme font that cannot be read is an asset error even for text it could set
    problems: list[Diagnostic] = []
    reported: set[FieldPath] = set()
    drawable: set[str] = set(_NOT_DRAWN)
    for path, text, origin in _with_typographic_quotes(_texts(content), theme, content.document.language, cache):
        found = _FieldProblems()
        for character in dict.fromkeys(text):  # each distinct character once, in order of appearance
            if character in drawable:
                continue
            shaped = shaping_needed(character)
            lacking = fallback.lacking(character) if ord(character) <= 0xFFFF else None
            if ord(character) > 0xFFFF:
                found.outside.append(character)
            elif shaped is not None:
                found.shaped[character] = shaped
            elif lacking is not None and fallback.face_for(character) is None:
                found.missing[character] = lacking
            else:
                drawable.add(character)
        if found and path not in reported:
            reported.add(path)
            prefix = f"in {origin}: " if origin else ""
            problems.append(source.diagnostic(path, prefix + found.message()))
    problems.sort(key=lambda diagnostic: (diagnostic.line, diagnostic.column))
    return problems


def require_font_coverage(content: Content, theme: Theme, theme_folder: Path, source: LoadedDocument,
                          cache: Cache | None = None, fallback: FontFallback | None = None) -> None:
    """Raise LayoutError (exit 6: text no font can show) listing every such field, located."""
    problems = check_font_coverage(content, theme, theme_folder, source, cache, fallback)
    if problems:
        raise LayoutError(problems)
