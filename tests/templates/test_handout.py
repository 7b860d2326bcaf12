"""Classroom handouts, teacher editions, customisable templates and reference documents (issue 4)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, as_typeset
from handout_fixtures import handouts  # noqa: F401 — both editions in both languages, built once

from reports.content.validate import check_content
from reports.language.countries import member_name

ROOT = PROJECT_ROOT
CONTENT = {"id": ROOT / "data" / "sco-russia.yaml", "en": ROOT / "data" / "sco-russia.en.yaml"}


def cli(*arguments: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reports.cli", *arguments], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env={**os.environ, **(env or {})})


def pdf_text(path: Path) -> str:
    """Page text without the running header and footer, which interrupt sentences at page breaks."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    title = str(reader.metadata.title) if reader.metadata else ""
    lines = [
        line.strip()
        for page in reader.pages
        for line in (page.extract_text() or "").splitlines()
        if line.strip() != title and not re.fullmatch(r"(Halaman|Page) \d+ (dari|of) \d+", line.strip())
    ]
    return " ".join(" ".join(lines).split())


def docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).split())


@pytest.mark.slow
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("template", ["handout", "handout-teacher"])
def test_handout_carries_the_classroom_material_in_both_formats(handouts, language: str, template: str) -> None:
    classroom = check_content(CONTENT[language]).content.classroom
    assert classroom is not None
    files = handouts[(language, template)]
    for text in (pdf_text(files[".pdf"]), docx_text(files[".docx"])):
        for objective in classroom.objectives:
            assert as_typeset(objective.text, language) in text
        for entry in classroom.glossary:
            assert as_typeset(entry.term, language) in text and as_typeset(entry.definition, language) in text
        for question in classroom.questions:
            assert as_typeset(question.question, language) in text
        for statement in classroom.activity.true_false:
            assert as_typeset(statement.statement, language) in text
        answers_shown = [as_typeset(question.answer, language) in text for question in classroom.questions]
        assert all(answers_shown) if template == "handout-teacher" else not any(answers_shown)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("template", ["handout", "handout-teacher"])
def test_the_worksheet_fits_on_one_sheet_and_the_reading_follows(handouts, language: str, template: str) -> None:
    """The student's tasks fit on two pages (one sheet, printed on both sides); the reading starts on a page of its
    own after them, so the handout with the reading is longer — and says so on its first page."""
    from pypdf import PdfReader

    pages = [page.extract_text() or "" for page in PdfReader(str(handouts[(language, template)][".pdf"])).pages]
    heading = "Bacaan: " if language == "id" else "Reading: "
    starts = [number for number, text in enumerate(pages, start=1) if heading in text]
    assert starts, "the reading is printed"
    limit = 3 if template == "handout" else 4  # the teacher edition's answers take a page more
    assert starts[0] <= limit and len(pages) > 2
    assert ("Bacaan di bagian belakang" if language == "id" else "Reading at the back") in pages[0]


def test_labels_follow_the_language(handouts) -> None:
    indonesian = docx_text(handouts[("id", "handout")][".docx"])
    english = docx_text(handouts[("en", "handout")][".docx"])
    assert "Tujuan Pembelajaran" in indonesian and "Glosarium" in indonesian and "Nama:" in indonesian
    assert "Learning Objectives" in english and "Glossary" in english and "Name:" in english
    assert "15 Juni 2001" in indonesian and "June 15, 2001" in english


def test_teacher_edition_sorts_every_member_of_the_activity_into_its_category(handouts) -> None:
    from reports.content.membership import sorted_members

    content = check_content(CONTENT["id"]).content
    text = docx_text(handouts[("id", "handout-teacher")][".docx"])
    assert "Edisi Guru" in text
    asked_for = {id(member) for member in sorted_members(content)}
    assert 0 < len(asked_for) < len(content.all_members())  # the sample's teacher chose nine of sixteen
    for category in content.organisation.membership:
        for member in category.members:
            if id(member) in asked_for:
                assert re.search(re.escape(member_name(member, "id")) + r"\s+" + re.escape(category.label), text)


@pytest.mark.slow
def test_a_content_file_without_classroom_material_is_told_what_to_add(tmp_path: Path) -> None:
    result = cli("build", str(ROOT / "tests" / "data" / "african-union.yaml"), "--template", "handout",
                 "--out", str(tmp_path))
    assert result.returncode == 3
    assert "classroom" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def test_templates_list_shows_user_folders_first(tmp_path: Path) -> None:
    user = tmp_path / "mine"
    (user / "briefing").mkdir(parents=True)
    (user / "briefing" / "template.md.j2").write_text("x", encoding="utf-8")
    result = cli("templates", "list", "--templates-dir", str(user))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("briefing")]
    assert str(user / "briefing") in lines[0]
    assert "hidden" in lines[1]
    assert any(line.startswith("handout-teacher") for line in result.stdout.splitlines())


@pytest.mark.slow
def test_a_copied_template_builds_and_its_theme_changes_the_output(tmp_path: Path) -> None:
    user = tmp_path / "templates"
    result = cli("templates", "new", "school", "--from", "handout", "--dir", str(user))
    assert result.returncode == 0, result.stderr
    theme = user / "school" / "theme.yaml"
    assert theme.is_file() and (user / "school" / "template.md.j2").is_file()

    first = tmp_path / "first"
    result = cli("build", "--template", "school", "--templates-dir", str(user), "--out", str(first))
    assert result.returncode == 0, result.stderr
    assert (first / "sco-russia-school.pdf").is_file() and (first / "sco-russia-school.docx").is_file()

    theme.write_text(theme.read_text(encoding="utf-8").replace('organisation_name: ""', 'organisation_name: "SMA Negeri 1 Contoh"')
                     + "colours:\n  primary: \"#7A1F3D\"\npage_size: Letter\n", encoding="utf-8")
    second = tmp_path / "second"
    result = cli("build", "--template", "school", "--templates-dir", str(user), "--out", str(second))
    assert result.returncode == 0, result.stderr
    assert "SMA Negeri 1 Contoh" in pdf_text(second / "sco-russia-school.pdf")
    assert "SMA Negeri 1 Contoh" in docx_text(second / "sco-russia-school.docx")
    with zipfile.ZipFile(second / "sco-russia-school.docx") as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
    assert "7A1F3D" in styles.upper()
    from pypdf import PdfReader

    width = float(PdfReader(str(second / "sco-russia-school.pdf")).pages[0].mediabox.width)
    assert abs(width - 612) < 1, "Letter paper is 8.5 in wide"


def test_briefing_and_handout_share_the_base_style_by_inheritance() -> None:
    from reports.theme.model import load_theme

    base = load_theme(ROOT / "templates" / "base")
    for name in ("briefing", "handout", "handout-teacher"):
        theme = load_theme(ROOT / "templates" / name)
        assert theme.colours == base.colours and theme.body_font == base.body_font
    for name in ("briefing", "handout"):
        assert '{% extends "base/document.md.j2" %}' in (ROOT / "templates" / name / "template.md.j2").read_text()
    assert "colours:" not in (ROOT / "templates" / "handout" / "theme.yaml").read_text()


@pytest.mark.slow
def test_a_theme_mistake_is_a_located_template_error(tmp_path: Path) -> None:
    user = tmp_path / "templates"
    assert cli("templates", "new", "broken", "--from", "briefing", "--dir", str(user)).returncode == 0
    (user / "broken" / "theme.yaml").write_text("name: broken\nextends: base\ncolours:\n  primary: blue\nfont_sise: 11\n",
                                                 encoding="utf-8")
    result = cli("check", "--quiet")  # content alone is fine
    assert result.returncode == 0
    result = cli("build", "--template", "broken", "--templates-dir", str(user), "--out", str(tmp_path / "out"))
    assert result.returncode == 4, result.stderr
    assert re.search(r"theme\.yaml:4:\d+: colours\.primary: 'blue' is not a colour", result.stderr)
    assert re.search(r"theme\.yaml:5:1: font_sise: unknown field 'font_sise' — did you mean 'font_size'\?", result.stderr)


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("ok\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n", "not allowed", 2),
        ('ok\n{% include "../briefing/template.md.j2" %}\n', "template", 2),
        ("ok\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n", "does not end", 2),
        ("ok\n\n{{ contnet.document.title }}\n", "contnet", 3),
    ],
)
@pytest.mark.slow
def test_unsafe_or_broken_templates_exit_4_with_a_location(tmp_path: Path, body: str, message: str, line: int) -> None:
    user = tmp_path / "templates"
    folder = user / "evil"
    folder.mkdir(parents=True)
    (folder / "template.md.j2").write_text(body, encoding="utf-8")
    (folder / "theme.yaml").write_text("name: evil\nextends: base\n", encoding="utf-8")
    result = cli("build", "--template", "evil", "--templates-dir", str(user), "--format", "pdf",
                 "--out", str(tmp_path / "out"), env={"REPORTS_RENDER_SECONDS": "2"})
    assert result.returncode == 4, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    if message != "template":
        assert f"template.md.j2:{line}:" in result.stderr


@pytest.mark.slow
def test_an_include_through_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md.j2").write_text("SECRET", encoding="utf-8")
    folder = tmp_path / "templates" / "evil"
    folder.mkdir(parents=True)
    (folder / "template.md.j2").write_text('{% include "secret.md.j2" %}\n', encoding="utf-8")
    (folder / "theme.yaml").write_text("name: evil\nextends: base\n", encoding="utf-8")
    os.symlink(outside / "secret.md.j2", folder / "secret.md.j2")
    result = cli("build", "--template", "evil", "--templates-dir", str(tmp_path / "templates"), "--out",
                 str(tmp_path / "out"))
    assert result.returncode == 4, result.stderr
    assert "secret.md.j2" in result.stderr


def _template_with_reference(tmp_path: Path, change_styles: object) -> Path:
    user = tmp_path / "templates"
    assert cli("templates", "new", "office", "--from", "briefing", "--dir", str(user)).returncode == 0
    reference = tmp_path / "reference.docx"
    result = cli("templates", "reference", "briefing", "--out", str(reference))
    assert result.returncode == 0, result.stderr
    import docx

    document = docx.Document(str(reference))
    change_styles(document)  # type: ignore[operator]
    document.save(str(user / "office" / "reference.docx"))
    return user


@pytest.mark.slow
def test_a_reference_document_restyles_the_docx(tmp_path: Path) -> None:
    from docx.shared import RGBColor

    def recolour(document: object) -> None:
        document.styles["Heading 1"].font.color.rgb = RGBColor(0x12, 0x80, 0x34)  # type: ignore[attr-defined]

    user = _template_with_reference(tmp_path, recolour)
    result = cli("build", "--template", "office", "--templates-dir", str(user), "--format", "docx",
                 "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    import docx

    built = docx.Document(str(tmp_path / "out" / "sco-russia-office.docx"))
    assert str(built.styles["Heading 1"].font.color.rgb) == "128034"
    assert any(paragraph.style.name == "Heading 1" for paragraph in built.paragraphs)
    assert "Ringkasan Eksekutif" in docx_text(tmp_path / "out" / "sco-russia-office.docx")


@pytest.mark.slow
def test_a_reference_document_lacking_a_needed_style_is_named(tmp_path: Path) -> None:
    def drop_caption(document: object) -> None:
        style = document.styles["Caption"]  # type: ignore[attr-defined]
        style.element.getparent().remove(style.element)

    user = _template_with_reference(tmp_path, drop_caption)
    result = cli("build", "--template", "office", "--templates-dir", str(user), "--format", "docx",
                 "--out", str(tmp_path / "out"))
    assert result.returncode == 5, result.stderr
    assert "style 'Caption'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "sco-russia-office.docx").exists()


@pytest.mark.slow
def test_a_zip_bomb_reference_document_is_refused_before_opening(tmp_path: Path) -> None:
    user = tmp_path / "templates"
    assert cli("templates", "new", "bomb", "--from", "briefing", "--dir", str(user)).returncode == 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("word/styles.xml", b"\0" * (150 * 1024 * 1024))
    (user / "bomb" / "reference.docx").write_bytes(buffer.getvalue())
    result = cli("build", "--template", "bomb", "--templates-dir", str(user), "--format", "docx",
                 "--out", str(tmp_path / "out"))
    assert result.returncode == 5, result.stderr
    assert "zip bomb" in result.stderr


@pytest.mark.slow
def test_a_reference_document_linked_from_outside_is_refused(tmp_path: Path) -> None:
    user = tmp_path / "templates"
    assert cli("templates", "new", "linked", "--from", "briefing", "--dir", str(user)).returncode == 0
    outside = tmp_path / "elsewhere.docx"
    shutil.copy(ROOT / "tests" / "data" / "african-union.yaml", outside)
    os.symlink(outside, user / "linked" / "reference.docx")
    result = cli("build", "--template", "linked", "--templates-dir", str(user), "--format", "docx",
                 "--out", str(tmp_path / "out"))
    assert result.returncode == 5, result.stderr
    assert "inside the template folder" in result.stderr
