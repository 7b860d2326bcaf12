"""A second content file (English, the African Union) validates: nothing in the model is SCO-specific."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.content.validate import check_content
from reports.language.countries import member_name


@pytest.fixture(scope="module")
def african_union(project_root: Path):
    return check_content(project_root / "tests" / "data" / "african-union.yaml")


@pytest.fixture(scope="module")
def sco(project_root: Path):
    return check_content(project_root / "data" / "sco-russia.yaml")


def test_it_validates_without_warnings(african_union) -> None:
    assert [warning.format() for warning in african_union.warnings] == []
    assert african_union.content.document.language == "en"
    assert african_union.content.actor.country == "ZA"


def test_its_categories_differ_from_the_sco_file(african_union, sco) -> None:
    au_ids = [category.id for category in african_union.content.organisation.membership]
    sco_ids = [category.id for category in sco.content.organisation.membership]
    assert au_ids != sco_ids
    assert set(au_ids) - set(sco_ids), "the AU file should exercise category ids the SCO file does not use"


def test_its_interest_sectors_differ_from_the_sco_file(african_union, sco) -> None:
    au_ids = {interest.id for interest in african_union.content.actor.interests}
    sco_ids = {interest.id for interest in sco.content.actor.interests}
    assert au_ids.isdisjoint(sco_ids)


def test_a_member_that_is_not_a_country_has_names_by_language(african_union) -> None:
    partners = {category.id: category for category in african_union.content.organisation.membership}["partners"]
    eu = partners.members[0]
    assert eu.country is None
    assert member_name(eu, "en") == "European Union"
    assert member_name(eu, "fr") == "Union européenne"
    assert member_name(eu, "fr-CA") == "Union européenne"  # falls back to the base language
    assert member_name(eu, "id") == "European Union"  # and then to English


def test_country_members_get_cldr_names(african_union) -> None:
    suspended = {category.id: category for category in african_union.content.organisation.membership}["suspended"]
    assert [member_name(member, "en") for member in suspended.members][:2] == ["Mali", "Guinea"]
    assert suspended.members[0].note == "since June 2021"


def test_member_counts(african_union) -> None:
    categories = {category.id: category for category in african_union.content.organisation.membership}
    members = categories["member-states"].members
    assert len(members) == 55
    # the Sahrawi Republic is a member by name: its territory's ISO code (EH) would not name the member state
    assert [member_name(member, "en") for member in members if member.country is None] == [
        "Sahrawi Arab Democratic Republic"
    ]
    assert {member.country for member in categories["suspended"].members} <= {
        member.country for member in categories["member-states"].members
    }
