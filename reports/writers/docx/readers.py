"""What readers of the DOCX other than Word take from its styles: a style map for mammoth, embedded in the file.

mammoth (DOCX → HTML) knows Word's heading styles and lists, and warns about every other paragraph or run
style, which it turns into a plain paragraph: the title, box titles, captions. It reads a style map stored in
the DOCX itself (`mammoth/style-map`, mammoth's `embed_style_map`), so each style this writer uses gets its HTML
meaning here, from the theme's style names: the title is the page's one `h1` and headings nest below it (as in
the tagged PDF), box titles, captions and source lines keep a class, the spacer paragraphs after tables are
dropped. Word ignores the part (Open Packaging Conventions: an unknown relationship is kept, not read);
pandoc maps Title, Subtitle, Caption and the headings itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from docx.document import Document as WordDocument
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from reports.theme.model import Theme
from reports.writers.docx.numbering import LIST_DEPTH

STYLE_MAP_PARTNAME = "/mammoth/style-map"
STYLE_MAP_CONTENT_TYPE = "text/prs.mammoth.style-map"
STYLE_MAP_RELATIONSHIP = "http://schemas.zwobble.org/mammoth/style-map"
"""Where mammoth looks for an embedded style map (its `mammoth.docx.style_map`)."""

_CLASSED = ("subtitle", "byline", "lead", "box-title", "caption", "source", "figure")
"""Paragraph roles that keep their role as the paragraph's class."""
_PLAIN = ("body", "box-text", "table-text", "table-heading")


def _quoted(name: str) -> str:
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def style_map(theme: Theme, paragraph_roles: Iterable[str] = (), span_roles: Iterable[str] = (),
              list_roles: Mapping[str, str] | None = None) -> str:
    """mammoth's style map for the styles this theme names (one rule a line); `list_roles` (role → `ol`/`ul` for
    a role that starts a list item, `li` for one that continues it) keeps those paragraphs in their list."""
    list_roles = list_roles or {}
    name = theme.style_for
    rules = [f"p[style-name={_quoted(name('title'))}] => h1.title:fresh"]
    for level in (1, 2, 3):
        rules.append(f"p[style-name={_quoted(name(f'heading-{level}'))}] => h{level + 1}:fresh")
    rules += [f"p[style-name={_quoted(name(role))}] => p.{role}:fresh" for role in _CLASSED]
    rules += [f"p[style-name={_quoted(name(role))}] => p:fresh" for role in _PLAIN]
    continue_style = name("list-continue")
    for depth in range(1, LIST_DEPTH + 1):
        style = continue_style if depth == 1 else f"{continue_style} {depth}"
        rules.append(f"p[style-name={_quoted(style)}] => ul|ol > li > p:fresh")  # more of the open item
    rules.append(f"p[style-name={_quoted(name('table-spacing'))}] => !")  # the gap after a table: no content
    known = set(_CLASSED + _PLAIN) | {"title", "heading-1", "heading-2", "heading-3", "bullet", "number",
                                       "table-bullet", "table-number"}
    for role in sorted(set(paragraph_roles) - known):  # a template's own roles (`{.answer}`)
        html_class = _css_class(role)
        where = list_roles.get(role)
        if where == "li":  # more of the open item, as List Continue
            rules.append(f"p[style-name={_quoted(name(role))}] => ul|ol > li > p.{html_class}:fresh")
        elif where:  # starts an item of its (numbered or bulleted) list
            rules.append(f"p[style-name={_quoted(name(role))}] => {where} > li:fresh")
        else:
            rules.append(f"p[style-name={_quoted(name(role))}] => p.{html_class}:fresh")
    rules.append(f"r[style-name={_quoted(name('caption-label'))}] => strong")
    for role in sorted(set(span_roles)):
        look = theme.look(role)
        html = "strong" if look.bold else "em" if look.italic else f"span.{_css_class(role)}"
        rules.append(f"r[style-name={_quoted(name(role))}] => {html}")
    return "\n".join(rules) + "\n"


def _css_class(role: str) -> str:
    return "".join(character if character.isalnum() or character == "-" else "-" for character in role) or "role"


def embed_style_map(word: WordDocument, text: str) -> None:
    """Add the style map to the package, related from the package as mammoth looks for it."""
    package = word.part.package
    part = Part(PackURI(STYLE_MAP_PARTNAME), STYLE_MAP_CONTENT_TYPE, text.encode("utf-8"), package)
    package.relate_to(part, STYLE_MAP_RELATIONSHIP)
