"""Hyphenation in the document's language for the PDF: pyphen's dictionaries (the LibreOffice hyphenation
patterns, so a DOCX opened in LibreOffice breaks the same words) at reportlab's line breaking.

Words are broken while lines are laid out, never in the text itself: reportlab draws the hyphen of a
broken word at the end of its line, and the text extracted from the PDF joins the word again (poppler's
`pdftotext` removes a hyphen at a line end; the tagged structure's text says the word whole,
`tagging_canvas`). Only plain words are broken: a word with a digit, an apostrophe or a hyphen of its own
stays whole, so no hyphen the author wrote can be mistaken for one the layout added; so does a word in
capitals (an acronym).
"""

from __future__ import annotations

from typing import Callable, Iterator

from reports.cache import Cache

Hyphenator = Callable[[str], Iterator[tuple[str, str]]]
"""A word → its possible (head, tail) breaks, the longest head first (what reportlab's `hyphenationLang` takes)."""

SHORTEST_HEAD = 2
SHORTEST_TAIL = 3
"""Letters a broken word keeps at least before and after the break (two-letter tails read badly)."""


def hyphenator_for(language: str, cache: Cache | None = None) -> Hyphenator | None:
    """Breaks for words in `language` (a BCP 47 tag), or None when pyphen has no dictionary for it."""
    if cache is None:
        return _hyphenator(language)
    return cache.memo("hyphenators", language, lambda: _hyphenator(language))  # type: ignore[no-any-return]


def _hyphenator(language: str) -> Hyphenator | None:
    import pyphen

    dictionary_name = pyphen.language_fallback(language.replace("-", "_"))
    if dictionary_name is None:
        return None
    dictionary = pyphen.Pyphen(lang=dictionary_name, left=SHORTEST_HEAD, right=SHORTEST_TAIL)

    def breaks(word: str) -> Iterator[tuple[str, str]]:
        if not word.isalpha() or word.isupper():  # acronyms stay whole, as Word's doNotHyphenateCaps says
            return iter(())
        return dictionary.iterate(word)  # type: ignore[no-any-return]

    return breaks
