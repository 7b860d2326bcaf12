"""A resident build process: `reports server start` keeps the builder loaded; `reports build` hands it the work.

A new Python process spends ≈0.6 s importing reportlab, python-docx, python-pptx, pydantic and Jinja
and reading fonts before it builds anything; pandoc, a compiled program, starts in milliseconds. Build
tools in JVM and Python land answer this with a daemon (Gradle, Bazel, mypy's dmypy): the client stays
tiny and the work happens in a process that is already warm. Here the client is `reports build`
itself: when a server is running it sends its arguments, working folder, environment and umask over a
Unix socket, prints what comes back and exits with the server's exit code — the same command, the same
output, the same files, ≈0.1 s. A batch forks its workers from the warm server, so they start warm too.

Safety: the socket lives in a folder only the user can enter (0700, owned by them, checked), the
server accepts only connections from its own user (SO_PEERCRED), requests are size-limited JSON (no
pickle), and requests run one at a time. The server steps aside (the client builds in its own process)
when its code changed on disk since it started, and it forgets cached labels, themes and fonts when a
template folder changes. It exits after an idle time (default 30 minutes) or on `reports server stop`.
`REPORTS_SERVER=off` makes the client ignore any server.
"""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import struct
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

MAX_REQUEST_BYTES = 1024 * 1024
CONNECT_SECONDS = 1.0
ACCEPT_SECONDS = 2.0
"""How long a client waits for the server to take its request (it may be busy with another) before
building in its own process."""
SEND_SECONDS = 30.0
"""How long the server waits on a client that stopped reading (suspended with Ctrl-Z) before giving up
on it, so one stuck terminal cannot hold every later build."""

DEFAULT_IDLE_MINUTES = 30.0
SERVED_COMMANDS = ("build",)
"""`check` and `schema` start in ≈0.2 s on their own; `--watch` is a long-lived process of its own."""


class RunLocally(Exception):
    """The server cannot do this request (raised inside the server; the client then builds itself)."""


def socket_path() -> Path:
    """`$REPORTS_SERVER_SOCKET`, else `$XDG_RUNTIME_DIR/reports/server.sock`, else `/tmp/reports-<uid>/server.sock`."""
    configured = os.environ.get("REPORTS_SERVER_SOCKET", "").strip()
    if configured:
        return Path(configured)
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    folder = Path(runtime) / "reports" if runtime else Path(tempfile.gettempdir()) / f"reports-{os.getuid()}"
    return folder / "server.sock"


def _private_folder(folder: Path, create: bool) -> bool:
    """True when `folder` is a real folder owned by this user that nobody else can enter."""
    if create:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return False
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def prepare_socket_folder() -> bool:
    """Create the socket's folder (mode 0700) if needed; False when it is not a private folder of this user."""
    return _private_folder(socket_path().parent, create=True)


def _send(connection: socket.socket, message: dict[str, Any]) -> None:
    connection.sendall(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")


def _lines(connection: socket.socket) -> Iterator[dict[str, Any]]:
    """JSON messages, one per line, until the peer closes; a line over the size limit ends the stream."""
    buffer = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield json.loads(line)
        if len(buffer) > MAX_REQUEST_BYTES:
            raise ValueError("message too long")


# --- the client: inside `reports build` -----------------------------------------------------------------


def wanted(arguments: Sequence[str]) -> bool:
    """Whether this command line should go to a server (if one runs).

    Not `--watch` (a long-lived process of its own), not help, and not a command naming the client's own
    streams (`/dev/stdin`, `/proc/self/fd/0`): the server would read its own.
    """
    if os.environ.get("REPORTS_SERVER", "").strip().lower() in ("off", "0", "no", "false"):
        return False
    if not arguments or arguments[0] not in SERVED_COMMANDS:
        return False
    for argument in arguments[1:]:
        if argument in ("--watch", "-w", "--help", "-h") or argument.startswith(("/dev/", "/proc/")):
            return False
    return True


def required() -> bool:
    """`REPORTS_SERVER=required`: a build that no server takes is an error (scripts and tests that
    must know the server did the work)."""
    return os.environ.get("REPORTS_SERVER", "").strip().lower() == "required"


def installation() -> list[str]:
    """What must match between client and server: this copy of `reports` and this Python."""
    from reports.paths import PACKAGE_DIR

    return [str(PACKAGE_DIR), sys.executable, sys.version]


def run_on_server(arguments: Sequence[str]) -> int | None:
    """Run the command on a running server and return its exit code; None when no server can do it."""
    path = socket_path()
    if not _private_folder(path.parent, create=False):
        return None  # no server, or a folder someone else could have planted a socket in
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        connection.settimeout(CONNECT_SECONDS)
        connection.connect(str(path))
        umask = os.umask(0)
        os.umask(umask)
        _send(connection, {"argv": list(arguments), "cwd": os.getcwd(), "env": dict(os.environ), "umask": umask,
                           "installation": installation()})
        connection.settimeout(ACCEPT_SECONDS)  # a busy server has not taken it yet: build here instead
        for message in _lines(connection):
            if message.get("accepted"):
                connection.settimeout(None)  # a batch may run for minutes, printing as it goes
            elif "out" in message:
                sys.stdout.write(message["out"])
                sys.stdout.flush()
            elif "err" in message:
                sys.stderr.write(message["err"])
                sys.stderr.flush()
            elif "exit" in message:
                return int(message["exit"])
            elif message.get("local"):
                return None
        return None  # the server went away mid-way: build here (outputs are replaced atomically)
    except (OSError, ValueError):
        return None
    finally:
        connection.close()


# --- the server -------------------------------------------------------------------------------------------


class _Forward(io.TextIOBase):
    """A text stream whose writes go to the client as `out`/`err` messages."""

    def __init__(self, connection: socket.socket, kind: str) -> None:
        self.connection = connection
        self.kind = kind

    def write(self, text: str | bytes) -> int:  # type: ignore[override]
        if isinstance(text, bytes):  # click writes encoded text to streams it takes for binary-capable
            text = text.decode("utf-8", "replace")
        if text:
            _send(self.connection, {self.kind: text})
        return len(text)

    def isatty(self) -> bool:
        return False  # no progress bar or colours: the client's terminal is not ours to draw on


def _peer_uid(connection: socket.socket) -> int | None:
    try:
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return None
    _, uid, _ = struct.unpack("3i", credentials)
    return uid


def _well_formed(request: Any) -> bool:
    """A build request as the client sends it (anything else is dropped without touching the server's state)."""
    return (isinstance(request, dict)
            and isinstance(request.get("argv"), list) and all(isinstance(item, str) for item in request["argv"])
            and isinstance(request.get("cwd"), str)
            and isinstance(request.get("env"), dict)
            and all(isinstance(key, str) and isinstance(value, str) and "\0" not in key + value and "=" not in key
                    and key for key, value in request["env"].items())
            and isinstance(request.get("umask"), int) and 0 <= request["umask"] <= 0o777)


@contextmanager
def _as_the_client(request: dict[str, Any], connection: socket.socket) -> Iterator[None]:
    """Working folder, environment, umask and output streams of the client, for one request."""
    saved_cwd, saved_env = os.getcwd(), dict(os.environ)
    saved_streams = sys.stdout, sys.stderr
    os.chdir(str(request["cwd"]))
    os.environ.clear()
    os.environ.update({str(key): str(value) for key, value in dict(request["env"]).items()})
    saved_umask = os.umask(int(request["umask"]) & 0o777)
    sys.stdout, sys.stderr = _Forward(connection, "out"), _Forward(connection, "err")  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved_streams
        os.umask(saved_umask)
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)


@dataclass(frozen=True)
class Commands:
    """What the server runs for a client, handed over by the command line that starts it (the server knows
    nothing of the command line's modules): a command line's `build` options as click reads them, and the
    command line itself, ending in `SystemExit` with the exit code."""

    build_options: Callable[[list[str]], dict[str, Any]]
    run: Callable[[list[str]], None]


class _Server:
    def __init__(self, path: Path, idle_seconds: float, commands: Commands) -> None:
        self.path = path
        self.idle_seconds = idle_seconds
        self.commands = commands
        self.code: list[list[Any]] = []
        self.trees: dict[str, Any] | None = None
        self.started = time.time()
        self.stop_after = False
        """Set when a font file changed: this request is built by the client, and the server ends."""

    def warm_up(self) -> None:
        """Import the builder and lay out the built-in briefing and handout once, in memory: fonts, styles
        and templates are then ready for the first real request (and for the workers a roster forks)."""
        import importlib

        importlib.import_module("reports.runtime.batch")  # loaded now: batch workers forked from the server start with it
        from reports.content.validate import check_content
        from reports.paths import DEFAULT_CONTENT, default_cache_dir
        from reports.pipeline import build_tree, render
        from reports.runtime.process import mark_warm, process_cache

        cache = process_cache(default_cache_dir())
        for template in ("briefing", "handout"):
            render(build_tree(check_content(DEFAULT_CONTENT, cache=cache), template, cache=cache), cache=cache)
        mark_warm()
        self.code = self._code_now()

    def _code_now(self) -> list[list[Any]]:
        from reports.runtime.uptodate import code_files

        return code_files()

    def _code_changed(self) -> bool:
        from reports.runtime.uptodate import file_stamp

        return any(file_stamp(path) != [size, mtime] for path, size, mtime in self.code)

    def _templates_changed(self, search_path: Sequence[Path]) -> bool:
        """Forget cached labels, themes and templates when a template folder changed; True when a font file
        changed: fonts are registered once per process (reportlab, matplotlib), so only a fresh one is safe."""
        from reports.runtime.process import forget_everything
        from reports.runtime.uptodate import template_trees
        from reports.theme.fonts import FONT_SUFFIXES

        trees = template_trees(search_path)
        before, self.trees = self.trees, trees
        if before is None or trees == before:
            return False
        forget_everything()

        def fonts(fingerprint: dict[str, Any] | None) -> dict[str, Any]:
            return {root: sorted(entry for entry in entries if str(entry[0]).lower().endswith(FONT_SUFFIXES))
                    for root, entries in (fingerprint or {}).items()}

        return fonts(trees) != fonts(before)

    def serve(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        identity: int | None = None
        try:
            self.path.unlink(missing_ok=True)  # a dead server's socket (the lock says no live one owns it)
            listener.bind(str(self.path))
            os.chmod(self.path, 0o600)
            listener.listen(16)
            listener.settimeout(self.idle_seconds)
            identity = os.stat(self.path).st_ino
            print(f"reports server listening on {self.path} (pid {os.getpid()})", file=sys.stderr, flush=True)
            while True:
                try:
                    connection, _ = listener.accept()
                except socket.timeout:
                    return  # idle long enough
                with connection:
                    if _peer_uid(connection) != os.getuid():
                        continue
                    try:
                        if not self._handle(connection):
                            return
                    except Exception as error:  # noqa: BLE001 — one bad request must not end the server
                        print(f"request failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        finally:
            listener.close()
            try:
                if identity is not None and os.stat(self.path).st_ino == identity:  # never a newer server's
                    self.path.unlink()
            except OSError:
                pass

    def _handle(self, connection: socket.socket) -> bool:
        """Run one request; False when the server should stop afterwards."""
        try:
            connection.settimeout(10)
            request = next(_lines(connection))
            connection.settimeout(None)
        except (OSError, ValueError, StopIteration):
            return True
        if request.get("stop"):
            _send(connection, {"stopped": True})
            return False
        if request.get("status"):
            _send(connection, {"pid": os.getpid(), "since": self.started})
            return True
        if not _well_formed(request):
            return True
        if request.get("installation") != installation():
            _send(connection, {"local": True, "why": "another copy of reports or another Python"})
            return True
        if self._code_changed():
            _send(connection, {"local": True, "why": "the code changed since the server started"})
            return False  # a stale server must not build: the client builds, the next start is fresh
        connection.settimeout(SEND_SECONDS)
        _send(connection, {"accepted": True})
        try:
            code = self._run(request, connection)
        except RunLocally:
            _send(connection, {"local": True})
            return not self.stop_after
        except OSError:
            return True  # the client went away
        try:
            _send(connection, {"exit": code})
        except OSError:
            pass
        return True

    def _run(self, request: dict[str, Any], connection: socket.socket) -> int:
        from reports.paths import template_search_path

        arguments = [str(argument) for argument in request["argv"]]
        if not wanted(arguments):
            raise RunLocally()
        with _as_the_client(request, connection):
            # click reads the command line as the build will (resilient: a bad option is the build's to report)
            options = self.commands.build_options(arguments[1:])
            if self._templates_changed(template_search_path(tuple(options.get("templates_dirs") or ()))):
                self.stop_after = True
                raise RunLocally()
            try:
                self.commands.run(arguments)
            except SystemExit as ending:
                return ending.code if isinstance(ending.code, int) else (0 if ending.code is None else 1)
        return 0


def serve(commands: Commands, idle_minutes: float = DEFAULT_IDLE_MINUTES) -> int:
    """Run a server in this process until it is stopped or idle; 0, or 2 when the socket folder is unsafe."""
    import fcntl

    path = socket_path()
    if not _private_folder(path.parent, create=True):
        print(f"{path.parent}: not a private folder of this user (mode 0700) — remove it or set "
              "REPORTS_SERVER_SOCKET", file=sys.stderr)
        return 2
    # one server per socket: the lock is taken before the (slow) warm-up, so two starts at once cannot
    # both bind, and it is released by the kernel however the server ends
    lock = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print(f"a reports server is already running on {path}", file=sys.stderr)
            return 0
        server = _Server(path, idle_minutes * 60, commands)
        server.warm_up()
        server.serve()
        return 0
    finally:
        os.close(lock)


def _ask(path: Path, message: dict[str, Any]) -> dict[str, Any] | None:
    """One control message to a running server and its answer; None when no server answers."""
    if not _private_folder(path.parent, create=False):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(CONNECT_SECONDS * 5)
            connection.connect(str(path))
            _send(connection, message)
            return next(_lines(connection), None)
    except (OSError, ValueError):
        return None


def status() -> dict[str, Any] | None:
    return _ask(socket_path(), {"status": True})


def stop() -> bool:
    return _ask(socket_path(), {"stop": True}) is not None
