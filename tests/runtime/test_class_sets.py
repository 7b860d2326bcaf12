"""Rosters for a whole class (issue 15): Excel workbooks, collisions refused before building, a bad cell located at
its roster line and never echoed raw, and one print-ready PDF of the class for double-sided printing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, run_cli

from reports.errors import ContentError
from reports.runtime.class_set import Handout, join_class_set
from reports.runtime.roster import read_roster

ENGLISH = PROJECT_ROOT / "data" / "sco-russia.en.yaml"


def _roster(folder: Path, text: str, name: str = "roster.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_excel_roster_reads_like_a_csv_one(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Class", "Number"])
    sheet.append(["Ayu Lestari", "XI IPS 2", 7])
    sheet.append([None, None, None])
    sheet.append(["Budi Santoso", "XI IPS 2", 8.0])
    workbook.save(tmp_path / "class.xlsx")
    rows = read_roster(tmp_path / "class.xlsx", "class.xlsx")
    assert [dict(row) for row in rows] == [{"name": "Ayu Lestari", "class": "XI IPS 2", "number": "7"},
                                           {"name": "Budi Santoso", "class": "XI IPS 2", "number": "8"}]
    assert [row.line for row in rows] == [2, 4]


def test_a_damaged_workbook_is_a_content_error(tmp_path: Path) -> None:
    (tmp_path / "class.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ContentError, match="not an Excel workbook"):
        read_roster(tmp_path / "class.xlsx", "class.xlsx")


@pytest.mark.parametrize("cell", ["Bad\x00Name", "Eve\u202eevil", "Bell\x07"])
def test_a_control_or_bidi_character_is_a_content_error_at_its_line_never_echoed_raw(tmp_path: Path,
                                                                                   cell: str) -> None:
    roster = _roster(tmp_path, f"name,class\nAni,XI\n{cell},XI\n")
    result = run_cli("build", ENGLISH, "-t", "handout", "-f", "pdf", "--roster", roster, "-o", tmp_path / "out",
                     cwd=tmp_path)
    assert result.returncode == 3
    assert "roster.csv:3:" in result.stderr and "column 'name'" in result.stderr
    bad = next(character for character in cell if not character.isalpha())
    assert bad not in result.stderr + result.stdout and f"\\u{ord(bad):04x}" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()  # nothing half built


@pytest.mark.slow
def test_a_name_the_fonts_cannot_show_is_a_layout_error_at_its_roster_line(tmp_path: Path) -> None:
    roster = _roster(tmp_path, "name,class\nAni,XI\nLinear \U00010000,XI\n")
    result = run_cli("build", ENGLISH, "-t", "handout", "-f", "pdf", "--roster", roster, "-o", tmp_path / "out",
                     "-j", "1", cwd=tmp_path)
    assert result.returncode == 6
    assert "roster.csv:3:" in result.stderr and "column 'name'" in result.stderr and "<input>" not in result.stderr


def test_outputs_that_would_collide_are_refused_before_anything_is_built(tmp_path: Path) -> None:
    shutil.copy(ENGLISH, tmp_path / "a.yaml")
    shutil.copy(ENGLISH, tmp_path / "a-handout-b.yaml")
    roster = _roster(tmp_path, "name,class\nb handout c,X\nc,X\n")
    result = run_cli("build", "a.yaml", "a-handout-b.yaml", "-t", "handout", "-f", "pdf", "--roster", roster,
                     "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "a.yaml for 'b handout c' (roster.csv:2)" in result.stderr
    assert "a-handout-b.yaml for 'c' (roster.csv:3)" in result.stderr
    assert "a-handout-b-handout-c.pdf" in result.stderr and not (tmp_path / "out").exists()


def _pdf(pages: int) -> bytes:
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842), invariant=1)
    for number in range(pages):
        canvas.drawString(72, 720, f"page {number + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_each_handout_of_a_class_set_starts_on_a_new_sheet() -> None:
    from pypdf import PdfReader

    data = join_class_set([Handout("Ani", _pdf(3)), Handout("Budi", _pdf(2)), Handout("Citra", _pdf(1))], "set")
    assert data == join_class_set([Handout("Ani", _pdf(3)), Handout("Budi", _pdf(2)), Handout("Citra", _pdf(1))],
                                  "set")  # the same handouts, the same bytes
    reader = PdfReader(__import__("io").BytesIO(data))
    texts = [(page.extract_text() or "").strip() for page in reader.pages]
    assert texts == ["page 1", "page 2", "page 3", "", "page 1", "page 2", "page 1", ""]
    assert [item.title for item in reader.outline if not isinstance(item, list)] == ["Ani", "Budi", "Citra"]
    assert reader.page_labels[0] == "Ani 1" and reader.page_labels[4] == "Budi 1"


@pytest.mark.slow
def test_the_class_set_only_leaves_one_print_ready_file(tmp_path: Path) -> None:
    from pypdf import PdfReader

    roster = _roster(tmp_path, "name,class\nAni,XI\nBudi,XI\n")
    result = run_cli("build", ENGLISH, "-t", "handout-teacher", "--roster", roster, "--class-set-only", "-o", "out",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    files = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert files == ["sco-russia.en-handout-teacher-class-set.pdf"]
    reader = PdfReader(str(tmp_path / "out" / files[0]))
    labels = reader.page_labels
    assert len(reader.pages) % 2 == 0 and labels[len(reader.pages) // 2] == "Budi 1"
    assert "(1 class set)" in result.stderr  # the students' own PDFs were joined and are gone: not counted


@pytest.mark.slow
def test_the_summary_counts_the_class_set_beside_the_students_files(tmp_path: Path) -> None:
    roster = _roster(tmp_path, "name,class\nAni,XI\nBudi,XI\n")
    result = run_cli("build", ENGLISH, "-t", "handout", "-f", "pdf", "--roster", roster, "--class-set", "-o", "out",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").iterdir())) == 3
    assert "built 2 of 2 documents (2 files and 1 class set)" in result.stderr


@pytest.mark.slow
def test_a_class_set_with_a_failed_handout_is_not_written_and_leaves_no_private_folder(tmp_path: Path) -> None:
    roster = _roster(tmp_path, "name,class\nAni,XI\n\ua500\ua501,XI\n")  # a Vai name: no font of the theme has it
    result = run_cli("build", ENGLISH, "-t", "handout", "--roster", roster, "--class-set-only", "-o", "out",
                     cwd=tmp_path)
    assert result.returncode == 6, result.stderr
    assert "the class set sco-russia.en-handout-class-set.pdf is not written: 1 of 2 handouts failed" in result.stderr
    assert "built 1 of 2 documents (no class sets)" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []  # nor the students' PDFs built for it
