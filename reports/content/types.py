"""The value types content fields are made of: text, identifiers, language tags, numbers, days and dates as
written, and the base model every part of the content shares.

Strings arrive exactly as typed (see `reports.content.loader`); these types decide what they become, so a
date is a date only where a field says so, and a number is a number only when it is written one way.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from reports.language.tags import in_language

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""Non-empty text; surrounding whitespace is not meaningful in YAML-authored prose."""

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64),
]
"""A short lower-case name used to refer to an item from templates (`economic`, `observers`)."""

METADATA = "Metadata: not printed in the document."
"""Said at the end of the description of every field no template prints (`reports check --template` and the
tests that every accepted field reaches the outputs read it from the schema)."""


def metadata(description: str, **field: Any) -> Any:
    """A field no template prints: its description says so, and the schema marks it (`x-metadata`)."""
    return Field(description=f"{description} {METADATA}", json_schema_extra={"x-metadata": True}, **field)


def is_metadata(model: type[BaseModel], name: str) -> bool:
    extra = model.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and extra.get("x-metadata") is True


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def repeated(ids: list[str]) -> list[str]:
    """Ids that occur more than once, in order of their second occurrence."""
    seen: set[str] = set()
    found: list[str] = []
    for identifier in ids:
        if identifier in seen and identifier not in found:
            found.append(identifier)
        seen.add(identifier)
    return found


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check_partial_date(value: str) -> str:
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError("expected a year (2004), a month (2004-06) or a day (2004-06-15)")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        dt.date(year or 1, month or 1, day or 1)
    except ValueError as error:
        raise ValueError(f"{value} is not a real date ({error})") from None
    return value


PartialDate = Annotated[str, AfterValidator(_check_partial_date)]
"""A date known to the year, month or day: `2004`, `2004-06`, `2004-06-15`."""


def decimal_year(value: str) -> float:
    """Position of a partial date on a year axis: the middle of the year, month or day it names.

    `2004` → 2004.5, `2004-06` → the middle of June 2004, `2001-06-15` → 2001.45 (noon that day), so a
    year-only date is not drawn (or sorted) as if it were 1 January.
    """
    parts = [int(part) for part in value.split("-")]
    year = parts[0]
    days_in_year = 366 if calendar.isleap(year) else 365
    if len(parts) == 1:
        return year + 0.5
    start = dt.date(year, parts[1], 1).timetuple().tm_yday - 1
    if len(parts) == 2:
        middle = start + calendar.monthrange(year, parts[1])[1] / 2
    else:
        middle = start + parts[2] - 0.5
    return round(year + middle / days_in_year, 6)


def _parse_day(value: Any) -> Any:
    """Only `YYYY-MM-DD` text is a day: pydantic alone would read `86400` as a Unix timestamp (1970-01-02)."""
    if not isinstance(value, str):
        return value
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError(f"'{value}' is not a date — write it as YYYY-MM-DD, e.g. 2001-06-15")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value} is not a real date ({error})") from None


Day = Annotated[dt.date, BeforeValidator(_parse_day)]
"""A calendar day written `YYYY-MM-DD`."""


def _check_language(value: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(value.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"'{value}' is not a known language tag — use a BCP 47 tag such as 'id', 'en' or 'en-GB'") from None
    return value


LanguageTag = Annotated[str, AfterValidator(_check_language)]


def _by_language(value: Any) -> Any:
    """`label: late 2015` would leave the reader of another edition guessing which language it is in."""
    if isinstance(value, str):
        raise ValueError(f"give the text by language, e.g. `{{en: {value}}}` — the same content may be built in "
                         "several languages")
    return value


ByLanguage = Annotated[dict[LanguageTag, Text], BeforeValidator(_by_language)]
"""Text by BCP 47 language tag: `{id: akhir 2015, en: late 2015}`."""


Precision = Literal["year", "month", "day"]


class WrittenDate(Model):
    """A date as the author wrote it: its value, known to the year, month or day, and the words the text uses."""

    value: PartialDate = Field(
        description="The date as precisely as it is known — `2015`, `2015-12` or `2015-12-31`; it places and sorts "
                    "the date, and is shown (\"Desember 2015\") when there is no label.")
    label: ByLanguage | None = Field(
        default=None,
        description="The date in words as the text says it, by language (`{id: akhir 2015, en: late 2015}`); shown "
                    "instead of the formatted value in documents of those languages.")

    @property
    def precision(self) -> Precision:
        return ("year", "month", "day")[self.value.count("-")]  # type: ignore[return-value]

    @property
    def position(self) -> float:
        """Where the date sorts and stands on a year axis (the middle of its year, month or day)."""
        return decimal_year(self.value)

    def label_in(self, language: str) -> str | None:
        return in_language(self.label, language)


def _written_date_shorthand(value: Any) -> Any:
    """`date: "2004"` is shorthand for `date: {value: "2004"}`: most dates need no words of their own."""
    return {"value": value} if isinstance(value, str) else value


WrittenDateField = Annotated[
    WrittenDate, BeforeValidator(_written_date_shorthand, json_schema_input_type=Union[PartialDate, WrittenDate])
]
"""A `WrittenDate`, or just its value (`"2004"`, `"2015-12"`)."""


_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DOT_GROUPED_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_NOT_FINITE_WORDS = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


def _parse_number(value: Any) -> Any:
    """Numbers are written one way only: digits, an optional decimal point, an optional exponent.

    `1.500` is refused rather than guessed: in Indonesian the dot groups thousands (one thousand five
    hundred), in English it is a decimal point (1.5), and a lax parser silently picks 1.5. Thousands
    separators of any kind (`1,500`, `1_500`, `1 500`) are refused too; `0.500` and `1.50` are unambiguous.
    """
    if not isinstance(value, str) or value.strip().casefold() in _NOT_FINITE_WORDS:
        return value  # not-finite words are refused by the field's finite check, with pydantic's message
    text = value.strip()
    if _DOT_GROUPED_THOUSANDS.fullmatch(text):
        whole = text.replace(".", "")
        if text.count(".") > 1:
            raise ValueError(f"'{value}' groups thousands with dots — write the number without separators: {whole}")
        decimal = text.rstrip("0").rstrip(".")
        raise ValueError(
            f"'{value}' is ambiguous: a dot before three digits groups thousands in Indonesian ({whole}) but is a "
            f"decimal point in English ({decimal}) — write {whole} or {decimal}"
        )
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError(f"'{value}' is not a number — write digits with an optional decimal point, e.g. 1500 or 2.5 "
                         "(no thousands separators)")
    return text


Number = Annotated[float, BeforeValidator(_parse_number)]
"""A finite number written plainly (`1500`, `2.5`, `-3`, `1e6`); `1.500` is refused as ambiguous."""
