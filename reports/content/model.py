"""The content model: what an essay about an international organisation says, as typed data.

The model is deliberately about *content*, never about fonts or layout. Every field carries a
description, which `reports schema` exports as JSON Schema so editors can autocomplete and check a
content file while it is typed; a field no template prints says so in its description (`types.metadata`).
Strings arrive exactly as typed (see `reports.content.loader`); the types in `reports.content.types`
decide what they become, so a date is a date only where the schema says so.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BeforeValidator, ConfigDict, Discriminator, Field, PrivateAttr, Tag, model_validator

from reports.content.classroom import Classroom
from reports.content.types import (
    ByLanguage,
    Day,
    Identifier,
    LanguageTag,
    Model,
    Number,
    Text,
    WrittenDateField,
    metadata,
    repeated,
)
from reports.language import countries
from reports.language.tags import in_language

SCHEMA_VERSION = 1


class Source(Model):
    """The text this content was taken from."""

    title: Text = Field(description="Title or first words of the source text, in the language it was written in.")
    translated_title: ByLanguage | None = Field(
        default=None,
        description="The title in the languages of translated editions (`{en: The Shanghai Cooperation Organization "
                    "(SCO) is an international organization}`): a translation quotes its source in its own language.")
    language: LanguageTag | None = Field(
        default=None,
        description="Language the source was written in, when it is not the document's (`id` for an English "
                    "translation of an Indonesian essay); the source line then says the text is translated.")
    kind: Text = Field(default="essay", description="What kind of text it is (essay, article, report), in the "
                                                    "document's language.")
    author: Text | None = Field(default=None, description="Who wrote the source, if known.")
    note: Text | None = Field(default=None, description="How the source was used (transcribed, translated, corrected, "
                                                        "abridged, headings added); printed with the source.")

    def title_in(self, language: str) -> str:
        """The title a document in `language` quotes: its own language's translation, else the original."""
        if self.language is None or self.language == language:
            return self.title
        return in_language(self.translated_title, language) or self.title


class Checks(Model):
    """What `reports check` should know about this text."""

    not_founding_counts: list[Text] = metadata(
        "Phrases of the prose that count countries without counting founders (`enam negara yang bergabung "
        "kemudian`, `eleven members`): the founding-count check passes over them.",
        default_factory=list)


class DocumentMeta(Model):
    """Facts about the document itself, used on the title block and in file properties."""

    title: Text = Field(description="Main title of the paper.")
    subtitle: Text | None = Field(default=None, description="Subtitle shown under the title.")
    language: LanguageTag = metadata("BCP 47 language of the text (`id`, `en`); drives labels, date formats and "
                                     "country names, and is set as the files' language.")
    author: Text = Field(description="Person or team responsible for the paper.")
    organisation: Text = Field(description="Publishing organisation, shown on the title block.")
    date: Day = Field(description="Publication date (YYYY-MM-DD).")
    facts_as_of: WrittenDateField = Field(
        description="The date the facts describe (year, month or day; may carry words: "
                    "`{value: 2015-12, label: {id: akhir 2015}}`).")
    source: Source = Field(description="The text this content was taken from.")
    keywords: list[Text] = metadata("Subject keywords, written into the PDF and DOCX file properties.",
                                    default_factory=list)
    checks: Checks | None = metadata("What `reports check` should know about this text.", default=None)


def _member_shorthand(value: Any) -> Any:
    """`- CN` in YAML is shorthand for `- {country: CN}`: lists of codes stay pleasant to write."""
    return {"country": value} if isinstance(value, str) else value


class Member(Model):
    """A member of a category: a country by ISO 3166-1 code, or a named body that is not a country."""

    country: countries.CountryCode | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code (`RU`, `NO`); its name comes from CLDR in the document's "
                                  "language unless `name` gives the one the document uses.")
    name: ByLanguage | None = Field(
        default=None,
        description="Names by language. For a body that is not a country, its names (`{id: Uni Eropa, en: European "
                    "Union}`); for a country, the name the document uses instead of CLDR's (`{id: Myanmar}`), wherever "
                    "the country appears.")
    other_names: dict[LanguageTag, list[Text]] = metadata(
        "Other names the text uses for this member, by language (`{id: [Cina]}`): the name check accepts them in the "
        "prose, which stays as written; the document itself always shows `name`.", default_factory=dict)
    founding: bool | None = Field(
        default=None, description="Whether it is a founding member; when not given, its category's `founding` says.")
    joined: WrittenDateField | None = Field(
        default=None, description="When it joined, if after the founding (`1984`, `1995-07-28`); shown with the member "
                                  "and on the timeline.")
    note: Text | None = Field(default=None,
                              description="A remark shown with the member (e.g. since when it is suspended).")

    @model_validator(mode="after")
    def _an_identity(self) -> "Member":
        if self.country is None and self.name is None:
            raise ValueError("give `country` (an ISO code) or, for a body that is not a country, `name` (names by "
                             "language)")
        return self


MemberEntry = Annotated[Member, BeforeValidator(_member_shorthand, json_schema_input_type=Union[str, Member])]


class MembershipCategory(Model):
    """One kind of membership (member states, observers, dialogue partners, …); categories are data."""

    id: Identifier = metadata("Short name for templates and charts (`members`, `observers`).")
    label: Text = Field(description="Name of the category in the document's language (plural).")
    description: Text | None = Field(default=None, description="What this status means; printed with the category.")
    founding: bool = Field(default=False, description="Shorthand: every member of this category is a founding member, "
                                                      "unless a member says `founding: false`.")
    members: list[MemberEntry] = Field(min_length=1, description="Members: ISO codes or `{country: …}` / `{name: …}` "
                                                                  "entries.")

    def is_founding(self, member: Member) -> bool:
        return self.founding if member.founding is None else member.founding

    def founding_members(self) -> list[Member]:
        return [member for member in self.members if self.is_founding(member)]


class Founding(Model):
    date: Day = Field(description="Day the organisation was founded (YYYY-MM-DD).")
    place: Text = Field(description="City where it was founded.")


class Milestone(Model):
    """A dated event in the organisation's history."""

    date: WrittenDateField = Field(description="When it happened (year, month or day; may carry words: "
                                               "`{value: 2015-12, label: {en: late 2015}}`). Events sort by it.")
    title: Text = Field(description="What happened, in a few words.")
    place: Text | None = Field(default=None, description="Where it happened.")
    description: Text | None = Field(default=None, description="One or two sentences of detail.")


class Organisation(Model):
    """The organisation the essay is about."""

    name: Text = Field(description="Full name.")
    acronym: Text | None = Field(default=None, description="Short form (SCO).")
    founded: Founding = Field(description="Founding date and place.")
    membership: list[MembershipCategory] = Field(min_length=1, description="Membership by category, in display order.")
    milestones: list[Milestone] = Field(default_factory=list, description="History; shown in date order.")
    aims: list[Text] = Field(default_factory=list, description="Aims from the founding documents.")

    @model_validator(mode="after")
    def _unique_categories(self) -> "Organisation":
        duplicates = repeated([category.id for category in self.membership])
        if duplicates:
            raise ValueError(f"category id '{duplicates[0]}' is used twice — ids must be unique")
        return self


class Evidence(Model):
    """A fact the essay gives in support of an interest; `value`/`unit` when it is a number."""

    text: Text = Field(description="The evidence in words.")
    value: Number | None = Field(default=None, allow_inf_nan=False, description="Number, if the evidence is "
                                                                               "quantitative; printed before the text.")
    unit: Text | None = Field(default=None, description="Unit of `value` (`% per year`).")


class Interest(Model):
    """One sector of the actor's interests in the organisation."""

    id: Identifier = metadata("Short name (`economic`, `security`).")
    sector: Text = Field(description="Name of the sector in the document's language.")
    summary: Text = Field(description="One- or two-sentence summary.")
    goal: Text = Field(description="What the actor wants in this sector (table column 'goal').")
    key_points: list[Text] = Field(default_factory=list, description="Main points the essay makes.")
    evidence: list[Evidence] = Field(default_factory=list, description="Facts the essay gives.")
    instruments: list[Text] = Field(default_factory=list, description="Means the actor uses within the organisation.")


class Actor(Model):
    """The state whose interests the essay analyses."""

    country: countries.CountryCode = Field(description="ISO 3166-1 alpha-2 code of the actor.")
    name: ByLanguage | None = Field(
        default=None, description="The name the document uses for the actor instead of CLDR's, by language (as "
                                  "`name` of a member).")
    other_names: dict[LanguageTag, list[Text]] = metadata(
        "Other names the text uses for the actor, by language (as `other_names` of a member).", default_factory=dict)
    interests: list[Interest] = Field(min_length=1, description="Interests by sector, in display order.")

    @model_validator(mode="after")
    def _unique_interests(self) -> "Actor":
        duplicates = repeated([interest.id for interest in self.interests])
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


CountryNames = dict[str, dict[str, str]]
"""ISO code → the names by language the document uses for that country (where the content gives any)."""


class Content(Model):
    """A structured essay about an international organisation and one actor's interests in it."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="reports content",
        json_schema_extra={"$id": "https://reports.invalid/schema/content.schema.json"},
    )

    schema_version: int = metadata("Version of this schema.", default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    document: DocumentMeta
    organisation: Organisation
    actor: Actor
    summary: list[Text] = Field(min_length=3, max_length=5, description="Executive summary: 3 to 5 points.")
    body: list[Section] = Field(min_length=1, description="The essay's prose, as headed sections.")
    conclusion: Conclusion | None = Field(default=None, description="Closing section: conclusion and implications.")
    classroom: Classroom | None = Field(default=None, description="Classroom material for the handout templates.")

    _country_names: CountryNames = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        names: CountryNames = {}
        named_places: list[Member | Actor] = [*self.all_members(), self.actor]
        for named in named_places:
            if named.country is not None and named.name:
                for language, name in named.name.items():
                    names.setdefault(named.country, {}).setdefault(language, name)
        self._country_names = names

    def walk_sections(self) -> list[Section]:
        """Every section of the essay's body, subsections after their section, in reading order."""
        found: list[Section] = []

        def walk(sections: list[Section]) -> None:
            for section in sections:
                found.append(section)
                walk(section.sections)

        walk(self.body)
        return found

    def all_members(self) -> list[Member]:
        return [member for category in self.organisation.membership for member in category.members]

    def country_names(self) -> CountryNames:
        """The document's choice of names for countries: what any member or the actor says under `name`, by code
        (a country named twice differently is refused by `reports.content.consistency`)."""
        return self._country_names
