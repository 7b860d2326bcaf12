"""The core: content → template → markup → document tree → transforms → one writer per format → bytes.

Building one document is a function of its content, template, theme and options; it writes no file and
keeps nothing between calls but what its `Cache` keeps (`reports.cache`), so it gives the same bytes in a
fresh process, the build server or a cluster worker. `build` is the whole of it (`reports.build` is this
function); the stages are public too, for the runtime wing (`reports.runtime`) and for tests:

* `check_content` / `check_data` (in `reports.content.validate`): the content, validated and linted;
* `build_tree`: the neutral document tree, with the theme and labels it was made with;
* `render`: the tree through the writers of the formats asked for (`reports.writers.WRITERS`).

Heavy libraries (matplotlib, reportlab, python-docx) are imported only by the stages that need them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from reports.cache import Cache
from reports.content.model import Content
from reports.content.validate import CheckedContent, check_content, check_data
from reports.document import nodes
from reports.document.transforms import apply_all
from reports.errors import Diagnostic, UsageError
from reports.language.labels import Labels, labels_for
from reports.paths import TEMPLATES_DIR
from reports.templating.context import LeftOut, template_context
from reports.templating.folders import MAIN_TEMPLATE, TemplateFolder, find_template
from reports.templating.limits import MAX_RENDER_SECONDS
from reports.templating.markup import parse_markup, smarten
from reports.templating.render import render_markup
from reports.theme.coverage import require_font_coverage
from reports.theme.fallback import font_fallback
from reports.theme.images import theme_images
from reports.theme.model import Theme, load_theme
from reports.writers import FORMATS, WRITERS, wanted_formats

if TYPE_CHECKING:
    from reports.writers.base import RenderContext

ContentSource = Path | str | Mapping[str, Any] | Content
"""A content file's path, the content as data (a parsed YAML mapping), or a `Content` model."""


@dataclass(frozen=True)
class BuiltDocument:
    """The neutral tree plus what writers need to render it."""

    document: nodes.Document
    content: Content
    template: TemplateFolder
    theme: Theme
    labels: Labels
    warnings: list[Diagnostic]
    left_out: tuple[LeftOut, ...] = ()
    """What the template declares it does not show (`leaves_out`)."""


class Outputs(dict[str, bytes]):
    """The bytes of each format built (`{"pdf": b"%PDF…", "docx": b"PK…"}`) and the warnings of the build."""

    def __init__(self, files: Mapping[str, bytes], warnings: Iterable[Diagnostic] = ()) -> None:
        super().__init__(files)
        self.warnings: tuple[Diagnostic, ...] = tuple(warnings)


def content_timestamp(content: Content) -> dt.datetime:
    """The content's own date, as a build time: never 'now', so the same input gives the same bytes."""
    return dt.datetime.combine(content.document.date, dt.time(0, 0), tzinfo=dt.timezone.utc)


def timestamp_from_epoch(epoch: str) -> dt.datetime:
    """A `SOURCE_DATE_EPOCH` value as a build time (reproducible builds); a usage error when it is no Unix time."""
    try:
        return dt.datetime.fromtimestamp(int(epoch.strip()), tz=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise UsageError([Diagnostic(f"SOURCE_DATE_EPOCH='{epoch}' is not a Unix time in seconds")]) from None


def load_content(source: ContentSource, display_name: str | None = None, cache: Cache | None = None) -> CheckedContent:
    """The content, validated and linted, from a path, data or a model (see `ContentSource`)."""
    if isinstance(source, Content):
        return check_data(source.model_dump(mode="json", exclude_none=True), display_name or "<content>")
    if isinstance(source, Mapping):
        return check_data(source, display_name or "<data>")
    return check_content(Path(source), display_name, cache)


def build_tree(checked: CheckedContent, template_name: str = "briefing",
               search_path: tuple[Path, ...] = (TEMPLATES_DIR,), student: Mapping[str, str] | None = None,
               cache: Cache | None = None, render_seconds: float = MAX_RENDER_SECONDS) -> BuiltDocument:
    """The neutral tree of one document: the template rendered with the content, parsed, and transformed."""
    cache = cache if cache is not None else Cache()
    content = checked.content
    template = find_template(template_name, search_path)
    theme = load_theme(template.path, search_path, cache)
    require_font_coverage(content, theme, template.path, checked.source, cache)
    labels = labels_for(content.document.language, cache)
    left_out: list[LeftOut] = []
    blocks = render_blocks(content, template, theme, labels, search_path, checked.source.file, student, cache,
                           render_seconds, left_out)
    return BuiltDocument(tree_of(blocks, content, theme, labels), content, template, theme, labels, checked.warnings,
                         tuple(left_out))


def render_blocks(content: Content, template: TemplateFolder, theme: Theme, labels: Labels,
                  search_path: tuple[Path, ...], source_file: str = "<content>",
                  student: Mapping[str, str] | None = None, cache: Cache | None = None,
                  render_seconds: float = MAX_RENDER_SECONDS, left_out: list[LeftOut] | None = None,
                  note_lines: bool = True) -> tuple[nodes.Block, ...]:
    """The template rendered with the content and parsed: the document's blocks, before the transforms.
    `left_out` collects what the template declares it does not show."""
    from reports.charts.specs import chart_specs

    specs = chart_specs(content, labels)
    context = template_context(content, labels, specs, theme, source_file, student, left_out)
    markup = render_markup(template, context, search_path, cache, render_seconds, note_lines=note_lines)
    return parse_markup(markup.text, specs, source=str(template.path / MAIN_TEMPLATE),
                        images=theme_images(theme, template.path, search_path, cache), lines=markup.lines,
                        quotes=typographic_quotes(theme, labels))


def typographic_quotes(theme: Theme, labels: Labels) -> str:
    """The quotation marks straight quotes become in the document (`parse_markup`); empty when the theme keeps them."""
    return labels.quotes if theme.smart_quotes else ""


def tree_of(blocks: tuple[nodes.Block, ...], content: Content, theme: Theme, labels: Labels) -> nodes.Document:
    """The document around parsed blocks, with its metadata, after the document-wide transforms."""
    quotes = typographic_quotes(theme, labels)
    title = smarten(content.document.title, quotes)  # as the title paragraph shows it
    metadata = nodes.Metadata(
        title=title,
        language=content.document.language,
        author=content.document.author,
        subject=smarten(content.document.subtitle or content.organisation.name, quotes),
        keywords=tuple(content.document.keywords),
        running_header=theme.header_text or title,
        page_label=labels.text.get("page_of", "{page} / {total}"),
    )
    return apply_all(nodes.Document(metadata=metadata, blocks=blocks, theme_name=theme.name), labels.text)


def render_context(built: BuiltDocument, cache: Cache | None = None,
                   timestamp: dt.datetime | None = None) -> RenderContext:
    """What the writers need besides the tree: theme, its folder, the chart renderer, the build time, the cache."""
    from reports.charts.render import ChartRenderer
    from reports.writers.base import RenderContext

    cache = cache if cache is not None else Cache()
    fallback = font_fallback(built.theme, built.template.path, cache, built.document.metadata.language)
    return RenderContext(
        theme=built.theme,
        theme_folder=built.template.path,
        charts=ChartRenderer(built.theme, built.template.path, cache, fallback),
        timestamp=timestamp if timestamp is not None else content_timestamp(built.content),
        cache=cache,
        fallback=fallback,
    )


def render(built: BuiltDocument, formats: Iterable[str] = FORMATS, cache: Cache | None = None,
           timestamp: dt.datetime | None = None) -> dict[str, bytes]:
    """The tree written in each format asked for, in that order."""
    context = render_context(built, cache, timestamp)
    return {name: WRITERS[name].load()(built.document, context) for name in wanted_formats(formats)}


def build(content: ContentSource, template: str = "briefing", formats: Iterable[str] = FORMATS, *,
          templates_dirs: Iterable[Path | str] = (), student: Mapping[str, str] | None = None,
          timestamp: dt.datetime | None = None, cache: Cache | None = None,
          render_seconds: float = MAX_RENDER_SECONDS) -> Outputs:
    """Build one document and return the bytes of each format; nothing is written.

    `content`: a content file's path, or the content as data (see `ContentSource`). `template`: a template
    folder's name, looked up in `templates_dirs`, then the built-in templates (the command line also looks in
    your user template folder: `reports.paths.template_search_path`). `student`: one roster row (`name`,
    `class`, …) for a personalised handout. `timestamp`: the build time written into file metadata (default:
    the content's own date). `cache`: keep one `reports.Cache` to reuse fonts, styles and charts across
    calls. Raises a `reports.ReportsError` subclass, with located diagnostics, for anything a user can fix.
    """
    wanted = wanted_formats(formats)
    search_path = tuple(Path(folder).expanduser().resolve() for folder in templates_dirs) + (TEMPLATES_DIR,)
    cache = cache if cache is not None else Cache()
    checked = load_content(content, cache=cache)
    built = build_tree(checked, template, search_path, student, cache, render_seconds)
    return Outputs(render(built, wanted, cache, timestamp), built.warnings)
