"""The pipeline: content → template → markup → document tree → one writer per format → files.

`build_document` does everything up to the neutral tree (shared by every format);
`build` writes the requested formats atomically. Heavy libraries (matplotlib, reportlab,
python-docx) are imported only by the stages that need them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from reports import nodes
from reports.errors import ContentError, Diagnostic, UsageError
from reports.i18n import Labels, format_date, format_number, format_partial_date, labels_for
from reports.markup import parse_markup
from reports.model import Content
from reports.paths import TEMPLATES_DIR
from reports.templating import TemplateFolder, find_template, render_template
from reports.theme import Theme, load_theme
from reports.transforms import apply_all
from reports.validate import CheckedContent, check_content

FORMATS = ("pdf", "docx")


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
    content: Content, labels: Labels, charts: dict[str, Any], theme: Theme, source_file: str = "<content>"
) -> dict[str, Any]:
    """Everything a template can use: the content, labels and formatting helpers in its language."""
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
    return {
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


def _collation_key(text: str) -> str:
    """Alphabetical order that ignores accents and case (Ö with O), good enough without ICU."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _country(code: str, language: str) -> str:
    from reports.countries import country_name

    return country_name(code, language)


def build_document(
    checked: CheckedContent,
    template_name: str = "briefing",
    search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
) -> BuiltDocument:
    from reports.charts.build import chart_specs

    content = checked.content
    template = find_template(template_name, search_path)
    theme = load_theme(template.path, search_path)
    labels = labels_for(content.document.language)
    specs = chart_specs(content, labels)
    markup = render_template(template, template_context(content, labels, specs, theme, checked.source.file), search_path)
    blocks = parse_markup(markup, specs, source=str(template.path / "template.md.j2"))
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


def _writers() -> dict[str, Callable[..., bytes]]:
    def pdf(document: nodes.Document, context: Any) -> bytes:
        from reports.writers.pdf import write_pdf

        return write_pdf(document, context)

    def docx(document: nodes.Document, context: Any) -> bytes:
        from reports.writers.docx import write_docx

        return write_docx(document, context)

    return {"pdf": pdf, "docx": docx}


def output_path(content_path: Path, template_name: str, out_dir: Path, extension: str) -> Path:
    return out_dir / f"{content_path.stem}-{template_name}.{extension}"


def build(
    content_path: Path,
    template_name: str = "briefing",
    formats: Iterable[str] = FORMATS,
    out_dir: Path = Path("build"),
    search_path: tuple[Path, ...] = (TEMPLATES_DIR,),
    display_name: str | None = None,
    cache_dir: Path | None = None,
    protected: Iterable[Path] = (),
) -> tuple[list[Path], list[Diagnostic]]:
    """Build one content file into the given formats; return the files written and the warnings.

    `protected` are other inputs of the same run (a batch): no output may replace one of them.
    """
    from reports.charts.render import ChartRenderer
    from reports.output import write_atomically
    from reports.writers.base import RenderContext

    wanted = list(dict.fromkeys(formats))
    unknown = [name for name in wanted if name not in FORMATS]
    if unknown:
        raise UsageError([Diagnostic(f"unknown format(s) {', '.join(unknown)} — choose from {', '.join(FORMATS)}")])
    targets = {name: output_path(content_path, template_name, out_dir, name) for name in wanted}
    inputs = {content_path.resolve(), *(path.resolve() for path in protected)}
    for target in targets.values():
        if target.resolve() in inputs:
            raise UsageError([Diagnostic("the output would overwrite the input — choose another --out folder",
                                         file=str(target))])
    checked = check_content(content_path, display_name)
    built = build_document(checked, template_name, search_path)
    context = RenderContext(
        theme=built.theme,
        theme_folder=built.template.path,
        charts=ChartRenderer(built.theme, built.template.path, cache_dir),
        timestamp=build_timestamp(built.content),
    )
    writers = _writers()
    rendered = {name: writers[name](built.document, context) for name in wanted}
    written = []
    for name, data in rendered.items():
        write_atomically(targets[name], data)
        written.append(targets[name])
    return written, built.warnings


def write_reference_document(content_path: Path, template_name: str, target: Path,
                             search_path: tuple[Path, ...] = (TEMPLATES_DIR,)) -> Path:
    """A DOCX whose styles are the template's, defined from its theme (pandoc's reference.docx idea)."""
    from reports.charts.render import ChartRenderer
    from reports.output import write_atomically
    from reports.writers.base import RenderContext
    from reports.writers.docx import write_docx

    built = build_document(check_content(content_path), template_name, search_path)
    if target.resolve() == content_path.resolve():
        raise UsageError([Diagnostic("the reference document would overwrite the content file", file=str(target))])
    context = RenderContext(
        theme=built.theme,
        theme_folder=built.template.path,
        charts=ChartRenderer(built.theme, built.template.path),
        timestamp=build_timestamp(built.content),
    )
    write_atomically(target, write_docx(built.document, context))
    return target
