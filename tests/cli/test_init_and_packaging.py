"""Installing the tool the usual way: the wheel carries the templates, data and assets, a starter folder from
`reports init`, and a wheel's build equals the checkout's byte for byte."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, run_cli


def test_init_makes_a_starter_folder_that_checks_and_builds(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    made = run_cli("init", folder, "--language", "en", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert {path.name for path in folder.iterdir()} == {"content.yaml", "content.schema.json", "templates", "README.md"}
    content = (folder / "content.yaml").read_text(encoding="utf-8")
    assert content.startswith("# yaml-language-server: $schema=content.schema.json\n")
    assert "Russia's Interests in the Shanghai Cooperation Organization" in content
    assert (folder / "templates" / "my-briefing" / "template.md.j2").is_file()
    assert "reports build content.yaml -t my-briefing --templates-dir templates" in (folder / "README.md").read_text()
    assert run_cli("check", "content.yaml", cwd=folder).returncode == 0
    built = run_cli("build", "content.yaml", "-t", "my-briefing", "--templates-dir", "templates", "--format", "pdf",
                    cwd=folder)
    assert built.returncode == 0, built.stderr
    assert (folder / "build" / "content-my-briefing.pdf").read_bytes().startswith(b"%PDF")


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "content.yaml").write_text("mine\n", encoding="utf-8")
    again = run_cli("init", tmp_path, cwd=tmp_path)
    assert again.returncode == 2
    assert "content.yaml: already exists — run `reports init` in a new folder" in again.stderr
    assert (tmp_path / "content.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "README.md").exists()
    assert run_cli("init", tmp_path / "x", "--language", "fr").returncode == 2


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(PROJECT_ROOT)], check=True, capture_output=True, timeout=300)
    [found] = out.glob("essay_reports-*.whl")
    return found


@pytest.mark.slow
def test_the_wheel_carries_the_resources_and_the_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(name).decode() for name in names if name.endswith("/METADATA"))
    for folder in ("templates", "data", "assets"):
        for path in (PROJECT_ROOT / folder).rglob("*"):
            if path.is_file():
                assert f"reports/resources/{path.relative_to(PROJECT_ROOT).as_posix()}" in names, path
    assert "reports/py.typed" in names and any(name.endswith("licenses/LICENSE") for name in names)
    assert "Name: essay-reports" in metadata and "License-Expression: MIT" in metadata
    for requirement in ("lxml>=5", "fonttools>=4.40", "pillow>=10", "reportlab~=5.1", "python-pptx~=1.0.2"):
        assert requirement in metadata.lower().replace("pillow", "pillow"), requirement


@pytest.mark.slow
def test_the_installed_wheel_builds_from_an_empty_folder_as_the_checkout_does(wheel: Path, tmp_path: Path) -> None:
    """The wheel unpacked as pip installs it, first on the path: `reports build` with no argument builds the
    sample into ./build, byte for byte what the checkout builds."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "REPORTS_CACHE_DIR": str(tmp_path / "cache")}
    ran = subprocess.run([sys.executable, "-m", "reports.cli", "build"], cwd=empty, env=env, capture_output=True,
                         text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    where = subprocess.run([sys.executable, "-c", "import reports.paths as p; print(p.TEMPLATES_DIR)"], env=env, cwd=empty,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where == str(site / "reports" / "resources" / "templates")
    checkout = tmp_path / "checkout"
    run_cli("build", PROJECT_ROOT / "data" / "sco-russia.yaml", "--out", checkout, cwd=tmp_path)
    for name in ("sco-russia-briefing.pdf", "sco-russia-briefing.docx"):
        assert hashlib.sha256((empty / "build" / name).read_bytes()).digest() == \
            hashlib.sha256((checkout / name).read_bytes()).digest(), name
