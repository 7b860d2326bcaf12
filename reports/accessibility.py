"""Accessibility checks of a content file built with a template: what `reports check --accessibility` reports.

What the writers cannot fix on their own is checked here, before anything is written, on the neutral
document tree (`reports.pipeline.build_document`) and the template's theme:

* **contrast** of the theme's colour pairs the writers draw text with (WCAG 2.x contrast ratio, AA: 4.5:1
  for text) — a warning located at the theme file and field that sets the colour;
* **heading levels** that skip a level (a level-3 heading straight after a level 1) — a warning: screen
  reader users navigate by headings, and PDF and Word outlines cannot skip levels;
* **figures without alternative text** — an error (exit 4): the markup and the chart specs always give one,
  so this is a template or chart bug;
* **no document language** — an error (exit 3): a screen reader would read the text in the wrong voice.

A logo without `logo_alt` never gets this far: the theme itself refuses it (a located template error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from reports.document import nodes
from reports.document.traversal import plain_text, walk
from reports.errors import Diagnostic, ExitCode, ReportsError
from reports.paths import TEMPLATES_DIR
from reports.theme.model import Colours, Theme

__all__ = [
    "AA_TEXT",
    "COLOUR_PAIRS",
    "AccessibilityReport",
    "ColourPair",
    "check_accessibility",
    "contrast_ratio",
    "contrast_warnings",
    "document_diagnostics",
    "heading_gaps",
]

AA_TEXT = 4.5
"""WCAG 2.x AA minimum contrast ratio for text (large text may go down to 3:1; the writers use small text
in every one of these colours — links, captions, table headers — so 4.5:1 applies)."""

PAGE = "#FFFFFF"
"""The page: both writers draw on white paper."""


@dataclass(frozen=True)
class ColourPair:
    """Text drawn in one theme colour on another (or on the page)."""

    foreground: str
    """Field of `colours` the text is drawn in."""
    background: str
    """Field of `colours` it is drawn on, or `page`."""
    use: str
    """Where the writers draw it, for the message."""


COLOUR_PAIRS: tuple[ColourPair, ...] = (
    ColourPair("text", "page", "body text"),
    ColourPair("primary", "page", "headings, the title and links"),
    ColourPair("muted", "page", "bylines, source lines, the running header and footer"),
    ColourPair("table_header_text", "primary", "table header cells"),
    ColourPair("text", "box_background", "text in the shaded boxes"),
    ColourPair("primary", "box_background", "box titles"),
    ColourPair("text", "table_stripe", "text in the striped table rows"),
)


@dataclass(frozen=True)
class AccessibilityReport:
    diagnostics: list[Diagnostic]
    """Warnings and errors, one per problem, in the order: theme, document."""
    exit_code: ExitCode
    """`OK` when there are only warnings."""


# --- contrast -----------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    """WCAG relative luminance of `#RRGGBB`."""
    value = colour.lstrip("#")
    channels = [int(value[index:index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4 for channel in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio of two `#RRGGBB` colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _colour(colours: Colours, field: str) -> str:
    return PAGE if field == "page" else str(getattr(colours, field))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _colour_locations(folder: Path, search_path: tuple[Path, ...]) -> dict[str, Diagnostic]:
    """Where each colour is set: the theme file of the `extends` chain that gave it (the template's own first)."""
    from reports.theme.model import load_theme_document

    try:
        document = load_theme_document(folder, search_path)
    except ReportsError:
        return {}  # load_theme has already accepted the chain; nothing more to locate
    found: dict[str, Diagnostic] = {}
    for name in Colours.model_fields:
        if ("colours", name) in document.value_positions:
            located = document.diagnostic(("colours", name), "", severity="warning")
            found[name] = replace(located, file=_display(Path(located.file)))
    return found


def contrast_warnings(theme: Theme, folder: Path, search_path: tuple[Path, ...] = (TEMPLATES_DIR,)) -> list[Diagnostic]:
    """A warning for each colour pair of the theme below WCAG AA, at the theme file and field setting it."""
    locations = _colour_locations(folder, search_path)
    warnings = []
    for pair in COLOUR_PAIRS:
        foreground, background = _colour(theme.colours, pair.foreground), _colour(theme.colours, pair.background)
        ratio = contrast_ratio(foreground, background)
        if ratio >= AA_TEXT:
            continue
        on = "the page (white)" if pair.background == "page" else f"colours.{pair.background} ({background})"
        fix = f"darken `{pair.foreground}`" if _luminance(foreground) <= _luminance(background) else \
            f"lighten `{pair.foreground}`"
        if pair.background != "page":
            fix += f" or change `{pair.background}`"
        shown = math.floor(ratio * 100) / 100
        message = (f"{foreground} on {on} has a contrast ratio of {shown:.2f}:1, below WCAG AA's {AA_TEXT}:1 for "
                   f"text — it is used for {pair.use}; {fix}")
        where = locations.get(pair.foreground)
        if where is None:  # a default colour: the template's own theme file is where to set it
            where = Diagnostic("", file=_display(folder / "theme.yaml"))
        warnings.append(Diagnostic(message, file=where.file, line=where.line, column=where.column,
                                   field_path=f"colours.{pair.foreground}", severity="warning"))
    return warnings


# --- the document tree ----------------------------------------------------------------------------


def heading_gaps(document: nodes.Document, template_file: str) -> list[Diagnostic]:
    """A warning for each heading more than one level below the heading before it (or a first heading
    below level 1)."""
    warnings = []
    previous = 0
    for node in walk(document):
        if not isinstance(node, nodes.Heading):
            continue
        text = " ".join(plain_text(node).split())
        if node.level > previous + 1:
            after = f"straight after a level-{previous} heading" if previous else "as the first heading"
            warnings.append(Diagnostic(
                f"heading “{text}” is level {node.level} {after}, skipping level {previous + 1} — screen readers "
                f"and outlines go one level at a time: make it level {previous + 1}, or add the missing heading",
                file=template_file, severity="warning"))
        previous = node.level
    return warnings


def document_diagnostics(document: nodes.Document, template_file: str,
                         content_file: str = "") -> list[tuple[Diagnostic, ExitCode]]:
    """Heading gaps (warnings), figures without alternative text and a missing language (errors)."""
    found: list[tuple[Diagnostic, ExitCode]] = [(warning, ExitCode.OK)
                                                for warning in heading_gaps(document, template_file)]
    for node in walk(document):
        if isinstance(node, nodes.Figure) and not node.alt.strip():
            image = getattr(node, "image", None)
            name = node.chart.name if node.chart is not None else image.name if image is not None else node.id
            found.append((Diagnostic(
                f"figure{f' {name!r}' if name else ''} has no alternative text — give the chart spec (or the "
                f"theme's image) an alt text, or write `alt=\"…\"` on the figure directive", file=template_file),
                ExitCode.TEMPLATE))
    if not document.metadata.language.strip():
        found.append((Diagnostic("the document has no language — set `document.language` (a BCP 47 tag such as "
                                 "'id' or 'en') so screen readers read it in the right voice",
                                 file=content_file, field_path="document.language"), ExitCode.CONTENT))
    return found


def check_accessibility(content_path: Path, template_name: str = "briefing",
                        search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
                        display_name: str | None = None) -> AccessibilityReport:
    """Everything above for one content file built with one template.

    Raises the usual located `ReportsError` when the content or template cannot be built at all.
    """
    from reports.content.validate import check_content
    from reports.pipeline import build_tree
    from reports.templating.folders import MAIN_TEMPLATE

    checked = check_content(content_path, display_name)
    built = build_tree(checked, template_name, search_path)
    template_file = _display(built.template.path / MAIN_TEMPLATE)
    diagnostics = contrast_warnings(built.theme, built.template.path, search_path)
    exit_code = ExitCode.OK
    for diagnostic, code in document_diagnostics(built.document, template_file,
                                                 display_name or _display(content_path)):
        diagnostics.append(diagnostic)
        exit_code = max(exit_code, code)
    return AccessibilityReport(diagnostics, exit_code)
