"""Windows and macOS, simulated: with the Linux-only features taken away (monkeypatched, here and in the worker
processes a batch spawns), `reports build`, `check`, a batch and the template time limit still work, and the build
server says plainly that it is not available. macOS's peer credentials, its start method and Windows' process check
are tested on their own."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, minimal_content_yaml

from reports import output
from reports.runtime import executors, lifeline, server_socket

SIMULATION = textwrap.dedent('''
    """Imported at start-up by every Python process of the test (sitecustomize): a system without the Linux-only
    features reports relies on, as Windows lacks them (the paths stay POSIX: only the features go)."""
    import multiprocessing, os, signal, socket, sys

    for module, names in ((os, ("getuid", "O_DIRECTORY", "O_TMPFILE", "sched_getaffinity", "fchmod")),
                          (signal, ("SIGALRM", "setitimer")),
                          (socket, ("AF_UNIX", "SO_PEERCRED", "LOCAL_PEERCRED"))):
        for name in names:
            if hasattr(module, name):
                delattr(module, name)
    multiprocessing.get_all_start_methods = lambda: ["spawn"]
    sys.modules["resource"] = None
    sys.modules["fcntl"] = None
''')


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("simulated-platform")
    (folder / "sitecustomize.py").write_text(SIMULATION, encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update(PYTHONPATH=os.pathsep.join(filter(None, [str(folder), str(PROJECT_ROOT),
                                                                  os.environ.get("PYTHONPATH", "")])),
                       REPORTS_CACHE_DIR=str(folder / "cache"), REPORTS_SERVER="")
    return environment


def reports(*arguments: str | Path, environment: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reports.cli", *map(str, arguments)], cwd=cwd, env=environment,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


@pytest.mark.slow
def test_build_check_and_a_batch_work_without_the_linux_only_features(simulated: dict[str, str],
                                                                      tmp_path: Path) -> None:
    probe = subprocess.run([sys.executable, "-c", "import os, signal, socket, multiprocessing; print(hasattr(os, "
                            "'getuid'), hasattr(signal, 'SIGALRM'), hasattr(socket, 'AF_UNIX'), "
                            "multiprocessing.get_all_start_methods())"], env=simulated, capture_output=True, text=True)
    assert probe.stdout.split() == ["False", "False", "False", "['spawn']"], probe.stderr  # the simulation holds
    for number in range(3):
        (tmp_path / f"n{number}.yaml").write_text(minimal_content_yaml().replace("Minimal", f"Paper {number}"),
                                                  encoding="utf-8")
    single = reports("build", "n0.yaml", environment=simulated, cwd=tmp_path)
    assert single.returncode == 0 and "Traceback" not in single.stderr, single.stderr
    assert single.stdout == "wrote build/n0-briefing.pdf\nwrote build/n0-briefing.docx\n"
    checked = reports("check", "n0.yaml", environment=simulated, cwd=tmp_path)
    assert checked.returncode == 0 and "n0.yaml: valid" in checked.stdout, checked.stderr
    batch = reports("build", "n0.yaml", "n1.yaml", "n2.yaml", "-j", "2", "-f", "docx", "-o", "batch", "--force",
                    environment=simulated, cwd=tmp_path)
    assert batch.returncode == 0 and "built 3 of 3 documents (3 files) in" in batch.stderr, batch.stderr
    assert "with 2 processes" in batch.stderr  # spawned workers, which run the simulation too
    assert sorted(path.name for path in (tmp_path / "batch").iterdir()) == [
        "n0-briefing.docx", "n1-briefing.docx", "n2-briefing.docx"]

    # the template time limit holds without a timer signal
    (tmp_path / "t" / "endless").mkdir(parents=True)
    (tmp_path / "t" / "endless" / "template.md.j2").write_text(
        "# x\n\n{% for i in range(99999) %}{% for j in range(99999) %}{{ '' }}{% endfor %}{% endfor %}\n", encoding="utf-8")
    (tmp_path / "t" / "endless" / "theme.yaml").write_text("name: endless\nextends: base\n", encoding="utf-8")
    started = time.monotonic()
    endless = reports("build", "n0.yaml", "-t", "endless", "--templates-dir", "t", environment={
        **simulated, "REPORTS_RENDER_SECONDS": "1"}, cwd=tmp_path)
    assert endless.returncode == 4, endless.stderr
    assert f"{tmp_path / 't' / 'endless' / 'template.md.j2'}:3:1: rendering took longer than 1 s" in endless.stderr
    assert time.monotonic() - started < 60

    # the build server: unavailable, and said so
    status = reports("server", "start", environment=simulated, cwd=tmp_path)
    assert status.returncode == 2 and "not available here" in status.stderr and "Traceback" not in status.stderr
    required = reports("build", "n0.yaml", environment={**simulated, "REPORTS_SERVER": "required"}, cwd=tmp_path)
    assert required.returncode == 2 and "no Unix domain sockets" in required.stderr


def test_macos_peer_credentials_are_read_from_local_peercred(monkeypatch: pytest.MonkeyPatch) -> None:
    class Connection:
        def __init__(self, answer: bytes) -> None:
            self.answer = answer
            self.asked: list[tuple[int, int, int]] = []

        def getsockopt(self, level: int, option: int, size: int) -> bytes:
            self.asked.append((level, option, size))
            return self.answer

    monkeypatch.delattr(socket, "SO_PEERCRED", raising=False)
    monkeypatch.setattr(server_socket, "_LOCAL_PEERCRED", 0x001)
    xucred = struct.pack("=IIh2x16I", 0, 501, 1, *([20] + [0] * 15))
    connection = Connection(xucred)
    assert server_socket.peer_uid(connection) == 501  # type: ignore[arg-type]
    assert connection.asked[0][:2] == (0, 0x001)  # SOL_LOCAL, LOCAL_PEERCRED
    assert server_socket.peer_uid(Connection(struct.pack("=IIh2x16I", 7, 501, 0, *[0] * 16))) is None  # type: ignore[arg-type]
    assert server_socket.unavailable_reason() is None
    monkeypatch.setattr(server_socket, "_LOCAL_PEERCRED", None)
    assert "cannot tell the server which user connects" in str(server_socket.unavailable_reason())


def test_linux_peer_credentials_name_this_user() -> None:
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        assert server_socket.peer_uid(left) == os.getuid()


def test_the_socket_folder_is_named_without_a_user_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTS_SERVER_SOCKET", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delattr(os, "getuid")
    path = server_socket.socket_path()
    assert path.name == "server.sock" and path.parent.name.startswith("reports-")
    assert server_socket.unavailable_reason() is not None and not server_socket.private_folder(path.parent, False)


def test_batches_spawn_their_workers_on_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert executors.start_method() == "spawn"
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(executors.threading, "active_count", lambda: 1)
    assert executors.start_method() == "fork"
    monkeypatch.setattr(executors.threading, "active_count", lambda: 3)  # forking a threaded process can deadlock
    assert executors.start_method() == "forkserver"


def test_windows_never_signals_a_process_to_see_if_it_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`os.kill(pid, 0)` terminates the process on Windows: a stale temporary file is judged another way."""
    def no_kill(*arguments: Any) -> None:
        raise AssertionError("os.kill called")

    monkeypatch.setattr(output, "_WINDOWS", True)
    monkeypatch.setattr(output.os, "kill", no_kill)
    asked: list[int] = []
    monkeypatch.setattr(output, "_windows_process_is_gone", lambda pid: asked.append(pid) or pid == 999_999)
    target = tmp_path / "out.pdf"
    tag = output._host_tag()
    (tmp_path / f".out.pdf.{tag}-999999.abcd.part").write_bytes(b"left by a killed build")
    (tmp_path / f".out.pdf.{tag}-999998.abcd.part").write_bytes(b"a running build's")
    output.write_atomically(target, b"%PDF-1.4 new")
    assert target.read_bytes() == b"%PDF-1.4 new" and sorted(asked) == [999_998, 999_999]
    assert sorted(path.name for path in tmp_path.iterdir()) == [f".out.pdf.{tag}-999998.abcd.part", "out.pdf"]


def test_files_are_written_where_folders_cannot_be_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "_O_DIRECTORY", 0)
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    output.write_atomically(tmp_path / "deep" / "er" / "file.docx", b"PK data", umask=0o077)
    assert (tmp_path / "deep" / "er" / "file.docx").read_bytes() == b"PK data"
    assert (tmp_path / "deep" / "er" / "file.docx").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "deep").stat().st_mode & 0o777 == 0o700 and list((tmp_path / "deep" / "er").iterdir()) == [
        tmp_path / "deep" / "er" / "file.docx"]


@pytest.mark.parametrize("way", ["signal", "thread"])
def test_a_worker_ends_when_its_parent_is_killed(tmp_path: Path, way: str) -> None:
    """The parent-death signal (Linux), and the watcher thread used where there is none (macOS)."""
    script = textwrap.dedent(f'''
        import os, sys, time
        from reports.runtime import lifeline
        if {way == "thread"!r}:
            lifeline._parent_death_signal = lambda: False
        child = os.fork()
        if child == 0:
            print(lifeline.tie_to_parent(os.getppid()), flush=True)
            time.sleep(120)
            os._exit(0)
        print(child, flush=True)
        time.sleep(120)
    ''')
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get(
                                  "PYTHONPATH", "")])})
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert parent.stdout.readline().strip() == way
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=30)
    deadline = time.monotonic() + lifeline.POLL_SECONDS * 10 + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            break
        if state in ("Z", "X"):
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the child outlived its parent")
