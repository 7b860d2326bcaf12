"""Inline markup for the PDF writer: each `Text` escaped exactly once, emphasis, spans, links, in the face it is
set in (a mixin of `writer.PdfWriter`).

reportlab's Paragraph parses a mini-XML, so an unescaped `&` corrupts text and `<` crashes or reads files:
`escape_markup` is the one place text becomes markup. Each text is checked against the face it is drawn in
(`characters`) as it is set.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Callable

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph as PdfParagraph

from reports.document.nodes import Emphasis, Inline, LineBreak, Link, Span, Strong, Text
from reports.document.traversal import plain_text
from reports.errors import Diagnostic
from reports.theme.model import Theme
from reports.writers.pdf.characters import CharacterCheck
from reports.writers.pdf.structure import StructureTree
from reports.writers.pdf.styles import FontFaces, PdfStyles, ThemeFonts

EXTERNAL_SCHEMES = ("https:", "http:", "mailto:")
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def escape_markup(text: str) -> str:
    """Literal text → reportlab paragraph markup. The one place text is escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def anchor_key(identifier: str) -> str:
    """A PDF destination name for a document id (ids are slugs; anything else is hashed to stay valid)."""
    if _SAFE_KEY.match(identifier):
        return identifier
    return "id-" + hashlib.sha256(identifier.encode()).hexdigest()[:16]


class InlineMarkup:
    """Inline visitors: each returns reportlab paragraph markup for its node."""

    theme: Theme
    styles: PdfStyles
    fonts: ThemeFonts
    characters: CharacterCheck
    _faces: list[tuple[FontFaces, bool, bool]]
    _problems: dict[tuple[str, str], Diagnostic]
    _placed_anchors: set[str]
    _link_targets: dict[str, str]
    _structure: StructureTree

    visit: Callable[[Any], Any]

    def make_paragraph(self, markup: str, style: ParagraphStyle) -> PdfParagraph:
        raise NotImplementedError  # the writer's extension point

    def text_set(self, text: str, faces: FontFaces, bold: bool, italic: bool) -> None:
        raise NotImplementedError  # the writer's extension point

    def _paragraph(self, content: tuple[Inline, ...], style: ParagraphStyle, anchor: str = "") -> PdfParagraph | None:
        self._faces.append(self._faces_for(style.fontName))
        try:
            markup = self._inlines(content)
        finally:
            self._faces.pop()
        if not markup.strip():
            return None
        if anchor:
            markup = f'<a name="{escape_markup(anchor)}"/>' + markup
            self._placed_anchors.add(anchor)
        return self.make_paragraph(markup, style)

    def _inlines(self, content: tuple[Inline, ...]) -> str:
        return "".join(self.visit(inline) for inline in content)

    def visit_text(self, node: Text) -> str:
        faces, bold, italic = self._faces[-1]
        for character, problem in self.characters.problems(node.text, faces, bold, italic):
            self._problems.setdefault((character, faces.face(bold, italic)), problem)
        self.text_set(node.text, faces, bold, italic)
        return self.text_markup(node.text, faces, bold, italic)

    def text_markup(self, text: str, faces: FontFaces, bold: bool, italic: bool) -> str:
        """A text as paragraph markup in the face it is set in, escaped once; runs of characters the face lacks in
        a fallback font (`fallback`)."""
        fallback = self.fonts.fallback
        if fallback is None:
            return escape_markup(text)
        return fallback.markup(text, faces.face(bold, italic))

    def visit_emphasis(self, node: Emphasis) -> str:
        return self._styled(node.content, "<i>", "</i>", italic=True)

    def visit_strong(self, node: Strong) -> str:
        return self._styled(node.content, "<b>", "</b>", bold=True)

    def visit_span(self, node: Span) -> str:
        if node.role not in self.theme.roles:  # a role the theme does not style: its text as it is
            return self._inlines(node.content)
        look = self.theme.look(node.role)  # a character look: only its face and colour apply
        opening, closing = "", ""
        if look.colour != self.theme.colours.text:
            opening, closing = f'<font color="{look.colour}">', "</font>"
        if look.bold:
            opening, closing = opening + "<b>", "</b>" + closing
        if look.italic:
            opening, closing = opening + "<i>", "</i>" + closing
        return self._styled(node.content, opening, closing, bold=look.bold, italic=look.italic)

    def visit_line_break(self, node: LineBreak) -> str:
        return "<br/>"

    def visit_link(self, node: Link) -> str:
        target = node.target.strip()
        colour = self.theme.look("hyperlink").colour
        if not node.content:  # a bare link shows its address
            node = Link(node.target, (Text(target.removeprefix("mailto:")),))
        # underlined as well as coloured, as Word's Hyperlink style: a link is never told by colour alone
        self._structure.link_texts.setdefault(  # describes the link's annotation
            "#" + anchor_key(target[1:]) if target.startswith("#") else target, " ".join(plain_text(node).split()))
        if target.startswith("#"):
            key = anchor_key(target[1:])
            self._link_targets.setdefault(key, target)
            return f'<a href="#{escape_markup(key)}" color="{colour}"><u>{self._inlines(node.content)}</u></a>'
        if target.lower().startswith(EXTERNAL_SCHEMES):
            return (f'<a href="{escape_markup(target)}" color="{colour}">'
                    f"<u>{self._inlines(node.content)}</u></a>")
        return self._inlines(node.content)  # other schemes are never made clickable

    def _styled(self, content: tuple[Inline, ...], opening: str, closing: str, bold: bool = False,
                italic: bool = False) -> str:
        self._faces.append(self._with(bold=bold, italic=italic))
        try:
            return opening + self._inlines(content) + closing
        finally:
            self._faces.pop()

    # --- fonts and styles ---------------------------------------------------------------------

    def _style(self, name: str) -> ParagraphStyle:
        paragraphs = self.styles.paragraphs
        return paragraphs.get(name) or paragraphs[self.theme.style_for("body")]

    def _faces_for(self, font_name: str) -> tuple[FontFaces, bool, bool]:
        return self.fonts.faces_of(font_name)

    def _with(self, bold: bool = False, italic: bool = False) -> tuple[FontFaces, bool, bool]:
        faces, current_bold, current_italic = self._faces[-1]
        return faces, current_bold or bold, current_italic or italic
