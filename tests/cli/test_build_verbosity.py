"""`reports build --quiet` and `--verbose`: how much a build says, never what it builds."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.conftest import run_cli

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sco-russia.yaml"


def _build(tmp_path: Path, *options: str) -> tuple[int, str, str]:
    result = run_cli("build", SAMPLE, "--format", "pdf", "--out", tmp_path / "out", "--no-cache", *options,
                     cwd=tmp_path)
    return result.returncode, result.stdout, result.stderr


def test_quiet_prints_nothing_for_a_clean_build_and_still_writes_it(tmp_path: Path) -> None:
    code, out, err = _build(tmp_path, "--quiet")
    assert code == 0 and out == "" and err == ""
    assert (tmp_path / "out" / "sco-russia-briefing.pdf").stat().st_size > 10_000


def test_quiet_keeps_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(SAMPLE.read_text(encoding="utf-8").replace("language: id", "language: 12", 1), encoding="utf-8")
    result = run_cli("build", broken, "--out", tmp_path / "out", "-q", cwd=tmp_path)
    assert result.returncode == 3 and result.stdout == ""
    assert "broken.yaml:" in result.stderr and "document.language" in result.stderr


def test_verbose_names_the_template_folders_the_cache_and_each_document_s_time(tmp_path: Path) -> None:
    code, out, err = _build(tmp_path, "--verbose")
    assert code == 0
    assert out.strip() == f"wrote {os.path.join('out', 'sco-russia-briefing.pdf')}"
    lines = err.splitlines()
    assert lines[0].startswith("templates searched: ") and "templates" in lines[0]
    assert lines[1] == "cache: none (--no-cache)"
    assert any(re.search(r"sco-russia\.yaml: built in \d+ ms by \S+ pid \d+$", line) for line in lines[2:]), err


def test_quiet_and_verbose_together_are_a_usage_error(tmp_path: Path) -> None:
    code, out, err = _build(tmp_path, "-q", "-v")
    assert code == 2 and "--quiet and --verbose" in err
    assert not (tmp_path / "out").exists()
