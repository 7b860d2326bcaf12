"""What the build knows about writing systems: which need shaping reportlab cannot do, which Word sets in its East
Asian font slot, and which Debian package brings a font for a script.

Shaping is what turns a run of characters into the glyphs readers expect when that is more than one glyph per
character, left to right: Arabic letters join and change form by position and run right to left; Devanagari
forms conjuncts and moves vowel signs before their consonant; Thai stacks vowel and tone marks. reportlab draws
one glyph per character, left to right, so such text would come out as isolated, misordered letters — wrong, and
silently so. It is refused instead (exit 6), by script, whatever font the theme has.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right

_SHAPED: tuple[tuple[int, int, str, str], ...] = (
    (0x0590, 0x05FF, "Hebrew", "set right to left"),
    (0x0600, 0x06FF, "Arabic", "letters joined by position, set right to left"),
    (0x0700, 0x074F, "Syriac", "letters joined by position, set right to left"),
    (0x0750, 0x077F, "Arabic", "letters joined by position, set right to left"),
    (0x0780, 0x07BF, "Thaana", "set right to left with vowel marks"),
    (0x07C0, 0x07FF, "N'Ko", "letters joined by position, set right to left"),
    (0x0800, 0x08FF, "Samaritan, Mandaic or Arabic", "set right to left"),
    (0x0900, 0x097F, "Devanagari", "conjuncts and reordered vowel signs"),
    (0x0980, 0x09FF, "Bengali", "conjuncts and reordered vowel signs"),
    (0x0A00, 0x0A7F, "Gurmukhi", "conjuncts and reordered vowel signs"),
    (0x0A80, 0x0AFF, "Gujarati", "conjuncts and reordered vowel signs"),
    (0x0B00, 0x0B7F, "Oriya", "conjuncts and reordered vowel signs"),
    (0x0B80, 0x0BFF, "Tamil", "reordered vowel signs"),
    (0x0C00, 0x0C7F, "Telugu", "conjuncts and reordered vowel signs"),
    (0x0C80, 0x0CFF, "Kannada", "conjuncts and reordered vowel signs"),
    (0x0D00, 0x0D7F, "Malayalam", "conjuncts and reordered vowel signs"),
    (0x0D80, 0x0DFF, "Sinhala", "conjuncts and reordered vowel signs"),
    (0x0E00, 0x0E7F, "Thai", "stacked vowel and tone marks"),
    (0x0E80, 0x0EFF, "Lao", "stacked vowel and tone marks"),
    (0x0F00, 0x0FFF, "Tibetan", "stacked consonants"),
    (0x1000, 0x109F, "Myanmar", "reordered and stacked signs"),
    (0x1100, 0x11FF, "Hangul Jamo", "syllables composed from their letters"),
    (0x1780, 0x17FF, "Khmer", "stacked consonants and reordered vowel signs"),
    (0x1800, 0x18AF, "Mongolian", "letters joined by position"),
    (0x1900, 0x194F, "Limbu", "reordered vowel signs"),
    (0x1A00, 0x1AAF, "Buginese or Tai Tham", "stacked and reordered signs"),
    (0x1B00, 0x1C4F, "Balinese, Sundanese, Batak or Lepcha", "stacked and reordered signs"),
    (0x1CD0, 0x1CFF, "Vedic", "marks placed on other letters"),
    (0xA800, 0xA8FF, "Syloti Nagri, Phags-pa, Saurashtra or Devanagari", "conjuncts and reordered signs"),
    (0xA930, 0xA95F, "Rejang", "marks placed on other letters"),
    (0xA960, 0xA97F, "Hangul Jamo", "syllables composed from their letters"),
    (0xA980, 0xAAFF, "Javanese, Cham, Myanmar or Tai Viet", "stacked and reordered signs"),
    (0xABC0, 0xABFF, "Meetei Mayek", "reordered vowel signs"),
    (0xD7B0, 0xD7FF, "Hangul Jamo", "syllables composed from their letters"),
    (0xFB1D, 0xFB4F, "Hebrew", "set right to left"),
    (0xFB50, 0xFDFF, "Arabic", "letters joined by position, set right to left"),
    (0xFE70, 0xFEFE, "Arabic", "letters joined by position, set right to left"),
)
_SHAPED_STARTS = [first for first, *_ in _SHAPED]

_EAST_ASIAN: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF), (0x2E80, 0x2FFF), (0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x31FF), (0x3200, 0x4DBF),
    (0x4E00, 0x9FFF), (0xA000, 0xA4CF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)
"""Ideographs, kana, Hangul, Bopomofo, Yi, CJK symbols and full-width forms: what Word sets in a run's `w:eastAsia`
font rather than its `w:ascii`/`w:hAnsi` one."""
_EAST_ASIAN_STARTS = [first for first, _ in _EAST_ASIAN]


_EAST_ASIAN_REGIONS = {"zh": "CN", "ja": "JP", "ko": "KR"}


def shaping_needed(character: str) -> tuple[str, str] | None:
    """(script, what its shaping does) for a letter or mark of a script reportlab cannot set; None otherwise.

    Only letters and marks are shaped: a script's currency sign, digits and punctuation (Thai's ฿, Arabic's ،)
    are drawn as they are."""
    if unicodedata.category(character)[0] not in "LM":
        return None
    code = ord(character)
    index = bisect_right(_SHAPED_STARTS, code) - 1
    if index >= 0 and code <= _SHAPED[index][1]:
        return _SHAPED[index][2], _SHAPED[index][3]
    return None


def is_east_asian(character: str) -> bool:
    code = ord(character)
    index = bisect_right(_EAST_ASIAN_STARTS, code) - 1
    return index >= 0 and code <= _EAST_ASIAN[index][1]


def east_asian_language(characters: str, document_language: str) -> str:
    """The language tag Word should assume for East Asian text (`w:lang w:eastAsia`): the document's own when it is
    Chinese, Japanese or Korean; else what the characters say (kana: Japanese, Hangul: Korean, Han: Chinese)."""
    tag = document_language.replace("_", "-")
    base = tag.split("-")[0].lower()
    if base in _EAST_ASIAN_REGIONS:
        return tag if "-" in tag else f"{base}-{_EAST_ASIAN_REGIONS[base]}"
    codes = [ord(character) for character in characters]
    if any(0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF for code in codes):
        return "ja-JP"
    if any(0xAC00 <= code <= 0xD7AF or 0x3130 <= code <= 0x318F for code in codes):
        return "ko-KR"
    return "zh-CN"


def font_package(character: str) -> str:
    """A Debian/Ubuntu package with a TrueType font (the kind reportlab embeds) that has the character.

    Not `fonts-noto-cjk`: its fonts have PostScript (CFF) outlines, which reportlab cannot embed.
    """
    code = ord(character)
    if 0xAC00 <= code <= 0xD7AF or 0x3130 <= code <= 0x318F:
        return "fonts-nanum"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return "fonts-ipafont-gothic"
    if is_east_asian(character) and not 0xA000 <= code <= 0xA4CF:
        return "fonts-wqy-microhei"
    return "fonts-noto-core"


def is_private_use(character: str) -> bool:
    """A code point whose meaning only a particular font gives (icons, company logos): no fallback can stand in."""
    return 0xE000 <= ord(character) <= 0xF8FF
