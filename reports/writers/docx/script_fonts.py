"""East Asian text in the DOCX: the font and language Word and LibreOffice should set it in.

Word chooses a run's font by the class of each character: ideographs, kana and Hangul take the run's `w:eastAsia`
font, and are checked and hyphenated in its `w:lang w:eastAsia` language. The styles name the theme's fonts in
every slot; when those lack the document's East Asian characters and the PDF sets them in a fallback font
(`reports.theme.fallback`), the DOCX names that font in the East Asian slot of every style that does not choose
one of its own (a reference document's user may have), with the matching language in the document defaults, in
the font table (with its character set, so Word substitutes a font of that script where it is missing), and in
the native charts' text. Other scripts need no hint: Word and LibreOffice find a font for them as they would for
any text, and the scripts Word sets in its complex-script slot are those the build refuses (they need shaping).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from reports.document.nodes import Document, Figure
from reports.document.traversal import walk
from reports.theme.fallback import FontFallback
from reports.theme.model import Theme
from reports.theme.scripts import east_asian_language, is_east_asian
from reports.writers.docx.checks import document_strings
from reports.writers.docx.ooxml import Element, element

CHARSETS = {"zh-TW": "88", "zh-HK": "88", "zh-MO": "88", "zh": "86", "ja": "80", "ko": "81"}
"""Windows character sets (hexadecimal, as `w:charset` has them): Big5, GB2312, Shift-JIS, Hangul."""

_DRAWING_MAIN = "http://schemas.openxmlformats.org/drawingml/2006/main"


@dataclass(frozen=True)
class EastAsianHint:
    """The font and language for the document's East Asian text the theme's fonts lack."""

    family: str
    path: Path
    """The fallback font's file (its PANOSE digits go into the font table)."""
    language: str
    """BCP 47 tag (`zh-CN`)."""

    @property
    def charset(self) -> str:
        return CHARSETS.get(self.language, CHARSETS.get(self.language.split("-")[0], "86"))


def east_asian_hint(document: Document, theme: Theme, fallback: FontFallback | None) -> EastAsianHint | None:
    """The hint for `document`, or None when it has no East Asian text the theme's fonts lack (or no fallback)."""
    if fallback is None:
        return None
    texts = [text for _, text in document_strings(document, theme)]
    texts += [json.dumps(asdict(node.chart), ensure_ascii=False) for node in walk(document)
              if isinstance(node, Figure) and node.chart is not None]
    lacking = [character for character in dict.fromkeys("".join(texts))
               if is_east_asian(character) and fallback.lacks(character)]
    face = next((found for found in map(fallback.face_for, lacking) if found is not None), None)
    if face is None:
        return None
    return EastAsianHint(face.family, face.path, east_asian_language("".join(lacking), document.metadata.language))


def apply_to_styles(styles: Element, hint: EastAsianHint) -> None:
    """Name the hint's font in the East Asian slot of the document defaults and of every style that names no East
    Asian font of its own, and its language in the defaults."""
    for fonts in styles.iter(qn("w:rFonts")):
        chosen = fonts.get(qn("w:eastAsia"))
        if chosen is None or chosen in (fonts.get(qn("w:ascii")), fonts.get(qn("w:hAnsi"))):
            fonts.set(qn("w:eastAsia"), hint.family)
            fonts.attrib.pop(qn("w:eastAsiaTheme"), None)  # a theme font would win over the named one
    defaults = styles.find(qn("w:docDefaults"))
    run = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
    if run is None:
        return
    fonts = run.find(qn("w:rFonts"))
    if fonts is None:
        run.insert(0, element("w:rFonts", {"w:eastAsia": hint.family}))
    language = run.find(qn("w:lang"))
    if language is None:
        language = element("w:lang")
        run.append(language)
    language.set(qn("w:eastAsia"), hint.language)


def apply_to_chart(chart: etree._Element, hint: EastAsianHint) -> None:
    """The East Asian typeface beside every Latin one in a native chart's text properties."""
    for latin in list(chart.iter(f"{{{_DRAWING_MAIN}}}latin")):
        following = latin.getnext()
        if following is not None and following.tag == f"{{{_DRAWING_MAIN}}}ea":
            following.set("typeface", hint.family)
        else:
            latin.addnext(etree.Element(f"{{{_DRAWING_MAIN}}}ea", typeface=hint.family))
