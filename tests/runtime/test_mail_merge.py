"""Roster rows filled in from a form (`reports.runtime.mail_merge`): the same files as the ordinary build, byte for
byte.

Each test compares what a roster row's job writes (with `form=True`, as a roster batch asks) with what the
ordinary path makes for the same row: `build_tree` and the two writers, called directly, with a cache of their
own. Some tests also
prove the form was used (the ordinary path is made to fail once the form exists) or that it was not (the
row fell back to the ordinary build and still came out right).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from conftest import PROJECT_ROOT, build_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reports.pipeline as build_module
from reports.cache import Cache
from reports.content.validate import check_content
from reports.errors import AssetError, LayoutError
from reports.paths import TEMPLATES_DIR
from reports.pipeline import build_tree, render_context
from reports.writers.docx.writer import write_docx
from reports.writers.pdf.replay import LayoutPlan, replay_pdf
from reports.writers.pdf.writer import write_pdf

ROOT = PROJECT_ROOT
CONTENT = ROOT / "data" / "sco-russia.yaml"
ENGLISH = ROOT / "data" / "sco-russia.en.yaml"
BUILT_IN = (TEMPLATES_DIR,)


CACHE = Cache()
"""The process's cache, as a batch worker keeps it: the forms live in it."""


@pytest.fixture(autouse=True)
def _fresh_forms() -> Iterator[None]:
    CACHE.clear()
    yield
    CACHE.clear()


def forms() -> list[object]:
    return CACHE.values("roster-forms")


def build(content: Path, template: str, formats: tuple[str, ...], out: Path, **options: object) -> tuple[list[Path], list[object]]:
    return build_files(content, template, formats, out, cache=CACHE, **options)  # type: ignore[arg-type]


def ordinary(content: Path, template: str, student: dict[str, str],
             search_path: tuple[Path, ...] = BUILT_IN) -> dict[str, bytes]:
    cache = Cache()
    built = build_tree(check_content(content, cache=cache), template, search_path, student, cache)
    context = render_context(built, cache)
    return {".pdf": write_pdf(built.document, context), ".docx": write_docx(built.document, context)}


def merged_row(content: Path, template: str, student: dict[str, str], out: Path,
               search_path: tuple[Path, ...] = BUILT_IN) -> dict[str, bytes]:
    written, _ = build(content, template, ("pdf", "docx"), out, search_path=search_path, student=student,
                       suffix="row", form=True)
    return {path.suffix: path.read_bytes() for path in written}


def forbid_ordinary_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the row was built the ordinary way, not filled in from the form")

    monkeypatch.setattr(build_module, "build_tree", refuse)


@pytest.mark.slow
@pytest.mark.parametrize("content", [CONTENT, ENGLISH], ids=["id", "en"])
@pytest.mark.parametrize("template", ["handout", "handout-teacher"])
def test_filled_in_rows_are_the_ordinary_files_byte_for_byte(content: Path, template: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [{"name": "Siti Nurhaliza", "class": "X-2"}, {"name": "Budi", "class": "10 IPA 2"},
            {"name": 'Ana & <Co> "x" \'y\' *bold* [l](u) 100% #1', "class": "9B"},
            {"name": "Ñandú Çelik Øre Ω≈", "class": "XI"}]
    expected = [ordinary(content, template, row) for row in rows]
    merged_row(content, template, rows[0], tmp_path)  # makes the form
    forbid_ordinary_build(monkeypatch)
    for row, files in zip(rows, expected):
        assert merged_row(content, template, row, tmp_path) == files, row


@pytest.mark.slow
def test_a_name_that_takes_another_line_is_laid_out_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_name = " ".join(["Muhammad Rizki Pratama Wijaya"] * 6)
    expected = ordinary(CONTENT, "handout", {"name": long_name, "class": "X-2"})
    merged_row(CONTENT, "handout", {"name": "Siti", "class": "X-2"}, tmp_path)
    calls: list[object] = []
    original = build_module.build_tree
    monkeypatch.setattr(build_module, "build_tree", lambda *a, **k: calls.append(a) or original(*a, **k))
    assert merged_row(CONTENT, "handout", {"name": long_name, "class": "X-2"}, tmp_path) == expected
    assert calls, "a longer paragraph must be laid out the ordinary way"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["", " Siti", "Siti  Nurhaliza", "Siti\nNurhaliza", "Siti\u00a0Nurhaliza"])
def test_values_a_form_cannot_take_build_the_ordinary_way(name: str, tmp_path: Path) -> None:
    merged_row(CONTENT, "handout", {"name": "Siti", "class": "X-2"}, tmp_path)
    assert merged_row(CONTENT, "handout", {"name": name, "class": "X-2"}, tmp_path) == \
        ordinary(CONTENT, "handout", {"name": name, "class": "X-2"})


@pytest.mark.slow
def test_a_character_the_font_lacks_is_the_ordinary_error(tmp_path: Path) -> None:
    merged_row(CONTENT, "handout", {"name": "Siti", "class": "X-2"}, tmp_path)
    with pytest.raises(LayoutError) as raised:
        merged_row(CONTENT, "handout", {"name": "漢字", "class": "X-2"}, tmp_path)
    with pytest.raises(LayoutError) as directly:
        ordinary(CONTENT, "handout", {"name": "漢字", "class": "X-2"})
    assert [d.message for d in raised.value.diagnostics] == [d.message for d in directly.value.diagnostics]


def custom_template(tmp_path: Path, body: str) -> tuple[Path, ...]:
    folder = tmp_path / "templates" / "custom"
    folder.mkdir(parents=True)
    (folder / "theme.yaml").write_text("name: custom\nextends: handout\n", encoding="utf-8")
    (folder / "template.md.j2").write_text('{% extends "base/document.md.j2" %}\n{% block main %}\n' + body
                                           + "\n{% endblock %}\n", encoding="utf-8")
    return (tmp_path / "templates", TEMPLATES_DIR)


@pytest.mark.parametrize("body", [
    # a choice made by a value: Budi's document differs from the form's shape
    "Halo {{ student.name }}.\n\n{% if student.name == 'Budi' %}Khusus untuk Budi.{% endif %}\n",
    # a value in a heading (its id and the PDF outline hold it) and in a table (Word's row estimate)
    "# Untuk {{ student.name }}\n\nHalo {{ student.name }}.\n",
    "| Nama | Kelas |\n| --- | --- |\n| {{ student.name }} | {{ student.class }} |\n",
    # a value the template changes, and one it measures
    "Halo {{ student.name | upper }}, {{ student.name | length }} huruf.\n",
    # Markdown reads a value's characters by their neighbours (found in review): a number before ". " starts a
    # numbered list, a value ending in "." keeps "**" from closing, code keeps the escapes, "&…;" is an entity
    "{{ student.class }}. Tugas untuk {{ student.name }}\n",
    "Halo x**{{ student.name }}**y\n",
    "Kode: `{{ student.name }}`\n",
    "Tanda &{{ student.class }};\n",
], ids=["choice", "heading", "table", "filters", "numbered", "flanking", "code", "entity"])
@pytest.mark.slow
def test_templates_that_use_values_otherwise_still_give_the_ordinary_files(body: str, tmp_path: Path) -> None:
    search_path = custom_template(tmp_path, body)
    rows = [{"name": "Siti", "class": "X-2"}, {"name": "Budi", "class": "X-3"}, {"name": "Ayu", "class": "X-4"},
            {"name": "Budi.", "class": "1"}, {"name": "O'Neil-Smith", "class": "amp"}]
    for row in rows:
        assert merged_row(CONTENT, "custom", row, tmp_path / "out", search_path) == \
            ordinary(CONTENT, "custom", row, search_path), row


@pytest.mark.slow
def test_a_changed_content_file_makes_a_new_form(tmp_path: Path) -> None:
    content = tmp_path / "essay.yaml"
    content.write_text(CONTENT.read_text(encoding="utf-8"), encoding="utf-8")
    merged_row(content, "handout", {"name": "Siti", "class": "X-2"}, tmp_path / "out")
    text = CONTENT.read_text(encoding="utf-8").replace("Shanghai Cooperation Organization",
                                                       "Shanghai Cooperation Organisation", 1)
    content.write_text(text, encoding="utf-8")
    row = {"name": "Budi", "class": "X-2"}
    assert merged_row(content, "handout", row, tmp_path / "out") == ordinary(content, "handout", row)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(codec="latin-1", categories=["L", "N", "P", "S", "Zs"]), min_size=1,
                    max_size=40))
def test_any_latin_name_gives_the_ordinary_files(name: str, tmp_path: Path) -> None:
    if not forms():
        merged_row(CONTENT, "handout", {"name": "Siti", "class": "X-2"}, tmp_path)
    row = {"name": name, "class": "X-2"}
    assert merged_row(CONTENT, "handout", row, tmp_path) == ordinary(CONTENT, "handout", row)


def test_a_recorded_layout_drawn_again_is_the_same_pdf() -> None:
    """The page plan alone (no form): the briefing — charts, a table across pages, outline, tagging —
    drawn again from its plan is the PDF its layout wrote."""
    from reports.writers.pdf.writer import PdfWriter

    built = build_tree(check_content(CONTENT), "briefing")
    writer = PdfWriter(render_context(built))
    plan = LayoutPlan()
    laid_out = writer.write(built.document, plan)
    assert writer.last_layout is not None
    structure, texts, info = writer.last_layout
    assert len(plan.pages) >= 4
    for _ in range(2):
        assert replay_pdf(plan, structure, writer.styles, texts, info) == laid_out


@pytest.mark.slow
@pytest.mark.parametrize("formats", [("pdf",), ("docx",)])
def test_one_format_alone(formats: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    row = {"name": "Budi Santoso", "class": "X-3"}
    expected = ordinary(CONTENT, "handout", row)
    build(CONTENT, "handout", formats, tmp_path, student={"name": "Siti", "class": "X-2"}, suffix="a", form=True)
    forbid_ordinary_build(monkeypatch)
    written, _ = build(CONTENT, "handout", formats, tmp_path, student=row, suffix="b", form=True)
    assert {path.suffix: path.read_bytes() for path in written} == {f".{formats[0]}": expected[f".{formats[0]}"]}


@pytest.mark.slow
def test_rows_filled_in_from_threads_at_once(tmp_path: Path) -> None:
    """A Dask worker runs tasks in threads: rows filled in at the same time from one form stay apart."""
    from concurrent.futures import ThreadPoolExecutor

    rows = [{"name": f"Murid Nomor {number}", "class": "X-2"} for number in range(8)]
    expected = [ordinary(CONTENT, "handout", row) for row in rows]
    merged_row(CONTENT, "handout", rows[0], tmp_path / "first")

    def one(index: int) -> dict[str, bytes]:
        return merged_row(CONTENT, "handout", rows[index], tmp_path / f"row{index}")

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(one, range(len(rows)))) == expected


@pytest.mark.slow
def test_a_caller_of_build_gets_a_form_at_the_second_row(tmp_path: Path) -> None:
    for number in range(3):
        row = {"name": f"Murid {number}", "class": "X-2"}
        written, _ = build(CONTENT, "handout", ("pdf", "docx"), tmp_path, student=row, suffix=str(number))
        assert {path.suffix: path.read_bytes() for path in written} == ordinary(CONTENT, "handout", row)
        assert len(forms()) == (0 if number == 0 else 1)


@pytest.mark.slow
def test_a_changed_file_in_the_template_folder_makes_a_new_form(tmp_path: Path) -> None:
    """Found in review: a replaced logo, or a reference.docx added, after the form was made."""
    from PIL import Image

    search_path = custom_template(tmp_path, "Halo {{ student.name }}.\n")
    folder = search_path[0] / "custom"
    Image.new("RGB", (120, 40), "#1F3A5F").save(folder / "logo.png")
    (folder / "theme.yaml").write_text("name: custom\nextends: handout\nlogo: logo.png\nlogo_alt: Logo\n",
                                       encoding="utf-8")
    merged_row(CONTENT, "custom", {"name": "Siti", "class": "X-2"}, tmp_path / "out", search_path)
    Image.new("RGB", (120, 40), "#C0392B").save(folder / "logo.png")
    row = {"name": "Budi", "class": "X-3"}
    assert merged_row(CONTENT, "custom", row, tmp_path / "out", search_path) == \
        ordinary(CONTENT, "custom", row, search_path)
    (folder / "reference.docx").write_bytes(b"not a DOCX")
    with pytest.raises(AssetError):
        merged_row(CONTENT, "custom", {"name": "Ayu", "class": "X-3"}, tmp_path / "out", search_path)


@pytest.mark.slow
def test_an_edited_template_makes_a_new_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    search_path = custom_template(tmp_path, "Halo {{ student.name }}.\n")
    template = search_path[0] / "custom" / "template.md.j2"
    merged_row(CONTENT, "custom", {"name": "Siti", "class": "X-2"}, tmp_path / "out", search_path)
    template.write_text(template.read_text(encoding="utf-8").replace("Halo", "Selamat pagi"), encoding="utf-8")
    row = {"name": "Budi", "class": "X-3"}
    expected = ordinary(CONTENT, "custom", row, search_path)
    merged_row(CONTENT, "custom", {"name": "Ayu", "class": "X-2"}, tmp_path / "out", search_path)  # new form
    forbid_ordinary_build(monkeypatch)
    assert merged_row(CONTENT, "custom", row, tmp_path / "out", search_path) == expected
