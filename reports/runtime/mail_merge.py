"""Roster rows by mail merge: lay a personalised document out once, then fill in each row.

The handouts of a roster differ only where the template prints a student's fields. Building each row from
scratch repeats the same work thirty times: the Markdown parse, the PDF layout, the DOCX package. Here a
process makes a *form* once per content file and template — the document built with a random placeholder
token for each field (`student.name` → `zq…`) — and fills it in for each row. A roster batch makes it at its
first row (in the build server, before its workers are forked, so they all start with it); a caller of
`run_job` at the second row with the same fields. Per row:

1. The template is rendered with the row's values (cheap) and compared with the form's Markdown in which each
   token is replaced by the value as the template would print it (escaped). Equal means the template printed
   the values as plain text and chose nothing by them (an `{% if student.class %}` that differs for this row
   shows as a difference), so the row's document is the form's with the text substituted.
2. The row's Markdown must parse to the form's tree with the values in its text: Markdown reads a value by its
   neighbours (`1` before `. ` starts a numbered list, a value ending in `.` keeps `**` from closing).
3. Each writer fills its form in with its own token-substitution step: the PDF writer draws its recorded
   layout again with each token paragraph set anew, when every paragraph measures the same
   (`reports.writers.pdf.forms`); the DOCX writer replaces the tokens in the package's text
   (`reports.writers.docx.tokens`).

The result is the file the ordinary build makes, byte for byte (the tests compare them). Whatever this cannot
prove equal falls back to the ordinary build of that row: values with line breaks, leading or trailing spaces,
or characters a font lacks; a name that takes another line; a token in a heading (its id and outline entry), a
table (Word's row-splitting estimate), a figure's alternative text or anything but paragraph text.

Forms are kept in the process's cache (`reports.cache.Cache`, namespace `roster-forms`), so they are forgotten
with everything else it holds when a template folder changes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
import threading
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from reports.cache import Cache
from reports.errors import Diagnostic, ReportsError

if TYPE_CHECKING:
    from reports.content.validate import CheckedContent
    from reports.runtime.jobs import Job
    from reports.writers.docx.tokens import TokenPackage
    from reports.writers.pdf.forms import PdfForm

__all__ = ["merged", "prepare"]

FORMS_LIMIT = 4
"""Forms a cache keeps (a form holds a laid-out document: a few MB)."""
SEEN_LIMIT = 4096
"""Requests remembered to tell a roster's second row (a long-lived server forgets them now and then)."""


@dataclass(frozen=True)
class _MadeFrom:
    """What a form depends on besides the request, checked again for every row."""

    checked: Any
    theme: Any
    labels: Any
    """Checked content, theme and labels are kept in the cache: the same object means unchanged. The objects
    themselves, not their ids: the form keeps them alive, so no new object can take an old id."""
    template: Any
    trees: Any
    """The template folders and assets as files (`uptodate.template_trees`): a replaced logo, a new
    reference.docx or an edited template makes a new form."""
    timestamp: dt.datetime | None
    render_seconds: float

    def same_as(self, other: _MadeFrom) -> bool:
        return (self.checked is other.checked and self.theme is other.theme and self.labels is other.labels
                and (self.template, self.trees, self.timestamp, self.render_seconds)
                == (other.template, other.trees, other.timestamp, other.render_seconds))


@dataclass
class _Form:
    tokens: dict[str, str]
    """Field name → its token."""
    made_from: _MadeFrom
    specs: dict[str, Any]
    images: dict[str, Any]
    search_path: tuple[Path, ...]
    markup: str
    blocks: tuple[Any, ...]
    """The form's Markdown parsed (before the document-wide transforms): each row's must equal it with the
    values in place of the tokens."""
    pdf: PdfForm | None
    docx: TokenPackage | None
    warnings: list[Diagnostic]
    fixed: dict[str, bytes] | None = None
    """The outputs of a document that prints no field of the row (a teacher edition): every row's, as they are."""


_seen_lock = threading.Lock()


def merged(checked: CheckedContent, template_name: str, search_path: tuple[Path, ...], student: Mapping[str, str],
           cache: Cache, formats: tuple[str, ...], many: bool = False, timestamp: dt.datetime | None = None,
           render_seconds: float | None = None) -> tuple[dict[str, bytes], list[Diagnostic]] | None:
    """The outputs (format → bytes) and warnings of one roster row made from its form, or None: build the row
    the ordinary way (anything a form cannot prove equal — see the module — and every error, which the
    ordinary build reports located).

    `many`: the row is one of many, so the form is made now; otherwise at the second row asked for.
    """
    if not student or not all(_plain(value) for value in student.values()) or not cache.holds("content", checked):
        return None  # content read anew for each row (a pipe, a huge file) would make a new form each time
    try:
        form = _form(checked, template_name, search_path, student, cache, formats, many, timestamp, render_seconds)
        return None if form is None else _fill(form, student, formats, cache)
    except ReportsError:
        return None


def prepare(job: Job, cache: Cache) -> None:
    """Make the form for the job's roster now (a warm batch does it before forking its workers)."""
    from reports.content.validate import check_content
    from reports.pipeline import timestamp_from_epoch

    try:
        checked = check_content(job.content, job.display_name, cache)
        timestamp = timestamp_from_epoch(job.source_date_epoch) if job.source_date_epoch.strip() else None
        _form(checked, job.template_name, job.search_path, job.student or {}, cache, job.formats, True, timestamp,
              job.render_seconds)
    except ReportsError:
        return  # each row reports it


def _form(checked: CheckedContent, template_name: str, search_path: tuple[Path, ...], student: Mapping[str, str],
          cache: Cache, formats: tuple[str, ...], many: bool, timestamp: dt.datetime | None,
          render_seconds: float | None) -> _Form | None:
    from reports.templating.limits import MAX_RENDER_SECONDS

    key = (id(checked), template_name, search_path, formats, tuple(sorted(student)))
    with _seen_lock:
        first_time = cache.get("roster-seen", key) is None
        cache.put("roster-seen", key, True, SEEN_LIMIT)
    if first_time and not many:
        return None  # a single document gains nothing from a form: making one costs a layout
    made_from = _made_from(checked, template_name, search_path, cache, timestamp,
                           render_seconds if render_seconds is not None else MAX_RENDER_SECONDS)
    made = cache.get("roster-forms", key)
    if made is not None and made[0].same_as(made_from):
        return made[1]  # type: ignore[no-any-return]  # None: this content and template cannot be filled in
    form = _make_form(made_from, template_name, search_path, student, cache, formats)
    cache.put("roster-forms", key, (made_from, form), FORMS_LIMIT)
    return form


def _plain(value: object) -> bool:
    """A value a form can take: printable, not empty, single spaces only (see the module)."""
    return isinstance(value, str) and value != "" and value.isprintable() and value == " ".join(value.split())


def _made_from(checked: CheckedContent, template_name: str, search_path: tuple[Path, ...], cache: Cache,
               timestamp: dt.datetime | None, render_seconds: float) -> _MadeFrom:
    from reports.language.labels import labels_for
    from reports.runtime.uptodate import template_trees
    from reports.templating.folders import find_template
    from reports.theme.model import load_theme

    template = find_template(template_name, search_path)
    theme = load_theme(template.path, search_path, cache)
    labels = labels_for(checked.content.document.language, cache)
    return _MadeFrom(checked, theme, labels, template, template_trees(search_path), timestamp, render_seconds)


def _markup(form_or_made: _MadeFrom, specs: dict[str, Any], search_path: tuple[Path, ...],
            student: Mapping[str, str], cache: Cache) -> str:
    """The template's Markdown for these values (what `pipeline.build_tree` renders)."""
    from reports.templating.context import template_context
    from reports.templating.render import render_template

    made = form_or_made
    checked = made.checked
    context = template_context(checked.content, made.labels, specs, made.theme, checked.source.file, student)
    return render_template(made.template, context, search_path, cache, made.render_seconds)  # type: ignore[no-any-return]


def _quotes(made: _MadeFrom) -> str:
    from reports.pipeline import typographic_quotes

    return typographic_quotes(made.theme, made.labels)


def _parse(made: _MadeFrom, specs: dict[str, Any], images: dict[str, Any], markup: str) -> tuple[Any, ...]:
    """The Markdown as `pipeline.build_tree` parses it."""
    from reports.templating.folders import MAIN_TEMPLATE
    from reports.templating.markup import parse_markup

    return parse_markup(markup, specs, source=str(made.template.path / MAIN_TEMPLATE), images=images,
                        quotes=_quotes(made))


def _make_form(made: _MadeFrom, template_name: str, search_path: tuple[Path, ...], student: Mapping[str, str],
               cache: Cache, formats: tuple[str, ...]) -> _Form | None:
    from reports.charts.specs import chart_specs
    from reports.pipeline import build_tree, render_context
    from reports.theme.images import theme_images

    # what every row renders with: made once, from what the form depends on (checked again for every row)
    specs = chart_specs(made.checked.content, made.labels)
    images = theme_images(made.theme, made.template.path, search_path, cache)
    tokens = {name: _token() for name in student}
    built = build_tree(made.checked, template_name, search_path, tokens, cache, made.render_seconds)
    token_texts = set(tokens.values())
    if not _only_in_text(built.document, token_texts):
        return None
    markup = _markup(made, specs, search_path, tokens, cache)
    context = render_context(built, cache, made.timestamp)
    if not _count(built.document, token_texts):  # nothing of the row is printed: each row gets these files
        from reports.pipeline import render

        return _Form(tokens, made, specs, images, search_path, markup, _parse(made, specs, images, markup), None,
                     None, list(built.warnings), render(built, formats, cache, made.timestamp))
    pdf_form = docx_form = None
    if "pdf" in formats:
        from reports.writers.pdf.forms import lay_out_form

        pdf_form = lay_out_form(built.document, context, frozenset(token_texts))
        if pdf_form.unusable_reason:
            return None
    if "docx" in formats:
        from reports.writers.docx.tokens import TokenPackage
        from reports.writers.docx.writer import write_docx

        docx_form = TokenPackage.open(write_docx(built.document, context), tokens,
                                      _count(built.document, token_texts), context.timestamp)
        if docx_form is None:
            return None
    return _Form(tokens, made, specs, images, search_path, markup, _parse(made, specs, images, markup), pdf_form,
                 docx_form, list(built.warnings))


def _fill(form: _Form, student: Mapping[str, str], formats: tuple[str, ...],
          cache: Cache) -> tuple[dict[str, bytes], list[Diagnostic]] | None:
    from reports.templating.markup import escape_markdown, smarten

    # the template with this row's values must print what it printed for the form, with the values in place
    # (a choice made by a value shows here, cheaply)…
    expected = form.markup
    for name, token in form.tokens.items():
        expected = expected.replace(token, escape_markdown(student[name]))
    markup = _markup(form.made_from, form.specs, form.search_path, student, cache)
    if markup != expected:
        return None
    # …and mean the same: Markdown reads a value's characters by their neighbours (`1` before `. ` starts a
    # numbered list where a token does not; a value ending in `.` stops `**` from closing; code keeps the
    # escapes), so the row's parse must be the form's with the values in its text
    # each value as the document sets it (curly quotes): on its own, which the row's parse must confirm — a quote
    # next to a value can turn another way than the value alone would
    values = {token: smarten(student[name], _quotes(form.made_from)) for name, token in form.tokens.items()}
    if not _filled_equal(form.blocks, _parse(form.made_from, form.specs, form.images, markup), values):
        return None
    if form.fixed is not None:
        return {name: form.fixed[name] for name in formats}, list(form.warnings)
    outputs: dict[str, bytes] = {}
    if "pdf" in formats:
        assert form.pdf is not None
        pdf = form.pdf.fill(values)
        if pdf is None:
            return None
        outputs["pdf"] = pdf
    if "docx" in formats:
        assert form.docx is not None
        outputs["docx"] = form.docx.fill(values, cache)
    return {name: outputs[name] for name in formats}, list(form.warnings)


def _filled_equal(form: Any, row: Any, values: Mapping[str, str]) -> bool:
    """Is `row` the `form` tree with each token in its texts replaced by its value?"""
    from reports.document.nodes import Text

    if isinstance(form, Text):
        if not isinstance(row, Text):
            return False
        text = form.text
        for token, value in values.items():
            text = text.replace(token, value)
        return text == row.text
    if isinstance(form, tuple):
        return isinstance(row, tuple) and len(form) == len(row) and all(
            _filled_equal(a, b, values) for a, b in zip(form, row))
    if is_dataclass(form):
        return type(form) is type(row) and all(
            _filled_equal(getattr(form, item.name), getattr(row, item.name), values) for item in fields(form)
            if item.compare)  # a block's template position is not part of its value
    return bool(form == row)


def _token() -> str:
    """A word no text contains and no step changes: lower-case ASCII letters only (ids lower-case them)."""
    return "zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(14))


def _strings(node: object) -> Iterator[tuple[bool, str]]:
    """(is this the text of a `Text`, the string) for every string in the tree."""
    from reports.document.nodes import Text

    if isinstance(node, str):
        yield False, node
    elif isinstance(node, Text):
        yield True, node.text
    elif isinstance(node, (tuple, list)):
        for item in node:
            yield from _strings(item)
    elif is_dataclass(node):
        for item in fields(node):
            yield from _strings(getattr(node, item.name))


def _only_in_text(document: Any, tokens: set[str]) -> bool:
    lowered = {token.lower() for token in tokens}
    return not any(not is_text and any(token in text.lower() for token in lowered)
                   for is_text, text in _strings(document))


def _count(document: Any, tokens: set[str]) -> int:
    return sum(text.count(token) for is_text, text in _strings(document) if is_text for token in tokens)
