"""Faults while writing: a build killed mid-write, a full disk, two builds racing for one file, a read-only folder.

What must hold in every case: the previous output is intact, no temporary file is left behind, a file a
reader opens is always complete, and a user's problem is a located exit 7, never a traceback.

How the faults are made:
* **killed**: the CLI runs in a child whose `os.write` writes half of an output, signals, and sleeps; the
  test then SIGKILLs it (and, as a second check, kills real builds at several moments);
* **full disk**: `os.write` raises ENOSPC for files in the output folder (in-process and in a CLI child);
  as root, also a real 128 KiB tmpfs that the new file does not fit on;
* **read-only folder**: `chattr +i` on the folder when available (root ignores permission bits), else
  `chmod 0o500` as a normal user; also EACCES injected in-process; as root, a tmpfs remounted read-only (EROFS).
Tests that need root or a tool skip when they cannot run; the injected variants always run.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from conftest import build_files, minimal_content_yaml

import reports.output as output
from reports.errors import ExitCode, OutputError

PDF_NAME = "content-briefing.pdf"
DOCX_NAME = "content-briefing.docx"

CHILD = r"""
import os, sys, time
out, ready, mode = sys.argv[1], sys.argv[2], sys.argv[3]
import reports.output as output
if mode == "named":
    output._anonymous_file = lambda folder: None
real_write = os.write

def writes_output(descriptor):
    try:
        return os.readlink(f"/proc/self/fd/{descriptor}").startswith(out)
    except OSError:
        return False

def fault(descriptor, data):
    if writes_output(descriptor):
        if mode == "full":
            raise OSError(28, "No space left on device")
        half = len(data) // 2
        real_write(descriptor, bytes(data[:half]))
        open(ready, "w").close()
        time.sleep(120)
    return real_write(descriptor, data)

os.write = fault
from reports.cli import run
sys.argv = ["reports", *sys.argv[4:]]
run()
"""


def _content(folder: Path, paragraph: str = "Some prose.") -> Path:
    path = folder / "content.yaml"
    path.write_text(minimal_content_yaml().replace("Some prose.", paragraph), encoding="utf-8")
    return path


def _temporaries(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".part") or name.startswith("."))


def _valid_pdf(path: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(path), strict=True)
    assert len(reader.pages) >= 1
    assert "Minimal test document" in (reader.pages[0].extract_text() or "")


def _valid_docx(path: Path) -> None:
    import docx

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    assert any("Minimal test document" in paragraph.text for paragraph in docx.Document(str(path)).paragraphs)


def _environment(tmp_path: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment["REPORTS_CACHE_DIR"] = str(tmp_path / "cache")
    environment.pop("REPORTS_DEBUG", None)
    return environment


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """An output folder holding a good PDF from an earlier build; returns (content, out, the PDF's bytes)."""
    content = _content(tmp_path)
    out = tmp_path / "out"
    build_files(content, formats=("pdf",), out_dir=out)
    data = (out / PDF_NAME).read_bytes()
    _content(tmp_path, "A changed paragraph, so that the next build differs from the previous one.")
    return content, out, data


# --- killed mid-write ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["anonymous", "named"])
def test_killed_build_leaves_the_previous_output_and_no_temporary_file(
    previous: tuple[Path, Path, bytes], tmp_path: Path, mode: str
) -> None:
    """SIGKILL with half the new PDF written: the old PDF is untouched and nothing else is in the folder.

    `anonymous`: the default on Linux (O_TMPFILE), where the half-written file has no name and vanishes
    with the process. `named`: the portable fallback, which leaves a `.part` file that the next build
    removes (its process is gone), before writing.
    """
    content, out, old = previous
    ready = tmp_path / "ready"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(out), str(ready), mode, "build", str(content), "--format", "pdf", "--out", str(out)],
        env=_environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never started writing"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    assert (out / PDF_NAME).read_bytes() == old, "the previous output was changed"
    left = _temporaries(out)
    if mode == "anonymous":
        assert left == [], f"temporary files left behind: {left}"
    else:
        assert len(left) == 1 and left[0].endswith(".part"), left  # what a kill leaves without O_TMPFILE…
        build_files(content, formats=("pdf",), out_dir=out)
        assert _temporaries(out) == [], "…and what the next build clears away"
        assert (out / PDF_NAME).read_bytes() != old
    _valid_pdf(out / PDF_NAME)


@pytest.mark.slow
def test_builds_killed_at_any_moment_leave_a_complete_file_and_no_temporary_file(tmp_path: Path) -> None:
    """Real builds (no injected pause) killed after 0.2–1.6 s: every time, the file is a whole PDF."""
    content = _content(tmp_path, " ".join(["panjang"] * 3000))
    out = tmp_path / "out"
    build_files(content, formats=("pdf",), out_dir=out)
    for delay in (0.2, 0.6, 1.0, 1.6):
        child = subprocess.Popen(
            [sys.executable, "-m", "reports.cli", "build", str(content), "--format", "pdf", "--out", str(out)],
            env=_environment(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert _temporaries(out) == []
        _valid_pdf(out / PDF_NAME)


# --- full disk ------------------------------------------------------------------------------------------


def _fail_writes_in(folder: Path, monkeypatch: pytest.MonkeyPatch, error_number: int) -> None:
    real_write = os.write

    def write(descriptor: int, data: bytes) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            target = ""
        if target.startswith(str(folder)):
            raise OSError(error_number, os.strerror(error_number))
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["anonymous", "named"])
def test_full_disk_leaves_the_previous_output_and_no_temporary_file(
    previous: tuple[Path, Path, bytes], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    content, out, old = previous
    if mode == "named":
        monkeypatch.setattr(output, "_anonymous_file", lambda folder: None)
    _fail_writes_in(out, monkeypatch, errno.ENOSPC)
    with pytest.raises(OutputError) as raised:
        build_files(content, formats=("pdf",), out_dir=out)
    assert raised.value.exit_code == ExitCode.OUTPUT
    (diagnostic,) = raised.value.diagnostics
    assert "the disk is full" in diagnostic.message and diagnostic.file.endswith(PDF_NAME)
    assert (out / PDF_NAME).read_bytes() == old
    assert _temporaries(out) == []


@pytest.mark.slow
def test_full_disk_through_the_cli_is_exit_7_without_traceback(previous: tuple[Path, Path, bytes], tmp_path: Path) -> None:
    content, out, old = previous
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), str(tmp_path / "unused"), "full", "build", str(content), "--out", str(out)],
        env=_environment(tmp_path), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 7, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{PDF_NAME}: cannot write: the disk is full" in result.stderr
    assert (out / PDF_NAME).read_bytes() == old
    assert sorted(os.listdir(out)) == [PDF_NAME], "no DOCX half-written, no temporary file"


@contextmanager
def tmpfs(folder: Path, size_kib: int) -> Iterator[Path]:
    """A real, tiny file system (root only); skips when mounting is not permitted."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0755", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.mark.slow
def test_a_real_full_disk_keeps_the_previous_file(tmp_path: Path) -> None:
    content = _content(tmp_path)
    staging = tmp_path / "staging"
    build_files(content, formats=("pdf",), out_dir=staging)
    old = (staging / PDF_NAME).read_bytes()
    room_kib = (len(old) // 1024 + 48) // 4 * 4  # the previous file plus 48 KiB, in whole pages
    out = tmp_path / "small-disk"
    with tmpfs(out, room_kib):
        shutil.copy(staging / PDF_NAME, out / PDF_NAME)
        _content(tmp_path, " ".join(f"kata{n}" for n in range(20000)))  # a PDF hundreds of KiB larger
        result = subprocess.run([sys.executable, "-m", "reports.cli", "build", str(content), "--format", "pdf",
                                 "--out", str(out)], env=_environment(tmp_path), capture_output=True, text=True, timeout=300)
        assert result.returncode == 7, result.stderr
        assert "the disk is full" in result.stderr and "Traceback" not in result.stderr
        assert (out / PDF_NAME).read_bytes() == old
        assert sorted(os.listdir(out)) == [PDF_NAME]


# --- concurrent writers ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_builds_of_one_output_never_leave_a_broken_file(tmp_path: Path) -> None:
    content = _content(tmp_path)
    out = tmp_path / "out"
    for _ in range(2):
        children = [
            subprocess.Popen([sys.executable, "-m", "reports.cli", "build", str(content), "--out", str(out)],
                             env=_environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        for child in children:
            stdout, stderr = child.communicate(timeout=300)
            assert child.returncode == 0, stderr
        assert sorted(os.listdir(out)) == [DOCX_NAME, PDF_NAME]
        _valid_pdf(out / PDF_NAME)
        _valid_docx(out / DOCX_NAME)


def test_readers_only_ever_see_a_whole_file_while_writers_race(tmp_path: Path) -> None:
    """Eight threads replace one file 25 times each while a reader reads it: every read is one whole payload."""
    target = tmp_path / "race" / "file.bin"
    payloads = {bytes([index]) * (64 * 1024 + index) for index in range(8)}
    output.write_atomically(target, next(iter(payloads)))
    stop = threading.Event()
    seen: list[bytes] = []

    def reader() -> None:
        while not stop.is_set():
            seen.append(target.read_bytes())

    def writer(payload: bytes) -> None:
        for _ in range(25):
            output.write_atomically(target, payload)

    reading = threading.Thread(target=reader)
    reading.start()
    writers = [threading.Thread(target=writer, args=(payload,)) for payload in payloads]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    reading.join()
    assert seen and all(data in payloads for data in seen), "a reader saw a partial or mixed file"
    assert os.listdir(target.parent) == ["file.bin"]


# --- read-only output folder ----------------------------------------------------------------------------


@contextmanager
def read_only_folder(folder: Path) -> Iterator[str]:
    """Make `folder` unwritable for real: chattr +i (works for root), else permission bits (other users)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield "chmod 0o500"
        finally:
            folder.chmod(0o700)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("as root, only chattr +i makes a folder read-only, and it is unavailable here")
    try:
        yield "chattr +i"
    finally:
        subprocess.run([chattr, "-i", str(folder)], capture_output=True)


@pytest.mark.slow
def test_read_only_output_folder_is_exit_7(tmp_path: Path) -> None:
    content = _content(tmp_path)
    out = tmp_path / "locked"
    with read_only_folder(out) as how:
        result = subprocess.run([sys.executable, "-m", "reports.cli", "build", str(content), "--out", str(out)],
                                env=_environment(tmp_path), capture_output=True, text=True, timeout=300)
        assert result.returncode == 7, (how, result.stderr)
        assert "cannot write" in result.stderr and "Traceback" not in result.stderr
        assert os.listdir(out) == []


def test_permission_denied_is_exit_7_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES injected where the output folder is opened for writing (what a read-only folder gives a user)."""
    content = _content(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    real_open = os.open

    def refuse(path: str | os.PathLike[str], flags: int, *args: object, **kwargs: object) -> int:
        if str(path).startswith(str(out)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(OutputError) as raised:
        build_files(content, formats=("pdf",), out_dir=out)
    assert raised.value.exit_code == ExitCode.OUTPUT
    assert "permission denied" in raised.value.diagnostics[0].message
    assert os.listdir(out) == []


@pytest.mark.slow
def test_read_only_file_system_is_exit_7(tmp_path: Path) -> None:
    content = _content(tmp_path)
    out = tmp_path / "read-only-disk"
    with tmpfs(out, 1024):
        remounted = subprocess.run(["mount", "-o", "remount,ro", str(out)], capture_output=True, text=True)
        if remounted.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remounted.stderr.strip()}")
        result = subprocess.run([sys.executable, "-m", "reports.cli", "build", str(content), "--format", "pdf",
                                 "--out", str(out)], env=_environment(tmp_path), capture_output=True, text=True, timeout=300)
        assert result.returncode == 7, result.stderr
        assert "read-only" in result.stderr and "Traceback" not in result.stderr
