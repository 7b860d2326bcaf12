"""From the chart's SVG to a reportlab Drawing: vector shapes, text kept as text in the theme's TrueType faces,
registered with reportlab so they are embedded, subset and extractable (never a standard-14 font).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from reports.errors import AssetError, Diagnostic


def register_truetype(path: Path) -> str:
    """Register a TrueType file with reportlab under a name derived from the file; reuse it when already there.

    Same naming as `reports.writers.pdf.styles`, so a chart's text and the body share one embedded font.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    base = re.sub(r"[^A-Za-z0-9_-]", "", path.stem) or "Font"
    name = base
    if name in pdfmetrics.getRegisteredFontNames():
        existing = pdfmetrics.getFont(name)
        if Path(getattr(existing.face, "filename", "")) == path:
            return name
        name = f"{base}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"
        if name in pdfmetrics.getRegisteredFontNames():
            return name
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError) as error:
        raise AssetError([Diagnostic(f"font file {path.name} cannot be embedded in a PDF ({error}) — "
                                     "use a TrueType font that allows embedding", file=str(path))]) from None
    return name


def strings_in(node: Any, string_type: type) -> list[Any]:
    found = []
    for child in getattr(node, "contents", ()):
        if isinstance(child, string_type):
            found.append(child)
        else:
            found.extend(strings_in(child, string_type))
    return found


def theme_font_map(regular: str, bold: str, fallbacks: dict[str, str] | None = None) -> Any:
    """An svglib font map sending every SVG font-family to the theme's registered fonts (never to Helvetica), and
    the family of each fallback font (`fallbacks`: family → registered name) to its own.

    Our SVG names only the theme's heading family and the fallback families; mapping *every* other family keeps a
    stray generic name (`sans-serif`) from falling back to a standard-14 font that would not be embedded.
    """
    from svglib.fonts import FontMap

    by_family = {family.lower(): name for family, name in (fallbacks or {}).items()}

    class ThemeFontMap(FontMap):
        def find_font(self, font_name: str, weight: str = "normal", style: str = "normal") -> tuple[str, bool]:
            fallback = by_family.get(str(font_name).strip("'\" ").lower())
            if fallback is not None:
                return fallback, True
            text = str(weight).strip().lower()
            heavy = text in {"bold", "bolder"} or (text.isdigit() and int(text) >= 600)
            return (bold if heavy else regular), True

    return ThemeFontMap()
