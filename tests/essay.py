"""The seed essay the sample content was written from, and how to split it into sentences.

Shared by the tests that prove every sentence of the essay reaches the content and the outputs; the essay is
carried in `tests/data/`, so nothing is skipped in a fresh clone.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SEED_NAME = "000_449d41030f710501.txt"
SEED = TESTS / "data" / SEED_NAME
CONTENT = TESTS.parent / "data" / "sco-russia.yaml"

CORRECTIONS = {
    # country names misspelt in the essay → CLDR Indonesian name
    "Kyrgyztan": "Kirgizstan",
    "Kyrgystan": "Kirgizstan",
    "Afghanistan": "Afganistan",
    # missing space after a comma
    "China,Rusia": "China, Rusia",
    "Belarus,Iran": "Belarus, Iran",
    # stray space inside parentheses
    "( NPT)": "(NPT)",
}
"""What the essay had → what the content file has. Nothing else in the essay may differ."""

_LIST_MARKER = re.compile(r"^-\s+(?:[a-z]\.\s+)?")
"""`- a. Kepentingan Ekonomi`: the bullet and the a./b./c. numbering are list markup, not text."""

_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def normalise(text: str) -> str:
    return " ".join(text.split())


def correct(text: str) -> str:
    for wrong, right in CORRECTIONS.items():
        text = text.replace(wrong, right)
    return text


def sentences(essay: str) -> list[str]:
    found: list[str] = []
    for line in essay.splitlines():
        line = _LIST_MARKER.sub("", line.strip())
        if line:
            found.extend(part for part in _SENTENCE_END.split(normalise(correct(line))) if part)
    return found


def seed_essay() -> str:
    return SEED.read_text(encoding="utf-8")
