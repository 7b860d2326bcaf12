"""What a template can use: the content, its labels, the chart specs, and formatting helpers in the
document's language.
"""

from __future__ import annotations

from typing import Any, Mapping

from reports.content.model import Content
from reports.errors import ContentError, Diagnostic
from reports.language.formatting import format_date, format_number, format_partial_date
from reports.language.labels import Labels
from reports.theme.model import Theme


def template_context(
    content: Content, labels: Labels, charts: dict[str, Any], theme: Theme, source_file: str = "<content>",
    student: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything a template can use: the content, labels and formatting helpers in its language.

    `student` (one roster row: name, class, …) is defined only for a personalised build, so a template
    tests `{% if student is defined %}`.
    """
    language = content.document.language

    def require(value: object, field_path: str, what: str) -> str:
        """`{{ require(content.classroom, "classroom", "…") }}`: a template states what content it needs."""
        if value is None or value == [] or value == "":
            raise ContentError([Diagnostic(f"this template needs `{field_path}` in the content file — {what}",
                                           file=source_file, field_path=field_path)])
        return ""

    members = [
        {"name": member.display_name(language), "category": category.label, "category_id": category.id}
        for category in content.organisation.membership
        for member in category.members
    ]
    context = {
        "content": content,
        "theme": theme,
        "members_alphabetical": sorted(members, key=lambda member: _collation_key(member["name"])),
        "labels": labels.text,
        "language": language,
        "charts": charts,
        "actor_name": _country(content.actor.country, language),
        "date": lambda value: format_date(value, language),
        "partial_date": lambda value: format_partial_date(value, language),
        "number": lambda value: format_number(value, language),
        "country": lambda code: _country(code, language),
        "require": require,
    }
    if student is not None:
        context["student"] = {"name": "", "class": "", **dict(student)}
    return context


def _collation_key(text: str) -> str:
    """Alphabetical order that ignores accents and case (Ö with O), good enough without ICU."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _country(code: str, language: str) -> str:
    from reports.language.countries import country_name

    return country_name(code, language)
