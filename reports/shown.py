"""Which fields of a content file a template shows: what `reports check --template NAME` warns about, so that
nothing a content file holds is lost without a word.

A field is shown when its value reaches the document — its text, chart labels or alternative text. To know
that for certain, the template is rendered once with every text of the content replaced by a token of its
own (`zq0012qz`), every number and day by a value of its own, and every name of a country by a token: a
token found in the document is a field shown, and no coincidence can count a field shown that is not (a
sector "Ekonomi" would be found in any heading that says "Ekonomi"). A flag (`ordered`, `founding`) is
shown when turning it over changes the document.

Not asked about: fields the schema calls metadata (`reports.content.types.metadata`), fields the file does not
set (defaults), and text given for another language (`name: {en: …}` in an Indonesian document). What a
template leaves out on purpose — `{{ leaves_out("classroom", because="…") }}` — is named once, as a note.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from reports.cache import Cache
from reports.content.attribution import language_name
from reports.content.fields import Leaf, leaves, matches, metadata_only, pattern_of
from reports.content.loader import FieldPath
from reports.content.model import Actor, Content, Member
from reports.content.types import WrittenDate
from reports.content.validate import CheckedContent
from reports.document import nodes
from reports.document.traversal import walk
from reports.errors import Diagnostic
from reports.language.formatting import format_date, format_number, format_partial_date
from reports.language.labels import labels_for
from reports.language.tags import in_language
from reports.paths import TEMPLATES_DIR
from reports.templating.context import LeftOut
from reports.templating.folders import find_template
from reports.theme.model import load_theme


@dataclass(frozen=True)
class _Expected:
    """What must be found in the document for a field to count as shown."""

    leaf: Leaf
    text: str


@dataclass(frozen=True)
class FieldReport:
    """What a template makes of the fields a content file sets."""

    template: str
    considered: tuple[Leaf, ...]
    """Every field asked about (set by the file, not metadata, for this document's language)."""
    hidden: frozenset[FieldPath]
    """The paths of those the document does not show."""
    left_out: tuple[LeftOut, ...]
    """What the template declares it leaves out."""


def fields_not_shown(checked: CheckedContent, template_name: str, search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
                     cache: Cache | None = None) -> list[Diagnostic]:
    """Warnings, located, for every field set in the content that the template does not show; a note for each
    part it leaves out on purpose."""
    report = field_report(checked, template_name, search_path, cache)
    return _report(checked, report.template, [leaf.path for leaf in report.considered if leaf.path in report.hidden],
                   [leaf.path for leaf in report.considered], list(report.left_out))


def field_report(checked: CheckedContent, template_name: str, search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
                 cache: Cache | None = None) -> FieldReport:
    """Which fields of the content the template shows (see the module's docstring)."""
    from reports.pipeline import render_blocks

    cache = cache if cache is not None else Cache()
    content = checked.content
    template = find_template(template_name, search_path)
    theme = load_theme(template.path, search_path, cache)
    labels = labels_for(content.document.language, cache)

    def document(data: dict[str, Any], left_out: list[LeftOut] | None = None) -> tuple[nodes.Block, ...]:
        return render_blocks(Content.model_validate(data), template, theme, labels, search_path, checked.source.file,
                             cache=cache, left_out=left_out, note_lines=False)

    data, expected, flags = _marked(content)
    left_out: list[LeftOut] = []
    blocks = document(data, left_out)
    text = "\n".join(_texts(blocks)).casefold()
    hidden = [item.leaf.path for item in expected if item.text.casefold() not in text]
    for flag_leaves in flags.values():
        flipped = copy.deepcopy(data)
        for leaf in flag_leaves:
            _set(flipped, leaf.path, not leaf.value)
        if document(flipped) == blocks:  # nodes compare without their template positions
            hidden.extend(leaf.path for leaf in flag_leaves)  # a flag shows in the tree's shape as much as in words
    considered = [item.leaf for item in expected] + [leaf for group in flags.values() for leaf in group]
    return FieldReport(template.name, tuple(considered), frozenset(hidden), tuple(left_out))


def _report(checked: CheckedContent, template_name: str, hidden: list[FieldPath], considered: list[FieldPath],
            left_out: list[LeftOut]) -> list[Diagnostic]:
    declared = [(declaration, [path for path in hidden if any(matches(path, pattern)
                                                              for pattern in declaration.patterns)])
                for declaration in left_out]
    on_purpose = {path for _, paths in declared for path in paths}
    lost = [path for path in hidden if path not in on_purpose]
    diagnostics = [checked.source.diagnostic(
        path, f"not shown by template '{template_name}': nothing of it reaches the document — choose a template "
              "that shows it, or leave it out of the content (a template of your own can print it, or say it "
              "leaves it out with `leaves_out`)", severity="warning")
        for path in _highest(lost, considered)]
    for declaration, paths in declared:
        used = [pattern for pattern in declaration.patterns if any(matches(path, pattern) for path in paths)]
        if used:
            fields = ", ".join(used)
            diagnostics.append(Diagnostic(f"template '{template_name}' leaves out {fields} — {declaration.because}",
                                          file=checked.source.file, severity="note"))
    return sorted(diagnostics, key=lambda diagnostic: (diagnostic.severity == "note", diagnostic.line,
                                                       diagnostic.column))


def _highest(lost: list[FieldPath], considered: list[FieldPath]) -> list[FieldPath]:
    """The lost fields, each reported at the highest part of the content all of whose fields are lost."""
    lost_set = set(lost)

    def all_lost(prefix: FieldPath) -> bool:
        return all(path in lost_set for path in considered if path[: len(prefix)] == prefix)

    reported: list[FieldPath] = []
    for path in lost:
        top = path
        while len(top) > 1 and all_lost(top[:-1]):
            top = top[:-1]
        if top not in reported:
            reported.append(top)
    return reported


def _texts(blocks: tuple[nodes.Block, ...]) -> Iterator[str]:
    """Every text a reader meets: the words of the tree, figures' alternative text, and the charts' labels."""
    for block in blocks:
        for node in walk(block):
            if isinstance(node, nodes.Text):
                yield node.text
            elif isinstance(node, nodes.Figure):
                yield node.alt
                if node.chart is not None:
                    chart = node.chart
                    yield from (chart.title, chart.source, chart.alt, chart.value_label, *chart.categories,
                                *chart.annotations)


# --- the content with a value of its own in every field ----------------------------------------------


def _marked(content: Content) -> tuple[dict[str, Any], list[_Expected], dict[str, list[Leaf]]]:
    """The content as data with every field's value made unique, what each field must then show, and the
    flags by field (each flag field is turned over as a whole)."""
    language = content.document.language
    data = content.model_dump(mode="python", exclude_none=True)
    expected: list[_Expected] = []
    flags: dict[str, list[Leaf]] = {}
    counter = iter(range(1, 10**6))

    def token() -> str:
        return f"zq{next(counter):04d}qz"

    for leaf in leaves(content):
        if metadata_only(leaf.model, leaf.field) or not _for_this_language(leaf, content):
            continue
        value = leaf.value
        if isinstance(value, bool):
            flags.setdefault(pattern_of(leaf.path), []).append(leaf)
        elif isinstance(value, str) and leaf.model in (Member, Actor) and leaf.field == "country":
            if in_language(_get(data, leaf.path[:-1]).get("name"), language) is not None:
                continue  # the member's own name is what shows it, and is asked about as a field of its own
            name = token()  # the country's name, as the document shows it, is this member's own name now
            _set(data, leaf.path[:-1] + ("name",), {**_get(data, leaf.path[:-1]).get("name", {}), language: name})
            expected.append(_Expected(leaf, name))
        elif leaf.model is WrittenDate and leaf.field == "value":
            written = _get(data, leaf.path[:-1])
            if in_language(written.get("label"), language) is None:
                year = 1700 + next(counter) % 250
                unique = "-".join([str(year), *value.split("-")[1:]])
                _set(data, leaf.path, unique)
                expected.append(_Expected(leaf, format_partial_date(unique, language)))
        elif isinstance(value, dt.date):
            unique_day = dt.date(1800, 1, 1) + dt.timedelta(days=next(counter) * 37)
            _set(data, leaf.path, unique_day)
            expected.append(_Expected(leaf, format_date(unique_day, language)))
        elif isinstance(value, float):
            unique_number = 7000000 + next(counter)
            _set(data, leaf.path, float(unique_number))
            expected.append(_Expected(leaf, format_number(unique_number, language)))
        elif leaf.field == "language":  # the source's language: named when it is not the document's
            if value != language:
                expected.append(_Expected(leaf, language_name(value, language)))
        elif isinstance(value, str):
            text = token()
            _set(data, leaf.path, text)
            expected.append(_Expected(leaf, text))
    return data, expected, flags


def _for_this_language(leaf: Leaf, content: Content) -> bool:
    """False for text given for another language than the document's (`name: {en: …}` in Indonesian): only the
    entry the document's language picks can be shown."""
    if len(leaf.path) < 2 or leaf.path[-2] != leaf.field:
        return True  # the field itself, or an item of a list: not an entry of text by language
    owner: Any = content
    for part in leaf.path[:-2]:
        owner = owner[part] if isinstance(part, int) else getattr(owner, str(part))
    mapping = getattr(owner, leaf.field)
    if not isinstance(mapping, dict):
        return True
    language = content.document.language
    picked = next((tag for tag in (language, language.split("-")[0]) if tag in mapping), None)
    if picked is None and leaf.model is Member and getattr(owner, "country", None) is None:
        picked = "en" if "en" in mapping else next(iter(mapping))  # a body without a code: English, then any
    return leaf.path[-1] == picked


def _get(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: FieldPath, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value

