"""The build server: `reports build` through a running server gives the same files, output and exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
from conftest import PROJECT_ROOT, minimal_content_yaml
from test_batch import imported

from reports.runtime import server, server_client

ROOT = PROJECT_ROOT


def template_environment(socket_folder: Path, cache: Path, use_server: bool = True, **extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update(REPORTS_SERVER_SOCKET=str(socket_folder / "server.sock"), REPORTS_CACHE_DIR=str(cache),
                       REPORTS_SERVER="required" if use_server else "off", **extra)
    return environment


def _reports(*arguments: str | Path, environment: dict[str, str], cwd: Path,
             python: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *python, "-m", "reports.cli", *map(str, arguments)], cwd=cwd,
                          env=environment, capture_output=True, text=True, encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    # a Unix socket path is limited to ~107 bytes: pytest's tmp paths can be longer
    socket_folder = Path(tempfile.mkdtemp(prefix="rs-", dir="/tmp"))
    socket_folder.chmod(0o700)
    cache = tmp_path_factory.mktemp("server-cache")
    process = subprocess.Popen([sys.executable, "-m", "reports.cli", "server", "run", "--idle-minutes", "10"],
                               env=template_environment(socket_folder, cache), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    answered = False
    while time.monotonic() < deadline and process.poll() is None:
        status = _reports("server", "status", environment=template_environment(socket_folder, cache), cwd=ROOT)
        if status.returncode == 0:
            answered = True
            break
        time.sleep(0.3)
    assert answered, process.stderr.read() if process.stderr else "no server"
    yield {"socket": socket_folder, "cache": cache}
    _reports("server", "stop", environment=template_environment(socket_folder, cache), cwd=ROOT)
    process.wait(timeout=60)
    shutil.rmtree(socket_folder, ignore_errors=True)


@pytest.mark.slow
def test_a_build_through_the_server_equals_a_local_build(running: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "here").mkdir()
    content = tmp_path / "here" / "note.yaml"
    content.write_text(minimal_content_yaml(), encoding="utf-8")
    arguments = ("build", "note.yaml", "-o", "out", "--force")  # relative: the client's folder counts
    served = _reports(*arguments, environment=template_environment(running["socket"], running["cache"],
                                                           SOURCE_DATE_EPOCH="1700000000"),
                      cwd=tmp_path / "here", python=("-X", "importtime"))
    assert served.returncode == 0, served.stderr[-3000:]
    assert not {"reportlab", "docx", "pydantic", "jinja2"} & imported(served.stderr)  # the server did the work
    served_files = {path.name: path.read_bytes() for path in (tmp_path / "here" / "out").iterdir()}
    shutil.rmtree(tmp_path / "here" / "out")
    local = _reports(*arguments, environment=template_environment(running["socket"], running["cache"], use_server=False,
                                                          SOURCE_DATE_EPOCH="1700000000"), cwd=tmp_path / "here")
    assert local.returncode == 0, local.stderr
    assert served.stdout == local.stdout == "wrote out/note-briefing.pdf\nwrote out/note-briefing.docx\n"
    local_files = {path.name: path.read_bytes() for path in (tmp_path / "here" / "out").iterdir()}
    assert served_files == local_files  # SOURCE_DATE_EPOCH reached the server: the same bytes


@pytest.mark.parametrize("arguments, code", [
    (("build", "missing.yaml"), 3),
    (("build", "note.yaml", "-t", "no-such-template"), 4),
    (("build", "note.yaml", "--no-such-option"), 2),
    (("build", "note.yaml", "-f", "rtf"), 2),
])
@pytest.mark.slow
def test_errors_through_the_server_are_the_local_ones(running: dict[str, Path], tmp_path: Path,
                                                     arguments: tuple[str, ...], code: int) -> None:
    (tmp_path / "note.yaml").write_text(minimal_content_yaml(), encoding="utf-8")
    served = _reports(*arguments, environment=template_environment(running["socket"], running["cache"]), cwd=tmp_path)
    local = _reports(*arguments, environment=template_environment(running["socket"], running["cache"], use_server=False),
                     cwd=tmp_path)
    assert served.returncode == local.returncode == code
    assert served.stderr == local.stderr and "Traceback" not in served.stderr


@pytest.mark.slow
def test_the_client_umask_decides_the_file_mode(running: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "note.yaml").write_text(minimal_content_yaml(), encoding="utf-8")
    served = subprocess.run(["sh", "-c", f"umask 077 && exec {sys.executable} -m reports.cli build note.yaml -f pdf"],
                            cwd=tmp_path, env=template_environment(running["socket"], running["cache"]),
                            capture_output=True, text=True, timeout=300)
    assert served.returncode == 0, served.stderr
    assert (tmp_path / "build" / "note-briefing.pdf").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_a_batch_runs_in_workers_forked_from_the_server(running: dict[str, Path], tmp_path: Path) -> None:
    for number in range(3):
        (tmp_path / f"n{number}.yaml").write_text(minimal_content_yaml().replace("Minimal", f"Paper {number}"),
                                                  encoding="utf-8")
    served = _reports("build", "n0.yaml", "n1.yaml", "n2.yaml", "-j", "2", "-f", "docx",
                      environment=template_environment(running["socket"], running["cache"]), cwd=tmp_path)
    assert served.returncode == 0, served.stderr
    assert sorted(path.name for path in (tmp_path / "build").iterdir()) == [
        "n0-briefing.docx", "n1-briefing.docx", "n2-briefing.docx"]
    assert "built 3 of 3 documents" in served.stderr


@pytest.mark.slow
def test_a_roster_through_the_server_is_filled_in_from_its_form_and_equals_a_local_build(
        running: dict[str, Path], tmp_path: Path) -> None:
    """The server makes the roster's form before forking its workers (`reports.runtime.merge`), and keeps it for the
    next run: every handout, both times, is the file a local build of that row writes."""
    roster = tmp_path / "class.csv"
    roster.write_text("name,class\nSiti Nurhaliza,X-2\nBudi Santoso,X-2\nAyu Ñañez,X-3\nO'Neil & Co,1\n"
                      "Muhammad Rizki Pratama Wijaya Kusuma Sastra Negara Putra Bangsa Indonesia Raya,X-3\n",
                      encoding="utf-8")
    arguments = ("build", ROOT / "data" / "sco-russia.yaml", "-t", "handout", "--roster", roster, "-j", "2",
                 "--force", "-o")
    local = _reports(*arguments, tmp_path / "local", environment=template_environment(
        running["socket"], running["cache"], use_server=False), cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    expected = {path.name: path.read_bytes() for path in (tmp_path / "local").iterdir()}
    assert len(expected) == 10
    for run in ("first", "again"):
        served = _reports(*arguments, tmp_path / run, environment=template_environment(running["socket"], running["cache"]),
                          cwd=tmp_path)
        assert served.returncode == 0, served.stderr
        assert {path.name: path.read_bytes() for path in (tmp_path / run).iterdir()} == expected, run


def test_watch_help_and_own_streams_never_go_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTS_SERVER", "")
    assert server_client.wanted(["build", "a.yaml"])
    assert not server_client.wanted(["build", "a.yaml", "--watch"])
    assert not server_client.wanted(["build", "--help"])
    assert not server_client.wanted(["check", "a.yaml"])
    assert not server_client.wanted(["build", "/dev/stdin"]) and not server_client.wanted(["build", "/proc/self/fd/0"])


def _raw(socket_folder: Path, payload: bytes) -> bytes:
    import socket as sockets

    with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM) as connection:
        connection.settimeout(10)
        connection.connect(str(socket_folder / "server.sock"))
        connection.sendall(payload)
        connection.shutdown(sockets.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def test_malformed_requests_are_dropped_and_the_server_goes_on(running: dict[str, Path], tmp_path: Path) -> None:
    for payload in (b"1\n", b"[]\n", b'{"argv": "build"}\n', b'{"argv": ["build"], "cwd": "/", "env": {}, '
                    b'"umask": 99999}\n', b"[" * 50000 + b"\n", b"\xff\xfe\n"):
        _raw(running["socket"], payload)
    status = _reports("server", "status", environment=template_environment(running["socket"], running["cache"]), cwd=tmp_path)
    assert status.returncode == 0


def test_another_installation_is_sent_back_to_build_itself(running: dict[str, Path]) -> None:
    import json

    request = {"argv": ["build", "--help"], "cwd": "/", "env": {}, "umask": 0o22, "installation": ["elsewhere"]}
    answer = _raw(running["socket"], json.dumps(request).encode() + b"\n")
    assert json.loads(answer.splitlines()[0]).get("local") is True


def test_a_second_server_on_the_same_socket_does_not_start(running: dict[str, Path], tmp_path: Path) -> None:
    second = _reports("server", "run", environment=template_environment(running["socket"], running["cache"]), cwd=tmp_path)
    assert second.returncode == 0 and "already running" in second.stderr


def test_the_client_ignores_a_socket_in_a_folder_others_can_enter(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = Path(tempfile.mkdtemp(prefix="rs-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        monkeypatch.setenv("REPORTS_SERVER_SOCKET", str(folder / "server.sock"))
        assert server_client.run_on_server(["build"]).exit_code is None
        monkeypatch.setenv("REPORTS_SERVER", "off")
        assert not server_client.wanted(["build"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_server_whose_code_changed_steps_aside(tmp_path: Path) -> None:
    module_file = tmp_path / "dependency.py"
    module_file.write_text("A = 1\n", encoding="utf-8")
    stamp = module_file.stat()
    instance = server._Server(tmp_path / "s.sock", 60, server.Commands(lambda arguments: {}, lambda arguments: None))
    instance.code = [[str(module_file), stamp.st_size, stamp.st_mtime_ns]]
    assert not instance._code_changed()
    module_file.write_text("A = 22\n", encoding="utf-8")
    assert instance._code_changed()


@pytest.mark.slow
def test_start_status_stop_in_the_background(tmp_path: Path) -> None:
    socket_folder = Path(tempfile.mkdtemp(prefix="rs-", dir="/tmp"))
    try:
        environment = template_environment(socket_folder / "inner", tmp_path / "cache")
        started = _reports("server", "start", "--idle-minutes", "5", environment=environment, cwd=tmp_path)
        assert started.returncode == 0 and "running on" in started.stdout, started.stderr
        assert (socket_folder / "inner").stat().st_mode & 0o777 == 0o700
        assert _reports("server", "status", environment=environment, cwd=tmp_path).returncode == 0
        again = _reports("server", "start", environment=environment, cwd=tmp_path)
        assert again.returncode == 0 and "already running" in again.stdout
        assert _reports("server", "stop", environment=environment, cwd=tmp_path).stdout.strip() == "stopped"
        deadline = time.monotonic() + 30
        while (socket_folder / "inner" / "server.sock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _reports("server", "status", environment=environment, cwd=tmp_path).returncode == 1
        assert "listening" in (socket_folder / "inner" / "server.log").read_text(encoding="utf-8")
    finally:
        shutil.rmtree(socket_folder, ignore_errors=True)


@pytest.mark.slow
def test_start_refuses_a_socket_folder_others_can_enter(tmp_path: Path) -> None:
    socket_folder = Path(tempfile.mkdtemp(prefix="rs-", dir="/tmp"))
    try:
        socket_folder.chmod(0o755)
        started = _reports("server", "start", environment=template_environment(socket_folder, tmp_path / "cache"),
                           cwd=tmp_path)
        assert started.returncode == 2 and "nobody else can enter" in started.stderr
        assert not (socket_folder / "server.sock").exists()
    finally:
        shutil.rmtree(socket_folder, ignore_errors=True)
