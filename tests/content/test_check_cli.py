"""`reports check` and `reports schema` as a user runs them: exit codes, located one-line diagnostics, no traceback.

The command is run in a subprocess (`python -m reports.cli`), with the loader cases of tests/test_loader.py
written to real files under tmp_path.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import minimal_content_yaml, run_cli
from test_loader import CASES, Case, write_case

SCO = Path("data") / "sco-russia.yaml"
SCHEMA = Path("data") / "content.schema.json"


def _expected_lines(case: Case, name: str) -> list[str]:
    lines = []
    for expected in case.expected:
        prefix = f"{name}:{expected.line}:{expected.column}: "
        if expected.field_path:
            prefix += f"{expected.field_path}: "
        lines.append(prefix)
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_refused_files_exit_3_with_one_located_line_per_problem(case: Case, tmp_path: Path) -> None:
    path = write_case(case, tmp_path)
    result = run_cli("check", path.name, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    expected = _expected_lines(case, path.name)
    assert len(lines) == len(expected), result.stderr
    for line, prefix, details in zip(lines, expected, case.expected):
        assert line.startswith(prefix), (line, prefix)
        assert details.fragment in line


def test_several_errors_are_reported_at_once_sorted_by_line(tmp_path: Path) -> None:
    case = next(case for case in CASES if case.id == "several-errors")
    result = run_cli("check", write_case(case, tmp_path).name, cwd=tmp_path)
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 6
    numbers = [int(line.split(":")[1]) for line in lines]
    assert numbers == sorted(numbers)


def test_valid_file_exits_0(project_root: Path) -> None:
    result = run_cli("check", SCO, cwd=project_root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{SCO}: valid\n"
    assert result.stderr == ""


def test_default_file_is_the_sco_essay(project_root: Path) -> None:
    result = run_cli("check", cwd=project_root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{SCO}: valid\n"


def test_quiet_prints_nothing_for_a_valid_file(project_root: Path) -> None:
    result = run_cli("check", "--quiet", SCO, cwd=project_root)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_norway_and_leading_zeros_are_valid(tmp_path: Path) -> None:
    text = minimal_content_yaml().replace("members: [CN, RU]", "members: [CN, NO]").replace("title: Minimal test document", "title: 012")
    (tmp_path / "norway.yaml").write_text(text, encoding="utf-8")
    result = run_cli("check", "norway.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "norway.yaml: valid\n", "")


def test_bom_and_crlf_file_is_valid(tmp_path: Path) -> None:
    (tmp_path / "windows.yaml").write_bytes(b"\xef\xbb\xbf" + minimal_content_yaml().replace("\n", "\r\n").encode())
    result = run_cli("check", "windows.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "windows.yaml: valid\n", "")


def test_a_copy_of_the_essay_with_a_misspelt_key(project_root: Path, tmp_path: Path) -> None:
    text = (project_root / SCO).read_text(encoding="utf-8")
    mutated = text.replace("  subtitle:", "  subtitel:", 1)
    (tmp_path / "sco.yaml").write_text(mutated, encoding="utf-8")
    line = mutated[: mutated.index("subtitel:")].count("\n") + 1
    result = run_cli("check", "sco.yaml", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr == f"sco.yaml:{line}:3: document.subtitel: unknown field 'subtitel' — did you mean 'subtitle'?\n"


def test_warnings_do_not_fail_the_check(tmp_path: Path) -> None:
    text = minimal_content_yaml().replace("paragraph: Some prose.", "paragraph: Russsia and China.")
    (tmp_path / "warn.yaml").write_text(text, encoding="utf-8")
    result = run_cli("check", "warn.yaml", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "warn.yaml: valid (1 warning)\n"
    (line,) = result.stderr.splitlines()
    assert line.startswith("warn.yaml:37:20: body.0.blocks.0.paragraph: warning: 'Russsia' looks like a misspelling of 'Russia'")


def test_several_files_exit_with_the_worst_code(project_root: Path, tmp_path: Path) -> None:
    shutil.copy(project_root / SCO, tmp_path / "good.yaml")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    result = run_cli("check", "good.yaml", "empty.yaml", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stdout == "good.yaml: valid\n"
    assert result.stderr == "empty.yaml:1:1: the file is empty — start from data/sco-russia.yaml\n"


def test_missing_file_is_a_content_error(tmp_path: Path) -> None:
    result = run_cli("check", "absent.yaml", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr == "absent.yaml: no such file — check the path\n"


def test_size_cap_through_the_cli(tmp_path: Path) -> None:
    from reports.content.loader import MAX_CONTENT_BYTES

    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * MAX_CONTENT_BYTES + b"\n")
    result = run_cli("check", "huge.yaml", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("huge.yaml: file is ")
    assert f"limited to {MAX_CONTENT_BYTES:,} bytes" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [("check", "--no-such-option"), ("no-such-command",), ("schema", "--out")],
    ids=["bad-option", "bad-command", "option-without-value"],
)
def test_usage_errors_exit_2(arguments: tuple[str, ...], tmp_path: Path) -> None:
    result = run_cli(*arguments, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr


def test_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "is a directory" in result.stderr


# --- JSON Schema ----------------------------------------------------------------------------------


def test_schema_output_equals_the_committed_file(project_root: Path) -> None:
    result = run_cli("schema", cwd=project_root)
    assert result.returncode == 0, result.stderr
    committed = (project_root / SCHEMA).read_text(encoding="utf-8")
    assert result.stdout == committed, "data/content.schema.json is stale — run: reports schema --out data/content.schema.json"


def test_schema_out_writes_the_same_text(project_root: Path, tmp_path: Path) -> None:
    result = run_cli("schema", "--out", tmp_path / "schema.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "schema.json").read_text(encoding="utf-8") == (project_root / SCHEMA).read_text(encoding="utf-8")


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for model_name, model in [("Content", schema), *schema["$defs"].items()]:
        for field_name, field in model.get("properties", {}).items():
            yield model_name, field_name, field


def test_schema_describes_every_field(project_root: Path) -> None:
    schema = json.loads((project_root / SCHEMA).read_text(encoding="utf-8"))
    definitions = schema["$defs"]

    def described(field: dict[str, Any]) -> bool:
        if field.get("description"):
            return True
        reference = field.get("$ref", "")
        return bool(reference) and bool(definitions[reference.rsplit("/", 1)[-1]].get("description"))

    undescribed = [f"{model}.{name}" for model, name, field in _properties(schema) if not described(field)]
    assert undescribed == []
    assert sum(1 for _ in _properties(schema)) > 50
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["summary"]["description"].startswith("Executive summary")


def test_schema_is_what_the_content_file_points_at(project_root: Path) -> None:
    first_line = (project_root / SCO).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=content.schema.json"
    assert (project_root / SCO).with_name("content.schema.json").is_file()


@pytest.mark.parametrize("content", ["data/sco-russia.yaml", "data/sco-russia.en.yaml", "tests/data/african-union.yaml",
                                     "tests/data/asean-australia.yaml"])
def test_the_schema_accepts_the_samples_as_an_editor_reads_them(project_root: Path, content: str) -> None:
    """What an editor checks against the schema (YAML 1.2: `2001-06-15` is text) passes for every sample —
    shorthands included (`- CN` for a member, `"2004"` for a date)."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    class Yaml12(yaml.SafeLoader):
        """PyYAML reads YAML 1.1, where unquoted dates are timestamps; YAML 1.2 editors read them as text."""

    Yaml12.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    schema = json.loads((project_root / SCHEMA).read_text(encoding="utf-8"))
    data = yaml.load((project_root / content).read_text(encoding="utf-8"), Loader=Yaml12)  # noqa: S506 — a safe loader
    errors = [f"{list(error.path)}: {error.message}" for error in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert errors == []
