"""Text given by language (`{id: Uni Eropa, en: European Union}`): which entry a document in one language uses.

A document asks for its own language first, then the base language of a regional tag (`fr` for `fr-CA`); what
happens when neither is there depends on the text (a country falls back to CLDR, a body without a code to
English), so the fallback is the caller's.
"""

from __future__ import annotations

from typing import Mapping, TypeVar

Value = TypeVar("Value")


def base_language(language: str) -> str:
    """`fr` for `fr-CA`, `id` for `id`."""
    return language.split("-")[0]


def in_language(values: Mapping[str, Value] | None, language: str) -> Value | None:
    """The entry for `language`, else for its base language, else None."""
    if not values:
        return None
    if language in values:
        return values[language]
    return values.get(base_language(language))
