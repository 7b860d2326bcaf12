"""Font coverage of the content: every character of every text field must be drawable by the theme's fonts.

A TrueType font that lacks a glyph draws nothing or a box, and reportlab's text layer breaks for
characters outside the Basic Multilingual Plane. Rather than lose text silently, the build refuses it
before any writer runs, with the content file's line and column, the field, the character and the font:

    data/x.yaml:12:12: organisation.membership.0.label: character '中' (U+4E2D) is not in font
    DejaVu Serif (DejaVuSerif.ttf) — choose theme fonts that cover it …

Rules, documented in the README ("Robustness"):

* a template may set any field in either theme font, bold or italic (titles, headings, table cells,
  chart labels), so a character must be in **every face of the body and the heading font**;
* text the build derives from the content in the document's language is checked where it comes from:
  a member's country name (CLDR) at the member's `country`, formatted dates at the date field;
* characters outside the BMP (emoji, historic scripts) are refused whatever the font: the PDF text
  layer cannot carry them reliably. Write them in words (":)" or "smiling face").

Spaces, tabs and line breaks are not drawn as glyphs and are not checked.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from reports.cache import Cache
from reports.content.loader import FieldPath, LoadedDocument
from reports.content.model import Content
from reports.errors import AssetError, Diagnostic, LayoutError
from reports.theme.font_data import CodePoints
from reports.theme.fonts import font_facts
from reports.theme.model import FontFamily, Theme, resolve_font_file

MAX_NAMED_CHARACTERS = 5
"""Characters named in one field's diagnostic; the rest are counted."""

_NOT_DRAWN = frozenset(" \t\n\r")

_FACES = ("regular", "bold", "italic", "bold_italic")


@dataclass(frozen=True)
class _Face:
    family: str
    file: Path
    code_points: CodePoints


def _code_points(path: Path, cache: Cache) -> CodePoints:
    """The code points a TrueType file maps to glyphs (its best cmap): `reports.theme.fonts` reads each file once
    per process for the coverage check, the charts and the DOCX font table, and keeps the facts in the
    cache folder when one is given, so a new process does not parse the eight faces again."""
    facts = font_facts(path, cache)
    if facts.error is not None:
        raise AssetError([Diagnostic(f"font file {path.name} cannot be read ({facts.error}) — use a TrueType (.ttf) file",
                                     file=str(path))])
    return facts.code_points


def _faces(theme: Theme, theme_folder: Path, cache: Cache) -> list[_Face]:
    """Every face of the body and heading fonts, each file once, body font first."""
    faces: list[_Face] = []
    seen: set[Path] = set()
    families: tuple[FontFamily, ...] = (theme.body_font, theme.heading_font)
    for family in families:
        for face in _FACES:
            path = resolve_font_file(getattr(family, face), theme_folder, cache)
            if path in seen:
                continue
            seen.add(path)
            faces.append(_Face(family.name, path, _code_points(path, cache)))
    return faces


def _texts(content: Content) -> Iterator[tuple[FieldPath, str, str]]:
    """Every text the content contributes to the document: field, text, and what it is when derived."""
    from reports.language.formatting import format_date, format_partial_date

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
    for index, category in enumerate(content.organisation.membership):
        for member_index, member in enumerate(category.members):
            if member.country is not None:
                path = ("organisation", "membership", index, "members", member_index, "country")
                yield path, *_derived_name(member.country, language)
    yield ("actor", "country"), *_derived_name(content.actor.country, language)
    dates = [(("document", "facts_as_of"), content.document.facts_as_of)] + [
        (("organisation", "milestones", index, "date"), milestone.date)
        for index, milestone in enumerate(content.organisation.milestones)
    ]
    for path, value in dates:
        shown = format_partial_date(value, language)
        yield path, shown, f"the date as written in '{language}' (\"{shown}\")"


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


def _derived_name(code: str, language: str) -> tuple[str, str]:
    from reports.language.countries import country_name

    name = country_name(code, language)
    return name, f"the name of {code} in '{language}' (\"{name}\", from CLDR)"


def _describe(character: str, with_name: bool = False) -> str:
    shown = character if character.isprintable() else repr(character)[1:-1]
    name = f", {unicodedata.name(character, 'unnamed').lower()}" if with_name else ""
    return f"'{shown}' (U+{ord(character):04X}{name})"


def _field_diagnostic(source: LoadedDocument, path: FieldPath, missing: dict[str, _Face | None],
                      origin: str = "") -> Diagnostic:
    prefix = f"in {origin}: " if origin else ""
    outside = [character for character, face in missing.items() if face is None]
    absent = {character: face for character, face in missing.items() if face is not None}
    if outside:
        named = ", ".join(_describe(c, with_name=True) for c in outside[:MAX_NAMED_CHARACTERS])
        more = f" and {len(outside) - MAX_NAMED_CHARACTERS} more" if len(outside) > MAX_NAMED_CHARACTERS else ""
        subject = f"character {named}" if len(outside) == 1 else f"characters {named}{more}"
        message = (f"{prefix}{subject} {'is' if len(outside) == 1 else 'are'} outside the Basic Multilingual Plane "
                   f"(an emoji or rare symbol): reports does not set such characters, because the PDF text layer "
                   f"cannot carry them — write {'it' if len(outside) == 1 else 'them'} in words")
        if absent:
            message += f"; also {len(absent)} character(s) the theme fonts lack"
        return source.diagnostic(path, message)
    first_face = next(iter(absent.values()))
    assert first_face is not None
    characters = list(absent)
    named = ", ".join(_describe(c) for c in characters[:MAX_NAMED_CHARACTERS])
    more = f" and {len(characters) - MAX_NAMED_CHARACTERS} more" if len(characters) > MAX_NAMED_CHARACTERS else ""
    subject = f"character {named} is" if len(characters) == 1 else f"characters {named}{more} are"
    return source.diagnostic(
        path,
        f"{prefix}{subject} not in font {first_face.family} ({first_face.file.name}) — choose theme fonts that cover "
        f"{'it' if len(characters) == 1 else 'them'} (body_font and heading_font in the template's theme.yaml, "
        "e.g. a Noto font for that script, in every face), or write the text without "
        f"{'it' if len(characters) == 1 else 'them'}",
    )


def check_font_coverage(content: Content, theme: Theme, theme_folder: Path, source: LoadedDocument,
                        cache: Cache | None = None) -> list[Diagnostic]:
    """Located errors for every text field holding characters the theme's fonts cannot draw (one per field).

    `cache` keeps the fonts' facts (in its folder too, when it has one).
    """
    cache = cache if cache is not None else Cache()
    faces = _faces(theme, theme_folder, cache)
    problems: list[Diagnostic] = []
    reported: set[FieldPath] = set()
    drawable: set[str] = set(_NOT_DRAWN)
    for path, text, origin in _with_typographic_quotes(_texts(content), theme, content.document.language, cache):
        missing: dict[str, _Face | None] = {}
        for character in dict.fromkeys(text):  # each distinct character once, in order of appearance
            if character in drawable:
                continue
            code = ord(character)
            if code > 0xFFFF:
                missing[character] = None
                continue
            lacking = next((face for face in faces if code not in face.code_points), None)
            if lacking is None:
                drawable.add(character)
            else:
                missing[character] = lacking
        if missing and path not in reported:
            reported.add(path)
            problems.append(_field_diagnostic(source, path, missing, origin))
    problems.sort(key=lambda diagnostic: (diagnostic.line, diagnostic.column))
    return problems


def require_font_coverage(content: Content, theme: Theme, theme_folder: Path, source: LoadedDocument,
                          cache: Cache | None = None) -> None:
    """Raise LayoutError (exit 6: text a font cannot show) listing every uncovered field, located."""
    problems = check_font_coverage(content, theme, theme_folder, source, cache)
    if problems:
        raise LayoutError(problems)
