"""Membership as the world has it (founders and later members in one category, join dates), the essay's own
names for countries, dates as the author wrote them, and warnings that read the prose right and suggest the
fix a verbatim essay can take.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import minimal_content_yaml, run_cli

from reports.charts.specs import chart_specs
from reports.content.history import history
from reports.content.membership import count_text
from reports.content.validate import check_content
from reports.errors import ContentError
from reports.language.formatting import format_written_date
from reports.language.labels import labels_for

BASE: dict[str, Any] = yaml.safe_load(minimal_content_yaml())


def write(tmp_path: Path, data: dict[str, Any], name: str = "content.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def asean(language: str = "en") -> dict[str, Any]:
    """Eleven members in one category, five of them founders, six with join years."""
    data = copy.deepcopy(BASE)
    data["document"]["language"] = language
    data["organisation"]["founded"] = {"date": "1967-08-08", "place": "Bangkok"}
    founders = [{"country": code, "founding": True} for code in ("ID", "MY", "PH", "SG", "TH")]
    later = [{"country": "BN", "joined": "1984"}, {"country": "VN", "joined": "1995"},
             {"country": "LA", "joined": "1997"}, {"country": "MM", "joined": "1997", "name": {"id": "Myanmar",
                                                                                              "en": "Myanmar"}},
             {"country": "KH", "joined": "1999"}, {"country": "TL", "joined": "2025-10"}]
    data["organisation"]["membership"] = [{"id": "members", "label": "Member states", "members": founders + later}]
    data["actor"]["country"] = "ID"
    return data


# --- membership ---------------------------------------------------------------------------------------


def test_one_category_holds_founders_and_later_members(tmp_path: Path) -> None:
    content = check_content(write(tmp_path, asean())).content
    labels = labels_for("en")
    (category,) = content.organisation.membership
    assert len(category.members) == 11 and len(category.founding_members()) == 5
    assert count_text(category, labels, "en") == "11 (5 founding)"
    spec = chart_specs(content, labels)["membership"]
    assert spec.series[0].values == (11.0,)
    assert spec.annotations == ("Founding: Indonesia, Malaysia, Philippines, Singapore, Thailand; joined later: "
                                "Brunei (1984), Vietnam (1995), Laos (1997), Myanmar (1997), Cambodia (1999), "
                                "Timor-Leste (October 2025)",)
    assert "Member states: 11 (5 founding)" in spec.alt


def test_the_category_flag_is_a_shorthand_a_member_may_override(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["organisation"]["membership"][0].update(founding=True, members=["CN", {"country": "RU", "founding": False,
                                                                               "joined": "2005"}])
    content = check_content(write(tmp_path, data)).content
    category = content.organisation.membership[0]
    assert [member.country for member in category.founding_members()] == ["CN"]
    assert count_text(category, labels_for("en"), "en") == "2 (1 founding)"
    data["organisation"]["membership"][0]["members"] = ["CN", "RU"]  # today's files: the whole category
    category = check_content(write(tmp_path, data)).content.organisation.membership[0]
    assert count_text(category, labels_for("en"), "en") == "2 (all founding)"


def test_join_events_join_the_milestones_in_date_order(tmp_path: Path) -> None:
    data = asean()
    data["organisation"]["milestones"] = [
        {"date": {"value": "2015-12", "label": {"en": "end of 2015", "id": "akhir 2015"}}, "title": "AEC launched"},
        {"date": "1967-08-08", "title": "ASEAN founded", "place": "Bangkok"},
    ]
    content = check_content(write(tmp_path, data)).content
    events = history(content, labels_for("en"))
    assert [(format_written_date(event.date, "en"), event.title) for event in events] == [
        ("August 8, 1967", "ASEAN founded"), ("1984", "Brunei joined"), ("1995", "Vietnam joined"),
        ("1997", "Laos and Myanmar joined"), ("1999", "Cambodia joined"), ("end of 2015", "AEC launched"),
        ("October 2025", "Timor-Leste joined")]
    timeline = chart_specs(content, labels_for("en"))["timeline"]
    assert timeline.categories[-2:] == ("end of 2015", "October 2025")
    assert list(timeline.series[0].values) == sorted(timeline.series[0].values)
    indonesian = copy.deepcopy(data)
    indonesian["document"]["language"] = "id"
    content = check_content(write(tmp_path, indonesian, "id.yaml")).content
    assert [format_written_date(event.date, "id") for event in history(content, labels_for("id"))][-2:] == [
        "akhir 2015", "Oktober 2025"]
    assert history(content, labels_for("id"))[3].title == "Laos dan Myanmar bergabung"


def test_a_date_has_a_precision_and_is_placed_by_its_value(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["document"]["facts_as_of"] = {"value": "2024-12", "label": {"en": "end of 2024"}}
    facts = check_content(write(tmp_path, data)).content.document.facts_as_of
    assert (facts.value, facts.precision, facts.label_in("en"), facts.label_in("fr")) == (
        "2024-12", "month", "end of 2024", None)
    assert format_written_date(facts, "fr") == "décembre 2024"  # no words for French: the value, formatted
    data["document"]["facts_as_of"] = {"value": "2024", "label": "end of 2024"}
    with pytest.raises(ContentError) as refused:
        check_content(write(tmp_path, data))
    assert "give the text by language, e.g. `{en: end of 2024}`" in refused.value.diagnostics[0].message


@pytest.mark.parametrize(("member", "fragment"), [
    ({"country": "RU", "founding": True, "joined": "2005"},
     "a founding member (by its own `founding: true`) cannot have joined in 2005, after the founding in 2001"),
    ({"country": "RU", "joined": "1990"}, "joined 1990, before the organisation was founded (2001-06-15)"),
])
def test_membership_dates_that_contradict_the_founding_are_located_errors(tmp_path: Path, member: dict[str, Any],
                                                                          fragment: str) -> None:
    data = copy.deepcopy(BASE)
    data["organisation"]["membership"][0]["members"] = ["CN", member]
    path = write(tmp_path, data)
    result = run_cli("check", path.name, cwd=tmp_path)
    assert result.returncode == 3
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1) if "joined:" in text)
    assert result.stderr.startswith(f"content.yaml:{line}:")
    assert "organisation.membership.0.members.1.joined: " + fragment in result.stderr


# --- names --------------------------------------------------------------------------------------------


def indonesian_china(prose: str, **member: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["document"]["language"] = "id"
    data["organisation"]["membership"][0]["members"] = [{"country": "CN", **member}, "RU"]
    data["body"][0]["blocks"] = [{"paragraph": prose}]
    data["summary"] = ["Satu.", "Dua.", "Tiga."]
    return data


def warnings_of(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    return [warning.message for warning in check_content(write(tmp_path, data)).warnings]


def test_a_country_named_otherwise_than_the_document_shows_is_warned_about(tmp_path: Path) -> None:
    # without a name of its own, CN is shown as CLDR's "Tiongkok": the essay's "China" and "Cina" differ
    messages = warnings_of(tmp_path, indonesian_china("Perdagangan China dan Rusia, juga Cina."))
    assert messages == [
        "'China' names CN, which this document shows as 'Tiongkok' — the essay keeps its words: list it in "
        "`other_names: {id: [China]}` of organisation.membership.0.members.0; or show the essay's name everywhere "
        "with `name: {id: China}` there",
        "'Cina' names CN, which this document shows as 'Tiongkok' — the essay keeps its words: list it in "
        "`other_names: {id: [Cina]}` of organisation.membership.0.members.0; or show the essay's name everywhere "
        "with `name: {id: Cina}` there",
    ]
    # the essay's name shown, its other spelling kept: nothing to say
    assert warnings_of(tmp_path, indonesian_china("Perdagangan China dan Rusia, juga Cina.", name={"id": "China"},
                                                  other_names={"id": ["Cina"]})) == []
    # "Tiongkok" is still recognised as naming CN
    assert len(warnings_of(tmp_path, indonesian_china("Tiongkok.", name={"id": "China"}))) == 1


def test_the_name_a_member_is_given_is_the_name_everywhere(tmp_path: Path) -> None:
    data = indonesian_china("Teks.", name={"id": "China"})
    data["organisation"]["membership"].append({"id": "other", "label": "Lain", "members": ["CN"]})
    data["actor"]["country"] = "CN"
    content = check_content(write(tmp_path, data)).content
    spec = chart_specs(content, labels_for("id"))["membership"]
    assert spec.annotations == ("China, Rusia", "China")
    conflicting = copy.deepcopy(data)
    conflicting["organisation"]["membership"][1]["members"] = [{"country": "CN", "name": {"id": "Tiongkok"}}]
    with pytest.raises(ContentError) as refused:
        check_content(write(tmp_path, conflicting))
    (problem,) = refused.value.diagnostics
    assert problem.field_path == "organisation.membership.1.members.0.name.id"
    assert problem.message.startswith("CN is named 'China' at organisation.membership.0.members.0 (line ")


def test_editorial_text_may_be_corrected_essay_prose_not(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["summary"][0] = "Russsia grew."
    data["body"][0]["blocks"] = [{"paragraph": "Russsia grew."}]
    summary, body = warnings_of(tmp_path, data)
    assert summary == ("'Russsia' looks like a misspelling of 'Russia' (RU) — use the name 'Russia', or list it in "
                       "`other_names: {en: [Russsia]}` of organisation.membership.0.members.1")
    assert body == ("'Russsia' looks like a misspelling of 'Russia' (RU) — to keep the essay as written, list it in "
                    "`other_names: {en: [Russsia]}` of organisation.membership.0.members.1")


def test_other_countries_names_are_not_read_as_a_members(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["organisation"]["membership"][0]["members"] = ["KR", "RU", "AT"]
    data["body"][0]["blocks"] = [{"paragraph": "North Korea, South Korea, Austria and Australia."}]
    assert warnings_of(tmp_path, data) == []  # "Korea" is not read inside "North Korea"; Australia is no Austria


# --- founding counts ---------------------------------------------------------------------------------

ASEAN_PROSE_ID = ("ASEAN didirikan di Bangkok pada 8 Agustus 1967 oleh lima negara, yaitu Indonesia, Malaysia, "
                  "Filipina, Singapura, dan Thailand. Kini ASEAN beranggotakan sebelas negara: lima negara pendiri dan "
                  "enam negara yang bergabung kemudian.")


def test_the_founding_count_check_reads_later_members_right(tmp_path: Path) -> None:
    data = asean("id")
    data["summary"] = ["Satu.", "Dua.", "Tiga."]
    data["body"][0]["blocks"] = [{"paragraph": ASEAN_PROSE_ID}]
    assert warnings_of(tmp_path, data) == []  # neither "sebelas negara" nor "enam negara … kemudian"


def test_a_wrong_founding_list_is_fixed_in_the_lists_not_the_prose(tmp_path: Path) -> None:
    data = asean("id")
    data["summary"] = ["Satu.", "Dua.", "Tiga."]
    data["body"][0]["blocks"] = [{"paragraph": ASEAN_PROSE_ID}]
    data["organisation"]["membership"][0]["members"][5]["founding"] = True  # Brunei marked a founder by mistake
    del data["organisation"]["membership"][0]["members"][5]["joined"]
    (message,) = warnings_of(tmp_path, data)
    assert message == (
        "the prose says 'lima negara' founded it, but the membership lists mark 6 founding members — if the prose is "
        "right, mark the founders in the lists (`founding: true` on each founding member, or on a category of "
        "founders); if 'lima negara' does not count founders, add it to `document.checks.not_founding_counts`")
    data["document"]["checks"] = {"not_founding_counts": ["oleh lima negara"]}
    assert warnings_of(tmp_path, data) == []


def test_english_founding_counts_are_bound_to_their_verb(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["organisation"]["membership"][0]["founding"] = True  # CN and RU: two founders
    data["summary"][0] = "It was founded in 2001, by three countries; today it has seven member states."
    data["body"][0]["blocks"] = [{"paragraph": "The two founding members and five states that joined later."}]
    (message,) = warnings_of(tmp_path, data)
    assert message.startswith("the prose says 'three countries' founded it, but the membership lists mark 2 founding "
                              "members — correct the text, or if the prose is right")
