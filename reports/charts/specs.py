"""Chart specs from content: what each chart shows, in the document's language, derived only from data.

Nothing about a particular organisation lives here: categories, counts, member names, dates and
events all come from `Content`, and every word around them from the locale's labels. The specs are
format-neutral (see `reports.charts.spec`); `reports.charts.render` draws them.
"""

from __future__ import annotations

import calendar
import datetime as dt

from reports.charts.spec import ChartSpec, Series
from reports.content.model import Content, Milestone, Organisation
from reports.language.formatting import format_number, format_partial_date
from reports.language.labels import Labels

MAX_SOURCE_TITLE = 60
"""Longest source title (in characters) quoted in a chart's source line before it is cut at a word."""


def chart_specs(content: Content, labels: Labels) -> dict[str, ChartSpec]:
    """Every chart the content supports, by name: `membership` always, `timeline` when there are milestones."""
    specs = {"membership": membership_spec(content, labels)}
    if content.organisation.milestones:
        specs["timeline"] = timeline_spec(content, labels)
    return specs


def membership_spec(content: Content, labels: Labels) -> ChartSpec:
    """Horizontal bars, one per membership category in content order, annotated with the members' names."""
    language = content.document.language
    organisation = organisation_label(content.organisation)
    categories = content.organisation.membership
    names = tuple(", ".join(member.display_name(language) for member in category.members) for category in categories)
    counts = tuple(float(len(category.members)) for category in categories)
    described = "; ".join(
        f"{category.label}: {format_number(len(category.members), language)} ({members})"
        for category, members in zip(categories, names)
    )
    return ChartSpec(
        name="membership",
        kind="bar",
        title=labels["membership_chart_title"].format(organisation=organisation),
        categories=tuple(category.label for category in categories),
        series=(Series(name=labels["membership_chart_axis"], values=counts),),
        annotations=names,
        alt=labels["membership_chart_alt"].format(organisation=organisation, categories=described),
        value_label=labels["membership_chart_axis"],
        source=source_line(content, labels),
        language=language,
    )


def timeline_spec(content: Content, labels: Labels) -> ChartSpec:
    """Dated milestones on a horizontal axis, in content order (the model keeps history oldest first)."""
    language = content.document.language
    organisation = organisation_label(content.organisation)
    milestones = content.organisation.milestones
    dates = tuple(format_partial_date(milestone.date, language) for milestone in milestones)
    events = tuple(milestone_text(milestone) for milestone in milestones)
    described = "; ".join(f"{date}: {event}" for date, event in zip(dates, events))
    return ChartSpec(
        name="timeline",
        kind="timeline",
        title=labels["timeline_chart_title"].format(organisation=organisation),
        categories=dates,
        series=(Series(name="", values=tuple(decimal_year(milestone.date) for milestone in milestones)),),
        annotations=events,
        alt=labels["timeline_chart_alt"].format(organisation=organisation, milestones=described),
        source=source_line(content, labels),
        language=language,
    )


def organisation_label(organisation: Organisation) -> str:
    """What `{organisation}` stands for in chart labels: the acronym when there is one, else the name."""
    return organisation.acronym or organisation.name


def milestone_text(milestone: Milestone) -> str:
    """The event's title, with its place in parentheses unless the title already names it."""
    if milestone.place and milestone.place.casefold() not in milestone.title.casefold():
        return f"{milestone.title} ({milestone.place})"
    return milestone.title


def decimal_year(value: str) -> float:
    """Position of a partial date on a year axis: the middle of the year, month or day it names.

    `2004` → 2004.5, `2004-06` → the middle of June 2004, `2001-06-15` → 2001.45 (noon that day), so a
    year-only date is not drawn as if it were 1 January.
    """
    parts = [int(part) for part in value.split("-")]
    year = parts[0]
    days_in_year = 366 if calendar.isleap(year) else 365
    if len(parts) == 1:
        return year + 0.5
    start = dt.date(year, parts[1], 1).timetuple().tm_yday - 1
    if len(parts) == 2:
        middle = start + calendar.monthrange(year, parts[1])[1] / 2
    else:
        middle = start + parts[2] - 0.5
    return round(year + middle / days_in_year, 6)


def source_line(content: Content, labels: Labels) -> str:
    """`labels['chart_source']` with the source's (author and) title, quoted and shortened at a word."""
    source = content.document.source
    title = shorten(source.title, MAX_SOURCE_TITLE)
    opening, closing = labels.quotes[:2]  # the language's quotation marks (its locale file)
    quoted = f"{opening}{title}{closing}"
    return labels["chart_source"].format(source=f"{source.author}, {quoted}" if source.author else quoted)


def shorten(text: str, limit: int) -> str:
    """`text` when it fits in `limit` characters, else its longest run of whole words that does, plus "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "\u2026"
