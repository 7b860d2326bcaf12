"""The time limit on rendering a template, as a setting: light enough for the command line to read before it
decides whether anything needs building (`reports.paths` is its neighbour in that)."""

from __future__ import annotations

MAX_RENDER_SECONDS = 10.0
"""A briefing renders in milliseconds; ten seconds means a runaway loop in a shared template."""


def render_seconds_from(value: str | None) -> float:
    """The time limit a setting asks for (`REPORTS_RENDER_SECONDS`: a slow machine, a huge content file), at
    least 0.1 s; the default when it is unset or not a number."""
    try:
        return max(0.1, float(value or ""))
    except ValueError:
        return MAX_RENDER_SECONDS
