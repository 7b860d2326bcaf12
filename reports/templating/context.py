"""What a template can use: the content, its labels, the chart specs, and formatting helpers in the
document's language.

Everything derived from the content that more than one template shows — member names, counts of founders,
the history in date order, the source in words — is made here once, with the functions the charts use, so a
template and a chart never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from reports.content.attribution import describe_source, quoted, translated
from reports.content.fields import check_pattern
from reports.content.history import history
from reports.content.membership import count_text, sorted_members
from reports.content.classroom import Question
from reports.content.model import Content, Evidence, Member, MembershipCategory
from reports.content.reading import reading_blocks
from reports.errors import ContentError, Diagnostic
from reports.language.countries import country_display_name, member_name
from reports.language.formatting import format_date, format_number, format_written_date
from reports.language.labels import Labels
from reports.theme.model import Theme
from reports.theme.scale import MM_PER_POINT


@dataclass(frozen=True)
class LeftOut:
    """Content fields a template says it does not show, and why (`{{ leaves_out("classroom", because=…) }}`)."""

    patterns: tuple[str, ...]
    because: str


def template_context(
    content: Content, labels: Labels, charts: dict[str, Any], theme: Theme, source_file: str = "<content>",
    student: Mapping[str, str] | None = None, left_out: list[LeftOut] | None = None,
) -> dict[str, Any]:
    """Everything a template can use: the content, labels and formatting helpers in its language.

    `student` (one roster row: name, class, …) is defined only for a personalised build, so a template
    tests `{% if student is defined %}`. `left_out` collects what the template declares it leaves out.
    """
    language = content.document.language
    names = content.country_names()

    def require(value: object, field_path: str, what: str) -> str:
        """`{{ require(content.classroom, "classroom", "…") }}`: a template states what content it needs."""
        if value is None or value == [] or value == "":
            raise ContentError([Diagnostic(f"this template needs `{field_path}` in the content file — {what}",
                                           file=source_file, field_path=field_path)])
        return ""

    def leaves_out(*patterns: str, because: str) -> str:
        """`{{ leaves_out("body", "conclusion", because="…") }}`: fields this template does not show, on purpose —
        `reports check --template` names them instead of warning that they are lost."""
        for pattern in patterns:
            check_pattern(pattern)
        if left_out is not None:
            left_out.append(LeftOut(tuple(patterns), because))
        return ""

    def answer_lines(question: Question) -> int:
        """Ruled lines under a discussion question: its `lines`, or as many as its `space` holds at the theme's
        pitch (a line's height, its rule and the space after, as both writers draw `{.answer-line}`)."""
        if question.space is None:
            return question.ruled_lines
        look = theme.look("answer-line")
        rule = look.rule_below
        pitch = look.leading + look.after + (rule.width + rule.gap if rule is not None else 0.0)
        return max(1, int(question.space / MM_PER_POINT // pitch))

    source_text = describe_source(content, labels)
    written = lambda value: format_written_date(value, language)  # noqa: E731 — one helper, two names
    context = {
        "content": content,
        "theme": theme,
        "members_alphabetical": _members_alphabetical(content, language),
        "sorting": _sorting(content, labels),
        "reading": reading_blocks(content, labels),
        "membership": [_category(category, content, labels) for category in content.organisation.membership],
        "history": [
            {"date": written(event.date), "title": event.title, "place": event.place,
             "description": event.description, "joined": event.joined}
            for event in history(content, labels)
        ],
        "source": {
            "text": source_text,
            "sentence": source_text[:1].upper() + source_text[1:],
            "original": quoted(content.document.source.title, language) if translated(content) else None,
        },
        "labels": labels.text,
        "language": language,
        "charts": charts,
        "actor_name": member_name(content.actor, language, names),
        "date": lambda value: format_date(value, language),
        "partial_date": written,
        "written_date": written,
        "number": lambda value: format_number(value, language),
        "quantity": lambda evidence: _quantity(evidence, language),
        "country": lambda code: country_display_name(code, language, names),
        "require": require,
        "leaves_out": leaves_out,
        "answer_lines": answer_lines,
    }
    if student is not None:
        context["student"] = {"name": "", "class": "", **dict(student)}
    return context


def _member(member: Member, category: MembershipCategory, content: Content) -> dict[str, Any]:
    language = content.document.language
    founding = category.is_founding(member)
    return {
        "name": member_name(member, language, content.country_names()),
        "is_country": member.country is not None,
        "category": category.label,
        "category_id": category.id,
        "founding": founding,
        # whether its category holds founders and later members: only there is a founder worth marking
        "category_mixed": 0 < len(category.founding_members()) < len(category.members),
        "joined": format_written_date(member.joined, language) if member.joined is not None and not founding else None,
        "note": member.note,
    }


def _category(category: MembershipCategory, content: Content, labels: Labels) -> dict[str, Any]:
    """A category as templates show it: its words, its members, and its count with founders in words."""
    return {
        "id": category.id,
        "label": category.label,
        "description": category.description,
        "count": len(category.members),
        "founding_count": len(category.founding_members()),
        "count_text": count_text(category, labels, content.document.language),
        "members": [_member(member, category, content) for member in category.members],
    }


def _members_alphabetical(content: Content, language: str) -> list[dict[str, Any]]:
    members = [_member(member, category, content)
               for category in content.organisation.membership for member in category.members]
    return sorted(members, key=lambda member: _collation_key(member["name"]))


def _sorting(content: Content, labels: Labels) -> dict[str, Any]:
    """The sorting activity as the handouts show it: its members in alphabetical order, the heading of their
    column (a neutral word as soon as one is not a country), and the categories to choose from."""
    language = content.document.language
    chosen = {id(member) for member in sorted_members(content)}
    members = [_member(member, category, content)
               for category in content.organisation.membership for member in category.members if id(member) in chosen]
    all_countries = all(member.country is not None for member in sorted_members(content))
    given = content.classroom.activity.member_label if content.classroom is not None else None
    return {
        "members": sorted(members, key=lambda member: _collation_key(member["name"])),
        "label": given or labels["country" if all_countries else "member"],
        "categories": [category.label for category in content.organisation.membership],
        "language": language,
    }


def _quantity(evidence: Evidence, language: str) -> str:
    """The evidence's number with its unit ("30 % per tahun"), or "" when it gives none."""
    if evidence.value is None:
        return ""
    number = format_number(evidence.value, language)
    return f"{number} {evidence.unit}" if evidence.unit else number


def _collation_key(text: str) -> str:
    """Alphabetical order that ignores accents and case (Ö with O), good enough without ICU."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
