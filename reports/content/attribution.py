"""The source named as the content names it, in the document's language: the line under each chart and the
source note at the end of a document.

A translated edition quotes its source in its own language (`source.translated_title`) and says what it was
translated from (`source.language`, named by CLDR in the document's language); the kind, author and title are
the content's own words, so no wording of the tool's ("compiled from the content data") reaches the reader.
"""

from __future__ import annotations

from reports.content.model import Content
from reports.language.labels import Labels

MAX_SOURCE_TITLE = 80
"""Longest source title (in characters) quoted in a chart's source line before it is cut at a word."""


def shorten(text: str, limit: int) -> str:
    """`text` when it fits in `limit` characters, else its longest run of whole words that does, plus "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "\u2026"


def quoted(text: str, language: str) -> str:
    """`text` in the quotation marks of `language` (CLDR): “…” in English and Indonesian, « … » in French."""
    from babel import Locale

    try:
        locale = Locale.parse(language.replace("-", "_"))
        # Babel reads these from CLDR's delimiters; its type stubs do not name them
        opening = getattr(locale, "quotation_start", None) or "\u201c"
        closing = getattr(locale, "quotation_end", None) or "\u201d"
    except Exception:  # the model accepts only known tags; this is belt and braces for the quotes alone
        opening, closing = "\u201c", "\u201d"
    return f"{opening}{text}{closing}"


def language_name(tag: str, language: str) -> str:
    """The name of the language `tag` in `language` ("Indonesian", "Indonesia"), else the tag itself."""
    from babel import Locale

    try:
        return Locale.parse(tag.replace("-", "_")).get_display_name(language.replace("-", "_")) or tag
    except Exception:  # a tag the model accepted but CLDR cannot name in this language
        return tag


def translated(content: Content) -> bool:
    source = content.document.source
    return source.language is not None and source.language != content.document.language


def describe_source(content: Content, labels: Labels, title_limit: int | None = None) -> str:
    """The source in words: kind, quoted title in the document's language, author, and "translated from …"
    when the source is in another language (`essay “…” by A. Writer, translated from Indonesian`)."""
    source = content.document.source
    language = content.document.language
    title = source.title_in(language)
    if title_limit is not None:
        title = shorten(title, title_limit)
    text = labels["source_kind_title"].format(kind=source.kind, title=quoted(title, language))
    if source.author:
        text = labels["source_by"].format(source=text, author=source.author)
    if translated(content):
        assert source.language is not None
        text = labels["translated_from"].format(source=text, language=language_name(source.language, language))
    return text


def chart_source_line(content: Content, labels: Labels) -> str:
    """`Source: essay “The Shanghai Cooperation Organization (SCO) is…”, translated from Indonesian.`"""
    return labels["chart_source"].format(source=describe_source(content, labels, MAX_SOURCE_TITLE))
