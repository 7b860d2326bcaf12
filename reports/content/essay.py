"""Reading an essay file — Markdown, Word (DOCX) or plain text — into headings, paragraphs and lists, word for
word, for `reports import` (`reports.content.importer`).

The words stay exactly as written (runs of spaces become one space, a soft line break a space); what the
content format cannot hold is reported, never dropped silently: emphasis and link addresses (the prose is
plain text), images, tables (their rows become list items), code and quotations (kept as paragraphs).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reports.errors import ContentError, Diagnostic

MAX_ESSAY_BYTES = 2 * 1024 * 1024
"""A text or Markdown essay, like a content file, is prose: 2 MiB is far beyond any essay."""
MAX_DOCX_BYTES = 50 * 1024 * 1024
MAX_DOCX_UNPACKED = 200 * 1024 * 1024
"""A Word file may carry images; its parts unpacked are refused beyond this (a zip bomb)."""


@dataclass(frozen=True)
class Block:
    kind: Literal["heading", "paragraph", "items"]
    text: str = ""
    level: int = 1
    items: tuple[str, ...] = ()
    ordered: bool = False


@dataclass
class Essay:
    file: str
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    language: str | None = None
    notes: list[Diagnostic] = field(default_factory=list)
    """What the content format cannot carry, said once per kind and place."""

    def note(self, message: str, line: int = 0) -> None:
        self.notes.append(Diagnostic(message, file=self.file, line=line, severity="note"))


def plain(text: str) -> str:
    """One line of text: runs of whitespace (and soft line breaks) as one space."""
    return " ".join(text.split())


def read_essay(path: Path, display_name: str | None = None) -> Essay:
    """The essay in `path`, by its extension: `.md`/`.markdown`, `.docx`, anything else as plain text."""
    name = display_name or str(path)
    suffix = path.suffix.casefold()
    if suffix == ".docx":
        return read_docx(path, name)
    text = _read_text(path, name)
    if suffix in (".md", ".markdown"):
        return read_markdown(text, name)
    return read_text(text, name)


def _require_file(path: Path, name: str, limit: int) -> None:
    """Refuse, before reading, an essay that is missing, not a file, or larger than `limit` bytes."""
    if not path.is_file():
        raise ContentError([Diagnostic("no such essay file — check the path", file=name)])
    if path.stat().st_size > limit:
        raise ContentError([Diagnostic(f"the essay is over {limit:,} bytes — split it", file=name)])


def _read_text(path: Path, name: str) -> str:
    try:
        _require_file(path, name, MAX_ESSAY_BYTES)
        raw = path.read_bytes()
    except OSError as error:
        raise ContentError([Diagnostic(f"cannot read the essay: {error.strerror or error}", file=name)]) from None
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ContentError([Diagnostic(f"byte 0x{raw[error.start]:02x} is not UTF-8 — save the essay as UTF-8",
                                       file=name, line=line, column=1)]) from None


# --- plain text --------------------------------------------------------------------------------------

_BULLET = re.compile(r"^[-*\u2022\u2013]\s+")
_ENUMERATOR = re.compile(r"^(?:(?P<letter>[a-h])|(?P<roman>[ivx]{1,4})|(?P<number>\d{1,2}))[.)]\s+")
_SENTENCE_END = (".", "!", "?", ":", ";", ",", "\u2026")


def _heading_level(line: str) -> tuple[int, str] | None:
    """(level, text) when a line reads as a heading: short, no closing punctuation, capitalised; `a.`-lettered
    headings are one level below numbered or unmarked ones."""
    text = _BULLET.sub("", line.strip())
    level = 1
    match = _ENUMERATOR.match(text)
    if match:
        level = 2 if match.group("letter") else 1
        text = text[match.end():]
    text = plain(text)
    words = text.split()
    if not words or len(words) > 12 or len(text) > 100 or text.endswith(_SENTENCE_END) or not text[0].isupper():
        return None
    return level, text


def read_text(text: str, file: str = "<essay>") -> Essay:
    """Paragraphs separated by blank lines — or, in a text without blank lines, one paragraph a line; short
    lines without closing punctuation are headings; lines starting with `-`, `*` or `•` are list items."""
    essay = Essay(file)
    lines = text.split("\n")
    chunks: list[list[str]] = []
    if any(not line.strip() for line in lines[1:-1]):
        current: list[str] | None = None
        for line in lines:
            if not line.strip():
                current = None
            elif current is None:
                current = [line]
                chunks.append(current)
            else:
                current.append(line)
    else:
        chunks = [[line] for line in lines if line.strip()]
    for index, chunk in enumerate(chunks):
        heading = _heading_level(chunk[0]) if len(chunk) == 1 and index + 1 < len(chunks) else None
        if heading is not None:
            essay.blocks.append(Block("heading", heading[1], level=heading[0]))
        elif all(_BULLET.match(line.strip()) for line in chunk):
            _add_item(essay, tuple(plain(_BULLET.sub("", line.strip())) for line in chunk))
        else:
            essay.blocks.append(Block("paragraph", plain(" ".join(chunk))))
    _title_from_first_heading(essay)
    return essay


def _add_item(essay: Essay, items: tuple[str, ...], ordered: bool = False) -> None:
    """List lines one after another are one list."""
    last = essay.blocks[-1] if essay.blocks else None
    if last is not None and last.kind == "items" and last.ordered == ordered:
        essay.blocks[-1] = Block("items", items=last.items + items, ordered=ordered)
    else:
        essay.blocks.append(Block("items", items=items, ordered=ordered))


def _title_from_first_heading(essay: Essay) -> None:
    """A text's first line is its title when it reads as a heading."""
    if essay.title is None and essay.blocks and essay.blocks[0].kind == "heading":
        essay.title = essay.blocks.pop(0).text


# --- Markdown ----------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)(?:---|\.\.\.)\n", re.DOTALL)


def read_markdown(text: str, file: str = "<essay>") -> Essay:
    """CommonMark (markdown-it-py): `#` headings, paragraphs, lists; a leading YAML block (pandoc's `title`,
    `subtitle`, `author`, `lang`) gives the title and language; a lone first-level heading is the title."""
    from markdown_it import MarkdownIt

    essay = Essay(file)
    offset = 0
    front = _FRONT_MATTER.match(text)
    if front:
        _front_matter(essay, front.group(1))
        offset = front.group(0).count("\n")
        text = text[front.end():]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    _MarkdownBlocks(essay, offset).read(tokens)
    headings = [block for block in essay.blocks if block.kind == "heading"]
    if essay.title is None and headings and headings[0] is essay.blocks[0] and \
            sum(block.level == headings[0].level for block in headings) == 1 and len(headings) > 1:
        essay.title = headings[0].text
        essay.blocks.pop(0)
    return essay


def _front_matter(essay: Essay, text: str) -> None:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        essay.note("the block between the first `---` lines is not YAML; it was read as text", line=1)
        return
    if not isinstance(data, dict):
        return
    for key in ("title", "subtitle", "author", "lang", "language"):
        value = data.get(key)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        if value is not None:
            setattr(essay, "language" if key == "lang" else key, plain(str(value)))
    for key in sorted(set(data) - {"title", "subtitle", "author", "lang", "language"}):
        essay.note(f"front matter `{key}` has no place in a content draft; add it by hand if it matters", line=1)


class _MarkdownBlocks:
    def __init__(self, essay: Essay, line_offset: int) -> None:
        self.essay = essay
        self.offset = line_offset
        self.noted: set[str] = set()

    def line(self, token: Any) -> int:
        return (token.map[0] + 1 + self.offset) if token.map else 0

    def note_once(self, kind: str, message: str, line: int) -> None:
        if kind not in self.noted:
            self.noted.add(kind)
            self.essay.note(message, line)

    def read(self, tokens: list[Any]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "heading_open":
                self.essay.blocks.append(Block("heading", self.inline(tokens[index + 1]), level=int(token.tag[1])))
                index += 3
            elif kind == "paragraph_open":
                text = self.inline(tokens[index + 1])
                if text:  # a paragraph of an image alone has no words left
                    self.essay.blocks.append(Block("paragraph", text))
                index += 3
            elif kind in ("bullet_list_open", "ordered_list_open"):
                index = self.read_list(tokens, index)
            elif kind == "table_open":
                index = self.read_table(tokens, index)
            elif kind in ("fence", "code_block"):
                self.note_once("code", "a code block became a paragraph of text", self.line(token))
                if token.content.strip():
                    self.essay.blocks.append(Block("paragraph", plain(token.content)))
                index += 1
            elif kind == "html_block":
                self.essay.note("an HTML block is not carried over — add its text by hand", self.line(token))
                index += 1
            else:
                if kind == "blockquote_open":
                    self.note_once("quote", "a quotation became ordinary paragraphs", self.line(token))
                index += 1  # hr, blockquote markers: their paragraphs are read on their own

    def read_list(self, tokens: list[Any], start: int) -> int:
        ordered = tokens[start].type == "ordered_list_open"
        depth, items, index = 0, [], start
        for index in range(start, len(tokens)):
            token = tokens[index]
            if token.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
                if depth == 2:
                    self.note_once("nested", "a nested list was flattened into its parent list", self.line(token))
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
                if depth == 0:
                    break
            elif token.type == "inline":
                items.append(self.inline(token))
        _add_item(self.essay, tuple(item for item in items if item), ordered)
        return index + 1

    def read_table(self, tokens: list[Any], start: int) -> int:
        self.note_once("table", "a table became a list, one item a row (cells joined by ' — ')",
                       self.line(tokens[start]))
        rows: list[str] = []
        cells: list[str] = []
        index = start
        for index in range(start, len(tokens)):
            token = tokens[index]
            if token.type == "inline":
                cells.append(self.inline(token))
            elif token.type == "tr_close":
                rows.append(" \u2014 ".join(cell for cell in cells if cell))
                cells = []
            elif token.type == "table_close":
                break
        _add_item(self.essay, tuple(row for row in rows if row))
        return index + 1

    def inline(self, token: Any) -> str:
        parts: list[str] = []
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif child.type in ("em_open", "strong_open"):
                self.note_once("emphasis", "bold and italic are not carried over: the content's prose is plain text",
                               self.line(token))
            elif child.type == "link_open":
                self.note_once("link", "link addresses are not carried over, only the linked words",
                               self.line(token))
            elif child.type == "image":
                self.essay.note(f"an image ({child.content or 'no alternative text'}) is not carried over",
                                self.line(token))
            elif child.type == "html_inline":
                self.note_once("html", "inline HTML tags were dropped, their text kept", self.line(token))
        return plain("".join(parts))


# --- Word --------------------------------------------------------------------------------------------

_WORD_NAMESPACE = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path, file: str = "<essay>") -> Essay:
    """Paragraphs in document order; `Title` and `Subtitle` styles give the title, `Heading N` the headings
    (levels from 1), list styles or numbering the lists; tables become lists, images are noted."""
    _check_docx(path, file)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ContentError([Diagnostic(f"not a Word document python-docx can read ({error}) — save it as .docx",
                                       file=file)]) from None
    essay = Essay(file)
    properties = document.core_properties
    essay.author = plain(properties.author) or None
    essay.language = plain(properties.language or "") or None
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for number, element in enumerate(document.element.body.iterchildren(), start=1):
        if element.tag == f"{_WORD_NAMESPACE}p":
            _docx_paragraph(essay, Paragraph(element, document), number)
        elif element.tag == f"{_WORD_NAMESPACE}tbl":
            table = Table(element, document)
            essay.note(f"a table (block {number}) became a list, one item a row (cells joined by ' — ')")
            rows = tuple(" \u2014 ".join(plain(cell.text) for cell in row.cells if plain(cell.text))
                         for row in table.rows)
            _add_item(essay, tuple(row for row in rows if row))
    if essay.title is None and properties.title:
        essay.title = plain(properties.title)
    return essay


def _docx_paragraph(essay: Essay, paragraph: Any, number: int) -> None:
    text = plain(paragraph.text)
    style = paragraph.style.name if paragraph.style is not None else ""
    if paragraph._p.xpath(".//w:drawing | .//w:pict"):
        essay.note(f"an image (block {number}) is not carried over")
    if not text:
        return
    heading = re.fullmatch(r"Heading (\d)", style)
    if style == "Title":
        if essay.title is None:
            essay.title = text
        else:
            essay.blocks.append(Block("heading", text, level=1))
    elif style == "Subtitle" and essay.subtitle is None:
        essay.subtitle = text
    elif heading:
        essay.blocks.append(Block("heading", text, level=int(heading.group(1))))
    elif style.startswith("List") or paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
        _add_item(essay, (text,), ordered="Number" in style)
    else:
        essay.blocks.append(Block("paragraph", text))


def _check_docx(path: Path, file: str) -> None:
    """A Word file is a zip: refused unread when it is too large, or would unpack to too much (a zip bomb)."""
    try:
        _require_file(path, file, MAX_DOCX_BYTES)
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ContentError([Diagnostic("not a Word document (.docx is a zip file, this is not) — save it as .docx",
                                       file=file)]) from None
    except OSError as error:
        raise ContentError([Diagnostic(f"cannot read the essay: {error.strerror or error}", file=file)]) from None
    if unpacked > MAX_DOCX_UNPACKED:
        raise ContentError([Diagnostic(f"the Word file unpacks to {unpacked:,} bytes — refused as a zip bomb",
                                       file=file)])
