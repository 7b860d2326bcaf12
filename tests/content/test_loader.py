"""Every rule of the strict loader, on real files, through the library (`reports.content.validate.check_content`).

Each refused case lists the diagnostics it must produce — line, column, field path and a fragment of the
message — computed from the text of the file itself, so the expectations stay right if the minimal document
changes. tests/test_check_cli.py runs the same cases through the command line.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import minimal_content_yaml, position_of

from reports.content import loader
from reports.content.validate import check_content
from reports.errors import ContentError, ExitCode
from reports.language.countries import member_name

BASE = minimal_content_yaml()


@dataclass(frozen=True)
class Expected:
    line: int
    column: int
    field_path: str
    fragment: str
    """A part of the message that names the problem."""


@dataclass(frozen=True)
class Case:
    id: str
    data: bytes
    expected: tuple[Expected, ...]


def _replace(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once in the minimal document"
    return text.replace(old, new)


def _case(id: str, text: str | bytes, *expected: Expected) -> Case:
    return Case(id, text.encode("utf-8") if isinstance(text, str) else text, expected)


def _at(text: str, needle: str, field_path: str, fragment: str, occurrence: int = 1) -> Expected:
    """Expect a diagnostic where `needle` starts in `text`."""
    return Expected(*position_of(text, needle, occurrence), field_path, fragment)


def _cases() -> list[Case]:
    cases: list[Case] = []

    def add(id: str, text: str | bytes, *expected: Expected) -> None:
        cases.append(_case(id, text, *expected))

    duplicate = _replace("  author: Test Author\n", "  author: Test Author\n  author: Another Author\n")
    first_line, _ = position_of(duplicate, "author:")
    add("duplicate-key", duplicate,
        _at(duplicate, "author:", "document.author", f"duplicate key 'author' (first at line {first_line})", occurrence=2),
    )

    misspelt = _replace("  title: Minimal", "  titel: Minimal")
    add("misspelt-key", misspelt,
        _at(misspelt, "document:", "document.title", "required field is missing"),
        _at(misspelt, "titel:", "document.titel", "unknown field 'titel' — did you mean 'title'?"),
    )

    unknown_country = _replace("members: [CN, RU]", "members: [CN, Rusia]")
    add("unknown-country", unknown_country,
        _at(unknown_country, "Rusia", "organisation.membership.0.members.1.country",
            "'Rusia' is not an ISO 3166-1 country code — did you mean RU (Russian Federation)"),
    )

    lower_case_code = _replace("country: RU\n", "country: ru\n")
    add("lower-case-code", lower_case_code,
        _at(lower_case_code, "ru\n", "actor.country", "country codes are upper case — write 'RU'"),
    )

    escaped_control = _replace("paragraph: Some prose.", 'paragraph: "Some \\a prose."')
    add("control-character-escape", escaped_control,
        _at(escaped_control, "\\a", "body.0.blocks.0.paragraph", "control character U+0007 is not allowed"),
    )

    raw_control = _replace("paragraph: Some prose.", "paragraph: Some \x07 prose.")
    add("control-character-raw", raw_control,
        _at(raw_control, "\x07", "", "control character U+0007 is not allowed"),
    )

    bidi = _replace("paragraph: Some prose.", "paragraph: Some \u202eprose.")
    add("bidi-control", bidi,
        _at(bidi, "\u202e", "body.0.blocks.0.paragraph", "bidirectional control character U+202E is not allowed"),
    )

    laughs = ['lol: &lol0 "lol"'] + [
        f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 10)}]" for level in range(1, 10)
    ]
    bomb = "\n".join(laughs) + "\n"
    add("alias-bomb", bomb, _at(bomb, "*lol0", "", "alias '*lol0' is not allowed"))

    alias_in_content = BASE + "extra: &x [a, b]\nmore: *x\n"
    add("alias", alias_in_content, _at(alias_in_content, "*x", "", "alias '*x' is not allowed"))

    python_tag = _replace("title: Minimal test document", "title: !!python/object:os.system echo")
    add("python-object-tag", python_tag,
        _at(python_tag, "!!python", "", "tag '!!python/object:os.system' is not allowed"),
    )

    impossible_date = _replace("date: 2024-01-31", "date: 2001-02-30")
    add("impossible-date", impossible_date,
        _at(impossible_date, "2001-02-30", "document.date", "2001-02-30 is not a real date"),
    )

    timestamp_date = _replace("date: 2024-01-31", "date: 86400")
    add("number-as-date", timestamp_date,
        _at(timestamp_date, "86400", "document.date", "'86400' is not a date — write it as YYYY-MM-DD"),
    )

    impossible_partial = _replace('facts_as_of: "2024"', 'facts_as_of: "2024-13"')
    add("impossible-partial-date", impossible_partial,
        _at(impossible_partial, '"2024-13"', "document.facts_as_of", "2024-13 is not a real date"),
    )

    tabs = _replace("  title: Minimal", "\ttitle: Minimal")
    add("tab-indentation", tabs, _at(tabs, "\t", "", "indent with spaces, not tabs"))

    no_break_space = _replace("  author: Test Author", "  author:\u00a0Test Author")
    add("no-break-space-after-colon", no_break_space,
        _at(no_break_space, "\u00a0", "", "no-break space (U+00A0) where YAML needs an ordinary space"),
    )

    no_break_dash = _replace("  - First point.", "  -\u00a0First point.")
    add("no-break-space-after-dash", no_break_dash,
        _at(no_break_dash, "\u00a0", "", "no-break space (U+00A0)"),
    )

    latin1 = _replace("Some prose.", "Some pr\u00f3se.")
    latin1_bytes = latin1.encode("latin-1")
    add("non-utf8-byte", latin1_bytes, _at(latin1, "\u00f3", "", "byte 0xf3 is not UTF-8"))

    add("empty-file", "", Expected(1, 1, "", "the file is empty"))
    add("comment-only-file", "# nothing here yet\n", Expected(1, 1, "", "the file is empty"))
    add("top-level-list", "- document\n- body\n", Expected(1, 1, "", "the top level must be a mapping"))
    add("top-level-text", "just some text\n", Expected(1, 1, "", "not a single value"))

    deep = "body: " + "[" * (loader.MAX_DEPTH + 5) + "]" * (loader.MAX_DEPTH + 5) + "\n"
    # the top-level mapping is level 1, so the bracket that opens level MAX_DEPTH + 1 is number MAX_DEPTH
    add("deep-nesting", deep,
        Expected(1, len("body: ") + loader.MAX_DEPTH, "", f"nesting deeper than {loader.MAX_DEPTH} levels"),
    )

    for number, fragment in {
        ".nan": "'.nan' is not a number",
        ".NaN": "'.NaN' is not a number",
        ".inf": "'.inf' is not a number",
        "-.inf": "'-.inf' is not a number",
        "nan": "finite number",
        "1e400": "finite number",
    }.items():
        not_finite = _replace("value: 30", f"value: {number}")
        add(f"not-finite-{number}", not_finite, _at(not_finite, number, "actor.interests.0.evidence.0.value", fragment))

    merge_key = _replace("  source:\n", "  <<: {subtitle: merged}\n  source:\n")
    add("merge-key", merge_key, _at(merge_key, "<<", "document", "merge key '<<' is not allowed"))

    several = _replace("  title: Minimal", "  titel: Minimal")
    several = _replace("date: 2024-01-31", "date: 2001-02-30", several)
    several = _replace("members: [CN, RU]", "members: [CN, Rusia]", several)
    several = _replace("value: 30", "value: .nan", several)
    several = _replace("paragraph: Some prose.", "paragraf: Some prose.", several)
    add("several-errors", several,
        _at(several, "document:", "document.title", "required field is missing"),
        _at(several, "titel:", "document.titel", "did you mean 'title'?"),
        _at(several, "2001-02-30", "document.date", "not a real date"),
        _at(several, "Rusia", "organisation.membership.0.members.1.country", "did you mean RU"),
        _at(several, ".nan", "actor.interests.0.evidence.0.value", "'.nan' is not a number"),
        _at(several, "paragraf", "body.0.blocks.0", "a block is either `paragraph: text` or `items: [list items]`"),
    )
    return cases


CASES = _cases()


def write_case(case: Case, folder: Path) -> Path:
    path = folder / f"{case.id}.yaml"
    path.write_bytes(case.data)
    return path


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_refused_with_located_diagnostics(case: Case, tmp_path: Path) -> None:
    path = write_case(case, tmp_path)
    with pytest.raises(ContentError) as raised:
        check_content(path, path.name)
    assert raised.value.exit_code == ExitCode.CONTENT
    found = [(d.line, d.column, d.field_path) for d in raised.value.diagnostics]
    assert found == [(e.line, e.column, e.field_path) for e in case.expected], [d.format() for d in raised.value.diagnostics]
    for diagnostic, expected in zip(raised.value.diagnostics, case.expected):
        assert expected.fragment in diagnostic.message
        assert diagnostic.file == path.name
        assert diagnostic.severity == "error"
        assert "\n" not in diagnostic.format()


def test_several_errors_are_sorted_by_line(tmp_path: Path) -> None:
    case = next(case for case in CASES if case.id == "several-errors")
    with pytest.raises(ContentError) as raised:
        check_content(write_case(case, tmp_path))
    positions = [(d.line, d.column) for d in raised.value.diagnostics]
    assert len(positions) == 6
    assert positions == sorted(positions)


# --- values that YAML 1.1 would have turned into something else stay text ----------------------


def _valid(tmp_path: Path, text: str | bytes, name: str = "content.yaml"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    checked = check_content(path)
    assert checked.warnings == []
    return checked


def test_minimal_document_is_valid(tmp_path: Path) -> None:
    checked = _valid(tmp_path, BASE)
    assert checked.content.document.title == "Minimal test document"


def test_norway_stays_no_and_is_norway(tmp_path: Path) -> None:
    text = _replace("members: [CN, RU]", "members: [CN, NO]")
    text = _replace("country: RU\n", "country: NO\n", text)
    checked = _valid(tmp_path, text)
    member = checked.content.organisation.membership[0].members[1]
    assert member.country == "NO"
    assert member_name(member, "en") == "Norway"
    assert member_name(member, "id") == "Norwegia"
    assert checked.content.actor.country == "NO"
    assert checked.source.data["actor"]["country"] == "NO"  # type: ignore[index]


def test_leading_zeros_and_other_yaml_11_values_stay_as_typed(tmp_path: Path) -> None:
    text = _replace("  title: Minimal test document", "  title: 012")
    text = _replace("    - id: economic", "    - id: 012", text)
    text = _replace("  - First point.\n  - Second point.\n  - Third point.\n",
                    "  - 012\n  - on\n  - 0x1F\n  - 1_000\n  - 2024-01-31\n", text)
    checked = _valid(tmp_path, text)
    assert checked.content.document.title == "012"
    assert checked.content.actor.interests[0].id == "012"
    assert checked.content.summary == ["012", "on", "0x1F", "1_000", "2024-01-31"]
    assert checked.source.data["summary"] == ["012", "on", "0x1F", "1_000", "2024-01-31"]


def test_python_tag_does_not_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'!!python/object/apply:os.system ["touch {marker}"]\n'
    path = tmp_path / "apply.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        check_content(path)
    assert [(d.line, d.column) for d in raised.value.diagnostics] == [(1, 1)]
    assert "tag '!!python/object/apply:os.system' is not allowed" in raised.value.diagnostics[0].message
    assert not marker.exists()


def test_bom_and_crlf_file_still_validates(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode("utf-8")
    checked = _valid(tmp_path, data)
    assert checked.content.document.title == "Minimal test document"
    assert not any("\r" in text for text in checked.content.summary)


def test_bom_and_crlf_do_not_shift_positions(tmp_path: Path) -> None:
    case = next(case for case in CASES if case.id == "duplicate-key")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + case.data.replace(b"\n", b"\r\n"))
    with pytest.raises(ContentError) as raised:
        check_content(path)
    expected = case.expected[0]
    assert [(d.line, d.column) for d in raised.value.diagnostics] == [(expected.line, expected.column)]


def test_text_is_nfc_normalised(tmp_path: Path) -> None:
    decomposed = "Cafe\u0301 prose."
    assert unicodedata.is_normalized("NFD", decomposed)
    checked = _valid(tmp_path, _replace("paragraph: Some prose.", f"paragraph: {decomposed}"))
    paragraph = checked.content.body[0].blocks[0].paragraph  # type: ignore[union-attr]
    assert paragraph == "Caf\u00e9 prose."
    assert unicodedata.is_normalized("NFC", paragraph)


def test_decomposed_key_is_normalised_too(tmp_path: Path) -> None:
    # a key typed with a combining accent must match the same key typed precomposed (here: a duplicate)
    text = BASE + "e\u0301: 1\n\u00e9: 2\n"
    path = tmp_path / "keys.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        check_content(path)
    assert any("duplicate key '\u00e9'" in d.message for d in raised.value.diagnostics)


def test_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    padding = "# " + "x" * 1000 + "\n"
    path.write_text(BASE + padding * (loader.MAX_CONTENT_BYTES // len(padding) + 1), encoding="utf-8")
    assert path.stat().st_size > loader.MAX_CONTENT_BYTES
    with pytest.raises(ContentError) as raised:
        check_content(path, "huge.yaml")
    (diagnostic,) = raised.value.diagnostics
    assert f"limited to {loader.MAX_CONTENT_BYTES:,} bytes" in diagnostic.message
    assert diagnostic.file == "huge.yaml"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as raised:
        check_content(tmp_path / "absent.yaml", "absent.yaml")
    assert raised.value.diagnostics[0].message.startswith("no such file")


def test_load_text_reports_positions_of_values_and_keys() -> None:
    document = loader.load_text(BASE, "inline.yaml")
    assert document.value_positions[("document", "title")] == loader.Position(*position_of(BASE, "Minimal test"))
    assert document.key_positions[("document", "title")] == loader.Position(*position_of(BASE, "title:"))
    assert document.data["organisation"]["membership"][0]["members"] == ["CN", "RU"]  # type: ignore[index]


def test_line_separator_does_not_crash(tmp_path: Path) -> None:
    """U+2028 is a line break to PyYAML (YAML 1.1); it used to crash the syntax-error handler (IndexError)."""
    path = tmp_path / "separator.yaml"
    path.write_text(_replace("Some prose.", "Some\u2028prose."), encoding="utf-8")
    with pytest.raises(ContentError):
        check_content(path)
