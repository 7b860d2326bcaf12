"""Membership in words, the same in every chart and template: a member's name with its join date, the members
of a category with founders apart from later members, and a category's count with its founders.
"""

from __future__ import annotations

from reports.content.model import Member, MembershipCategory
from reports.language.countries import ChosenNames, member_name
from reports.language.formatting import format_number, format_written_date
from reports.language.labels import Labels


def member_text(member: Member, category: MembershipCategory, language: str, names: ChosenNames) -> str:
    """The member's name, with its join date when it joined after the founding: "Brunei (1984)"."""
    name = member_name(member, language, names)
    if member.joined is not None and not category.is_founding(member):
        return f"{name} ({format_written_date(member.joined, language)})"
    return name


def category_members_text(category: MembershipCategory, labels: Labels, language: str, names: ChosenNames) -> str:
    """The members of a category in words; where it holds founders and later members, each group named."""
    founders = category.founding_members()
    texts = [member_text(member, category, language, names) for member in category.members]
    if not founders or len(founders) == len(category.members):
        return ", ".join(texts)
    founding = ", ".join(text for member, text in zip(category.members, texts) if category.is_founding(member))
    later = ", ".join(text for member, text in zip(category.members, texts) if not category.is_founding(member))
    return f"{labels['founding_members'].format(members=founding)}; {labels['later_members'].format(members=later)}"


def count_text(category: MembershipCategory, labels: Labels, language: str) -> str:
    """How many members, and how many of them founders: "11 (5 founding)", "6 (all founding)", "4"."""
    count, founders = len(category.members), len(category.founding_members())
    text = format_number(count, language)
    if founders == count:
        return labels["count_all_founding"].format(count=text)
    if founders:
        return labels["count_founding"].format(count=text, founding=format_number(founders, language))
    return text
