"""`reports build` leaves outputs alone when nothing they depend on changed, and rebuilds when anything did."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, minimal_content_yaml
from test_batch import cli, imported

from reports.errors import Diagnostic
from reports.paths import TEMPLATES_DIR
from reports.runtime import uptodate


def _state(out: Path) -> dict[str, tuple[int, int, int]]:
    """Each output's size, time and inode: any rewrite changes the inode (outputs are replaced whole)."""
    return {path.name: (path.stat().st_size, path.stat().st_mtime_ns, path.stat().st_ino) for path in sorted(out.iterdir())}


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    content = tmp_path / "note.yaml"
    content.write_text(minimal_content_yaml(), encoding="utf-8")
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR / "briefing", templates / "mybrief")
    return {"content": content, "templates": templates, "out": tmp_path / "out", "cache": tmp_path / "cache",
            "root": tmp_path}


def _build(project: dict[str, Path], *extra: str | Path, source_date: str = "") -> tuple[int, str, str]:
    arguments = ("build", project["content"], "-t", "mybrief", "--templates-dir", project["templates"],
                 "-o", project["out"], *extra)
    if source_date:
        environment = {**os.environ, "REPORTS_CACHE_DIR": str(project["cache"]), "SOURCE_DATE_EPOCH": source_date}
        ran = subprocess.run([sys.executable, "-m", "reports.cli", *map(str, arguments)], capture_output=True,
                             text=True, encoding="utf-8", env=environment, timeout=300)
    else:
        ran = cli(*arguments, cache=project["cache"])
    return ran.returncode, ran.stdout, ran.stderr


@pytest.mark.slow
def test_a_second_build_with_nothing_changed_writes_nothing_and_imports_no_builder(project: dict[str, Path]) -> None:
    code, stdout, stderr = _build(project)
    assert code == 0 and stdout.count("wrote ") == 2, stderr
    before = _state(project["out"])
    again = cli("build", project["content"], "-t", "mybrief", "--templates-dir", project["templates"],
                "-o", project["out"], cache=project["cache"], python=("-X", "importtime"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("up to date ") == 2 and "wrote" not in again.stdout
    assert _state(project["out"]) == before
    assert not {"pydantic", "reportlab", "docx", "matplotlib", "jinja2"} & imported(again.stderr)


@pytest.mark.slow
def test_warnings_are_reported_again_when_the_build_is_skipped(project: dict[str, Path]) -> None:
    text = minimal_content_yaml().replace("Some prose.", "Some prose about Rusia and Chinaa.")
    project["content"].write_text(text, encoding="utf-8")
    first = _build(project)
    second = _build(project)
    assert "up to date" in second[1]
    warnings = [line for line in first[2].splitlines() if "warning:" in line]
    assert warnings and warnings == [line for line in second[2].splitlines() if "warning:" in line]


@pytest.mark.slow
@pytest.mark.parametrize("change", ["content", "theme", "template", "shadowing template", "font", "output edited",
                                    "output deleted", "source date", "force", "no cache"])
def test_any_change_rebuilds(project: dict[str, Path], change: str) -> None:
    assert _build(project)[0] == 0
    extra: list[str] = []
    source_date = ""
    if change == "content":
        project["content"].write_text(minimal_content_yaml().replace("Some prose.", "Other prose."), encoding="utf-8")
    elif change == "theme":
        theme = project["templates"] / "mybrief" / "theme.yaml"
        theme.write_text(theme.read_text(encoding="utf-8") + "\n# a comment changes the bytes\n", encoding="utf-8")
    elif change == "template":
        template = project["templates"] / "mybrief" / "template.md.j2"
        template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "shadowing template":
        # the base template the copy extends now comes from the --templates-dir folder, not the built-ins
        shutil.copytree(TEMPLATES_DIR / "base", project["templates"] / "base")
    elif change == "font":
        (project["templates"] / "mybrief" / "fonts").mkdir()
        (project["templates"] / "mybrief" / "fonts" / "Extra.ttf").write_bytes(b"not really a font")
    elif change == "output edited":
        pdf = project["out"] / "note-mybrief.pdf"
        pdf.write_bytes(pdf.read_bytes() + b"% edited\n")
    elif change == "output deleted":
        (project["out"] / "note-mybrief.docx").unlink()
    elif change == "source date":
        source_date = "1700000000"
    elif change == "force":
        extra.append("--force")
    elif change == "no cache":
        extra.append("--no-cache")
    code, stdout, stderr = _build(project, *extra, source_date=source_date)
    assert code == 0, stderr
    assert stdout.count("wrote ") == 2 and "up to date" not in stdout


@pytest.mark.slow
def test_touched_but_unchanged_inputs_are_still_up_to_date(project: dict[str, Path]) -> None:
    assert _build(project)[0] == 0
    os.utime(project["content"], ns=(1, 1))  # a checkout or a copy changes the time, not the bytes
    assert "up to date" in _build(project)[1]


@pytest.mark.slow
def test_a_failed_build_is_never_taken_as_done(project: dict[str, Path]) -> None:
    assert _build(project)[0] == 0
    good = project["content"].read_text(encoding="utf-8")
    project["content"].write_text(good.replace("language: en", "language: 12"), encoding="utf-8")
    assert _build(project)[0] != 0
    project["content"].write_text(good, encoding="utf-8")
    code, stdout, _ = _build(project)
    assert code == 0 and stdout.count("wrote ") == 2  # the record was dropped when the failing build began


@pytest.mark.slow
def test_each_roster_row_is_its_own_build(project: dict[str, Path]) -> None:
    roster = project["root"] / "class.csv"
    roster.write_text("name,class\nAni,7A\nBudi,7A\n", encoding="utf-8")
    seed = PROJECT_ROOT / "data" / "sco-russia.yaml"
    common = ("build", seed, "-t", "handout", "--roster", roster, "-o", project["out"], "-j", "1")
    first = cli(*common, cache=project["cache"])
    assert first.returncode == 0 and first.stdout.count("wrote ") == 4, first.stderr
    roster.write_text("name,class\nAni,7A\nBudi,7B\n", encoding="utf-8")
    second = cli(*common, cache=project["cache"])
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("up to date ") == 2 and second.stdout.count("wrote ") == 2
    assert all("budi" in line for line in second.stdout.splitlines() if line.startswith("wrote"))


# --- the record itself -----------------------------------------------------------------------------------


def _request(tmp_path: Path, content: Path) -> uptodate.BuildRequest:
    output = tmp_path / "out.pdf"
    output.write_bytes(b"%PDF")
    return uptodate.BuildRequest(content, "c.yaml", "briefing", ("pdf",), (output,), (tmp_path / "templates",))


def test_a_changed_code_file_makes_the_record_stale(tmp_path: Path) -> None:
    module_file = tmp_path / "fake_dependency.py"
    module_file.write_text("VALUE = 1\n", encoding="utf-8")
    sys.modules["fake_dependency"] = types.ModuleType("fake_dependency")
    sys.modules["fake_dependency"].__file__ = str(module_file)
    try:
        content = tmp_path / "c.yaml"
        content.write_text("a: 1\n", encoding="utf-8")
        request = _request(tmp_path, content)
        with uptodate.recording() as opened:
            content.read_bytes()
        assert uptodate.save(request, tmp_path / "cache", opened, [Diagnostic("careful", severity="warning")])
        skipped = uptodate.up_to_date(request, tmp_path / "cache")
        assert skipped is not None and skipped.warnings[0].message == "careful"
        module_file.write_text("VALUE = 22\n", encoding="utf-8")
        assert uptodate.up_to_date(request, tmp_path / "cache") is None
    finally:
        del sys.modules["fake_dependency"]


def test_files_read_are_recorded_but_writes_and_other_threads_are_not(tmp_path: Path) -> None:
    import threading

    read, written, elsewhere = tmp_path / "read.txt", tmp_path / "written.txt", tmp_path / "other.txt"
    read.write_text("x", encoding="utf-8")
    elsewhere.write_text("y", encoding="utf-8")
    with uptodate.recording() as opened:
        read.read_text(encoding="utf-8")
        written.write_text("z", encoding="utf-8")
        thread = threading.Thread(target=elsewhere.read_text)
        thread.start()
        thread.join()
    assert str(read) in opened and str(written) not in opened and str(elsewhere) not in opened


def test_a_pipe_read_during_the_build_means_it_is_never_skipped(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    request = _request(tmp_path, fifo)
    assert not uptodate.save(request, tmp_path / "cache", {str(fifo)}, [])
    assert uptodate.up_to_date(request, tmp_path / "cache") is None


def test_a_damaged_record_means_building_again(tmp_path: Path) -> None:
    content = tmp_path / "c.yaml"
    content.write_text("a: 1\n", encoding="utf-8")
    request = _request(tmp_path, content)
    assert uptodate.save(request, tmp_path / "cache", {str(content)}, [])
    record = next(path for path in (tmp_path / "cache" / "builds").iterdir() if not path.name.startswith("code-"))
    record.write_text("{not json", encoding="utf-8")
    assert uptodate.up_to_date(request, tmp_path / "cache") is None


@pytest.mark.slow
def test_a_forced_build_is_recorded_so_the_next_one_is_skipped(project: dict[str, Path]) -> None:
    assert _build(project)[0] == 0
    code, stdout, _ = _build(project, "--force")
    assert code == 0 and stdout.count("wrote ") == 2
    assert _build(project)[1].count("up to date ") == 2


@pytest.mark.slow
def test_an_edit_saved_while_the_build_ran_is_not_recorded_as_built(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from reports.paths import template_search_path
    from reports.runtime import batch, jobs

    content = tmp_path / "c.yaml"
    content.write_text(minimal_content_yaml(), encoding="utf-8")
    job, = batch.plan_jobs([(content, "c.yaml")], "briefing", ["docx"], tmp_path / "out", template_search_path(),
                           cache_dir=tmp_path / "cache", skip_unchanged=True)
    real_build = jobs.build_job

    def editing_build(*arguments, **options):  # type: ignore[no-untyped-def]
        result = real_build(*arguments, **options)
        content.write_text(minimal_content_yaml().replace("Some prose.", "Edited mid-build."), encoding="utf-8")
        return result

    monkeypatch.setattr(jobs, "build_job", editing_build)
    assert jobs.run_job(job).ok
    monkeypatch.setattr(jobs, "build_job", real_build)
    second = jobs.run_job(job)
    assert second.ok and not second.skipped  # the edit is built, not taken as done


@pytest.mark.parametrize("damage", ["[]", "{not json", '{"version": 2, "request": []}', "[" * 100000 + "]" * 100000,
                                    '{"version": 2}'])
def test_a_record_of_any_shape_only_means_building_again(tmp_path: Path, damage: str) -> None:
    content = tmp_path / "c.yaml"
    content.write_text("a: 1\n", encoding="utf-8")
    request = _request(tmp_path, content)
    assert uptodate.save(request, tmp_path / "cache", {str(content): None}, [])
    record = next(path for path in (tmp_path / "cache" / "builds").iterdir() if not path.name.startswith("code-"))
    record.write_text(damage, encoding="utf-8")
    assert uptodate.up_to_date(request, tmp_path / "cache") is None


@pytest.mark.slow
def test_records_share_one_code_list(project: dict[str, Path]) -> None:
    import json

    assert _build(project)[0] == 0  # draws the charts: the next two builds load the same modules
    for stem in ("other", "third"):
        (project["root"] / f"{stem}.yaml").write_text(minimal_content_yaml(), encoding="utf-8")
        assert cli("build", project["root"] / f"{stem}.yaml", "-o", project["out"], "-t", "mybrief",
                   "--templates-dir", project["templates"], cache=project["cache"]).returncode == 0
    records = [json.loads(path.read_text(encoding="utf-8")) for path in (project["cache"] / "builds").iterdir()
               if not path.name.startswith("code-")]
    keys = [record["code"] for record in records]
    assert len(records) == 3 and len(set(keys)) < len(keys)  # a code list is written once and shared
    assert all((project["cache"] / "builds" / f"code-{key}.json").is_file() for key in keys)
