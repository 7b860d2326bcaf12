"""Chart specs from content: what each chart shows, in the document's language, derived only from data.

Nothing about a particular organisation lives here: categories, counts, member names, dates and
events all come from `Content`, and every word around them from the locale's labels. The specs are
format-neutral (see `reports.charts.spec`); `reports.charts.render` draws them.
"""

from __future__ import annotations

from reports.charts.spec import ChartSpec, Series
from reports.content.attribution import chart_source_line
from reports.content.history import Event, history
from reports.content.membership import category_members_text, count_text, sorted_members
from reports.content.model import Content, Organisation
from reports.language.formatting import format_written_date
from reports.language.labels import Labels


def chart_specs(content: Content, labels: Labels) -> dict[str, ChartSpec]:
    """Every chart the content supports, by name: `membership` always, `timeline` when there is a history
    (milestones, or members that joined after the founding)."""
    specs = {"membership": membership_spec(content, labels)}
    asked_for = sorted_members(content)
    if asked_for:
        specs["membership_for_sorting"] = membership_spec(content, labels, frozenset(id(member) for member in asked_for),
                                                          name="membership_for_sorting")
    events = history(content, labels)
    if events:
        specs["timeline"] = timeline_spec(content, labels, events)
    return specs


def membership_spec(content: Content, labels: Labels, left_out: frozenset[int] = frozenset(),
                    name: str = "membership") -> ChartSpec:
    """Horizontal bars, one per membership category in content order, annotated with the members' names
    (founders apart from later members where a category has both, each later member with its join date).

    `left_out`: `id()`s of members not to name — on a student sheet whose sorting activity asks for them
    (`membership_for_sorting`), so the chart shows how many there are, not which ones, nor does its text."""
    language = content.document.language
    organisation = organisation_label(content.organisation)
    categories = content.organisation.membership
    names = tuple(category_members_text(category, labels, language, content.country_names(), left_out)
                  for category in categories)
    counts = tuple(float(len(category.members)) for category in categories)
    described = "; ".join(
        f"{category.label}: {count_text(category, labels, language)}" + (f" ({members})" if members else "")
        for category, members in zip(categories, names)
    )
    return ChartSpec(
        name=name,
        kind="bar",
        title=labels["membership_chart_title"].format(organisation=organisation),
        categories=tuple(category.label for category in categories),
        series=(Series(name=labels["membership_chart_axis"], values=counts),),
        annotations=names,
        alt=labels["membership_chart_alt"].format(organisation=organisation, categories=described),
        value_label=labels["membership_chart_axis"],
        source=chart_source_line(content, labels),
        language=language,
    )


def timeline_spec(content: Content, labels: Labels, events: list[Event] | None = None) -> ChartSpec:
    """Dated events (milestones and members joining) on a horizontal axis, in date order."""
    language = content.document.language
    organisation = organisation_label(content.organisation)
    events = history(content, labels) if events is None else events
    dates = tuple(format_written_date(event.date, language) for event in events)
    texts = tuple(event_text(event) for event in events)
    described = "; ".join(f"{date}: {text}" for date, text in zip(dates, texts))
    return ChartSpec(
        name="timeline",
        kind="timeline",
        title=labels["timeline_chart_title"].format(organisation=organisation),
        categories=dates,
        series=(Series(name="", values=tuple(event.date.position for event in events)),),
        annotations=texts,
        alt=labels["timeline_chart_alt"].format(organisation=organisation, milestones=described),
        source=chart_source_line(content, labels),
        language=language,
    )


def organisation_label(organisation: Organisation) -> str:
    """What `{organisation}` stands for in chart labels: the acronym when there is one, else the name."""
    return organisation.acronym or organisation.name


def event_text(event: Event) -> str:
    """The event's title, with its place in parentheses unless the title already names it."""
    if event.place and event.place.casefold() not in event.title.casefold():
        return f"{event.title} ({event.place})"
    return event.title
