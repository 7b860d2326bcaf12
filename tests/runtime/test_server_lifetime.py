"""The build server's life: it runs a client's command without touching its own process state, takes template
folders it has not seen, ends only for a changed font, and takes its batch workers with it when it is killed."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from conftest import PROJECT_ROOT, minimal_content_yaml
from test_server import template_environment

from reports.runtime.invocation import Invocation
from reports.runtime.jobs import run_job

pytestmark = pytest.mark.slow


def reports(*arguments: str | Path, environment: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reports.cli", *map(str, arguments)], cwd=cwd, env=environment,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


@contextmanager
def server(cache: Path, socket_folder: Path | None = None) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A build server of its own (socket folder under /tmp: a socket path is limited to ~107 bytes)."""
    own = socket_folder is None
    socket_folder = socket_folder or Path(tempfile.mkdtemp(prefix="rs-", dir="/tmp"))
    socket_folder.chmod(0o700)
    process = subprocess.Popen([sys.executable, "-m", "reports.cli", "server", "run", "--idle-minutes", "10"],
                               env=template_environment(socket_folder, cache), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 180
        while reports("server", "status", environment=template_environment(socket_folder, cache),
                      cwd=socket_folder).returncode != 0:
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield process, socket_folder
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
        if own:
            shutil.rmtree(socket_folder, ignore_errors=True)


def children(pid: int) -> set[int]:
    """The processes `pid` started (Linux: /proc/PID/task/*/children)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended: it only waits to be reaped


# --- one command, run for its client, changes nothing of the process that runs it --------------------------


def test_a_command_runs_for_its_invocation_without_changing_the_process(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from reports.cli.base import invoke

    (tmp_path / "client").mkdir()
    (tmp_path / "client" / "note.yaml").write_text(minimal_content_yaml(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    environment_before, umask_before, streams_before = dict(os.environ), os.umask(0o022), (sys.stdout, sys.stderr)
    os.umask(umask_before)
    out, err = io.StringIO(), io.StringIO()
    client = Invocation(tmp_path / "client", {**os.environ, "REPORTS_CACHE_DIR": str(tmp_path / "cache"),
                                              "SOURCE_DATE_EPOCH": "1700000000"}, out, err, 0o077)
    assert invoke(["build", "note.yaml", "-f", "docx", "-o", "out/inner"], client) == 0, err.getvalue()
    assert out.getvalue() == "wrote out/inner/note-briefing.docx\n" and err.getvalue() == ""
    written = tmp_path / "client" / "out" / "inner" / "note-briefing.docx"
    assert written.stat().st_mode & 0o777 == 0o600  # the client's umask, not the process's
    assert (tmp_path / "client" / "out").stat().st_mode & 0o777 == 0o700
    import docx

    assert docx.Document(str(written)).core_properties.created.year == 2023  # SOURCE_DATE_EPOCH of the client
    assert Path.cwd() == tmp_path and dict(os.environ) == environment_before and (sys.stdout, sys.stderr) == streams_before
    assert os.umask(umask_before) == umask_before

    err = io.StringIO()
    assert invoke(["build", "missing.yaml"], Invocation(tmp_path / "client", client.environ, out, err, 0o022)) == 3
    assert err.getvalue() == "missing.yaml: no such file — check the path\n"
    err = io.StringIO()
    assert invoke(["build", "--no-such-option"], Invocation(tmp_path / "client", client.environ, out, err, 0o022)) == 2
    assert "Error: No such option" in err.getvalue() and "--no-such-option" in err.getvalue()
    err = io.StringIO()
    (tmp_path / "client" / "folder.yaml").mkdir()
    assert invoke(["build", "folder.yaml"], Invocation(tmp_path / "client", client.environ, out, err, 0o022)) == 2
    assert "File 'folder.yaml' is a directory." in err.getvalue()  # checked in the client's folder, as click words it


def test_a_job_carries_the_settings_a_worker_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked worker reads the cache folder and the umask from its job, never from its environment."""
    from reports.runtime.batch import plan_jobs
    from reports.paths import TEMPLATES_DIR

    (tmp_path / "note.yaml").write_text(minimal_content_yaml(), encoding="utf-8")
    monkeypatch.setenv("REPORTS_CACHE_DIR", str(tmp_path / "not-this-one"))
    job, = plan_jobs([(tmp_path / "note.yaml", "note.yaml")], "briefing", ["pdf"], tmp_path / "out", (TEMPLATES_DIR,),
                     cache_dir=tmp_path / "cache", skip_unchanged=True, umask=0o027)
    outcome = run_job(job)
    assert outcome.ok, outcome.errors
    assert (tmp_path / "out" / "note-briefing.pdf").stat().st_mode & 0o777 == 0o640
    assert list((tmp_path / "cache" / "builds").glob("*.json")) and not (tmp_path / "not-this-one").exists()


# --- template folders: new ones are taken, changed ones forgotten, a changed font ends the server -----------


def make_template(root: Path, text: str) -> Path:
    folder = root / "mine"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "template.md.j2").write_text("# {{ content.document.title }}\n\n" + text + "\n", encoding="utf-8")
    (folder / "theme.yaml").write_text("name: mine\nextends: base\n", encoding="utf-8")
    return folder


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_new_template_folders_are_taken_and_only_a_changed_font_ends_the_server(tmp_path: Path) -> None:
    (tmp_path / "note.yaml").write_text(minimal_content_yaml(), encoding="utf-8")
    first, second = make_template(tmp_path / "a", "Version one."), make_template(tmp_path / "b", "Another folder.")
    with server(tmp_path / "cache") as (process, socket_folder):
        environment = template_environment(socket_folder, tmp_path / "cache")  # REPORTS_SERVER=required

        def build(folder: Path) -> subprocess.CompletedProcess[str]:
            return reports("build", "note.yaml", "-t", "mine", "--templates-dir", folder.parent, "-f", "pdf", "-o",
                           "out", "--force", environment=environment, cwd=tmp_path)

        assert build(first).returncode == 0
        assert build(second).returncode == 0  # a folder it has not seen: taken, the server goes on
        assert "Another folder." in pdf_text(tmp_path / "out" / "note-mine.pdf")
        make_template(tmp_path / "a", "Version two.")
        assert build(first).returncode == 0 and "Version two." in pdf_text(tmp_path / "out" / "note-mine.pdf")
        font = Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        shutil.copyfile(font, first / "Extra.ttf")
        assert build(first).returncode == 0  # a new font file: nothing loaded it yet
        assert process.poll() is None
        with open(first / "Extra.ttf", "ab") as extra:
            extra.write(b"\0" * 16)
        ended = build(first)
        assert ended.returncode == 2 and "REPORTS_SERVER=required" in ended.stderr  # the server stepped aside…
        assert process.wait(timeout=60) == 0  # …and ended
        local = reports("build", "note.yaml", "-t", "mine", "--templates-dir", first.parent, "-f", "pdf", "-o", "out",
                        environment={**environment, "REPORTS_SERVER": ""}, cwd=tmp_path)
        assert local.returncode == 0, local.stderr  # with no server, the build runs in its own process


# --- a server killed with kill -9 in the middle of a batch ---------------------------------------------------


@pytest.mark.parametrize("mode", ["", "required"])
def test_a_server_killed_mid_batch_takes_its_workers_along(tmp_path: Path, mode: str) -> None:
    # names with two spaces cannot be filled into a form: every row is laid out on its own, so the batch lasts
    (tmp_path / "class.csv").write_text("name,class\n" + "".join(f"Student  {number},X-1\n" for number in range(40)),
                                        encoding="utf-8")
    socket_folder = Path(tempfile.mkdtemp(prefix="rs-", dir="/tmp"))
    with server(tmp_path / "cache", socket_folder) as (process, _):
        environment = {**template_environment(socket_folder, tmp_path / "cache"), "REPORTS_SERVER": mode}
        client = subprocess.Popen([sys.executable, "-m", "reports.cli", "build", PROJECT_ROOT / "data" / "sco-russia.yaml",
                                   "-t", "handout", "--roster", "class.csv", "-j", "2", "-f", "pdf", "-o", "out"],
                                  cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        deadline = time.monotonic() + 240
        while not (tmp_path / "out").is_dir() or not any((tmp_path / "out").glob("*.pdf")):
            assert time.monotonic() < deadline and client.poll() is None, "the batch never started"
            time.sleep(0.02)
        workers = children(process.pid)
        assert len(workers) >= 2  # the pool, forked from the server
        os.kill(process.pid, signal.SIGKILL)
        killed = time.monotonic()
        stdout, stderr = client.communicate(timeout=300)  # the client is never left waiting for ever
        if mode == "required":
            assert time.monotonic() - killed < 30
        while any(alive(worker) for worker in workers) and time.monotonic() - killed < 10:
            time.sleep(0.1)
        assert not any(alive(worker) for worker in workers), "a worker outlived the server"
    assert "the build server" in stderr and "ended while building" in stderr, stderr[-2000:]
    if mode == "required":
        assert client.returncode == 2 and "REPORTS_SERVER=required" in stderr
    else:
        assert client.returncode == 0, stderr[-2000:]
        assert len(list((tmp_path / "out").glob("*.pdf"))) == 40
    from pypdf import PdfReader

    for written in (tmp_path / "out").glob("*.pdf"):  # whatever was written is whole
        assert "Student" in PdfReader(written).pages[0].extract_text()
    # the socket and its lock are free: a new server starts on the same socket and answers
    try:
        with server(tmp_path / "cache", socket_folder):
            pass
    finally:
        shutil.rmtree(socket_folder, ignore_errors=True)
