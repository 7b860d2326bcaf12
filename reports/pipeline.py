"""The pipeline: content → template → markup → document tree → one writer per format → files.

`build_document` does everything up to the neutral tree (shared by every format);
`build` writes the requested formats atomically. Heavy libraries (matplotlib, reportlab,
python-docx) are imported only by the stages that need them.

What does not change between documents is set up once per process and reused (a batch worker
builds many documents): checked content by the hash of the file's bytes (a roster builds one
content file many times), themes per folder (re-read when a theme file changes), labels, fonts,
and drawn charts (in memory, and on disk when a cache folder is given; see `default_cache_dir`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from reports.document import nodes
from reports.errors import ContentError, Diagnostic, UsageError
from reports.templating.labels import Labels, format_date, format_number, format_partial_date, labels_for
from reports.theme.coverage import require_font_coverage
from reports.theme.images import theme_images
from reports.templating.markup import parse_markup
from reports.content.model import Content
from reports.paths import FORMATS, TEMPLATES_DIR, default_cache_dir, output_path  # noqa: F401 — re-exported
from reports.templating.render import TemplateFolder, find_template, render_template
from reports.theme.model import Theme, load_theme
from reports.document.transforms import apply_all
from reports.content.validate import CheckedContent, check_content

@dataclass(frozen=True)
class BuiltDocument:
    """The neutral tree plus what writers need to render it."""

    document: nodes.Document
    content: Content
    template: TemplateFolder
    theme: Theme
    labels: Labels
    warnings: list[Diagnostic]


def build_timestamp(content: Content) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the content's own date: never 'now'."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError([Diagnostic(f"SOURCE_DATE_EPOCH='{epoch}' is not a Unix time in seconds")]) from None
    return dt.datetime.combine(content.document.date, dt.time(0, 0), tzinfo=dt.timezone.utc)


def template_context(
    content: Content, labels: Labels, charts: dict[str, Any], theme: Theme, source_file: str = "<content>",
    student: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything a template can use: the content, labels and formatting helpers in its language.

    `student` (one roster row: name, class, …) is defined only for a personalised build, so a template
    tests `{% if student is defined %}`.
    """
    language = content.document.language

    def require(value: object, field_path: str, what: str) -> str:
        """`{{ require(content.classroom, "classroom", "…") }}`: a template states what content it needs."""
        if value is None or value == [] or value == "":
            raise ContentError([Diagnostic(f"this template needs `{field_path}` in the content file — {what}",
                                           file=source_file, field_path=field_path)])
        return ""

    members = [
        {"name": member.display_name(language), "category": category.label, "category_id": category.id}
        for category in content.organisation.membership
        for member in category.members
    ]
    context = {
        "content": content,
        "theme": theme,
        "members_alphabetical": sorted(members, key=lambda member: _collation_key(member["name"])),
        "labels": labels.text,
        "language": language,
        "charts": charts,
        "actor_name": _country(content.actor.country, language),
        "date": lambda value: format_date(value, language),
        "partial_date": lambda value: format_partial_date(value, language),
        "number": lambda value: format_number(value, language),
        "country": lambda code: _country(code, language),
        "require": require,
    }
    if student is not None:
        context["student"] = {"name": "", "class": "", **dict(student)}
    return context


def _collation_key(text: str) -> str:
    """Alphabetical order that ignores accents and case (Ö with O), good enough without ICU."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _country(code: str, language: str) -> str:
    from reports.content.countries import country_name

    return country_name(code, language)


# --- per-process caches: what many documents of a batch share -----------------------------------

_CHECKED_LIMIT = 32
_CHECKED_MAX_BYTES = 4 * 1024 * 1024
"""Larger files are not cached (the loader refuses content over 2 MiB anyway)."""
_checked: OrderedDict[tuple[str, str | None, str], CheckedContent] = OrderedDict()
_themes: dict[tuple[Path, tuple[Path, ...]], tuple[tuple[object, ...], Theme]] = {}
_cache_lock = threading.Lock()


def clear_caches() -> None:
    """Forget everything this process keeps between builds (tests; a long-lived process after a
    template folder changed): checked content, themes, labels, font lookups, Jinja environments."""
    from reports.runtime import merge
    from reports.templating.labels import labels_for
    from reports.templating.render import _environment
    from reports.theme.model import resolve_font_file

    with _cache_lock:
        _checked.clear()
        _themes.clear()
    labels_for.cache_clear()  # locale files are read once per language, so an edit needs this
    resolve_font_file.cache_clear()  # a font added to a template folder now comes before a built-in one
    _environment.cache_clear()
    merge.clear()


def check_cached(content_path: Path, display_name: str | None = None) -> CheckedContent:
    """`check_content`, reused while the file's bytes are the same (a roster builds one file many times).

    Only regular files are cached (a pipe can be read once); errors are never cached.
    """
    try:
        info = content_path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > _CHECKED_MAX_BYTES:
            return check_content(content_path, display_name)
        data = content_path.read_bytes()
    except OSError:
        return check_content(content_path, display_name)  # reports the problem its own way
    key = (str(content_path.resolve()), display_name, hashlib.sha256(data).hexdigest())
    with _cache_lock:
        hit = _checked.get(key)
        if hit is not None:
            _checked.move_to_end(key)
            return hit
    checked = check_content(content_path, display_name)
    with _cache_lock:
        _checked[key] = checked
        while len(_checked) > _CHECKED_LIMIT:
            _checked.popitem(last=False)
    return checked


def is_cached(checked: CheckedContent) -> bool:
    """Is this the checked content `check_cached` keeps (the same object while the file is unchanged)?"""
    with _cache_lock:
        return any(kept is checked for kept in _checked.values())


def _theme_files_stamp(folder: Path, search_path: tuple[Path, ...]) -> tuple[object, ...]:
    """Size, time and inode of every theme file the folder's theme could extend.

    Only stat, never open: a theme.yaml that links out of its folder must not be read before
    `load_theme` refuses it.
    """
    files = [folder / "theme.yaml"]
    for root in search_path:
        try:
            files.extend(sorted(root.glob("*/theme.yaml")))
        except OSError:
            continue
    stamp: list[object] = []
    for path in files:
        try:
            info = path.stat()
            stamp.append((str(path), info.st_size, info.st_mtime_ns, info.st_ino))
        except OSError:
            stamp.append((str(path), None))
    return tuple(stamp)


def theme_cached(folder: Path, search_path: tuple[Path, ...]) -> Theme:
    """`load_theme` once per folder and process; loaded again when any theme file changes."""
    key = (folder, tuple(search_path))
    stamp = _theme_files_stamp(folder, key[1])
    with _cache_lock:
        hit = _themes.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    theme = load_theme(folder, search_path)
    with _cache_lock:
        _themes[key] = (stamp, theme)
    return theme


def build_document(
    checked: CheckedContent,
    template_name: str = "briefing",
    search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
    student: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
) -> BuiltDocument:
    """The neutral tree of one document; `cache_dir` (the build's cache folder) keeps font facts on disk."""
    from reports.charts.specs import chart_specs

    content = checked.content
    template = find_template(template_name, search_path)
    theme = theme_cached(template.path, search_path)
    require_font_coverage(content, theme, template.path, checked.source, cache_dir)
    labels = labels_for(content.document.language)
    specs = chart_specs(content, labels)
    context = template_context(content, labels, specs, theme, checked.source.file, student)
    markup = render_template(template, context, search_path)
    blocks = parse_markup(markup, specs, source=str(template.path / "template.md.j2"),
                          images=theme_images(theme, template.path))
    metadata = nodes.Metadata(
        title=content.document.title,
        language=content.document.language,
        author=content.document.author,
        subject=content.document.subtitle or content.organisation.name,
        keywords=tuple(content.document.keywords),
        running_header=theme.header_text or content.document.title,
        page_label=labels.text.get("page_of", "{page} / {total}"),
    )
    document = apply_all(nodes.Document(metadata=metadata, blocks=blocks, theme_name=theme.name), labels.text)
    return BuiltDocument(document, content, template, theme, labels, checked.warnings)


def render_context(built: BuiltDocument, cache_dir: Path | None = None) -> Any:
    """What the writers need besides the tree: theme, its folder, the chart renderer, the build time."""
    from reports.charts.render import ChartRenderer
    from reports.writers.base import RenderContext

    return RenderContext(
        theme=built.theme,
        theme_folder=built.template.path,
        charts=ChartRenderer(built.theme, built.template.path, cache_dir),
        timestamp=build_timestamp(built.content),
        cache_dir=cache_dir,
    )


def _writers() -> dict[str, Callable[..., bytes]]:
    def pdf(document: nodes.Document, context: Any) -> bytes:
        from reports.writers.pdf.writer import write_pdf

        return write_pdf(document, context)

    def docx(document: nodes.Document, context: Any) -> bytes:
        from reports.writers.docx.writer import write_docx

        return write_docx(document, context)

    return {"pdf": pdf, "docx": docx}


def build(
    content_path: Path,
    template_name: str = "briefing",
    formats: Iterable[str] = FORMATS,
    out_dir: Path = Path("build"),
    search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
    display_name: str | None = None,
    cache_dir: Path | None = None,
    protected: Iterable[Path] = (),
    student: Mapping[str, str] | None = None,
    suffix: str = "",
    form: bool = False,
) -> tuple[list[Path], list[Diagnostic]]:
    """Build one content file into the given formats; return the files written and the warnings.

    `protected` are other inputs of the same run (a batch): no output may replace one of them.
    `student` personalises the document (the template's `student` variable); `suffix` is added to the
    output names (`<stem>-<template>-<suffix>.<ext>`). `cache_dir` keeps drawn charts on disk. `form`: this
    is one row of many, so a form is made for the roster now rather than at its second row (`reports.runtime.merge`).
    """
    from reports.output import write_atomically

    wanted = list(dict.fromkeys(formats))
    unknown = [name for name in wanted if name not in FORMATS]
    if unknown:
        raise UsageError([Diagnostic(f"unknown format(s) {', '.join(unknown)} — choose from {', '.join(FORMATS)}")])
    targets = {name: output_path(content_path, template_name, out_dir, name, suffix) for name in wanted}
    inputs = {content_path.resolve(), *(path.resolve() for path in protected)}
    for target in targets.values():
        if target.resolve() in inputs:
            raise UsageError([Diagnostic("the output would overwrite the input — choose another --out folder",
                                         file=str(target))])
    checked = check_cached(content_path, display_name)
    done = None
    if student:  # a roster row: filled in from a form laid out once per process, when that gives the same files
        from reports.runtime.merge import merged

        done = merged(checked, template_name, search_path, student, cache_dir, tuple(wanted), form)
    if done is not None:
        rendered, warnings = done
    else:
        built = build_document(checked, template_name, search_path, student, cache_dir)
        context = render_context(built, cache_dir)
        writers = _writers()
        rendered = {name: writers[name](built.document, context) for name in wanted}
        warnings = list(built.warnings)
    written = []
    for name, data in rendered.items():
        write_atomically(targets[name], data)
        written.append(targets[name])
    return written, warnings


def write_reference_document(content_path: Path, template_name: str, target: Path,
                             search_path: tuple[Path, ...] = (TEMPLATES_DIR,)) -> Path:
    """A DOCX whose styles are the template's, defined from its theme (pandoc's reference.docx idea)."""
    from reports.output import write_atomically
    from reports.writers.docx.writer import write_docx

    built = build_document(check_content(content_path), template_name, search_path)
    if target.resolve() == content_path.resolve():
        raise UsageError([Diagnostic("the reference document would overwrite the content file", file=str(target))])
    write_atomically(target, write_docx(built.document, render_context(built)))
    return target
