"""The organisation's history as one list of dated events: its milestones and the members that joined later,
in date order — what the timeline chart draws and the templates list.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.content.model import Content, Member, MembershipCategory
from reports.content.types import WrittenDate
from reports.language.countries import member_name
from reports.language.formatting import format_list
from reports.language.labels import Labels


@dataclass(frozen=True)
class Event:
    date: WrittenDate
    title: str
    """What happened, in the document's language."""
    place: str | None = None
    description: str | None = None
    joined: tuple[str, ...] = ()
    """For an event made from members' `joined`: the names of the members that joined."""


def joined_later(category: MembershipCategory) -> list[Member]:
    """Members of `category` with a join date that are not founding members, in content order."""
    return [member for member in category.members if member.joined is not None and not category.is_founding(member)]


def history(content: Content, labels: Labels) -> list[Event]:
    """Milestones and join events, sorted by date (the middle of the year, month or day each names); events
    on the same date keep content order, milestones first.

    Members of one category that joined on the same date (written the same way) are one event: "Laos and
    Myanmar joined". The category is named only when members of several categories joined.
    """
    language = content.document.language
    names = content.country_names()
    events = [Event(milestone.date, milestone.title, milestone.place, milestone.description)
              for milestone in content.organisation.milestones]
    categories = [category for category in content.organisation.membership if joined_later(category)]
    for category in categories:
        groups: dict[tuple[str, str | None], tuple[WrittenDate, list[str]]] = {}
        for member in joined_later(category):
            assert member.joined is not None
            key = (member.joined.value, member.joined.label_in(language))
            groups.setdefault(key, (member.joined, []))[1].append(member_name(member, language, names))
        for date, members in groups.values():
            label = labels["joined_event_category" if len(categories) > 1 else "joined_event"]
            title = label.format(members=format_list(members, language), category=category.label)
            events.append(Event(date, title, joined=tuple(members)))
    return sorted(events, key=lambda event: event.date.position)
