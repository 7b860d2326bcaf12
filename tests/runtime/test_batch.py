"""Batches: many files and a roster in one `reports build`, in parallel, on local processes or Dask.

Every CLI run here uses its own chart cache folder (REPORTS_CACHE_DIR in a temporary folder) or
`--no-cache`, so no test reads or fills the user's cache. Timings are never asserted.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, build_files, minimal_content_yaml

from reports.errors import ContentError, UsageError
from reports.runtime.batch import parse_executor
from reports.runtime.roster import read_roster, roster_suffixes, slug

ROOT = PROJECT_ROOT
CONTENT = ROOT / "data" / "sco-russia.yaml"
HEAVY = ("matplotlib", "reportlab", "docx")


def cli(*arguments: str | Path, cache: Path | None, cwd: Path | None = None,
        python: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """`python -m reports.cli …` with its own chart cache folder (or none: pass --no-cache yourself)."""
    env = {key: value for key, value in os.environ.items() if key not in ("REPORTS_CACHE_DIR", "SOURCE_DATE_EPOCH")}
    if cache is not None:
        env["REPORTS_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, *python, "-m", "reports.cli", *map(str, arguments)], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, env=env, timeout=300)


def content(folder: Path, stem: str, title: str) -> Path:
    path = folder / f"{stem}.yaml"
    path.write_text(minimal_content_yaml().replace("Minimal test document", title), encoding="utf-8")
    return path


def imported(stderr: str) -> set[str]:
    """Top-level package names from `python -X importtime` output."""
    return {match.group(1).split(".")[0] for match in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)",
                                                                   stderr, re.MULTILINE)}


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def docx_text(path: Path) -> str:
    import docx

    return " ".join(" ".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs).split())


# --- many files, one bad: the others are still built, the summary names it, the exit code is the worst ---


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("mixed")
    files = [content(folder, "alpha", "Alpha paper"), content(folder, "beta", "Beta paper")]
    bad = folder / "broken.yaml"
    bad.write_text(minimal_content_yaml().replace("  language: en\n", "  language: en\n  languag: en\n"),
                   encoding="utf-8")
    blocked = content(folder, "gamma", "Gamma paper")
    out = folder / "out"
    (out / "gamma-briefing.pdf").mkdir(parents=True)  # a folder where the PDF should go: an output error (7)
    result = cli("build", files[0], bad, files[1], blocked, "--out", out, "--jobs", "2",
                 cache=folder / "cache", cwd=folder)
    return folder, result


@pytest.mark.slow
def test_many_files_are_built_in_one_call(mixed) -> None:
    folder, result = mixed
    out = folder / "out"
    for stem in ("alpha", "beta"):
        for extension in ("pdf", "docx"):
            assert (out / f"{stem}-briefing.{extension}").stat().st_size > 1000
    assert "Alpha paper" in pdf_text(out / "alpha-briefing.pdf")
    assert "Beta paper" in docx_text(out / "beta-briefing.docx")
    wrote = [line for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert wrote == ["wrote out/alpha-briefing.pdf", "wrote out/alpha-briefing.docx",
                     "wrote out/beta-briefing.pdf", "wrote out/beta-briefing.docx"]  # input order, not finishing order


@pytest.mark.slow
def test_a_bad_file_does_not_stop_the_others_and_is_summarised(mixed) -> None:
    folder, result = mixed
    assert "Traceback" not in result.stderr
    assert "broken.yaml:" in result.stderr and "languag" in result.stderr  # its located diagnostic
    assert "built 2 of 4 documents (4 files)" in result.stderr
    summary = result.stderr[result.stderr.index("2 failed:"):]
    assert "broken.yaml: content error (exit 3)" in summary
    assert "gamma.yaml: output error (exit 7)" in summary
    assert result.returncode == 7  # the worst among the failures
    assert not list((folder / "out").glob(".*.part"))  # nothing half-written


@pytest.mark.slow
def test_exit_code_is_the_content_error_when_that_is_the_only_failure(tmp_path: Path) -> None:
    good = content(tmp_path, "good", "Good paper")
    bad = tmp_path / "bad.yaml"
    bad.write_text("document: [\n", encoding="utf-8")
    result = cli("build", good, bad, "--out", tmp_path / "out", "--format", "docx", "--jobs", "2",
                 cache=tmp_path / "cache", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert (tmp_path / "out" / "good-briefing.docx").exists()
    assert "bad.yaml: content error (exit 3)" in result.stderr


@pytest.mark.slow
def test_jobs_1_and_2_give_identical_bytes(tmp_path: Path) -> None:
    files = [content(tmp_path, f"doc{number}", f"Paper number {number}") for number in range(2)]
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = cli("build", *files, "--out", out, "--jobs", jobs, cache=tmp_path / f"cache{jobs}", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        runs[jobs] = {path.name: path.read_bytes() for path in sorted(out.iterdir())}
    assert len(runs["1"]) == 4
    assert runs["1"] == runs["2"]


def test_outputs_with_the_same_name_are_refused_before_building(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = content(tmp_path / "a", "same", "One"), content(tmp_path / "b", "same", "Two")
    result = cli("build", first, second, "--out", tmp_path / "out", cache=tmp_path / "cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "would both be written to same-briefing.pdf" in result.stderr
    assert not (tmp_path / "out").exists()


# --- rosters ---------------------------------------------------------------------------------------


ROSTER = "name,class,number\nSiti Nurhaliza,X-2,1\nBudi Santoso,X-2,2\n\nAyu Rahmawati Ñañez,X-3,3\n"


@pytest.mark.slow
def test_roster_builds_one_personalised_handout_per_student(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "out"
    result = cli("build", CONTENT, "--template", "handout", "--roster", roster, "--out", out, "--jobs", "2",
                 cache=tmp_path / "cache", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "built 3 of 3 documents (6 files)" in result.stderr
    expected = {"siti-nurhaliza": ("Siti Nurhaliza", "X-2"), "budi-santoso": ("Budi Santoso", "X-2"),
                "ayu-rahmawati-nanez": ("Ayu Rahmawati Ñañez", "X-3")}
    assert sorted(path.name for path in out.iterdir()) == sorted(
        f"sco-russia-handout-{suffix}.{extension}" for suffix in expected for extension in ("pdf", "docx"))
    for suffix, (name, klass) in expected.items():
        for text in (pdf_text(out / f"sco-russia-handout-{suffix}.pdf"),
                     docx_text(out / f"sco-russia-handout-{suffix}.docx")):
            assert re.search(rf"Nama: {name}\s+Kelas: {klass}", text), text[:400]
            others = [other for other, _ in expected.values() if other != name]
            assert not any(other in text for other in others)


def test_handout_without_a_roster_keeps_blank_name_lines(tmp_path: Path) -> None:
    written, _ = build_files(CONTENT, "handout", ("docx",), tmp_path)
    assert "Nama: ______________________ Kelas: __________" in docx_text(written[0])


def test_roster_reading(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_bytes("\ufeffName ; Class\nSiti;X-1\nSiti;X-2\nАндрей Иванов;X-3\n".encode("utf-8"))
    rows = read_roster(roster)
    assert rows == [{"name": "Siti", "class": "X-1"}, {"name": "Siti", "class": "X-2"},
                    {"name": "Андрей Иванов", "class": "X-3"}]
    assert roster_suffixes(rows) == ["siti", "siti-2", "андрей-иванов"]
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("  ") == "" and roster_suffixes([{"name": "!!"}]) == ["row-1"]

    roster.write_text("student,class\nSiti,X-1\n", encoding="utf-8")
    with pytest.raises(ContentError, match="no 'name' column"):
        read_roster(roster)
    roster.write_text("name,class\nSiti,X-1\n,X-2\nBudi,X-1,extra\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        read_roster(roster)
    assert [diagnostic.line for diagnostic in error.value.diagnostics] == [3, 4]
    roster.write_bytes(b"name\nS\xe9verine\n")
    with pytest.raises(ContentError, match="not UTF-8"):
        read_roster(roster)


def test_bad_roster_fails_before_anything_is_built(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("student\nSiti\n", encoding="utf-8")
    result = cli("build", CONTENT, "--template", "handout", "--roster", roster, "--out", tmp_path / "out",
                 cache=tmp_path / "cache", cwd=tmp_path)
    assert result.returncode == 3
    assert "class.csv:1:1: the roster has no 'name' column" in result.stderr
    assert not (tmp_path / "out").exists()


# --- caching and imports ---------------------------------------------------------------------------


@pytest.mark.slow
def test_unchanged_charts_are_not_drawn_on_the_second_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reports.cache import Cache
    from reports.charts import render

    calls: list[str] = []
    original = render.draw

    def counting(layout, fonts, fmt, dpi):  # type: ignore[no-untyped-def]
        calls.append(fmt)
        return original(layout, fonts, fmt, dpi)

    monkeypatch.setattr(render, "draw", counting)
    folder = tmp_path / "cache"
    first, _ = build_files(CONTENT, out_dir=tmp_path / "one", cache=Cache(folder))
    assert calls and len([*folder.glob("*.svg"), *folder.glob("*.png")]) == len(calls)
    drawn = len(calls)
    cache = Cache(folder)  # as a new process would start: only the disk cache is left
    second, _ = build_files(CONTENT, out_dir=tmp_path / "two", cache=cache)
    assert len(calls) == drawn  # nothing drawn again
    assert cache.counts()["charts:disk_hits"] == drawn
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]


@pytest.mark.slow
def test_warm_cli_build_does_not_import_matplotlib(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    arguments = ("build", CONTENT, "--out", tmp_path / "out")
    cold = cli(*arguments, cache=cache, python=("-X", "importtime"))
    assert cold.returncode == 0, cold.stderr[-2000:]
    assert {"matplotlib", "pptx"} <= imported(cold.stderr)
    entries = sorted(path for path in cache.iterdir() if path.name not in ("builds", "fonts"))  # build records, font facts
    assert entries and all(re.fullmatch(r"[0-9a-f]{64}\.(svg|png|chart\.xml|chart\.xlsx)", path.name)
                           for path in entries)
    assert {path.name.split(".", 1)[1] for path in entries} == {"svg", "png", "chart.xml", "chart.xlsx"}
    stamps = [path.stat().st_mtime_ns for path in entries]
    made = {path.name: path.read_bytes() for path in (tmp_path / "out").iterdir()}
    warm = cli(*arguments, "--force", cache=cache, python=("-X", "importtime"))
    assert warm.returncode == 0, warm.stderr[-2000:]
    # every chart came from the cache: the drawings, and the Word chart parts python-pptx made
    assert not {"matplotlib", "pptx"} & imported(warm.stderr)
    assert [path.stat().st_mtime_ns for path in entries] == stamps
    assert {path.name: path.read_bytes() for path in (tmp_path / "out").iterdir()} == made

    uncached = cli(*arguments, "--no-cache", cache=tmp_path / "unused", python=("-X", "importtime"))
    assert uncached.returncode == 0
    assert "matplotlib" in imported(uncached.stderr)
    assert not (tmp_path / "unused").exists()


def test_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from reports.paths import default_cache_dir

    monkeypatch.setenv("REPORTS_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("REPORTS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "reports" / "charts"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "reports" / "charts"


def test_check_imports_no_heavy_library() -> None:
    result = cli("check", CONTENT, cache=None, python=("-X", "importtime"))
    assert result.returncode == 0, result.stderr[-2000:]
    modules = imported(result.stderr)
    assert "reports" in modules and "pydantic" in modules  # the measurement works
    assert not modules & set(HEAVY), modules & set(HEAVY)


# --- progress and executors ------------------------------------------------------------------------


@pytest.mark.slow
def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    files = [content(tmp_path, f"doc{number}", f"Paper {number}") for number in range(2)]
    arguments = ("build", *files, "--out", tmp_path / "out", "--format", "docx")
    piped = cli(*arguments, cache=tmp_path / "cache", cwd=tmp_path)
    assert piped.returncode == 0 and "\x1b[" not in piped.stderr and "building" not in piped.stderr

    controller, terminal = pty.openpty()
    env = {**os.environ, "REPORTS_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "100", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-m", "reports.cli", *map(str, arguments)], stdout=subprocess.PIPE,
                               stderr=terminal, cwd=tmp_path, env=env)
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    stdout = process.communicate(timeout=120)[0].decode()
    os.close(controller)
    assert process.returncode == 0
    assert b"building" in shown and b"2/2" in shown
    assert stdout.count("up to date ") == 2  # the piped run above built them


def test_executor_argument_is_checked() -> None:
    assert parse_executor("processes") == ("processes", "")
    assert parse_executor("dask://local") == ("dask", "local")
    assert parse_executor("dask://scheduler:8786") == ("dask", "tcp://scheduler:8786")
    with pytest.raises(UsageError):
        parse_executor("spark://x:1")
    result = cli("build", CONTENT, "--executor", "ray://x", cache=None)
    assert result.returncode == 2 and "--executor 'ray://x' is not understood" in result.stderr


def test_dask_missing_is_a_clear_usage_error(tmp_path: Path) -> None:
    """Install-independent: the import of distributed is blocked in the child process."""
    code = ("import sys; sys.modules['distributed'] = None; sys.argv = ['reports'] + sys.argv[1:]; "
            "from reports.cli import run; run()")
    result = subprocess.run([sys.executable, "-c", code, "build", str(CONTENT), str(CONTENT.with_suffix(".en.yaml")),
                             "--executor", "dask://local", "--no-cache", "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "needs Dask distributed, which is not installed" in result.stderr and "reports[dask]" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_dask_local_cluster_builds_the_batch(tmp_path: Path) -> None:
    try:
        from distributed import LocalCluster
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("Dask distributed is in the test extra and must be installed in CI")
        pytest.skip("Dask distributed is not installed: pip install -e '.[test]' (or '.[dask]') to run this test")

    good = [content(tmp_path, "one", "Dask paper one"), content(tmp_path, "two", "Dask paper two")]
    bad = tmp_path / "bad.yaml"
    bad.write_text("document: {title: x}\n", encoding="utf-8")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        out = tmp_path / "out"
        result = cli("build", good[0], bad, good[1], "--out", out, "--executor", f"dask://{address}", "--no-cache",
                     cache=None, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "built 2 of 3 documents (4 files)" in result.stderr and "bad.yaml: content error (exit 3)" in result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["one-briefing.docx", "one-briefing.pdf",
                                                           "two-briefing.docx", "two-briefing.pdf"]
    assert "Dask paper two" in pdf_text(out / "two-briefing.pdf")
    # the same bytes as a local build
    local = cli("build", *good, "--out", tmp_path / "local", "--jobs", "1", "--no-cache", cache=None, cwd=tmp_path)
    assert local.returncode == 0
    for path in out.iterdir():
        assert path.read_bytes() == (tmp_path / "local" / path.name).read_bytes()
