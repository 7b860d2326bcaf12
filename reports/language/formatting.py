"""Dates and numbers written the way the document's language writes them (CLDR, through Babel).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, Sequence


def babel_locale(language: str) -> str:
    return language.replace("-", "_")


def format_date(value: dt.date, language: str) -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format="long", locale=babel_locale(language))


def format_partial_date(value: str, language: str) -> str:
    """`2004` → "2004"; `2004-06` → "Juni 2004"; `2004-06-15` → "15 Juni 2004"."""
    from babel.dates import format_date as babel_format_date

    parts = [int(part) for part in value.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return babel_format_date(dt.date(parts[0], parts[1], 1), format="MMMM y", locale=babel_locale(language))
    return format_date(dt.date(*parts), language)


class DateAsWritten(Protocol):
    """A date with the words a text uses for it (`reports.content.types.WrittenDate`)."""

    @property
    def value(self) -> str: ...

    def label_in(self, language: str) -> str | None: ...


def format_written_date(value: DateAsWritten | str, language: str) -> str:
    """The date in the words the content gives for `language` ("akhir 2015"), else formatted from its value."""
    if isinstance(value, str):
        return format_partial_date(value, language)
    return value.label_in(language) or format_partial_date(value.value, language)


def format_list(items: Sequence[str], language: str) -> str:
    """"Laos and Myanmar", "Laos dan Myanmar": a list joined as the language joins one."""
    from babel.lists import format_list as babel_format_list

    return babel_format_list(list(items), locale=babel_locale(language))


def format_number(value: float, language: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(language))
