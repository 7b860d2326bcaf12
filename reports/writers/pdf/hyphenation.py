"""Hyphenation in the document's language for the PDF: pyphen's dictionaries (the LibreOffice hyphenation
patterns, so a DOCX opened in LibreOffice breaks the same words) at reportlab's line breaking.

Words are broken while lines are laid out, never in the text itself, and the hyphen the layout adds is an
ordinary one, which text extraction knows to remove: poppler's `pdftotext` joins a word that ends a line with
`-` to the next line's first word (it does not for U+00AD or U+2010). For the structure's text (what a screen
reader reads), `TypesetParagraph` marks the lines that end with a broken word as it draws them: the canvas
then adds no word space after the hyphen (`tagging_canvas`), and the paragraph's structure element gets its
whole text as `/ActualText` (ISO 32000-1, 14.9.4), so assistive technology reads "ekonomi", not "eko-nomi". A
hyphen the author wrote at a line end stays text.

Only plain words are broken: a word with a digit, an apostrophe or a hyphen of its own stays whole; so does a
word in capitals (an acronym).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.platypus import Paragraph

from reports.cache import Cache

Hyphenator = Callable[[str], Iterator[tuple[str, str]]]
"""A word → its possible (head, tail) breaks, the longest head first (what reportlab's `hyphenationLang` takes)."""

BROKEN_WORD_MARK = "\u2060"
"""WORD JOINER, after the hyphen of a broken word in the text handed to the canvas, which removes it: it never
reaches the file (`tagging_canvas._SpacedText`)."""

LONGEST_HYPHENATED = 40
"""Longer words are not hyphenated: no word of running text is, and reportlab lays out the breaks of a word
longer than the line (a pasted URL, a hostile 'word' of 2000 letters) past the right margin; its own
`splitLongWords` cuts such a word at the line's end instead."""

SHORTEST_HEAD = 2
SHORTEST_TAIL = 3
"""Letters a broken word keeps at least before and after the break (two-letter tails read badly)."""

_BROKEN_HEADS = ("_SplitWordHY", "_SHYSplitHY")
"""reportlab's classes of the first part of a word it hyphenated, ending with the hyphen it added."""

_AUTHORED = re.compile(r"(\S+-)(?=\s|$)")
"""A word the author ended with a hyphen ("pra- dan pascaperang")."""


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
        if not word.isalpha() or word.isupper() or len(word) > LONGEST_HYPHENATED:  # acronyms stay whole, as
            # Word's doNotHyphenateCaps says
            return iter(())
        return dictionary.iterate(word)  # type: ignore[no-any-return]

    return breaks


class TypesetParagraph(Paragraph):  # type: ignore[misc]
    """reportlab's paragraph, telling the canvas which lines end with a word the layout broke."""

    broke_words = False
    """Set when a line it drew ended with a broken word (its structure element then gets `/ActualText`)."""
    keep_whole_below = 0.0
    """Word's "keep lines together": a paragraph no taller than this (a page's frame) is never split — it moves
    to the next page whole; 0: split as reportlab does."""

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        if self.keep_whole_below:
            _, height = self.wrap(availWidth, availHeight)
            if height <= self.keep_whole_below:
                return []
        return super().split(availWidth, availHeight)  # type: ignore[no-any-return]

    def drawPara(self, debug: int = 0) -> None:
        blPara = getattr(self, "blPara", None)
        if blPara is None:
            super().drawPara(debug)
            return
        lines = blPara.lines
        drawn = lines
        if self.style.alignment == TA_JUSTIFY:
            drawn = _without_overstretched_lines(drawn, blPara.kind, self.style.fontSize)
        if getattr(self.style, "hyphenationLang", ""):
            marked = _mark_broken_words(drawn, blPara.kind, self)
            self.broke_words = marked is not drawn
            drawn = marked
        if drawn is lines:
            super().drawPara(debug)
            return
        blPara.lines = drawn
        try:
            super().drawPara(debug)
        finally:
            blPara.lines = lines


MAX_WORD_SPACE_STRETCH = 1.0
"""Most a justified line's word space may grow, in ems; a line that would need more (a few words before a long
one that did not fit) is set ragged instead, as TeX does with an underfull line: gaps that wide read as
columns, to a reader's eye and to text extraction (pdftotext took such a line's words for a table)."""


def _without_overstretched_lines(lines: list[Any], kind: int, font_size: float) -> list[Any]:
    """The lines, with those whose word spaces would stretch beyond `MAX_WORD_SPACE_STRETCH` set unjustified (no
    extra space); the same list when none would."""
    limit = MAX_WORD_SPACE_STRETCH * font_size
    drawn: list[Any] = []
    changed = False
    for line in lines:
        if kind == 0:
            extra, words = line[0], line[1]
            if len(words) > 1 and extra / (len(words) - 1) > limit:
                line = (0, *line[1:])
                changed = True
        else:
            extra = getattr(line, "extraSpace", 0) or 0
            gaps = max(getattr(line, "wordCount", 1) - 1, 0)
            if gaps and extra / gaps > getattr(line, "fontSize", font_size) * MAX_WORD_SPACE_STRETCH:
                line = line.clone(extraSpace=0)
                changed = True
        drawn.append(line)
    return drawn if changed else lines


def _mark_broken_words(lines: list[Any], kind: int, paragraph: Paragraph) -> list[Any]:
    """The lines as drawn: one that ends with a word the layout broke has `BROKEN_WORD_MARK` after the hyphen;
    the same list when none does."""
    drawn: list[Any] = []
    authored: set[str] | None = None
    changed = False
    for line in lines:
        if kind == 0:  # (free space, words): the broken word's class says so
            words = line[1]
            if words and type(words[-1]).__name__ in _BROKEN_HEADS and words[-1].endswith("-"):
                line = (line[0], list(words[:-1]) + [str(words[-1]) + BROKEN_WORD_MARK], *line[2:])
                changed = True
        else:  # a line of styled fragments: the class is gone, the text tells the author's hyphens apart
            words = list(getattr(line, "words", None) or ())
            index = next((index for index in range(len(words) - 1, -1, -1) if getattr(words[index], "text", "")),
                         None)  # empty fragments (a link's end) may follow the last text
            last = words[index] if index is not None else None
            text = getattr(last, "text", "")
            if index is not None and last is not None and isinstance(text, str) and text.endswith("-") \
                    and text[-2:-1].isalpha():
                if authored is None:
                    authored = set(_AUTHORED.findall(paragraph.getPlainText()))
                if text.split()[-1] not in authored:
                    words[index] = last.clone(text=text + BROKEN_WORD_MARK)
                    line = line.clone(words=words)
                    changed = True
        drawn.append(line)
    return drawn if changed else lines
