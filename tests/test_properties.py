"""Property tests (Hypothesis) over whole builds: whole classes of silent loss and crashes at once.

1. Any valid text — BMP, NFC, no control characters, characters every face of the theme fonts has (DejaVu:
   Latin, Greek, Cyrillic), with `&`, `<`, `$`, `_`, `*`, `#`, `\\` favoured — placed in a text field
   appears unchanged in the text pdftotext and pypdf extract from the PDF and python-docx from the DOCX.
2. Any string at all (surrogates, controls, emoji, CJK, YAML syntax) in any field: `check` either accepts
   it or refuses it with that field's path; when it is accepted, the font-coverage check either names that
   field or the build succeeds. Never an internal error. Once through the CLI as well (exit 0, 3 or 6).
3. Building twice gives identical bytes.

Builds run in-process through the core, as one job of `reports build` (fast); example counts are modest for CI time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import build_files, minimal_content_yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from test_hostile import dehyphenated, docx_text, pdftotext, pypdf_text, spaced, squeeze

from reports.cache import Cache
from reports.errors import ContentError, ExitCode, ReportsError
from reports.paths import TEMPLATES_DIR

BLOCKS = [(0x20, 0x7E), (0xA1, 0xFF), (0x100, 0x17F), (0x370, 0x3FF), (0x400, 0x4FF)]
"""Basic Latin, Latin-1, Latin Extended-A, Greek and Coptic, Cyrillic."""

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])


@lru_cache(maxsize=1)
def covered_alphabet() -> tuple[str, ...]:
    """Printable, NFC-stable, non-combining characters of BLOCKS that every face of both theme fonts has."""
    from reports.theme.fallback import FontFallback
    from reports.theme.model import load_theme

    folder = TEMPLATES_DIR / "briefing"
    faces = FontFallback(load_theme(folder), folder, Cache()).theme_faces()
    characters = []
    for low, high in BLOCKS:
        for code in range(low, high + 1):
            character = chr(code)
            category = unicodedata.category(character)
            if category[0] not in "LNPS" or unicodedata.normalize("NFC", character) != character:
                continue
            if unicodedata.decomposition(character).startswith("<"):  # compatibility forms (ŉ, ſ, ℓ-like)
                continue
            if all(code in face.code_points for face in faces):
                characters.append(character)
    return tuple(characters)


def valid_text() -> st.SearchStrategy[str]:
    alphabet = st.sampled_from(covered_alphabet() + tuple("&<>$_*#[]`\\|{}%") * 12)
    word = st.text(alphabet, min_size=1, max_size=24)
    return st.lists(word, min_size=1, max_size=8).map(" ".join)


TEXT_FIELDS = {
    "body.0.blocks.0.paragraph": ("pdf", "docx"),
    "summary.0": ("pdf", "docx"),
    "body.0.heading": ("pdf", "docx"),
    "actor.interests.0.goal": ("pdf", "docx"),
    "actor.interests.0.sector": ("pdf", "docx"),
    "actor.interests.0.evidence.0.text": ("pdf", "docx"),
    "document.title": ("pdf", "docx"),
    "organisation.membership.0.label": ("pdf", "docx"),
}
"""Text fields the briefing prints in full, in both formats."""


def _set(data: Any, field: str, value: Any) -> None:
    parts: list[Any] = [int(part) if part.isdigit() else part for part in field.split(".")]
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value


def _write(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "content.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return yaml.safe_load(minimal_content_yaml())


# --- 1. valid text survives both writers ----------------------------------------------------------


@pytest.mark.slow
@SETTINGS
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), text=valid_text())
@example(field="body.0.blocks.0.paragraph", text="A & B < C > D &amp; <b>x</b> $x^2$ _lead *no* #tag [l](u) \\")
@example(field="organisation.membership.0.label", text="$5 _hidden")
@example(field="summary.0", text="Россия Ελλάδα Ťřžščě Łódź œuvre")
@example(field="actor.interests.0.goal", text="Антиконституционность" * 12)
@example(field="body.0.heading", text="-")
def test_covered_text_appears_unchanged_in_pdf_and_docx(tmp_path_factory: pytest.TempPathFactory, base: dict[str, Any],
                                                        field: str, text: str) -> None:
    import copy

    from reports.content.validate import check_content
    from reports.templating.folders import find_template
    from reports.theme.coverage import check_font_coverage
    from reports.theme.model import load_theme

    assert unicodedata.is_normalized("NFC", text)
    folder = tmp_path_factory.mktemp("valid")
    data = copy.deepcopy(base)
    _set(data, field, text)
    path = _write(folder, data)
    checked = check_content(path)
    template = find_template("briefing")
    assert check_font_coverage(checked.content, load_theme(template.path), template.path, checked.source) == []
    written, _ = build_files(path, formats=("pdf", "docx"), out_dir=folder / "out")
    pdf, docx_file = sorted(written, key=lambda item: item.suffix != ".pdf")
    assert squeeze(text) in squeeze(pypdf_text(pdf)), "pypdf"
    assert dehyphenated(text) in dehyphenated(pdftotext(pdf)), "pdftotext"
    assert spaced(text) in spaced(docx_text(docx_file)), "python-docx"


# --- 2. any string in any field: accepted and built, or refused at that field ------------------------

FIELDS = [
    "schema_version", "document.title", "document.subtitle", "document.language", "document.author",
    "document.organisation", "document.date", "document.facts_as_of", "document.source.title", "document.keywords",
    "organisation.name", "organisation.acronym", "organisation.founded.date", "organisation.founded.place",
    "organisation.membership.0.id", "organisation.membership.0.label", "organisation.membership.0.description",
    "organisation.membership.0.founding", "organisation.membership.0.members.0", "organisation.membership.0.members",
    "actor.country", "actor.interests.0.id", "actor.interests.0.sector", "actor.interests.0.summary",
    "actor.interests.0.goal", "actor.interests.0.evidence.0.text", "actor.interests.0.evidence.0.value",
    "actor.interests.0.evidence.0.unit", "summary.0", "summary", "body.0.heading", "body.0.blocks.0.paragraph",
]

_YAML_PRINTABLE = (lambda c: c in "\t" or "\x20" <= c <= "\x7e" or "\xa0" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd"
                   or c >= "\U00010000")


def yaml_double_quoted(text: str) -> str:
    """A YAML double-quoted scalar for any Python string, lone surrogates included (as escapes)."""
    pieces = []
    for character in text:
        if character in '"\\':
            pieces.append("\\" + character)
        elif _YAML_PRINTABLE(character) and character not in "\t\u2028\u2029\ufeff":
            pieces.append(character)
        elif ord(character) <= 0xFF:
            pieces.append(f"\\x{ord(character):02x}")
        elif ord(character) <= 0xFFFF:
            pieces.append(f"\\u{ord(character):04x}")
        else:
            pieces.append(f"\\U{ord(character):08x}")
    return '"' + "".join(pieces) + '"'


def content_with(base: dict[str, Any], field: str, value: str) -> str:
    """The minimal document as YAML with `field` set to `value` (as a double-quoted scalar)."""
    import copy

    marker = "@@VALUE@@"
    data = copy.deepcopy(base)
    _set(data, field, marker)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9)
    assert text.count(marker) == 1
    return text.replace(f"'{marker}'", marker).replace(marker, yaml_double_quoted(value))


ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=200),
    st.text(st.characters(max_codepoint=0x52F, exclude_categories=()), max_size=200),
    st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc")), max_size=200),
    st.from_regex(r"[A-Z]{2}|[a-z][a-z0-9-]{0,10}|[0-9]{4}(-[0-9]{2}){0,2}|-?[0-9]{1,5}(\.[0-9]{1,4})?", fullmatch=True),
)
"""Any string (surrogates and controls included), text near the valid alphabet, and strings shaped like codes,
dates and numbers. At most 200 characters: longer titles hit a known defect
(test_long_metadata_is_not_an_internal_error)."""


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), value=ANY_TEXT)
@example(field="actor.interests.0.evidence.0.value", value="1.500")
@example(field="document.language", value="zh")
@example(field="body.0.blocks.0.paragraph", value="中国 😀 \ud800 \x07 \u202e")
@example(field="document.title", value="key: value\n- item\n  # comment")
def test_any_string_in_any_field_is_built_or_refused_at_that_field(
    tmp_path_factory: pytest.TempPathFactory, base: dict[str, Any], field: str, value: str
) -> None:
    from reports.content.validate import check_content
    from reports.templating.folders import find_template
    from reports.theme.coverage import check_font_coverage
    from reports.theme.model import load_theme

    folder = tmp_path_factory.mktemp("any")
    path = folder / "content.yaml"
    path.write_text(content_with(base, field, value), encoding="utf-8", errors="surrogatepass")
    try:
        checked = check_content(path)
    except ContentError as error:
        event("refused by check")
        assert error.exit_code == ExitCode.CONTENT
        assert any(d.field_path == field or d.field_path.startswith(field + ".") for d in error.diagnostics), \
            [d.format() for d in error.diagnostics]
        return
    template = find_template("briefing")
    uncovered = check_font_coverage(checked.content, load_theme(template.path), template.path, checked.source)
    if uncovered:
        event("refused by the font-coverage check")
        fields = {d.field_path for d in uncovered}
        assert field in fields or field == "document.language" or any(f.startswith(field + ".") for f in fields), fields
        return
    event("built")
    try:
        build_files(path, formats=("pdf", "docx"), out_dir=folder / "out")
    except ReportsError as error:  # coverage passed, so nothing may stop the writers
        pytest.fail(f"exit {int(error.exit_code)} after the coverage check passed: {error}")


def test_long_metadata_is_not_an_internal_error(tmp_path: Path, base: dict[str, Any]) -> None:
    """A 300-character title or author is legal content: it builds (or is refused with a location), never exit 1."""
    import copy

    data = copy.deepcopy(base)
    data["document"]["title"] = " ".join(["Judul"] * 50)
    data["document"]["author"] = "A" * 300
    path = _write(tmp_path, data)
    try:
        build_files(path, formats=("docx",), out_dir=tmp_path / "out")
    except ReportsError as error:  # a located refusal is acceptable too
        assert all(d.field_path for d in error.diagnostics), str(error)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), value=ANY_TEXT)
@example(field="body.0.blocks.0.paragraph", value="中国")
def test_any_string_through_the_cli_never_exits_1(tmp_path_factory: pytest.TempPathFactory, base: dict[str, Any],
                                                  field: str, value: str) -> None:
    folder = tmp_path_factory.mktemp("cli")
    (folder / "content.yaml").write_text(content_with(base, field, value), encoding="utf-8", errors="surrogatepass")
    result = subprocess.run(
        [sys.executable, "-m", "reports.cli", "build", "content.yaml", "--out", "out"], cwd=folder,
        capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=300,
        env={**os.environ, "REPORTS_CACHE_DIR": str(folder / "cache")},
    )
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 3, 6), result.stderr
    if result.returncode == 3:
        assert f": {field}" in result.stderr, result.stderr


# --- 3. determinism -----------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), text=valid_text())
def test_building_twice_gives_identical_bytes(tmp_path_factory: pytest.TempPathFactory, base: dict[str, Any],
                                              field: str, text: str) -> None:
    import copy

    folder = tmp_path_factory.mktemp("twice")
    data = copy.deepcopy(base)
    _set(data, field, text)
    path = _write(folder, data)
    outputs = []
    for name in ("first", "second"):
        # a fresh cache each time: nothing reused from the first build, charts drawn again, content read again
        written, _ = build_files(path, formats=("pdf", "docx"), out_dir=folder / name)
        outputs.append({item.name: item.read_bytes() for item in written})
    assert outputs[0] == outputs[1]
