"""The optional `classroom` part: both editions of the SCO essay carry one, written for the essay.

Checks that the glossary explains the essay's key terms (each of which students actually meet in the body),
that the English classroom part has the Indonesian one's shape and true/false answers, that a content file
without `classroom` still validates, and that a broken classroom part is refused (exit 3) with a located,
field-pathed diagnostic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import minimal_content_yaml, position_of, run_cli
from pydantic import BaseModel

from reports.content.validate import check_content
from reports.errors import ContentError

INDONESIAN = Path("data") / "sco-russia.yaml"
ENGLISH = Path("data") / "sco-russia.en.yaml"
AFRICAN_UNION = Path("tests") / "data" / "african-union.yaml"

REQUIRED_TERMS = {
    # Eurasia, pragmatism, separatism, dialogue partner, observer — as each edition's body spells them
    INDONESIAN: ("eurasia", "pragmatisme", "separatisme", "mitra dialog", "pengamat"),
    ENGLISH: ("eurasia", "pragmatism", "separatism", "dialogue partner", "observer"),
}


@pytest.fixture(scope="module")
def editions(project_root: Path) -> dict[Path, Any]:
    return {path: check_content(project_root / path) for path in (INDONESIAN, ENGLISH)}


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        for child in value.values():
            yield from _texts(child)
    elif isinstance(value, list):
        for child in value:
            yield from _texts(child)
    elif isinstance(value, str):
        yield value


def _body_text(checked) -> str:
    return " ".join(" ".join(_texts(section)) for section in checked.content.body)


def _occurs(term: str, text: str) -> bool:
    """`term` as a whole word or phrase (any whitespace between words), case-insensitively."""
    words = [re.escape(word) for word in term.split()]
    return re.search(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", text, re.IGNORECASE) is not None


# --- both editions -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [INDONESIAN, ENGLISH], ids=["id", "en"])
def test_both_editions_have_a_classroom_part_without_warnings(editions, path: Path) -> None:
    checked = editions[path]
    classroom = checked.content.classroom
    assert classroom is not None
    assert [warning.format() for warning in checked.warnings] == []
    assert 3 <= len(classroom.objectives) <= 4
    assert 6 <= len(classroom.glossary) <= 8
    assert 3 <= len(classroom.questions) <= 5
    assert 4 <= len(classroom.activity.true_false) <= 5
    assert isinstance(classroom.activity.sort_members, list) and len(classroom.activity.sort_members) >= 6
    assert {objective.id for objective in classroom.objectives} == classroom.served_objectives()
    assert classroom.level and classroom.duration
    assert all(item.explanation for item in classroom.activity.true_false)


@pytest.mark.parametrize("path", [INDONESIAN, ENGLISH], ids=["id", "en"])
def test_glossary_covers_the_key_terms(editions, path: Path) -> None:
    terms = [entry.term.casefold() for entry in editions[path].content.classroom.glossary]
    missing = [wanted for wanted in REQUIRED_TERMS[path] if not any(wanted in term for term in terms)]
    assert missing == []
    assert len(set(terms)) == len(terms), "a term is explained twice"


@pytest.mark.parametrize("path", [INDONESIAN, ENGLISH], ids=["id", "en"])
def test_every_glossary_term_occurs_in_the_body(editions, path: Path) -> None:
    body = _body_text(editions[path])
    missing = [entry.term for entry in editions[path].content.classroom.glossary if not _occurs(entry.term, body)]
    assert missing == [], "glossary terms students never meet in the essay"


def test_term_matching_is_by_whole_word() -> None:
    assert _occurs("mitra dialog", "negara-negara mitra\n dialog yaitu")
    assert _occurs("Eurasia", "wilayah eurasia.")
    assert not _occurs("pragmatis", "prinsip pragmatisme")


def test_the_english_classroom_part_has_the_indonesian_shape(editions) -> None:
    id_ = editions[INDONESIAN].content.classroom
    en = editions[ENGLISH].content.classroom
    for field in ("objectives", "glossary", "questions"):
        assert len(getattr(en, field)) == len(getattr(id_, field)), field
    assert len(en.activity.true_false) == len(id_.activity.true_false)
    assert [item.answer for item in en.activity.true_false] == [item.answer for item in id_.activity.true_false]
    assert en.activity.sort_members == id_.activity.sort_members
    assert (en.level is None, en.duration is None) == (id_.level is None, id_.duration is None)


@pytest.mark.parametrize("path", [INDONESIAN, ENGLISH], ids=["id", "en"])
def test_statements_are_both_true_and_false(editions, path: Path) -> None:
    answers = [item.answer for item in editions[path].content.classroom.activity.true_false]
    assert all(isinstance(answer, bool) for answer in answers)
    assert True in answers and False in answers


# --- the part is optional, and checked like the rest ---------------------------------------------


@pytest.mark.slow
def test_a_file_without_classroom_still_validates(project_root: Path) -> None:
    checked = check_content(project_root / AFRICAN_UNION)
    assert checked.content.classroom is None
    assert [warning.format() for warning in checked.warnings] == []
    result = run_cli("check", AFRICAN_UNION, cwd=project_root)
    assert (result.returncode, result.stderr) == (0, "")


_CLASSROOM = """\
classroom:
  level: Year 11
  objectives:
    - id: founders
      text: Students can name the founding members.
  glossary:
    - term: trade
      definition: Buying and selling goods between countries.
  questions:
    - question: Which sector matters most?
      answer: The economy.
  activity:
    title: Fact check
    instructions: Mark each statement true or false.
    objectives: [founders]
    true_false:
      - statement: Trade grew quickly.
        answer: true
        paragraph: '1'
"""

BROKEN = {
    # id: (replace this, with this, field path, text the located line starts at, message fragment)
    "answer-maybe": ("answer: true", "answer: maybe", "classroom.activity.true_false.0.answer", "maybe", "boolean"),
    "empty-objectives": (
        "  objectives:\n    - id: founders\n      text: Students can name the founding members.\n",
        "  objectives: []\n",
        "classroom.objectives",
        "[]",
        "at least 1 item",
    ),
    "misspelt-glossary": ("  glossary:", "  glosary:", "classroom.glosary", "glosary", "did you mean 'glossary'"),
}


def test_a_valid_classroom_part_passes(tmp_path: Path) -> None:
    (tmp_path / "lesson.yaml").write_text(minimal_content_yaml() + _CLASSROOM, encoding="utf-8")
    result = run_cli("check", "lesson.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "lesson.yaml: valid\n", "")


@pytest.mark.slow
@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_classroom_part_exits_3_located(case: str, tmp_path: Path) -> None:
    old, new, field_path, anchor, fragment = BROKEN[case]
    assert old in _CLASSROOM
    text = minimal_content_yaml() + _CLASSROOM.replace(old, new, 1)
    (tmp_path / "lesson.yaml").write_text(text, encoding="utf-8")
    line, column = position_of(text, anchor)

    result = run_cli("check", "lesson.yaml", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    expected = f"lesson.yaml:{line}:{column}: {field_path}: "
    matching = [row for row in result.stderr.splitlines() if row.startswith(expected)]
    assert matching, (expected, result.stderr)
    assert fragment in matching[0]

    with pytest.raises(ContentError) as raised:
        check_content(tmp_path / "lesson.yaml")
    assert any(d.field_path == field_path and d.line == line for d in raised.value.diagnostics)
