"""Large input: 300 paragraphs and a 500-row table build, with the table header on every page; past the
content-size bound (2 MiB, `reports.content.loader.MAX_CONTENT_BYTES`) a file is refused before it is read.

The 500-row table is the briefing's interests table, which has one row per interest: the content has
500 interests. Peak memory of each run is measured in a child process (its VmHWM, from /proc; getrusage
where /proc is missing) and printed, so a CI log shows it; the tests fail above MAX_PEAK_MIB.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import minimal_content_yaml

from reports.content.loader import MAX_CONTENT_BYTES

ROWS = 500
PARAGRAPHS = 300
MAX_PEAK_MIB = 1024
"""Peak resident memory allowed for building the large file in both formats (measured: see the README)."""

MEASURED = r"""
import atexit, json, os, resource, sys, time
started = time.monotonic()
def peak_kib():
    # VmHWM is this program's own peak; ru_maxrss survives execve on Linux, so it would report the parent's
    # peak (pytest's) whenever that is higher. getrusage is the fallback where /proc is missing.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def report():
    with open(os.environ["PEAK_REPORT"], "w") as handle:
        json.dump({"peak_kib": peak_kib(), "seconds": time.monotonic() - started}, handle)
atexit.register(report)
from reports.cli import run
sys.argv = ["reports", *sys.argv[1:]]
run()
"""


def large_content() -> str:
    """The minimal document with 500 interests and 300 body paragraphs in 10 sections."""
    base = minimal_content_yaml()
    head, rest = base.split("actor:\n")
    interests = "".join(
        f"    - id: sector-{number:03d}\n"
        f"      sector: Sector {number:03d}\n"
        f"      summary: Summary of sector {number:03d}.\n"
        f"      goal: Aim {number:03d} of the actor in this sector.\n"
        f"      instruments: [Instrument {number:03d}]\n"
        for number in range(1, ROWS + 1)
    )
    summary = "summary:\n" + rest.split("summary:\n")[1].split("body:\n")[0]
    sections = "".join(
        f"  - heading: Section {section}\n    blocks:\n" + "".join(
            f"      - paragraph: Paragraph {section * 30 + index + 1:03d} says something about the organisation and its "
            "members, at moderate length, so that it wraps over two or three lines of the page.\n"
            for index in range(PARAGRAPHS // 10)
        )
        for section in range(10)
    )
    return head + "actor:\n  country: RU\n  interests:\n" + interests + summary + "body:\n" + sections


@pytest.fixture(scope="module")
def large_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("large")
    content = folder / "large.yaml"
    content.write_text(large_content(), encoding="utf-8")
    report = folder / "peak.json"
    environment = {**os.environ, "PEAK_REPORT": str(report), "REPORTS_CACHE_DIR": str(folder / "cache")}
    result = subprocess.run([sys.executable, "-c", MEASURED, "build", str(content), "--out", str(folder / "out")],
                            capture_output=True, text=True, timeout=600, env=environment)
    measured = json.loads(report.read_text())
    print(f"\nlarge build ({ROWS} table rows, {PARAGRAPHS} paragraphs, {content.stat().st_size:,} bytes of YAML): "
          f"peak RSS {measured['peak_kib'] / 1024:.0f} MiB, {measured['seconds']:.1f} s")
    return {"result": result, "peak_kib": measured["peak_kib"], "out": folder / "out"}


def _pdftotext_pages(path: Path) -> list[str]:
    from conftest import need_tool

    text = subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")]


@pytest.mark.slow
def test_300_paragraphs_and_a_500_row_table_build_with_repeating_headers(large_build: dict[str, object]) -> None:
    result = large_build["result"]
    assert isinstance(result, subprocess.CompletedProcess)
    assert result.returncode == 0, result.stderr
    out = large_build["out"]
    assert isinstance(out, Path)
    pages = _pdftotext_pages(out / "large-briefing.pdf")
    text = " ".join(pages)
    for number in range(1, ROWS + 1):
        assert f"Aim {number:03d} of the actor" in text, f"row {number} is missing from the PDF"
    for number in range(1, PARAGRAPHS + 1):
        assert f"Paragraph {number:03d} says" in text, f"paragraph {number} is missing from the PDF"
    table_pages = [page for page in pages if re.search(r"Aim \d{3} of the actor", page)]
    assert len(table_pages) >= 10, "a 500-row table spans many pages"
    for page in table_pages:
        assert "Sector Goal Instruments in the organisation Evidence in the essay" in page, \
            "the table header is not repeated on a page the table continues on"


@pytest.mark.slow
def test_the_500_row_table_repeats_its_header_row_in_word(large_build: dict[str, object]) -> None:
    import docx
    from docx.oxml.ns import qn

    out = large_build["out"]
    assert isinstance(out, Path)
    document = docx.Document(str(out / "large-briefing.docx"))
    table = max(document.tables, key=lambda table: len(table.rows))
    assert len(table.rows) == ROWS + 1
    header = table.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None, "Word would not repeat the header"
    body = "\n".join(paragraph.text for paragraph in document.paragraphs)
    for number in range(1, PARAGRAPHS + 1):
        assert f"Paragraph {number:03d} says" in body


def test_peak_memory_of_the_large_build_is_bounded(large_build: dict[str, object]) -> None:
    peak_kib = large_build["peak_kib"]
    assert isinstance(peak_kib, int)
    assert peak_kib / 1024 < MAX_PEAK_MIB, f"peak RSS {peak_kib / 1024:.0f} MiB"


@pytest.mark.slow
def test_a_5_mb_content_file_is_refused_unread(tmp_path: Path) -> None:
    """Refused by its size alone (`stat`), before a byte is read; exit 3 naming the file and the bound."""
    from test_hostile import AUDITED

    path = tmp_path / "huge.yaml"
    padding = "# " + "x" * 1021 + "\n"
    path.write_text(minimal_content_yaml() + padding * (5 * 1024 * 1024 // len(padding)), encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    log = tmp_path / "audit.jsonl"
    for command in ("check", "build"):
        arguments = [command, "huge.yaml"] + (["--out", "out"] if command == "build" else [])
        result = subprocess.run([sys.executable, str(AUDITED), *arguments],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "HOSTILE_AUDIT_LOG": str(log)})
        assert result.returncode == 3, result.stderr
        assert result.stderr.startswith(f"huge.yaml: file is {path.stat().st_size:,} bytes; content files are limited to "
                                        f"{MAX_CONTENT_BYTES:,} bytes"), result.stderr
        opened = [json.loads(line)["path"] for line in log.read_text().splitlines() if '"open"' in line]
        assert not [name for name in opened if name.endswith("huge.yaml")], "the file was read"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_largest_accepted_file_is_checked_in_bounded_memory(tmp_path: Path) -> None:
    """Just under 2 MiB of real content (about 9,000 paragraphs) validates; peak memory is printed and bounded."""
    base = minimal_content_yaml()
    paragraph = ("      - paragraph: A paragraph of ordinary prose about the organisation, its members and the "
                 "interests of the actor, long enough to be realistic.\n")
    count = (MAX_CONTENT_BYTES - len(base) - 1024) // len(paragraph)
    path = tmp_path / "largest.yaml"
    path.write_text(base + paragraph * count, encoding="utf-8")
    assert MAX_CONTENT_BYTES - 2048 < path.stat().st_size <= MAX_CONTENT_BYTES
    report = tmp_path / "peak.json"
    result = subprocess.run([sys.executable, "-c", MEASURED, "check", str(path)], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PEAK_REPORT": str(report)})
    assert result.returncode == 0, result.stderr
    measured = json.loads(report.read_text())
    print(f"\ncheck of a {path.stat().st_size:,}-byte file ({count:,} paragraphs): peak RSS "
          f"{measured['peak_kib'] / 1024:.0f} MiB, {measured['seconds']:.1f} s")
    assert measured["peak_kib"] / 1024 < 512
