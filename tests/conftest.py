"""Shared fixtures and helpers for the test suite.

Helpers are plain functions so tests can build files at import time too; import them with
`from conftest import minimal_content_yaml, position_of, run_cli` (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

_MINIMAL_CONTENT = """\
document:
  title: Minimal test document
  language: en
  author: Test Author
  organisation: Test Unit
  date: 2024-01-31
  facts_as_of: "2024"
  source:
    title: A test text
organisation:
  name: Test Organisation
  founded:
    date: 2001-06-15
    place: Shanghai
  membership:
    - id: members
      label: Members
      members: [CN, RU]
actor:
  country: RU
  interests:
    - id: economic
      sector: Economy
      summary: Trade matters.
      goal: More trade.
      evidence:
        - text: Trade grew quickly.
          value: 30
          unit: "% per year"
summary:
  - First point.
  - Second point.
  - Third point.
body:
  - heading: Overview
    blocks:
      - paragraph: Some prose.
"""


def minimal_content_yaml() -> str:
    """YAML text of a small, valid content document (English, no warnings), for tests to mutate."""
    return _MINIMAL_CONTENT


def position_of(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) where `needle` starts in `text` (its `occurrence`-th match)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def run_cli(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m reports.cli ARGUMENTS` the way a user would, capturing text output."""
    return subprocess.run(
        [sys.executable, "-m", "reports.cli", *map(str, arguments)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=120,
    )


EXPENSIVE_FIXTURES = frozenset({"hostile_runs", "large_build", "running", "handouts", "documents", "briefings",
                                "mixed"})
"""Fixtures that build many whole documents, run LibreOffice or start a server: every test using one is `slow`
(besides the tests marked slow one by one), so `pytest -m "not slow"` is a quick check of everything else."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if EXPENSIVE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="write the golden tree dumps (tests/document/golden/) anew instead of comparing with them")


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The checkout's top folder (holds pyproject.toml, data/, templates/)."""
    return PROJECT_ROOT


@pytest.fixture
def minimal_content() -> str:
    return minimal_content_yaml()


@pytest.fixture(scope="session", autouse=True)
def _private_chart_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Builds in tests (and the CLIs they start) cache charts in a temporary folder, never in ~/.cache."""
    import os

    os.environ["REPORTS_CACHE_DIR"] = str(tmp_path_factory.mktemp("chart-cache"))
    # a build server the developer left running must not take the suite's builds (tests of the server
    # start their own and say so in the environment they give)
    os.environ["REPORTS_SERVER"] = "off"


def as_typeset(text: str, language: str = "id") -> str:
    """Content text as the documents show it: runs of white space as one space, straight quotes and apostrophes
    as the language's curly ones (the built-in themes set `smart_quotes`; `reports.templating.markup`)."""
    from reports.language.labels import labels_for
    from reports.templating.markup import smarten

    return smarten(" ".join(text.split()), labels_for(language).quotes)


def need_tool(name: str) -> str:
    """Path of a command-line reader the test needs: skipped locally when missing, a failure in CI."""
    import os
    import shutil

    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI")
        pytest.skip(f"{name} not installed")
    return path


def libreoffice_pdfs(documents: list[Path], out: Path, timeout: float = 300) -> list[Path]:
    """Each document converted to PDF by LibreOffice headless, all in one start of it, with a private profile in
    `out`; where each PDF should be, written or not (the test asserts it). Skipped locally without LibreOffice,
    a failure in CI."""
    import shutil

    soffice = shutil.which("soffice") or need_tool("libreoffice")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice, f"-env:UserInstallation=file://{out / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out), *map(str, documents)],
                   capture_output=True, timeout=timeout, check=False)
    return [out / (document.stem + ".pdf") for document in documents]


def build_files(content: Path, template: str = "briefing", formats: tuple[str, ...] = ("pdf", "docx"),
                out_dir: Path = Path("build"), search_path: tuple[Path, ...] | None = None,
                display_name: str | None = None, student: dict[str, str] | None = None, suffix: str = "",
                cache: object | None = None, protected: tuple[Path, ...] = (),
                form: bool = False) -> tuple[list[Path], list[object]]:
    """Build one content file into files as `reports build` does (one job, in this process): the files written
    and the warnings. A fresh cache unless one is given (`reports.Cache`)."""
    from reports.cache import Cache
    from reports.paths import TEMPLATES_DIR
    from reports.runtime.jobs import Job, build_job

    job = Job(content=content, display_name=display_name or str(content), template_name=template,
              formats=tuple(formats), out_dir=out_dir, search_path=search_path or (TEMPLATES_DIR,),
              protected=protected, student=student, suffix=suffix, form=form)
    return build_job(job, cache if cache is not None else Cache())  # type: ignore[arg-type]
