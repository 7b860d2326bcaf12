"""The content model: what an essay about an international organisation says, as typed data.

The model is deliberately about *content*, never about fonts or layout. Every field carries a
description, which `reports schema` exports as JSON Schema so editors can autocomplete and check a
content file while it is typed. Strings arrive exactly as typed (see `reports.content.loader`); the types
here decide what they become, so a date is a date only where the schema says so.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from reports.language import countries

SCHEMA_VERSION = 1

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""Non-empty text; surrounding whitespace is not meaningful in YAML-authored prose."""

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64),
]
"""A short lower-case name used to refer to an item from templates (`economic`, `observers`)."""

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


def _repeated(ids: list[str]) -> list[str]:
    """Ids that occur more than once, in order of their second occurrence."""
    seen: set[str] = set()
    repeated: list[str] = []
    for identifier in ids:
        if identifier in seen and identifier not in repeated:
            repeated.append(identifier)
        seen.add(identifier)
    return repeated


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Source(Model):
    """The text this content was taken from."""

    title: Text = Field(description="Title or first words of the source text.")
    kind: Text = Field(default="essay", description="What kind of text it is (essay, article, report).")
    author: Text | None = Field(default=None, description="Who wrote the source, if known.")
    note: Text | None = Field(default=None, description="How the source was used (transcribed, corrected, abridged).")


class DocumentMeta(Model):
    """Facts about the document itself, used on the title block and in file properties."""

    title: Text = Field(description="Main title of the paper.")
    subtitle: Text | None = Field(default=None, description="Subtitle shown under the title.")
    language: LanguageTag = Field(description="BCP 47 language of the text (`id`, `en`); drives labels and date formats.")
    author: Text = Field(description="Person or team responsible for the paper.")
    organisation: Text = Field(description="Publishing organisation, shown on the title block.")
    date: Day = Field(description="Publication date (YYYY-MM-DD).")
    facts_as_of: PartialDate = Field(description="The date the facts describe (year, month or day).")
    source: Source = Field(description="The text this content was taken from.")
    keywords: list[Text] = Field(default_factory=list, description="Subject keywords for file properties.")


def _member_shorthand(value: Any) -> Any:
    """`- CN` in YAML is shorthand for `- {country: CN}`: lists of codes stay pleasant to write."""
    return {"country": value} if isinstance(value, str) else value


class Member(Model):
    """A member of a category: a country by ISO 3166-1 code, or a named non-country body."""

    country: countries.CountryCode | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code (`RU`, `NO`); names come from CLDR in the document's language."
    )
    name: dict[LanguageTag, Text] | None = Field(
        default=None,
        description="Names by language for a member that is not a country (`{id: Uni Eropa, en: European Union}`).",
    )
    note: Text | None = Field(default=None, description="A remark shown with the member (e.g. since when).")

    @model_validator(mode="after")
    def _one_identity(self) -> "Member":
        if (self.country is None) == (self.name is None):
            raise ValueError("give either `country` (an ISO code) or `name` (names by language), not both or neither")
        return self

    def display_name(self, language: str) -> str:
        if self.country is not None:
            return countries.country_name(self.country, language)
        assert self.name is not None
        base = language.split("-")[0]
        return self.name.get(language) or self.name.get(base) or self.name.get("en") or next(iter(self.name.values()))


MemberEntry = Annotated[Member, BeforeValidator(_member_shorthand)]


class MembershipCategory(Model):
    """One kind of membership (member states, observers, dialogue partners, …); categories are data."""

    id: Identifier = Field(description="Short name for templates and charts (`members`, `observers`).")
    label: Text = Field(description="Name of the category in the document's language (plural).")
    description: Text | None = Field(default=None, description="What this status means.")
    founding: bool = Field(default=False, description="True when these are the founding members.")
    members: list[MemberEntry] = Field(min_length=1, description="Members: ISO codes or `{name: …}` entries.")


class Founding(Model):
    date: Day = Field(description="Day the organisation was founded (YYYY-MM-DD).")
    place: Text = Field(description="City where it was founded.")


class Milestone(Model):
    """A dated event in the organisation's history."""

    date: PartialDate = Field(description="When it happened (year, month or day).")
    title: Text = Field(description="What happened, in a few words.")
    place: Text | None = Field(default=None, description="Where it happened.")
    description: Text | None = Field(default=None, description="One or two sentences of detail.")


class Organisation(Model):
    """The organisation the essay is about."""

    name: Text = Field(description="Full name.")
    acronym: Text | None = Field(default=None, description="Short form (SCO).")
    founded: Founding = Field(description="Founding date and place.")
    membership: list[MembershipCategory] = Field(min_length=1, description="Membership by category, in display order.")
    milestones: list[Milestone] = Field(default_factory=list, description="History, oldest first.")
    aims: list[Text] = Field(default_factory=list, description="Aims from the founding documents.")

    @model_validator(mode="after")
    def _unique_categories(self) -> "Organisation":
        duplicates = _repeated([category.id for category in self.membership])
        if duplicates:
            raise ValueError(f"category id '{duplicates[0]}' is used twice — ids must be unique")
        return self


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


class Evidence(Model):
    """A fact the essay gives in support of an interest; `value`/`unit` when it is a number."""

    text: Text = Field(description="The evidence in words.")
    value: Number | None = Field(default=None, allow_inf_nan=False, description="Number, if the evidence is quantitative.")
    unit: Text | None = Field(default=None, description="Unit of `value` (`% per year`).")


class Interest(Model):
    """One sector of the actor's interests in the organisation."""

    id: Identifier = Field(description="Short name (`economic`, `security`).")
    sector: Text = Field(description="Name of the sector in the document's language.")
    summary: Text = Field(description="One- or two-sentence summary.")
    goal: Text = Field(description="What the actor wants in this sector (table column 'goal').")
    key_points: list[Text] = Field(default_factory=list, description="Main points the essay makes.")
    evidence: list[Evidence] = Field(default_factory=list, description="Facts the essay gives.")
    instruments: list[Text] = Field(default_factory=list, description="Means the actor uses within the organisation.")


class Actor(Model):
    """The state whose interests the essay analyses."""

    country: countries.CountryCode = Field(description="ISO 3166-1 alpha-2 code of the actor.")
    interests: list[Interest] = Field(min_length=1, description="Interests by sector, in display order.")

    @model_validator(mode="after")
    def _unique_interests(self) -> "Actor":
        duplicates = _repeated([interest.id for interest in self.interests])
        if duplicates:
            raise ValueError(f"interest id(s) {', '.join(sorted(duplicates))} used twice — ids must be unique")
        return self


class Paragraph(Model):
    paragraph: Text = Field(description="One paragraph of prose, exactly as written.")


class BulletList(Model):
    items: list[Text] = Field(min_length=1, description="List items, in order.")
    ordered: bool = Field(default=False, description="Numbered instead of bulleted.")


def _block_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "paragraph" if "paragraph" in value else "items" if "items" in value else None
    return "paragraph" if isinstance(value, Paragraph) else "items" if isinstance(value, BulletList) else None


Block = Annotated[
    Annotated[Paragraph, Tag("paragraph")] | Annotated[BulletList, Tag("items")],
    Discriminator(
        _block_kind,
        custom_error_type="block_kind",
        custom_error_message="a block is either `paragraph: text` or `items: [list items]`",
    ),
]


class Section(Model):
    """A headed section of the essay's prose."""

    heading: Text = Field(description="Section heading.")
    blocks: list[Block] = Field(default_factory=list, description="Paragraphs (`- paragraph: …`) and lists (`- items: […]`).")
    sections: list["Section"] = Field(default_factory=list, description="Subsections.")


class Conclusion(Model):
    heading: Text | None = Field(default=None, description="Heading; the template's label when omitted.")
    paragraphs: list[Text] = Field(min_length=1, description="Concluding paragraphs.")
    implications: list[Text] = Field(default_factory=list, description="Implications for the reader, as a list.")


class GlossaryEntry(Model):
    term: Text = Field(description="The term as students meet it in the text.")
    definition: Text = Field(description="A short definition in the document's language, for students.")


class Question(Model):
    question: Text = Field(description="A discussion question for students.")
    answer: Text = Field(description="A model answer; printed only in the teacher edition.")


class TrueFalse(Model):
    statement: Text = Field(description="A statement students mark true or false.")
    answer: bool = Field(description="Whether the statement is true (`true`/`false`); teacher edition only.")
    explanation: Text | None = Field(default=None, description="Why, for the teacher edition.")


class Activity(Model):
    title: Text = Field(description="Name of the activity.")
    instructions: Text = Field(description="What students do.")
    sort_members: bool = Field(
        default=True,
        description="Include the task 'sort these countries into membership categories' (answers come from the membership lists).",
    )
    true_false: list[TrueFalse] = Field(default_factory=list, description="True/false statements.")


class Classroom(Model):
    """Optional classroom material for handouts: written for this essay, validated like the rest."""

    level: Text | None = Field(default=None, description="Who the handout is for (e.g. 'SMA kelas XI').")
    duration: Text | None = Field(default=None, description="Lesson length (e.g. '2 × 45 menit').")
    objectives: list[Text] = Field(min_length=1, description="Learning objectives: what students will be able to do.")
    glossary: list[GlossaryEntry] = Field(min_length=1, description="Key terms with short definitions.")
    questions: list[Question] = Field(min_length=1, description="Discussion questions with model answers.")
    activity: Activity = Field(description="A classroom activity.")


class Content(Model):
    """A structured essay about an international organisation and one actor's interests in it."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="reports content",
        json_schema_extra={"$id": "https://reports.invalid/schema/content.schema.json"},
    )

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION, description="Version of this schema.")
    document: DocumentMeta
    organisation: Organisation
    actor: Actor
    summary: list[Text] = Field(min_length=3, max_length=5, description="Executive summary: 3 to 5 points.")
    body: list[Section] = Field(min_length=1, description="The essay's prose, as headed sections.")
    conclusion: Conclusion | None = Field(default=None, description="Closing section: conclusion and implications.")
    classroom: Classroom | None = Field(default=None, description="Classroom material for the handout templates.")
