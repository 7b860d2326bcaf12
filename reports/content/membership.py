"""Membership in words, the same in every chart and template: a member's name with its join date, the members
of a category with founders apart from later members, and a category's count with its founders.
"""

from __future__ import annotations

from reports.content.model import Content, Member, MembershipCategory
from reports.language.countries import ChosenNames, member_name
from reports.language.formatting import format_number, format_written_date
from reports.language.labels import Labels


def member_text(member: Member, category: MembershipCategory, language: str, names: ChosenNames) -> str:
    """The member's name, with its join date when it joined after the founding: "Brunei (1984)"."""
    name = member_name(member, language, names)
    if member.joined is not None and not category.is_founding(member):
        return f"{name} ({format_written_date(member.joined, language)})"
    return name


def category_members_text(category: MembershipCategory, labels: Labels, language: str, names: ChosenNames,
                          left_out: frozenset[int] = frozenset()) -> str:
    """The members of a category in words; where it holds founders and later members, each group named.
    Members whose `id()` is in `left_out` (those a sorting activity asks for) are not named."""
    shown = [member for member in category.members if id(member) not in left_out]
    founders = [member for member in shown if category.is_founding(member)]
    texts = [member_text(member, category, language, names) for member in shown]
    if not founders or len(founders) == len(shown):
        return ", ".join(texts)
    founding = ", ".join(text for member, text in zip(shown, texts) if category.is_founding(member))
    later = ", ".join(text for member, text in zip(shown, texts) if not category.is_founding(member))
    return f"{labels['founding_members'].format(members=founding)}; {labels['later_members'].format(members=later)}"


def member_references(content: Content) -> dict[str, Member]:
    """Every way the sorting activity may name a member (casefolded): its ISO code and its names."""
    references: dict[str, Member] = {}
    for member in content.all_members():
        if member.country is not None:
            references.setdefault(member.country.casefold(), member)
        for name in (member.name or {}).values():
            references.setdefault(name.casefold(), member)
    return references


def sorted_members(content: Content) -> list[Member]:
    """The members the classroom's sorting activity asks students to sort, in content order (none without one)."""
    classroom = content.classroom
    if classroom is None or classroom.activity.sort_members is False:
        return []
    if classroom.activity.sort_members is True:
        return content.all_members()
    references = member_references(content)
    chosen = {id(references[reference.casefold()]) for reference in classroom.activity.sort_members
              if reference.casefold() in references}
    return [member for member in content.all_members() if id(member) in chosen]


def count_text(category: MembershipCategory, labels: Labels, language: str) -> str:
    """How many members, and how many of them founders: "11 (5 founding)", "6 (all founding)", "4"."""
    count, founders = len(category.members), len(category.founding_members())
    text = format_number(count, language)
    if founders == count:
        return labels["count_all_founding"].format(count=text)
    if founders:
        return labels["count_founding"].format(count=text, founding=format_number(founders, language))
    return text
