"""Roster rows by mail merge: lay a personalised document out once, then fill in each row.

The handouts of a roster differ only where the template prints a student's fields. Building each row from
scratch repeats the same work thirty times: the Markdown parse, the PDF layout, the DOCX package. Here a
process makes a *form* once per content file and template — the document built with a random placeholder
token for each field (`student.name` → `zq…`) — and fills it in for each row. A roster batch makes it at its
first row (in the build server, before its workers are forked, so they all start with it); a caller of
`build` at the second row with the same fields. Per row:

1. The template is rendered with the row's values (cheap) and compared with the form's Markdown in which each
   token is replaced by the value as the template would print it (escaped). Equal means the template printed
   the values as plain text and chose nothing by them (an `{% if student.class %}` that differs for this row
   shows as a difference), so the row's document is the form's with the text substituted.
2. PDF: the form was laid out once with its page plan recorded (`writers.pdf_form`); the paragraphs holding
   a token are set again with the row's text and, when they measure the same, the plan is drawn again.
3. DOCX: Word lays text out itself, so the tokens are replaced in the XML and the package zipped again
   (`docx_package.deterministic_zip`, as the writer does).

The result is the file the ordinary build makes, byte for byte (the tests compare them). Whatever this cannot
prove equal falls back to the ordinary build of that row: values with line breaks, leading or trailing spaces,
or characters a font lacks; a name that takes another line; a token in a heading (its id and outline entry), a
table (Word's row-splitting estimate), a figure's alternative text or anything but paragraph text.
"""

from __future__ import annotations

import io
import secrets
import string
import threading
import zipfile
from xml.sax.saxutils import escape as xml_escape
from collections import OrderedDict
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any, Mapping

from reports.errors import Diagnostic, ReportsError

__all__ = ["clear", "merged", "prepare"]

_FORMS_LIMIT = 4
"""Forms kept per process (a form holds a laid-out document: a few MB)."""


@dataclass(frozen=True)
class _Rendering:
    """What rendering the template and parsing its Markdown need, besides the row's values."""

    checked: Any
    template: Any
    theme: Any
    labels: Any
    specs: dict[str, Any]
    images: dict[str, Any]
    search_path: tuple[Path, ...]


@dataclass(frozen=True)
class _MadeFrom:
    """What a form depends on besides the request, checked again for every row."""

    checked: Any
    theme: Any
    labels: Any
    """Checked content, theme and labels are cached per process: the same object means unchanged. The
    objects themselves, not their ids: the form keeps them alive, so no new object can take an old id."""
    template: Any
    trees: Any
    """The template folders and assets as files (`uptodate.template_trees`): a replaced logo, a new
    reference.docx or an edited template makes a new form."""
    timestamp: Any

    def same_as(self, other: _MadeFrom) -> bool:
        return (self.checked is other.checked and self.theme is other.theme and self.labels is other.labels
                and (self.template, self.trees, self.timestamp) == (other.template, other.trees, other.timestamp))


@dataclass
class _Form:
    tokens: dict[str, str]
    """Field name → its token."""
    rendering: _Rendering
    markup: str
    blocks: tuple[Any, ...]
    """The form's Markdown parsed (before the document-wide transforms): each row's must equal it with the
    values in place of the tokens."""
    pdf: Any
    """A `writers.pdf_form.PdfForm`, or None when PDF is not asked for."""
    docx_entries: dict[str, bytes] | None
    docx_parts: tuple[str, ...]
    """The DOCX parts holding tokens."""
    timestamp: Any
    warnings: list[Diagnostic]


_SEEN_LIMIT = 4096
"""Requests remembered to tell a roster's second row (a long-lived server forgets them now and then)."""

_forms: OrderedDict[tuple[Any, ...], tuple[_MadeFrom, _Form | None]] = OrderedDict()
"""Request → (what the form was made from; the form, or None when the document cannot be filled in)."""
_seen: set[tuple[Any, ...]] = set()
_lock = threading.Lock()


def clear() -> None:
    """Forget every form (a template folder changed: see `build.clear_caches`)."""
    with _lock:
        _forms.clear()
        _seen.clear()


def merged(checked: Any, template_name: str, search_path: tuple[Path, ...], student: Mapping[str, str],
           cache_dir: Path | None, formats: tuple[str, ...],
           many: bool = False) -> tuple[dict[str, bytes], list[Diagnostic]] | None:
    """The outputs (format → bytes) and warnings of one roster row made from its form, or None: build the row
    the ordinary way (anything a form cannot prove equal — see the module — and every error, which the
    ordinary build reports located).

    `many`: the row is one of many, so the form is made now; otherwise at the second row asked for.
    """
    from reports.pipeline import is_cached

    if not student or not all(_plain(value) for value in student.values()) or not is_cached(checked):
        return None  # content read anew for each row (a pipe, a huge file) would make a new form each time
    try:
        form = _form(checked, template_name, search_path, student, cache_dir, formats, many)
        return None if form is None else _fill(form, student, formats)
    except ReportsError:
        return None


def prepare(content: Path, display_name: str, template_name: str, search_path: tuple[Path, ...],
            student: Mapping[str, str], cache_dir: Path | None, formats: tuple[str, ...]) -> None:
    """Make the form for rows with these fields now (a batch does it before forking its workers)."""
    from reports.pipeline import check_cached

    try:
        checked = check_cached(content, display_name)
        _form(checked, template_name, search_path, student, cache_dir, formats, True)
    except ReportsError:
        return  # each row reports it


def _form(checked: Any, template_name: str, search_path: tuple[Path, ...], student: Mapping[str, str],
          cache_dir: Path | None, formats: tuple[str, ...],
          many: bool) -> _Form | None:
    key = (id(checked), template_name, search_path, cache_dir, formats, tuple(sorted(student)))
    with _lock:
        first_time = key not in _seen
        if len(_seen) > _SEEN_LIMIT:
            _seen.clear()
        _seen.add(key)
    if first_time and not many:
        return None  # a single document gains nothing from a form: making one costs a layout
    made_from = _made_from(checked, template_name, search_path)
    with _lock:
        made = _forms.get(key)
    if made is not None and made[0].same_as(made_from):
        return made[1]  # None: this content and template cannot be filled in (decided once)
    form = _make_form(checked, template_name, search_path, student, cache_dir, formats, made_from)
    with _lock:
        _forms[key] = (made_from, form)
        _forms.move_to_end(key)
        while len(_forms) > _FORMS_LIMIT:
            _forms.popitem(last=False)
    return form


def _plain(value: object) -> bool:
    """A value a form can take: printable, not empty, single spaces only (see the module)."""
    return isinstance(value, str) and value != "" and value.isprintable() and value == " ".join(value.split())


def _made_from(checked: Any, template_name: str, search_path: tuple[Path, ...]) -> _MadeFrom:
    from reports.pipeline import build_timestamp, theme_cached
    from reports.templating.labels import labels_for
    from reports.templating.render import find_template
    from reports.runtime.uptodate import template_trees

    content = checked.content
    template = find_template(template_name, search_path)
    theme = theme_cached(template.path, search_path)
    labels = labels_for(content.document.language)
    return _MadeFrom(checked, theme, labels, template, template_trees(search_path), build_timestamp(content))


def _markup(rendering: _Rendering, student: Mapping[str, str]) -> str:
    """The template's Markdown for these values (what `build.build_document` renders)."""
    from reports.pipeline import template_context
    from reports.templating.render import render_template

    checked = rendering.checked
    context = template_context(checked.content, rendering.labels, rendering.specs, rendering.theme,
                               checked.source.file, student)
    return render_template(rendering.template, context, rendering.search_path)


def _parse(rendering: _Rendering, markup: str) -> tuple[Any, ...]:
    """The Markdown as `build.build_document` parses it."""
    from reports.templating.markup import parse_markup

    return parse_markup(markup, rendering.specs, source=str(rendering.template.path / "template.md.j2"),
                        images=rendering.images)


def _make_form(checked: Any, template_name: str, search_path: tuple[Path, ...], student: Mapping[str, str],
               cache_dir: Path | None, formats: tuple[str, ...], made_from: _MadeFrom) -> _Form | None:
    from reports.pipeline import build_document, render_context
    from reports.charts.specs import chart_specs
    from reports.theme.images import theme_images

    # what every row renders with: made once, from what the form depends on (checked again for every row)
    content, template, theme, labels = made_from.checked.content, made_from.template, made_from.theme, made_from.labels
    rendering = _Rendering(made_from.checked, template, theme, labels, chart_specs(content, labels),
                           theme_images(theme, template.path), search_path)
    tokens = {name: _token() for name in student}
    built = build_document(checked, template_name, search_path, tokens, cache_dir)
    if not _only_in_text(built.document, set(tokens.values())):
        return None
    markup = _markup(rendering, tokens)
    context = render_context(built, cache_dir)
    pdf_form = docx_entries = None
    docx_parts: tuple[str, ...] = ()
    if "pdf" in formats:
        from reports.writers.pdf.writer import PdfWriter

        pdf_form = PdfWriter(context, frozenset(tokens.values())).lay_out_form(built.document)
        if pdf_form.unusable_reason:
            return None
    if "docx" in formats:
        from reports.writers.docx.writer import write_docx

        docx_entries = _entries(write_docx(built.document, context))
        docx_parts = _docx_token_parts(docx_entries, tokens, _count(built.document, set(tokens.values())))
        if not docx_parts:
            return None
    return _Form(tokens, rendering, markup, _parse(rendering, markup), pdf_form, docx_entries, docx_parts,
                 context.timestamp, list(built.warnings))


def _fill(form: _Form, student: Mapping[str, str],
          formats: tuple[str, ...]) -> tuple[dict[str, bytes], list[Diagnostic]] | None:
    from reports.templating.markup import escape_markdown

    # the template with this row's values must print what it printed for the form, with the values in place
    # (a choice made by a value shows here, cheaply)…
    expected = form.markup
    for name, token in form.tokens.items():
        expected = expected.replace(token, escape_markdown(student[name]))
    markup = _markup(form.rendering, student)
    if markup != expected:
        return None
    # …and mean the same: Markdown reads a value's characters by their neighbours (`1` before `. ` starts a
    # numbered list where a token does not; a value ending in `.` stops `**` from closing; code keeps the
    # escapes), so the row's parse must be the form's with the values in its text
    values = {token: student[name] for name, token in form.tokens.items()}
    if not _filled_equal(form.blocks, _parse(form.rendering, markup), values):
        return None
    outputs: dict[str, bytes] = {}
    if "pdf" in formats:
        pdf = form.pdf.fill(values)
        if pdf is None:
            return None
        outputs["pdf"] = pdf
    if "docx" in formats:
        outputs["docx"] = _fill_docx(form, values)
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
            _filled_equal(getattr(form, item.name), getattr(row, item.name), values) for item in fields(form))
    return bool(form == row)


def _fill_docx(form: _Form, values: Mapping[str, str]) -> bytes:
    from reports.writers.docx.package import deterministic_zip

    assert form.docx_entries is not None
    entries = dict(form.docx_entries)
    for name in form.docx_parts:
        data = entries[name]
        for token, value in values.items():
            # the tokens are in the text of `w:t` elements (`_docx_token_parts`): escaped as lxml escapes text
            data = data.replace(token.encode(), xml_escape(value).encode())
        entries[name] = data
    return deterministic_zip(entries, form.timestamp)


def _token() -> str:
    """A word no text contains and no step changes: lower-case ASCII letters only (ids lower-case them)."""
    return "zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(14))


def _strings(node: object) -> Any:
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


def _entries(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _docx_token_parts(entries: Mapping[str, bytes], tokens: Mapping[str, str], expected: int) -> tuple[str, ...]:
    """The parts holding tokens, when every token is in the text of a `w:t` outside any table and all are
    there; () otherwise."""
    from lxml import etree

    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    encoded = [token.encode() for token in tokens.values()]
    parts = tuple(name for name, data in entries.items() if any(token in data for token in encoded))
    if parts != ("word/document.xml",):
        return ()
    data = entries["word/document.xml"]
    root = etree.fromstring(data)
    in_text = 0
    for element in root.iter(f"{namespace}t"):
        text = element.text or ""
        found = sum(text.count(token) for token in tokens.values())
        if found and any(ancestor.tag == f"{namespace}tbl" for ancestor in element.iterancestors()):
            return ()
        in_text += found
    if in_text != expected or sum(data.count(token) for token in encoded) != expected:
        return ()
    return parts
