"""Errors the model's types cannot see, because they join fields in different places: a country named two ways,
a founding member that joined later, a member that joined before the organisation existed.

Run after validation, on the validated content, each located at the field to change.
"""

from __future__ import annotations

from reports.content.loader import FieldPath, LoadedDocument
from reports.content.membership import member_references
from reports.content.model import Content
from reports.errors import Diagnostic


def consistency_errors(content: Content, document: LoadedDocument) -> list[Diagnostic]:
    return _name_conflicts(content, document) + _membership_dates(content, document) + _classroom_references(
        content, document)


def _named_places(content: Content) -> list[tuple[FieldPath, str, dict[str, str]]]:
    """(path, code, names by language) of every member and the actor that gives a country a name."""
    places: list[tuple[FieldPath, str, dict[str, str]]] = []
    for index, category in enumerate(content.organisation.membership):
        for member_index, member in enumerate(category.members):
            if member.country is not None and member.name:
                places.append((("organisation", "membership", index, "members", member_index), member.country,
                               dict(member.name)))
    if content.actor.name:
        places.append((("actor",), content.actor.country, dict(content.actor.name)))
    return places


def _name_conflicts(content: Content, document: LoadedDocument) -> list[Diagnostic]:
    first: dict[tuple[str, str], tuple[FieldPath, str]] = {}
    problems: list[Diagnostic] = []
    for path, code, names in _named_places(content):
        for language, name in names.items():
            earlier = first.setdefault((code, language), (path, name))
            if earlier[1] != name:
                line = document.locate(earlier[0] + ("name", language)).line
                where = f" (line {line})" if line else ""
                problems.append(document.diagnostic(
                    path + ("name", language),
                    f"{code} is named '{earlier[1]}' at {'.'.join(map(str, earlier[0]))}{where} — a country has one "
                    f"name in a document ('{language}'): write '{earlier[1]}' here too, or leave `name` out here"))
    return problems


def _membership_dates(content: Content, document: LoadedDocument) -> list[Diagnostic]:
    founded = content.organisation.founded.date
    problems: list[Diagnostic] = []
    for index, category in enumerate(content.organisation.membership):
        for member_index, member in enumerate(category.members):
            if member.joined is None:
                continue
            path = ("organisation", "membership", index, "members", member_index, "joined")
            year = int(member.joined.value[:4])
            if member.joined.value < founded.isoformat()[: len(member.joined.value)]:
                problems.append(document.diagnostic(
                    path, f"joined {member.joined.value}, before the organisation was founded ({founded.isoformat()}) "
                          "— check the date, or the founding date under organisation.founded"))
            elif category.is_founding(member) and year != founded.year:
                said = ("its own `founding: true`" if member.founding
                        else f"its category '{category.id}' (`founding: true`)")
                problems.append(document.diagnostic(
                    path, f"a founding member (by {said}) cannot have joined in {year}, after the founding in "
                          f"{founded.year} — remove `joined`, or give the member `founding: false`"))
    return problems


def _classroom_references(content: Content, document: LoadedDocument) -> list[Diagnostic]:
    """The members the sorting activity names and the sections the reading names exist in the content."""
    classroom = content.classroom
    if classroom is None:
        return []
    problems: list[Diagnostic] = []
    if isinstance(classroom.activity.sort_members, list):
        known = member_references(content)
        for index, reference in enumerate(classroom.activity.sort_members):
            if reference.casefold() not in known:
                problems.append(document.diagnostic(
                    ("classroom", "activity", "sort_members", index),
                    f"'{reference}' is no member of {content.organisation.acronym or content.organisation.name} — "
                    "name a member by its ISO code (as under organisation.membership) or, for a body that is not a "
                    "country, by its name"))
    headings = {section.heading for section in content.walk_sections()}
    for index, heading in enumerate(classroom.reading.sections):
        if heading not in headings:
            problems.append(document.diagnostic(
                ("classroom", "reading", "sections", index),
                f"the essay has no section headed '{heading}' — copy the heading exactly as under body"))
    return problems

