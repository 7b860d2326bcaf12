"""A reference document gives the DOCX its styles and nothing else (issue 18, item 1): one test per kind of thing a
shared reference.docx can carry, each checked in the built file, and `reports templates verify` reporting it."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from reference_files import EVIL, edited_reference, evil_reference

from reports.paths import DEFAULT_CONTENT
from reports.writers.docx.reference_intake import read_intake


@pytest.fixture(scope="module")
def plain_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `reports templates reference briefing` writes: every style the briefing uses, restyled nowhere."""
    from reports.pipeline import build_tree, load_content, render

    path = tmp_path_factory.mktemp("reference") / "plain.docx"
    path.write_bytes(render(build_tree(load_content(DEFAULT_CONTENT), "briefing"), ("docx",))["docx"])
    return path


def template_with(root: Path, reference: Path) -> Path:
    folder = root / "templates" / "office"
    folder.mkdir(parents=True)
    (folder / "template.md.j2").write_text('{% extends "briefing/template.md.j2" %}\n', encoding="utf-8")
    (folder / "theme.yaml").write_text("name: office\nextends: base\n", encoding="utf-8")
    (folder / "reference.docx").write_bytes(reference.read_bytes())
    return folder.parent


def built_parts(tmp_path: Path, plain: Path, kinds: list[str]) -> dict[str, str]:
    """The DOCX built with a reference carrying `kinds`, as its parts' text (binary parts as a marker)."""
    import reports

    reference = edited_reference(plain, tmp_path / "edited.docx", kinds)
    outputs = reports.build(DEFAULT_CONTENT, "office", ("docx",), templates_dirs=[template_with(tmp_path, reference)])
    parts = {}
    with zipfile.ZipFile(io.BytesIO(outputs["docx"])) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            parts[name] = data.decode("utf-8") if name.endswith((".xml", ".rels")) else "<binary>"
    return parts


def everything(parts: dict[str, str]) -> str:
    return "\n".join(parts.values())


def ignored(reference: Path) -> list[tuple[str, bool]]:
    return [(item.what, item.notable) for item in read_intake(reference).ignored]


def test_an_attached_template_on_the_web_and_settings_that_act_on_opening_are_not_kept(
        tmp_path: Path, plain_reference: Path) -> None:
    parts = built_parts(tmp_path, plain_reference, ["attached_template"])
    settings = parts["word/settings.xml"]
    for name in ("attachedTemplate", "linkStyles", "updateFields"):
        assert f"w:{name}" not in settings
    assert "word/_rels/settings.xml.rels" not in parts and EVIL not in everything(parts)
    assert "w:defaultTabStop" in settings, "the settings that shape text are kept"
    report = ignored(edited_reference(plain_reference, tmp_path / "r.docx", ["attached_template"]))
    assert (f"an attached template ({EVIL}/t.dotm) — Word may fetch it when the output is opened "
            "(in word/settings.xml)", True) in report


def test_macros_are_not_kept(tmp_path: Path, plain_reference: Path) -> None:
    parts = built_parts(tmp_path, plain_reference, ["macros"])
    assert not any("vba" in name.lower() for name in parts)
    assert "vbaProject" not in everything(parts) and "macroEnabled" not in parts["[Content_Types].xml"]
    report = ignored(edited_reference(plain_reference, tmp_path / "r.docx", ["macros"]))
    assert ("macros (a VBA project) in word/vbaProject.bin", True) in report


def test_a_first_page_header_with_a_field_and_an_external_picture_is_not_kept(
        tmp_path: Path, plain_reference: Path) -> None:
    parts = built_parts(tmp_path, plain_reference, ["first_page_header"])
    text = everything(parts)
    assert "CONFIDENTIAL FIRST PAGE" not in text and "INCLUDETEXT" not in text and EVIL not in text
    # the writer's own section: a different first page (w:titlePg) whose header is the writer's empty one
    assert sorted(re.findall(r'<w:headerReference w:type="(\w+)"', parts["word/document.xml"])) == \
        ["default", "first"], "only the writer's own headers, made from the theme"
    report = ignored(edited_reference(plain_reference, tmp_path / "r.docx", ["first_page_header"]))
    assert ("a first-page header (word/header9.xml): the header and footer come from the theme", True) in report
    assert ("a field INCLUDETEXT (reads http://evil.invalid/x.docx) in word/header9.xml", True) in report
    assert (f"a link to {EVIL}/pixel.png (image) from word/header9.xml", True) in report


def test_external_relationships_are_not_kept(tmp_path: Path, plain_reference: Path) -> None:
    parts = built_parts(tmp_path, plain_reference, ["external_hyperlink", "picture_bullet"])
    assert EVIL not in everything(parts)
    assert "numPicBullet" not in parts["word/numbering.xml"], "a picture bullet's picture is another part"
    assert "w:abstractNum" in parts["word/numbering.xml"], "the list numbering itself is kept"


def test_comments_and_the_references_own_body_are_not_kept(tmp_path: Path, plain_reference: Path) -> None:
    parts = built_parts(tmp_path, plain_reference, ["comments", "body_field"])
    text = everything(parts)
    assert "word/comments.xml" not in parts and "secret remark" not in text and "DDEAUTO" not in text
    report = ignored(edited_reference(plain_reference, tmp_path / "r.docx", ["comments", "body_field"]))
    assert ("comments in word/comments.xml", True) in report
    assert any(what.startswith("a field DDEAUTO") and notable for what, notable in report)


def test_page_setup_comes_from_the_theme(tmp_path: Path, plain_reference: Path) -> None:
    parts = built_parts(tmp_path, plain_reference, ["two_columns"])
    assert 'w:num="2"' not in parts["word/document.xml"]
    assert ("2 columns: the page setup comes from the theme", True) in ignored(
        edited_reference(plain_reference, tmp_path / "r.docx", ["two_columns"]))


def test_the_styles_are_taken(tmp_path: Path, plain_reference: Path) -> None:
    """The one thing a reference document is for still works with everything else in it."""
    import docx
    from docx.shared import RGBColor

    restyled = docx.Document(str(plain_reference))
    restyled.styles["Heading 1"].font.color.rgb = RGBColor(0x12, 0x80, 0x34)
    restyled.save(str(tmp_path / "restyled.docx"))
    import reports

    evil = evil_reference(tmp_path / "restyled.docx", tmp_path / "evil.docx")
    outputs = reports.build(DEFAULT_CONTENT, "office", ("docx",), templates_dirs=[template_with(tmp_path, evil)])
    built = docx.Document(io.BytesIO(outputs["docx"]))
    assert str(built.styles["Heading 1"].font.color.rgb) == "128034"
    assert any(paragraph.style.name == "Heading 1" for paragraph in built.paragraphs)
    intake = read_intake(evil)
    assert intake.taken[:4] == ["styles", "font table", "theme colours and fonts", "numbering"]


def test_a_plain_reference_reports_only_what_the_writer_made_around_the_styles(plain_reference: Path) -> None:
    notable = [what for what, is_notable in ignored(plain_reference) if is_notable]
    # the writer's own page furniture: a running header and footer, and page 1 without a running header
    assert notable == ["a different first page (titlePg): the header and footer come from the theme",
                       "a footer (word/footer1.xml): the header and footer come from the theme",
                       "a first-page footer (word/footer2.xml): the header and footer come from the theme",
                       "a header (word/header1.xml): the header and footer come from the theme",
                       "a first-page header (word/header2.xml): the header and footer come from the theme"]


def test_a_part_with_a_doctype_is_refused(tmp_path: Path, plain_reference: Path) -> None:
    from reports.errors import AssetError

    with zipfile.ZipFile(plain_reference) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(
        b"?>", b'?><!DOCTYPE w:styles [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>', 1)
    with zipfile.ZipFile(tmp_path / "doctype.docx", "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(AssetError, match="declares a DOCTYPE"):
        read_intake(tmp_path / "doctype.docx")


def test_templates_verify_lists_what_is_ignored(tmp_path: Path, plain_reference: Path) -> None:
    templates = template_with(tmp_path, evil_reference(plain_reference, tmp_path / "evil.docx"))
    result = subprocess.run([sys.executable, "-m", "reports.cli", "templates", "verify", "office", "--templates-dir",
                             str(templates)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "office/reference.docx: gives the DOCX its styles, font table, theme colours and fonts, numbering" \
        in result.stdout
    assert "office: verified — " in result.stdout and "builds as PDF and DOCX" in result.stdout
    warnings = result.stderr.splitlines()
    assert all(": warning: ignored " in line for line in warnings), warnings
    for fragment in ("an attached template (http://evil.invalid/t.dotm)", "macros (a VBA project)",
                     "a first-page header (word/header9.xml)", "a field INCLUDETEXT", "a field DDEAUTO",
                     "comments in word/comments.xml", "a link to http://evil.invalid/pixel.png"):
        assert any(fragment in line for line in warnings), fragment
    assert not (tmp_path / "build").exists(), "verify writes nothing"


def test_templates_verify_a_built_in_template_without_reference(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "reports.cli", "templates", "verify", "handout"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("builds as PDF and DOCX with it (nothing written)")
    assert "reference.docx" not in result.stdout + result.stderr
