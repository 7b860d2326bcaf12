"""Dates and numbers written the way the document's language writes them (CLDR, through Babel).
"""

from __future__ import annotations

import datetime as dt


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


def format_number(value: float, language: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(language))
