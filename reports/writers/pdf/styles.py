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
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from reports.cache import Cache
from reports.errors import AssetError, Diagnostic
from reports.theme.model import FontFamily, Theme, resolve_font_file

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


@dataclass(frozen=True)
class SpanLook:
    """How a `Span` role looks in the PDF: face changes and a colour name from the palette."""

    bold: bool = False
    italic: bool = False
    colour: str = ""


SPAN_LOOKS: dict[str, SpanLook] = {
    # keyed by the theme's style name for the role (`theme.style_for(role)`)
    "Term": SpanLook(italic=True),
    "Number": SpanLook(bold=True),
    "Emphasis": SpanLook(italic=True),
    "Strong": SpanLook(bold=True),
    "Muted": SpanLook(colour="muted"),
    "Accent": SpanLook(colour="accent"),
    "Highlight": SpanLook(bold=True, colour="primary"),
}

# Internal style keys (not theme roles): variants the writer needs around tables, figures and boxes.
TABLE_CAPTION = "_table-caption"
FIGURE_CAPTION = "_figure-caption"
BOX_TEXT = "_box-text"
FIGURE_SOURCE = "_figure-source"

PARAGRAPH_ROLES = (
    "body", "title", "subtitle", "byline", "source", "lead", "caption", "heading-1", "heading-2", "heading-3",
    "bullet", "number", "box-title", "table-text", "table-heading",
)


@dataclass(frozen=True)
class PdfStyles:
    """Everything the PDF writer draws with, built from one theme."""

    fonts: ThemeFonts
    palette: Palette
    paragraphs: dict[str, ParagraphStyle]
    """Style name (`theme.style_for(role)`) or internal key → paragraph style."""
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


def build_styles(theme: Theme, fonts: ThemeFonts) -> PdfStyles:
    """Fresh paragraph styles for one render, named as the theme names them."""
    palette = Palette.from_theme(theme)
    size = theme.font_size
    spacing = theme.line_spacing
    body, heading = fonts.body, fonts.heading

    def style(name: str, *, font: str, size_factor: float = 1.0, leading_factor: float = spacing,
              colour: Color = palette.text, **options: object) -> ParagraphStyle:
        font_size = round(size * size_factor, 2)
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=font_size,
            leading=round(font_size * leading_factor, 2),
            textColor=colour,
            bulletFontName=body.regular,  # never reportlab's default (a standard-14 font)
            bulletFontSize=font_size,
            alignment=options.pop("alignment", TA_LEFT),
            spaceBefore=options.pop("spaceBefore", 0),
            spaceAfter=options.pop("spaceAfter", 0),
            allowWidows=0,
            allowOrphans=0,
            splitLongWords=1,
            **options,
        )

    by_role: dict[str, ParagraphStyle] = {
        # ragged right, as the DOCX: justified lines with few long words open gaps that also make
        # pdftotext read a line as columns (and the DOCX writer does not justify)
        "body": style("Body Text", font=body.regular, spaceAfter=size * 0.75),
        "lead": style("Lead", font=body.regular, size_factor=1.18, leading_factor=1.4, colour=palette.text,
                      spaceAfter=size * 1.0),
        "title": style("Title", font=heading.bold, size_factor=2.3, leading_factor=1.15, colour=palette.primary,
                       spaceAfter=size * 0.5),
        "subtitle": style("Subtitle", font=heading.regular, size_factor=1.3, leading_factor=1.3,
                          colour=palette.text, spaceAfter=size * 0.6),
        "byline": style("Byline", font=heading.regular, size_factor=0.85, leading_factor=1.35,
                        colour=palette.muted, spaceAfter=size * 0.1),
        "source": style("Source Line", font=heading.regular, size_factor=0.78, leading_factor=1.35,
                        colour=palette.muted, spaceBefore=size * 0.2, spaceAfter=size * 0.9),
        "caption": style("Caption", font=heading.regular, size_factor=0.85, leading_factor=1.35,
                         spaceAfter=size * 0.3),
        "heading-1": style("Heading 1", font=heading.bold, size_factor=1.45, leading_factor=1.2,
                           colour=palette.primary, spaceBefore=size * 1.5, spaceAfter=size * 0.55, keepWithNext=1),
        "heading-2": style("Heading 2", font=heading.bold, size_factor=1.2, leading_factor=1.25,
                           colour=palette.primary, spaceBefore=size * 1.2, spaceAfter=size * 0.45, keepWithNext=1),
        "heading-3": style("Heading 3", font=heading.bold, size_factor=1.02, leading_factor=1.3,
                           colour=palette.text, spaceBefore=size * 0.9, spaceAfter=size * 0.35, keepWithNext=1),
        "bullet": style("List Bullet", font=body.regular, spaceAfter=size * 0.3),
        "number": style("List Number", font=body.regular, spaceAfter=size * 0.3),
        "box-title": style("Box Title", font=heading.bold, size_factor=1.0, leading_factor=1.3,
                           colour=palette.primary, spaceAfter=size * 0.45, keepWithNext=1),
        "table-text": style("Table Text", font=heading.regular, size_factor=0.85, leading_factor=1.3),
        "table-heading": style("Table Heading", font=heading.bold, size_factor=0.85, leading_factor=1.3,
                               colour=palette.table_header_text),
    }
    paragraphs: dict[str, ParagraphStyle] = {}
    for role, paragraph_style in by_role.items():
        name = theme.style_for(role)
        paragraph_style.name = name
        paragraphs[name] = paragraph_style

    caption = by_role["caption"]
    paragraphs[TABLE_CAPTION] = ParagraphStyle(TABLE_CAPTION, parent=caption, spaceBefore=size * 0.6,
                                               spaceAfter=size * 0.45, keepWithNext=1)
    paragraphs[FIGURE_CAPTION] = ParagraphStyle(FIGURE_CAPTION, parent=caption, spaceBefore=size * 0.5,
                                                spaceAfter=size * 0.15)
    paragraphs[FIGURE_SOURCE] = ParagraphStyle(FIGURE_SOURCE, parent=by_role["source"], spaceBefore=0,
                                               spaceAfter=0)
    paragraphs[BOX_TEXT] = ParagraphStyle(BOX_TEXT, parent=by_role["body"], alignment=TA_LEFT,
                                          spaceAfter=size * 0.4)

    width_mm, height_mm = theme.page_size_mm
    margins = theme.margins
    return PdfStyles(
        fonts=fonts,
        palette=palette,
        paragraphs=paragraphs,
        font_size=size,
        leading=round(size * spacing, 2),
        page_size=(width_mm * mm, height_mm * mm),
        margins=(margins.top * mm, margins.right * mm, margins.bottom * mm, margins.left * mm),
    )


def hex_colour(colour: Color) -> str:
    """`#RRGGBB` for a reportlab colour, for `<font color>` markup."""
    return "#" + colour.hexval()[2:].upper()
