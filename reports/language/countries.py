"""Countries by ISO 3166-1 code, with names from maintained sources.

Validity comes from pycountry (the ISO 3166-1 list Debian maintains); display names in the
document's language come from CLDR through Babel, so the essay's "Kyrgyztan"/"Kyrgystan" become
one name ("Kirgizstan" in Indonesian, "Kyrgyzstan" in English) without a table of our own.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Annotated, Mapping, Protocol

from pydantic import AfterValidator, BeforeValidator

from reports.language.tags import in_language


@lru_cache(maxsize=1)
def _iso_codes() -> dict[str, str]:
    import pycountry

    return {country.alpha_2: country.name for country in pycountry.countries}


@lru_cache(maxsize=64)
def territory_names(language: str) -> dict[str, str]:
    """Every territory's name in `language` (CLDR), by code."""
    from babel import Locale

    try:
        locale = Locale.parse(language.replace("-", "_"))
    except Exception:  # unknown languages are refused by the model; fall back to English here
        locale = Locale("en")
    return dict(locale.territories)


def country_name(code: str, language: str) -> str:
    """The country's short name in `language` (CLDR), falling back to the ISO English name."""
    return territory_names(language).get(code) or _iso_codes()[code]


class Named(Protocol):
    """A member of a category or the actor: a country code, names by language, or both."""

    @property
    def country(self) -> str | None: ...

    @property
    def name(self) -> Mapping[str, str] | None: ...


ChosenNames = Mapping[str, Mapping[str, str]]
"""The document's choice of names, by ISO code and language (`Content.country_names()`)."""


def member_name(member: Named, language: str, chosen: ChosenNames | None = None) -> str:
    """The name a document in `language` shows for a member or the actor — the one function every part of the
    build (templates, charts, font coverage, the content checks) asks.

    Its own `name` in that language (or the base language) first; for a country then the name the document
    gives that country elsewhere (`chosen`), then CLDR's; for a body without a code, English, then any name.
    """
    own = in_language(member.name, language)
    if own is not None:
        return own
    if member.country is not None:
        return country_display_name(member.country, language, chosen)
    names = member.name or {}
    return names.get("en") or next(iter(names.values()))


def country_display_name(code: str, language: str, chosen: ChosenNames | None = None) -> str:
    """The name of the country `code` in a document in `language`: the document's choice, else CLDR's."""
    return in_language((chosen or {}).get(code), language) or country_name(code, language)


def suggest(text: str, language: str = "en") -> list[str]:
    """Codes whose code or (English or local) name is close to `text`, best first."""
    candidates: dict[str, str] = {}
    for code, name in _iso_codes().items():
        candidates[code] = code
        candidates[name.casefold()] = code
    for language_tag in {language, "en"}:
        for code, name in territory_names(language_tag).items():
            if code in _iso_codes():
                candidates[name.casefold()] = code
    probe = text.strip()
    matches = difflib.get_close_matches(probe.casefold(), list(candidates), n=3, cutoff=0.75)
    matches += difflib.get_close_matches(probe.upper(), [c for c in candidates if len(c) == 2], n=2, cutoff=0.5)
    result: list[str] = []
    for match in matches:
        code = candidates[match]
        if code not in result:
            result.append(code)
    return result[:3]


def _validate_code(value: str) -> str:
    if value in _iso_codes():
        return value
    if value.upper() in _iso_codes() and len(value) == 2:
        raise ValueError(f"country codes are upper case — write '{value.upper()}'")
    hints = suggest(value)
    hint = ""
    if hints:
        hint = " — did you mean " + " or ".join(f"{code} ({_iso_codes()[code]})" for code in hints) + "?"
    else:
        hint = " — use an ISO 3166-1 alpha-2 code such as RU or CN, or `name:` for a body that is not a country"
    raise ValueError(f"'{value}' is not an ISO 3166-1 country code{hint}")


def _must_be_text(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("expected a country code such as RU")
    return value


CountryCode = Annotated[str, BeforeValidator(_must_be_text), AfterValidator(_validate_code)]
"""An ISO 3166-1 alpha-2 code, checked against the ISO list."""
