"""Nothing a content file holds is lost without a word: every field of the model is shown by the built-in
templates (in the samples' outputs) or declared metadata in the schema; `reports check --template NAME` warns,
located, about a field a template does not show, and names what a template leaves out on purpose.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROJECT_ROOT, build_files, need_tool, run_cli

from reports.content.fields import every_field, metadata_only, models_in
from reports.content.types import METADATA
from reports.content.validate import CheckedContent, check_content, check_data
from reports.shown import FieldReport, field_report

SAMPLES = {
    "sco-id": PROJECT_ROOT / "data" / "sco-russia.yaml",
    "sco-en": PROJECT_ROOT / "data" / "sco-russia.en.yaml",
    "african-union": PROJECT_ROOT / "tests" / "data" / "african-union.yaml",
    "asean": PROJECT_ROOT / "tests" / "data" / "asean-australia.yaml",
}
TEMPLATES = ("briefing", "handout", "handout-teacher")


def _with_the_fields_no_sample_sets() -> CheckedContent:
    """The African Union file with what no sample needs: an actor named otherwise than CLDR names it."""
    data = yaml.safe_load(SAMPLES["african-union"].read_text(encoding="utf-8"))
    data["actor"]["name"] = {"en": "the Republic of South Africa"}
    return check_data(data, "african-union (variant)")


@pytest.fixture(scope="module")
def reports() -> list[FieldReport]:
    found = []
    contents = [check_content(path) for path in SAMPLES.values()] + [_with_the_fields_no_sample_sets()]
    for checked in contents:
        for template in TEMPLATES:
            if checked.content.classroom is None and template != "briefing":
                continue  # the handouts need classroom material (and say so: tests/templates)
            found.append(field_report(checked, template))
    return found


def _fields() -> list[tuple[type[Any], str]]:
    """Every field that holds values (not only other parts of the content)."""
    return [(model, name) for model, name in every_field() if not models_in(model.model_fields[name].annotation)]


def test_every_field_is_shown_by_a_built_in_template_or_declared_metadata(reports: list[FieldReport]) -> None:
    shown: set[tuple[str, str]] = set()
    set_in_a_sample: set[tuple[str, str]] = set()
    for report in reports:
        for leaf in report.considered:
            key = (leaf.model.__name__, leaf.field)
            set_in_a_sample.add(key)
            if leaf.path not in report.hidden:
                shown.add(key)
    for model, name in _fields():
        key = (model.__name__, name)
        if metadata_only(model, name):
            assert key not in set_in_a_sample, f"{key}: metadata is never asked about"
            continue
        assert key in set_in_a_sample, f"no sample sets {model.__name__}.{name}: the test cannot prove it is shown"
        assert key in shown, f"{model.__name__}.{name} is accepted but no built-in template shows it"


def test_what_a_template_does_not_show_it_declares(reports: list[FieldReport]) -> None:
    """Each built-in template shows every field of every sample, but for what it says it leaves out."""
    from reports.content.fields import matches

    for report in reports:
        undeclared = [leaf.path for leaf in report.considered if leaf.path in report.hidden and not any(
            matches(leaf.path, pattern) for declaration in report.left_out for pattern in declaration.patterns)]
        assert undeclared == [], report.template


def test_the_schema_says_which_fields_are_metadata() -> None:
    schema = json.loads((PROJECT_ROOT / "data" / "content.schema.json").read_text(encoding="utf-8"))
    declared = {(name, field) for name, part in schema["$defs"].items()
                for field, spec in part.get("properties", {}).items() if spec.get("x-metadata")}
    declared |= {("Content", field) for field, spec in schema["properties"].items() if spec.get("x-metadata")}
    expected = {(model.__name__, name) for model, name in every_field() if metadata_only(model, name)}
    assert declared == expected
    for model, name in every_field():
        description = model.model_fields[name].description or ""
        assert description.endswith(METADATA) == metadata_only(model, name), (model.__name__, name)
    assert ("Member", "other_names") in declared and ("DocumentMeta", "keywords") in declared


# --- reports check --template ---------------------------------------------------------------------


def _template_without_aims(folder: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "templates" / "briefing", folder / "mine")
    template = folder / "mine" / "template.md.j2"
    text = template.read_text(encoding="utf-8")
    start = text.index("{% if organisation.aims %}")
    end = text.index("{% endif %}", start) + len("{% endif %}")
    template.write_text(text[:start] + text[end:], encoding="utf-8")


def test_check_warns_located_about_a_field_the_template_does_not_show(tmp_path: Path) -> None:
    _template_without_aims(tmp_path / "templates")
    result = run_cli("check", "--template", "mine", "--templates-dir", tmp_path / "templates", "data/sco-russia.yaml",
                     cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    text = (PROJECT_ROOT / "data" / "sco-russia.yaml").read_text(encoding="utf-8").splitlines()
    line = next(number for number, content in enumerate(text, 1) if content.strip() == "aims:") + 1
    lines = result.stderr.splitlines()
    assert lines[0] == (f"data/sco-russia.yaml:{line}:5: organisation.aims: warning: not shown by template 'mine': "
                        "nothing of it reaches the document — choose a template that shows it, or leave it out of "
                        "the content (a template of your own can print it, or say it leaves it out with "
                        "`leaves_out`)")
    assert lines[1] == ("data/sco-russia.yaml: note: template 'mine' leaves out classroom — classroom material is for "
                        "the handout templates (handout, handout-teacher)")
    assert len(lines) == 2
    assert result.stdout == "data/sco-russia.yaml: valid, fields checked with template 'mine' (1 warning)\n"


def test_a_flag_the_template_ignores_is_a_field_not_shown(tmp_path: Path) -> None:
    _template_without_aims(tmp_path / "templates")
    template = tmp_path / "templates" / "mine" / "template.md.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% if block.ordered %}1.{% else %}-{% endif %}", "-"), encoding="utf-8")
    data = yaml.safe_load(SAMPLES["african-union"].read_text(encoding="utf-8"))
    data["body"][1]["blocks"][1]["ordered"] = True
    checked = check_data(data, "au.yaml")
    report = field_report(checked, "mine", (tmp_path / "templates", PROJECT_ROOT / "templates"))
    assert ("body", 1, "blocks", 1, "ordered") in report.hidden
    assert ("body", 1, "blocks", 1, "items", 0) not in report.hidden


def test_a_template_that_leaves_out_what_is_no_field_is_a_template_error(tmp_path: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "templates" / "briefing", tmp_path / "odd")
    template = tmp_path / "odd" / "template.md.j2"
    text = template.read_text(encoding="utf-8").replace('leaves_out("classroom"', 'leaves_out("organisation.aim"')
    template.write_text(text, encoding="utf-8")
    result = run_cli("check", "--template", "odd", "--templates-dir", tmp_path, "data/sco-russia.yaml",
                     cwd=PROJECT_ROOT)
    assert result.returncode == 4
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "leaves_out(" in content)
    assert result.stderr.startswith(f"{template}:{line}:1: ")
    assert "'organisation.aim' is not a content field: no 'aim' — did you mean 'aims'?" in result.stderr


def test_plain_check_renders_no_template(project_root: Path) -> None:
    result = run_cli("check", "tests/data/asean-australia.yaml", cwd=project_root)
    assert (result.returncode, result.stdout, result.stderr) == (0, "tests/data/asean-australia.yaml: valid\n", "")


# --- with real readers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("shown")
    files: dict[str, dict[str, Path]] = {}
    for name in ("african-union", "asean", "sco-en"):
        written, _ = build_files(SAMPLES[name], out_dir=out)
        files[name] = {path.suffix: path for path in written}
    return files


def _pdf_text(path: Path) -> str:
    import subprocess

    text = subprocess.run([need_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(re.sub(r"-\n\s*", "-", text).split())


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("reader", ["pdf", "docx"])
def test_the_fields_the_issue_found_dropped_reach_the_outputs(built: dict[str, dict[str, Path]], reader: str) -> None:
    """A member's note, a category's description, an interest's key points and the source's note."""
    read = _pdf_text if reader == "pdf" else _docx_text
    au = read(built["african-union"][f".{reader}"])
    assert "Mali (since June 2021)" in au
    assert "Members barred from AU activities after an unconstitutional change of government" in au
    assert "Nkosazana Dlamini-Zuma of South Africa chaired the AU Commission from 2012 to 2017." in au
    assert "Compiled as a short test document from the Constitutive Act and AU decisions on membership." in au
    asean = read(built["asean"][f".{reader}"])
    assert "11 (5 founding)" in asean
    assert "50 years:" in asean  # an evidence's value and unit
    english = read(built["sco-en"][f".{reader}"])
    assert ("Essay \u201cThe Shanghai Cooperation Organization (SCO) is an international organization\u201d, "
            "translated from Indonesian.") in english
    assert "adalah sebuah organisasi internasional\u201d." in english  # the original title, named once
    assert "compiled from the content data" not in english


def test_the_variant_is_the_african_union_but_for_the_actor_name() -> None:
    variant = _with_the_fields_no_sample_sets().content
    original = check_content(SAMPLES["african-union"]).content
    assert variant.actor.name == {"en": "the Republic of South Africa"}
    assert copy.deepcopy(variant.model_dump(exclude={"actor"})) == original.model_dump(exclude={"actor"})
