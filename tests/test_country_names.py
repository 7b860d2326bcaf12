"""Country names in one place: templates, charts, the font coverage check and the content checks all name a
member or the actor through `reports.language.countries.member_name`, so they agree — the content's own name
for a coded country where it gives one (wherever that country appears), else CLDR's in the document's language.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from conftest import minimal_content_yaml

from reports.charts.specs import chart_specs
from reports.content.lint import _countries
from reports.content.validate import check_data
from reports.language.countries import member_name
from reports.language.labels import labels_for
from reports.paths import TEMPLATES_DIR
from reports.templating.context import template_context
from reports.theme.coverage import _texts
from reports.theme.model import load_theme


def _content() -> Any:
    data: dict[str, Any] = yaml.safe_load(minimal_content_yaml())
    data["document"]["language"] = "id"
    data["summary"] = ["Satu.", "Dua.", "Tiga."]
    data["organisation"]["membership"] = [
        {"id": "members", "label": "Anggota", "members": [{"country": "CN", "name": {"id": "China"}},
                                                          {"country": "MM", "name": {"id": "Myanmar"}}, "RU"]},
        {"id": "partners", "label": "Mitra", "members": ["MM", {"name": {"en": "European Union", "id": "Uni Eropa"}}]},
    ]
    data["actor"] = copy.deepcopy(data["actor"]) | {"country": "CN"}
    return check_data(data, "names.yaml").content


def test_every_part_of_the_build_names_countries_alike() -> None:
    content = _content()
    labels = labels_for("id")
    expected = {"CN": "China", "MM": "Myanmar", "RU": "Rusia"}  # not CLDR's "Tiongkok", "Myanmar (Burma)"
    names = content.country_names()
    by_function = {member.country: member_name(member, "id", names) for member in content.all_members() if member.country}
    assert by_function == expected
    context = template_context(content, labels, chart_specs(content, labels), load_theme(TEMPLATES_DIR / "briefing"))
    assert sorted(member["name"] for member in context["members_alphabetical"]) == [
        "China", "Myanmar", "Myanmar", "Rusia", "Uni Eropa"]
    assert context["actor_name"] == "China" and context["country"]("MM") == "Myanmar"
    assert [member["name"] for category in context["membership"] for member in category["members"]] == [
        "China", "Myanmar", "Rusia", "Myanmar", "Uni Eropa"]
    spec = chart_specs(content, labels)["membership"]
    assert spec.annotations == ("China, Myanmar, Rusia", "Myanmar, Uni Eropa")
    derived = {path: text for path, text, origin in _texts(content) if path[-1] == "country" and origin}
    assert set(derived.values()) == {"China", "Myanmar", "Rusia"}
    assert {code: country.shown for code, country in _countries(content, labels).items()} == expected
