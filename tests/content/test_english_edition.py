"""The English edition (data/sco-russia.en.yaml) is a translation of data/sco-russia.yaml, not a different paper.

It must validate with no warnings, have exactly the Indonesian edition's shape (ids, members, milestones,
interests, sections, blocks, list items, summary points, conclusion) and translate every text field: only
identifiers, codes, dates and proper names may be the same in both files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import run_cli
from pydantic import BaseModel

from reports.content.lint import prose_fields
from reports.content.model import Content, Section
from reports.content.validate import check_content

INDONESIAN = Path("data") / "sco-russia.yaml"
ENGLISH = Path("data") / "sco-russia.en.yaml"


@pytest.fixture(scope="module")
def indonesian(project_root: Path):
    return check_content(project_root / INDONESIAN)


@pytest.fixture(scope="module")
def english(project_root: Path):
    return check_content(project_root / ENGLISH)


# --- validity ------------------------------------------------------------------------------------


def test_it_validates_without_warnings(english) -> None:
    assert [warning.format() for warning in english.warnings] == []


def test_the_command_line_check_passes_quietly(project_root: Path) -> None:
    result = run_cli("check", ENGLISH, cwd=project_root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "reports check printed warnings or errors"
    assert "valid" in result.stdout and "warning" not in result.stdout


def test_its_language_is_english(english, indonesian) -> None:
    assert english.content.document.language == "en"
    assert indonesian.content.document.language == "id"


def test_it_keeps_the_schema_comment(project_root: Path) -> None:
    first_line = (project_root / ENGLISH).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=content.schema.json"


def test_the_source_note_says_it_is_a_translation(english) -> None:
    note = english.content.document.source.note or ""
    assert "English translation" in note and "Indonesian" in note


def test_the_source_is_named_in_english(english, indonesian) -> None:
    """The source line quotes the translated title and says what it was translated from, with no internal
    wording; the Indonesian edition quotes the original."""
    from reports.charts.specs import chart_specs
    from reports.language.labels import labels_for

    source = chart_specs(english.content, labels_for("en"))["membership"].source
    assert source == ("Source: essay \u201cThe Shanghai Cooperation Organization (SCO) is an international "
                      "organization\u201d, translated from Indonesian.")
    original = chart_specs(indonesian.content, labels_for("id"))["membership"].source
    assert original == ("Sumber: esai \u201cShanghai Cooperation Organization (SCO) adalah sebuah organisasi "
                        "internasional\u201d.")
    assert english.content.document.source.title == indonesian.content.document.source.title


# --- same shape ----------------------------------------------------------------------------------


def _section_shape(section: Section) -> tuple[Any, ...]:
    blocks = tuple(
        ("paragraph",) if hasattr(block, "paragraph") else ("items", len(block.items), block.ordered)
        for block in section.blocks
    )
    return blocks, tuple(_section_shape(child) for child in section.sections)


def test_same_document_facts(english, indonesian) -> None:
    en, id_ = english.content, indonesian.content
    assert en.schema_version == id_.schema_version
    assert en.document.date == id_.document.date
    assert en.document.facts_as_of == id_.document.facts_as_of
    assert en.organisation.founded == id_.organisation.founded
    assert en.organisation.acronym == id_.organisation.acronym
    assert en.actor.country == id_.actor.country


def test_same_membership(english, indonesian) -> None:
    def membership(checked) -> list[tuple[str, bool, list[str | None]]]:
        return [
            (category.id, category.founding, [member.country for member in category.members])
            for category in checked.content.organisation.membership
        ]

    assert membership(english) == membership(indonesian)
    # non-country members (none today) would have to carry the same names by language
    assert [
        [member.name for member in category.members] for category in english.content.organisation.membership
    ] == [[member.name for member in category.members] for category in indonesian.content.organisation.membership]


def test_same_milestones_and_aims(english, indonesian) -> None:
    en, id_ = english.content.organisation, indonesian.content.organisation
    assert [(m.date, m.place) for m in en.milestones] == [(m.date, m.place) for m in id_.milestones]
    assert [m.description is None for m in en.milestones] == [m.description is None for m in id_.milestones]
    assert len(en.aims) == len(id_.aims)


def test_same_interests(english, indonesian) -> None:
    def interests(checked) -> list[tuple[Any, ...]]:
        return [
            (
                interest.id,
                len(interest.key_points),
                [(evidence.value, evidence.unit is None) for evidence in interest.evidence],
                len(interest.instruments),
            )
            for interest in checked.content.actor.interests
        ]

    assert interests(english) == interests(indonesian)


def test_same_body_structure(english, indonesian) -> None:
    assert len(english.content.body) == len(indonesian.content.body)
    assert [_section_shape(s) for s in english.content.body] == [_section_shape(s) for s in indonesian.content.body]


def test_same_summary_and_conclusion_shape(english, indonesian) -> None:
    en, id_ = english.content, indonesian.content
    assert len(en.summary) == len(id_.summary)
    assert (en.conclusion is None) == (id_.conclusion is None)
    if en.conclusion is not None and id_.conclusion is not None:
        assert len(en.conclusion.paragraphs) == len(id_.conclusion.paragraphs)
        assert len(en.conclusion.implications) == len(id_.conclusion.implications)
        assert (en.conclusion.heading is None) == (id_.conclusion.heading is None)


# --- every text translated -----------------------------------------------------------------------

SAME_IN_BOTH = {
    # identifiers, codes and dates
    "document.facts_as_of.value",
    "organisation.membership.*.id",
    "organisation.membership.*.members.*.country",
    "organisation.milestones.*.date.value",
    "actor.country",
    "actor.interests.*.id",
    "classroom.objectives.*.id",  # links between objectives and the work that serves them
    "classroom.questions.*.objectives.*",
    "classroom.activity.objectives.*",
    "classroom.reading.objectives.*",
    "classroom.activity.sort_members.*",  # ISO codes
    "classroom.activity.true_false.*.paragraph",  # paragraph numbers
    # proper names and acronyms
    "organisation.name",
    "organisation.acronym",
    "organisation.founded.place",
    "organisation.milestones.*.place",
    "classroom.glossary.*.term",  # proper names such as "Eurasia" are the same word in both
    "organisation.membership.*.members.*.name.id",  # names by language: the same data in both editions
    "organisation.membership.*.members.*.other_names.id.*",
    # the source: its title is the Indonesian original in both
    "document.source.title",
}
"""String fields (paths, `*` for any index) that may be identical in both editions; every other must differ."""

PROPER_KEYWORDS = {"Shanghai Cooperation Organization", "SCO", "Eurasia"}


def _strings(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, text) for every string in a dumped model; list indexes are ints; keywords are compared apart."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, path + (key,))
    elif isinstance(value, list):
        if path == ("document", "keywords"):
            return
        for index, child in enumerate(value):
            yield from _strings(child, path + (index,))
    elif isinstance(value, str):
        yield path, value


def _generic(path: tuple[Any, ...]) -> str:
    return ".".join("*" if isinstance(part, int) else str(part) for part in path)


def _exact_strings(content: Content) -> dict[tuple[Any, ...], str]:
    return dict(_strings(content))


def test_only_names_and_codes_are_left_untranslated(english, indonesian) -> None:
    # only a translation says what it was translated from
    en = {path: text for path, text in _exact_strings(english.content).items()
          if path[:3] not in (("document", "source", "translated_title"), ("document", "source", "language"))}
    id_ = _exact_strings(indonesian.content)
    assert en.keys() == id_.keys(), "the two editions hold text in different fields"
    identical = [
        f"{'.'.join(map(str, path))}: {text!r}"
        for path, text in en.items()
        if text.strip() == id_[path].strip() and _generic(path) not in SAME_IN_BOTH
    ]
    assert identical == [], "these fields are not translated"


def test_body_paragraphs_and_headings_all_differ(english, indonesian) -> None:
    en = {path: text for path, text in prose_fields(english.content) if path[0] in ("body", "summary")}
    id_ = {path: text for path, text in prose_fields(indonesian.content) if path[0] in ("body", "summary")}
    assert en.keys() == id_.keys()
    assert [path for path in en if en[path] == id_[path]] == []
    paragraphs = [path for path in en if path[0] == "body" and path[-1] == "paragraph"]
    assert paragraphs, "the body has paragraphs"
    assert len(paragraphs) == len([path for path in id_ if path[0] == "body" and path[-1] == "paragraph"])


def test_keywords_translated_except_proper_names(english, indonesian) -> None:
    en = english.content.document.keywords
    id_ = indonesian.content.document.keywords
    assert len(en) == len(id_)
    assert set(en) & set(id_) <= PROPER_KEYWORDS
    assert "Russia" in en and "Central Asia" in en


def test_country_names_use_cldr_english(english) -> None:
    prose = " ".join(text for _, text in prose_fields(english.content))
    for name in ("Kyrgyzstan", "Afghanistan", "Türkiye", "Cambodia", "Sri Lanka"):
        assert name in prose
    for indonesian_name in ("Kirgizstan", "Afganistan", "Turki", "Kamboja", "Rusia", "Cina"):
        assert not re.search(rf"\b{indonesian_name}\b", prose), indonesian_name
