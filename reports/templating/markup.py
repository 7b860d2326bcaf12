"""Parse the light markup templates produce into the document tree, once, for every format.

The markup is CommonMark (markdown-it-py, raw HTML off) plus two extensions that pandoc and MyST users know:

* fenced directives, `::: name key=value …` … `:::` (more colons to nest):
  `figure chart=NAME [width=0.8] [id=…] [alt="…"]` — first paragraph is the caption, a paragraph
  marked `{.source}` the source line; `table [widths="2 3 3"] [header-rows=1] [header-columns=0] [id=…]` —
  the caption, then a list of lists, one inner list per row (docutils' list-table); any other name is a `Div`
  with that role (`key-facts`, `summary`, `title-block`, …);
* block attributes `{.role}` on the line before a paragraph, which becomes its style role.

`---` (a thematic break) is a page break.

Typography (`quotes`): straight quotes and apostrophes become the document language's curly ones, here,
once, so every format gets the same characters while the content keeps what its author typed. It is
markdown-it's `smartquotes` rule (pandoc's `smart` extension does the same), run after escapes are joined
into the text: everything a template prints from the content arrives escaped (`escape_markdown`), and a
`\"` would otherwise stay straight. Code keeps its quotes; no other replacement (`--`, `(c)`) is made.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from reports.document import nodes
from reports.document.construct import make_table
from reports.errors import Diagnostic, TemplateError

if TYPE_CHECKING:
    from markdown_it.token import Token

    from reports.charts.spec import ChartSpec
    from reports.theme.images import NamedImage

_ALLOWED_LINK_PREFIXES = ("https://", "http://", "mailto:", "#")


def _markdown(quotes: str = "") -> object:
    """The parser; with `quotes` (opening and closing double, then single quote), curly quotes too."""
    from markdown_it import MarkdownIt
    from markdown_it.rules_core.text_join import text_join
    from mdit_py_plugins.attrs import attrs_block_plugin
    from mdit_py_plugins.container import container_plugin

    options: dict[str, object] = {"html": False, "typographer": bool(quotes), "linkify": False}
    if quotes:
        options["quotes"] = quotes
    parser = MarkdownIt("commonmark", options).enable("table")
    if quotes:
        parser.enable("smartquotes")
        # escapes joined into the text first, so escaped (content) quotes are curled as well
        parser.core.ruler.before("smartquotes", "join_escapes_first", text_join)
    container_plugin(parser, name="directive", marker=":", validate=lambda *_: True)
    attrs_block_plugin(parser)
    return parser


def smarten(text: str, quotes: str) -> str:
    """Plain text (a title written into file metadata) with the quotes the markup would give it."""
    if not quotes or ("'" not in text and '"' not in text):
        return text
    from markdown_it.rules_core.smartquotes import process_inlines
    from markdown_it.rules_core.state_core import StateCore
    from markdown_it.token import Token

    token = Token("text", "", 0, content=text)
    process_inlines([token], StateCore(text, _markdown(quotes), {}))  # type: ignore[arg-type]
    return token.content


@dataclass
class _Cursor:
    tokens: list[Token]
    position: int = 0

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token


class MarkupParser:
    """One parse of one rendered template; `source` names it in error messages."""

    def __init__(self, charts: dict[str, ChartSpec], source: str, images: dict[str, NamedImage] | None = None,
                 lines: Sequence[nodes.SourcePosition | None] = (), quotes: str = "") -> None:
        self.charts = charts
        self.quotes = quotes
        """Opening and closing double, then single quote of the document's language; empty: quotes as typed."""
        self.images = images or {}
        self.source = source
        self.lines = lines
        """The template position of each line of the markup (index 0: line 1), when the renderer knows it."""
        self.problems: list[Diagnostic] = []

    def parse(self, text: str) -> tuple[nodes.Block, ...]:
        tokens = _markdown(self.quotes).parse(text)  # type: ignore[attr-defined]
        blocks = self._blocks(_Cursor(tokens), closing=None)
        if self.problems:
            raise TemplateError(self.problems)
        return blocks

    def _position(self, token: Token) -> nodes.SourcePosition | None:
        """The template line a block token's first markup line came from."""
        if not token.map or token.map[0] >= len(self.lines):
            return None
        return self.lines[token.map[0]]

    def _problem(self, token: Token | None, message: str) -> None:
        line = token.map[0] + 1 if token is not None and token.map else 0
        self.problems.append(Diagnostic(message, file=f"{self.source} (rendered markup)", line=line, column=1))

    # --- blocks ---------------------------------------------------------------------------------

    def _blocks(self, cursor: _Cursor, closing: str | None) -> tuple[nodes.Block, ...]:
        blocks: list[nodes.Block] = []
        while (token := cursor.peek()) is not None:
            if closing is not None and token.type == closing:
                cursor.take()
                break
            block = self._block(cursor)
            if block is not None:
                blocks.append(block)
        return tuple(blocks)

    def _block(self, cursor: _Cursor) -> nodes.Block | None:
        token = cursor.take()
        kind = token.type
        position = self._position(token)
        if kind == "heading_open":
            level = int(token.tag[1:])
            content = self._inline(cursor.take())
            cursor.take()  # heading_close
            if level > 3:
                self._problem(token, f"heading level {level} is deeper than the 3 levels documents use — use ### at most")
                level = 3
            return nodes.Heading(level=level, content=content, position=position)
        if kind == "paragraph_open":
            content = self._inline(cursor.take())
            cursor.take()  # paragraph_close
            role = str(token.attrs.get("class", "")).split(" ")[0] if token.attrs else ""
            return nodes.Paragraph(content=content, role=role, position=position)
        if kind in ("bullet_list_open", "ordered_list_open"):
            closing = kind.replace("_open", "_close")
            items: list[nodes.ListItem] = []
            while (inner := cursor.peek()) is not None and inner.type != closing:
                cursor.take()  # list_item_open
                items.append(nodes.ListItem(self._blocks(cursor, "list_item_close")))
            cursor.take()
            return nodes.BulletList(items=tuple(items), ordered=kind == "ordered_list_open", position=position)
        if kind == "container_directive_open":
            block = self._directive(token, cursor)
            return dataclasses.replace(block, position=position) if block is not None else None
        if kind == "blockquote_open":
            return nodes.Div(role="quote", blocks=self._blocks(cursor, "blockquote_close"), position=position)
        if kind in ("fence", "code_block"):
            return nodes.Paragraph(content=(nodes.Text(token.content.rstrip("\n")),), role="code", position=position)
        if kind == "hr":
            return nodes.PageBreak(position=position)
        if kind == "table_open":
            return dataclasses.replace(self._pipe_table(cursor), position=position)
        self._problem(token, f"unsupported markup '{kind}'")
        return None

    def _pipe_table(self, cursor: _Cursor) -> nodes.Table:
        header: list[nodes.TableRow] = []
        body: list[nodes.TableRow] = []
        target = header
        cells: list[nodes.TableCell] = []
        while (token := cursor.take()).type != "table_close":
            if token.type == "tbody_open":
                target = body
            elif token.type == "tr_open":
                cells = []
            elif token.type in ("th_open", "td_open"):
                content = self._inline(cursor.take())
                cells.append(nodes.TableCell((nodes.Paragraph(content),) if content else ()))
            elif token.type == "tr_close":
                target.append(nodes.TableRow(tuple(cells)))
        return make_table(tuple(header), tuple(body))

    def _directive(self, token: Token, cursor: _Cursor) -> nodes.Block | None:
        try:
            words = shlex.split(token.info.strip())
        except ValueError as error:
            self._problem(token, f"cannot read directive '{token.info.strip()}': {error}")
            words = ["div"]
        name = words[0] if words else "div"
        options: dict[str, str] = {}
        for word in words[1:]:
            key, separator, value = word.partition("=")
            if not separator:
                self._problem(token, f"directive option '{word}' needs a value (key=value)")
                continue
            options[key] = value
        body = self._blocks(cursor, "container_directive_close")
        if name == "figure":
            return self._figure(token, options, body)
        if name == "table":
            return self._list_table(token, options, body)
        if options:
            self._problem(token, f"'{name}' takes no options (got {', '.join(options)})")
        return nodes.Div(role=name, blocks=body)

    def _figure(self, token: Token, options: dict[str, str], body: tuple[nodes.Block, ...]) -> nodes.Figure | None:
        unknown = set(options) - {"chart", "image", "width", "id", "alt"}
        if unknown:
            self._problem(token, f"figure: unknown option(s) {', '.join(sorted(unknown))} — use chart, image, width, id, alt")
        image = None
        spec = None
        if "image" in options:
            image = self.images.get(options["image"])
            if image is None:
                known = ", ".join(sorted(self.images)) or "none (set `logo:` in theme.yaml)"
                self._problem(token, f"figure: no image named '{options['image']}' — images available: {known}")
                return None
        else:
            chart_name = options.get("chart", "")
            spec = self.charts.get(chart_name)
            if spec is None:
                known = ", ".join(sorted(self.charts)) or "none"
                self._problem(token, f"figure: no chart named '{chart_name}' — charts available: {known}")
                return None
        try:
            width = float(options.get("width", "1"))
        except ValueError:
            width = 0
        if not 0 < width <= 1:
            self._problem(token, "figure: width must be a fraction of the text width in (0, 1]")
            width = 1.0
        caption: nodes.Caption | None = None
        source: tuple[nodes.Inline, ...] = ()
        for block in body:
            if isinstance(block, nodes.Paragraph) and block.role == "source":
                source = block.content
            elif isinstance(block, nodes.Paragraph) and caption is None:
                caption = nodes.Caption(kind="figure", content=block.content)
            else:
                self._problem(token, "figure: only a caption paragraph and a {.source} paragraph may follow")
        alt = options["alt"] if "alt" in options else (spec.alt if spec is not None else image.alt if image is not None else "")
        if not alt.strip():
            self._problem(token, "figure: alternative text is empty — describe the figure for screen readers (alt=…)")
            return None
        return nodes.Figure(alt=alt, chart=spec, image=image.picture if image is not None else None, width=width,
                            caption=caption, source=source, id=options.get("id", ""))

    def _list_table(self, token: Token, options: dict[str, str], body: tuple[nodes.Block, ...]) -> nodes.Table | None:
        unknown = set(options) - {"widths", "header-rows", "header-columns", "id", "role"}
        if unknown:
            self._problem(token, f"table: unknown option(s) {', '.join(sorted(unknown))} — use widths, header-rows, "
                                 "header-columns, id, role")
        caption: nodes.Caption | None = None
        rows: list[nodes.TableRow] = []
        for block in body:
            if isinstance(block, nodes.Paragraph) and not rows and caption is None:
                caption = nodes.Caption(kind="table", content=block.content)
            elif isinstance(block, nodes.BulletList) and not rows:
                for item in block.items:
                    inner = item.blocks[0] if len(item.blocks) == 1 else None
                    if not isinstance(inner, nodes.BulletList):
                        self._problem(token, "table: each row must be a list of cells (`* - cell`)")
                        return None
                    rows.append(nodes.TableRow(tuple(nodes.TableCell(cell.blocks) for cell in inner.items)))
            else:
                self._problem(token, "table: expected a caption paragraph, then one list of rows")
                return None
        try:
            header_count = int(options.get("header-rows", "1"))
            header_columns = int(options.get("header-columns", "0"))
            widths = tuple(float(part) for part in options["widths"].split()) if "widths" in options else None
        except ValueError:
            self._problem(token, "table: header-rows and header-columns must be whole numbers and widths numbers "
                                 "separated by spaces")
            return None
        if widths is not None and any(width <= 0 for width in widths):
            self._problem(token, "table: widths must be positive")
            return None
        return make_table(
            tuple(rows[:header_count]),
            tuple(rows[header_count:]),
            column_widths=widths,
            caption=caption,
            id=options.get("id", ""),
            role=options.get("role", ""),
            header_columns=header_columns,
        )

    # --- inlines --------------------------------------------------------------------------------

    def _inline(self, token: Token) -> tuple[nodes.Inline, ...]:
        stack: list[tuple[str, str, list[nodes.Inline]]] = [("root", "", [])]
        for child in token.children or []:
            kind = child.type
            current = stack[-1][2]
            if kind == "text" or kind == "code_inline":
                if not child.content:
                    continue
                if current and isinstance(current[-1], nodes.Text):
                    current[-1] = nodes.Text(current[-1].text + child.content)
                else:
                    current.append(nodes.Text(child.content))
            elif kind == "softbreak":
                if current and isinstance(current[-1], nodes.Text):
                    current[-1] = nodes.Text(current[-1].text + " ")
                else:
                    current.append(nodes.Text(" "))
            elif kind == "hardbreak":
                current.append(nodes.LineBreak())
            elif kind in ("em_open", "strong_open"):
                stack.append((kind, "", []))
            elif kind == "link_open":
                target = str(child.attrs.get("href", ""))
                if not target.startswith(_ALLOWED_LINK_PREFIXES):
                    self._problem(token, f"link target '{target}' is not allowed — use https:, mailto: or #id")
                stack.append((kind, target, []))
            elif kind in ("em_close", "strong_close", "link_close"):
                opened, target, content = stack.pop()
                node: nodes.Inline
                if opened == "em_open":
                    node = nodes.Emphasis(tuple(content))
                elif opened == "strong_open":
                    node = nodes.Strong(tuple(content))
                else:
                    node = nodes.Link(target, tuple(content))
                stack[-1][2].append(node)
            elif kind == "image":
                self._problem(token, "images are placed with `::: figure`, not inline")
            else:
                self._problem(token, f"unsupported inline markup '{kind}'")
        return tuple(stack[0][2])


def parse_markup(
    text: str, charts: dict[str, ChartSpec], source: str, images: dict[str, NamedImage] | None = None,
    lines: Sequence[nodes.SourcePosition | None] = (), quotes: str = "",
) -> tuple[nodes.Block, ...]:
    """The blocks of rendered markup; `quotes`: the language's curly quotes for straight ones (see the module)."""
    return MarkupParser(charts, source, images, lines, quotes).parse(text)


_MARKDOWN_SPECIAL = frozenset(string.punctuation)
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\t][ \t\r\n]*")


def escape_markdown(text: str) -> str:
    """Make any text literal in CommonMark: backslash-escape every ASCII punctuation that could act.

    Used as the template environment's `finalize`, so every `{{ value }}` a template prints arrives
    in the tree exactly as written in the content, whatever characters it holds. Runs of white
    space become one space (a blank line inside a value must not end the paragraph).
    """
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in _LINE_BREAKS.sub(" ", text))
