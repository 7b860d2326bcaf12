"""The libyaml fast path must read every file exactly as the pure-Python reference parser does.

The loader composes nodes from libyaml's events and falls back to PyYAML's own parser whenever that
fails; this compares the two on the real content files, every hostile case and a few thousand
mutated copies of the seed essay (quotes, brackets, colons, tabs, odd line breaks dropped in).
"""

from __future__ import annotations

import random

import pytest
from conftest import PROJECT_ROOT

from reports.content import loader
from reports.errors import ContentError

ROOT = PROJECT_ROOT
SEED = (ROOT / "data" / "sco-russia.yaml").read_text(encoding="utf-8")
NOISE = list(":-[]{}#&*!|>'\"%@`, \t\n\\\u2028\u0085\ufeff\u00a0x0.~")

pytestmark = pytest.mark.skipif(loader._LibyamlParser is None, reason="PyYAML was built without libyaml")


def _reference(text: str) -> tuple[str, object]:
    try:
        return "ok", loader._to_document(loader._compose_explaining_errors(text, "f"), "f").data
    except ContentError as error:
        return "error", [diagnostic.message for diagnostic in error.diagnostics]


def _fast(text: str) -> tuple[str, object] | None:
    """The fast path's reading, or None when it hands the file to the reference parser."""
    try:
        root = loader._compose_with_libyaml(text)
    except Exception:  # noqa: BLE001 — any failure means the reference parser decides
        return None
    try:
        return "ok", loader._to_document(root, "f").data
    except ContentError as error:
        return "error", [diagnostic.message for diagnostic in error.diagnostics]


def _mutations(count: int) -> list[str]:
    chooser = random.Random(20261127)
    texts = []
    for _ in range(count):
        characters = list(SEED[:4000])
        for _ in range(chooser.randint(1, 5)):
            position = chooser.randrange(len(characters))
            roll = chooser.random()
            if roll < 0.4:
                characters.insert(position, chooser.choice(NOISE))
            elif roll < 0.7:
                del characters[position]
            else:
                characters[position] = chooser.choice(NOISE)
        texts.append("".join(characters))
    return texts


def _corpus() -> list[str]:
    files = sorted((ROOT / "data").glob("*.yaml")) + sorted((ROOT / "tests" / "data").glob("*.yaml"))
    files += sorted((ROOT / "tests" / "hostile" / "cases").glob("*/*.yaml"))
    texts = [path.read_bytes().decode("utf-8", "replace") for path in files if path.stat().st_size < 3_000_000]
    return texts + _mutations(1500)


def _question_mark_in_flow_value(reference: tuple[str, object]) -> bool:
    """YAML 1.2 (libyaml) allows `[a?b]`; PyYAML's YAML 1.1 scanner refuses it: the one known difference."""
    return reference[0] == "error" and any("but got '?'" in message for message in reference[1])  # type: ignore[union-attr]


@pytest.mark.slow
def test_the_fast_path_reads_every_file_as_the_reference_parser_does() -> None:
    compared = handed_over = 0
    for text in _corpus():
        fast = _fast(text)
        if fast is None:
            handed_over += 1
            continue
        reference = _reference(text)
        if _question_mark_in_flow_value(reference):
            continue
        assert fast == reference, text[:200]
        compared += 1
    assert compared > 500 and handed_over > 50  # both paths were really exercised


def test_plain_empty_values_are_none_on_both_paths() -> None:
    text = "a:\nb: ~\nc: ''\nd: null\n"
    assert _fast(text) == _reference(text) == ("ok", {"a": None, "b": None, "c": "", "d": None})


def test_a_tab_goes_to_the_reference_parser_for_its_message() -> None:
    with pytest.raises(ContentError) as raised:
        loader.load_text("document:\n  title: Kepent\tingan\n", "content.yaml")
    assert "tab" in raised.value.diagnostics[0].message
