"""PDF fonts and styles built from the theme, fresh for each render (reportlab style objects are mutable).

Fonts are the theme's TrueType files, registered with reportlab under names derived from the files and
grouped into font families, so `<b>`/`<i>` in paragraph markup pick the bold and italic faces. No
standard-14 font is ever named: every style, bullet and table cell names a theme font.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from reports.cache import Cache
from reports.errors import AssetError, Diagnostic
from reports.theme.model import FontFamily, Theme, resolve_font_file
from reports.theme.scale import ResolvedLook

if TYPE_CHECKING:
    from reports.writers.pdf.fallback import FallbackFonts

# --- fonts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFaces:
    """The four registered faces of one theme font family."""

    display_name: str
    """The family name the theme gives (`DejaVu Serif`), for messages."""
    regular: str
    bold: str
    italic: str
    bold_italic: str
    files: dict[str, Path] = field(default_factory=dict, compare=False)
    """Registered face name → TrueType file."""

    def face(self, bold: bool, italic: bool) -> str:
        if bold and italic:
            return self.bold_italic
        if bold:
            return self.bold
        return self.italic if italic else self.regular

    def ttfont(self, bold: bool, italic: bool) -> TTFont:
        return pdfmetrics.getFont(self.face(bold, italic))

    def covers(self, character: str, bold: bool = False, italic: bool = False) -> bool:
        """True when the face has a glyph for the character (looked up in the TrueType cmap)."""
        return ord(character) in self.ttfont(bold, italic).face.charToGlyph


@dataclass(frozen=True)
class ThemeFonts:
    body: FontFaces
    heading: FontFaces
    fallback: FallbackFonts | None = field(default=None, compare=False)
    """What sets the characters these faces lack (`writers.pdf.fallback`); None: nothing does."""

    def faces_of(self, font_name: str) -> tuple[FontFaces, bool, bool]:
        """The family, bold and italic flags of a registered face name used by a style."""
        for faces in (self.body, self.heading):
            for bold in (False, True):
                for italic in (False, True):
                    if faces.face(bold, italic) == font_name:
                        return faces, bold, italic
        raise KeyError(font_name)


def _register_face(path: Path, theme_file: Path) -> str:
    """Register one TrueType file and return its reportlab name (stable across renders and processes)."""
    base = re.sub(r"[^A-Za-z0-9_-]", "", path.stem) or "Font"
    name = base
    registered = pdfmetrics.getRegisteredFontNames()
    if name in registered:
        existing = pdfmetrics.getFont(name)
        if Path(getattr(existing.face, "filename", "")) == path:
            return name
        # a different file with the same stem (another theme): keep both, apart
        name = f"{base}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"
        if name in registered:
            return name
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError, KeyError, ValueError, IndexError, struct.error) as error:
        # reportlab reports a missing table as KeyError and a truncated one as struct.error, not TTFError
        raise AssetError([Diagnostic(f"font file '{path.name}' cannot be used for PDF ({error}) — use a TrueType "
                                     f"(.ttf) font that allows embedding", file=str(theme_file))]) from None
    return name


def register_family(family: FontFamily, theme_folder: Path, cache: Cache | None = None) -> FontFaces:
    """Register a theme font family's four faces and the family mapping that `<b>`/`<i>` use."""
    theme_file = theme_folder / "theme.yaml"
    files = {
        style: resolve_font_file(getattr(family, style), theme_folder, cache)
        for style in ("regular", "bold", "italic", "bold_italic")
    }
    names = {style: _register_face(path, theme_file) for style, path in files.items()}
    pdfmetrics.registerFontFamily(
        names["regular"], normal=names["regular"], bold=names["bold"], italic=names["italic"],
        boldItalic=names["bold_italic"],
    )
    return FontFaces(
        display_name=family.name,
        regular=names["regular"],
        bold=names["bold"],
        italic=names["italic"],
        bold_italic=names["bold_italic"],
        files={names[style]: path for style, path in files.items()},
    )


def register_theme_fonts(theme: Theme, theme_folder: Path, cache: Cache | None = None,
                         fallback: FallbackFonts | None = None) -> ThemeFonts:
    """Register the theme's body and heading fonts with reportlab (idempotent)."""
    return ThemeFonts(body=register_family(theme.body_font, theme_folder, cache),
                      heading=register_family(theme.heading_font, theme_folder, cache), fallback=fallback)


# --- colours and styles -------------------------------------------------------------------------


@dataclass(frozen=True)
class Palette:
    text: Color
    primary: Color
    accent: Color
    muted: Color
    rule: Color
    box_background: Color
    table_header_text: Color
    table_stripe: Color

    @classmethod
    def from_theme(cls, theme: Theme) -> Palette:
        c = theme.colours
        return cls(*(HexColor(value) for value in (c.text, c.primary, c.accent, c.muted, c.rule, c.box_background,
                                                   c.table_header_text, c.table_stripe)))


PARAGRAPH_ROLES = (
    "body", "title", "subtitle", "byline", "source", "lead", "caption", "heading-1", "heading-2", "heading-3",
    "bullet", "number", "list-continue", "box-title", "box-text", "table-text", "table-heading", "table-bullet",
    "table-number",
)
"""Roles the PDF writer sets paragraphs in (each from the theme's look of that role: `Theme.look`)."""

_ALIGNMENTS = {"left": TA_LEFT, "justify": TA_JUSTIFY, "center": TA_CENTER, "right": TA_RIGHT}


@dataclass(frozen=True)
class PdfStyles:
    """Everything the PDF writer draws with, built from one theme."""

    theme: Theme
    fonts: ThemeFonts
    palette: Palette
    paragraphs: dict[str, ParagraphStyle]
    """Style name (`theme.style_for(role)`) → paragraph style."""
    keeps_with_next: frozenset[str]
    """Style names whose paragraphs stay on the page of the block that follows (the role's `keep_with_next`)."""
    keeps_together: frozenset[str]
    """Style names whose paragraphs are never split across pages (the role's `keep_together`)."""
    font_size: float
    leading: float
    page_size: tuple[float, float]
    """Points."""
    margins: tuple[float, float, float, float]
    """Top, right, bottom, left in points."""

    @property
    def frame_width(self) -> float:
        return self.page_size[0] - self.margins[1] - self.margins[3]

    @property
    def frame_height(self) -> float:
        return self.page_size[1] - self.margins[0] - self.margins[2]


def face_of(fonts: ThemeFonts, look: ResolvedLook, bold: bool | None = None, italic: bool | None = None) -> str:
    """The registered face a look sets its text in."""
    family = fonts.heading if look.font == "heading" else fonts.body
    return family.face(look.bold if bold is None else bold, look.italic if italic is None else italic)


def paragraph_style(name: str, look: ResolvedLook, fonts: ThemeFonts, hyphenator: object = None) -> ParagraphStyle:
    """A fresh paragraph style with a role's look (its numbers come from the theme: `Theme.look`)."""
    return ParagraphStyle(
        name,
        fontName=face_of(fonts, look),
        fontSize=look.size,
        leading=look.leading,
        textColor=HexColor(look.colour),
        bulletFontName=fonts.body.regular,  # never reportlab's default (a standard-14 font)
        bulletFontSize=look.size,
        alignment=_ALIGNMENTS[look.align],
        spaceBefore=look.before,
        spaceAfter=look.after,
        # never in the style: the parts of a paragraph split across pages are made from its style, and a part
        # at the end of the story that keeps with a next one that does not exist makes reportlab wrap it in a
        # group for ever; the writer marks the paragraphs themselves (`PdfStyles.keeps_with_next`)
        keepWithNext=0,
        allowWidows=0,
        allowOrphans=0,
        splitLongWords=1,
        hyphenationLang=hyphenator if look.hyphenate and hyphenator is not None else "",
    )


def build_styles(theme: Theme, fonts: ThemeFonts, hyphenator: object = None) -> PdfStyles:
    """Fresh paragraph styles for one render, named as the theme names them, from the theme's looks.

    `hyphenator` breaks a word for roles that hyphenate (`reports.writers.pdf.hyphenation`); None: no role does.
    """
    # the writer's own roles, then any other role the theme gives a look (a template's `{.answer-line}`)
    roles = PARAGRAPH_ROLES + tuple(role for role in theme.roles if role not in PARAGRAPH_ROLES)
    paragraphs = {theme.style_for(role): paragraph_style(theme.style_for(role), theme.look(role), fonts, hyphenator)
                  for role in roles}
    width_mm, height_mm = theme.page_size_mm
    margins = theme.margins
    return PdfStyles(
        theme=theme,
        fonts=fonts,
        palette=Palette.from_theme(theme),
        paragraphs=paragraphs,
        keeps_with_next=frozenset(theme.style_for(role) for role in roles if theme.look(role).keep_with_next),
        keeps_together=frozenset(theme.style_for(role) for role in roles if theme.look(role).keep_together),
        font_size=theme.font_size,
        leading=round(theme.font_size * theme.line_spacing, 2),
        page_size=(width_mm * mm, height_mm * mm),
        margins=(margins.top * mm, margins.right * mm, margins.bottom * mm, margins.left * mm),
    )


def hex_colour(colour: Color) -> str:
    """`#RRGGBB` for a reportlab colour, for `<font color>` markup."""
    return "#" + colour.hexval()[2:].upper()
