"""A resident build process: `reports server start` keeps the builder loaded; `reports build` hands it the work.

A new Python process spends ≈0.6 s importing reportlab, python-docx, python-pptx, pydantic and Jinja
and reading fonts before it builds anything; pandoc, a compiled program, starts in milliseconds. Build
tools in JVM and Python land answer this with a daemon (Gradle, Bazel, mypy's dmypy): the client stays
tiny and the work happens in a process that is already warm. Here the client is `reports build`
itself (`reports.runtime.server_client`): when a server is running it sends its arguments, working folder,
environment and umask over a Unix socket (`reports.runtime.server_socket`), prints what comes back and exits
with the server's exit code — the same command, the same output, the same files, ≈0.1 s. The server runs the
command for that client (`reports.runtime.invocation`) without changing its own working folder, environment,
streams or umask. A batch forks its workers from the warm server, so they start warm too; they die with it
(`reports.runtime.executors`), so a server killed mid-batch never leaves the client waiting.

Safety: the socket lives in a folder only the user can enter (0700, owned by them, checked), the
server accepts only connections from its own user (the kernel's peer credentials), requests are size-limited
JSON (no pickle), and requests run one at a time. The server steps aside (the client builds in its own process)
when its code changed on disk since it started. It forgets what it cached from a template folder that changed,
takes new template folders as they come, and ends only when a font file it may have loaded changed. It exits
after an idle time (default 30 minutes) or on `reports server stop`. `REPORTS_SERVER=off` makes the client
ignore any server. Windows has no Unix sockets for Python: there is no server there (`unavailable_reason`).
"""

from __future__ import annotations

import io
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO, cast

from reports.runtime.invocation import Invocation
from reports.runtime.server_client import served
from reports.runtime.server_socket import (
    installation,
    lines,
    peer_uid,
    private_folder,
    send,
    socket_path,
    unavailable_reason,
)

SEND_SECONDS = 30.0
"""How long the server waits on a client that stopped reading (suspended with Ctrl-Z) before giving up
on it, so one stuck terminal cannot hold every later build."""
DEFAULT_IDLE_MINUTES = 30.0


class RunLocally(Exception):
    """The server cannot do this request (raised inside the server; the client then builds itself)."""


class _Forward(io.TextIOBase):
    """A text stream whose writes go to the client as `out`/`err` messages."""

    def __init__(self, connection: socket.socket, kind: str) -> None:
        self.connection = connection
        self.kind = kind

    def write(self, text: str | bytes) -> int:  # type: ignore[override]
        if isinstance(text, bytes):  # click writes encoded text to streams it takes for binary-capable
            text = text.decode("utf-8", "replace")
        if text:
            send(self.connection, {self.kind: text})
        return len(text)

    def isatty(self) -> bool:
        return False  # no progress bar or colours: the client's terminal is not ours to draw on


def _well_formed(request: Any) -> bool:
    """A build request as the client sends it (anything else is dropped without touching the server's state)."""
    return (isinstance(request, dict)
            and isinstance(request.get("argv"), list) and all(isinstance(item, str) for item in request["argv"])
            and isinstance(request.get("cwd"), str)
            and isinstance(request.get("env"), dict)
            and all(isinstance(key, str) and isinstance(value, str) and "\0" not in key + value and "=" not in key
                    and key for key, value in request["env"].items())
            and isinstance(request.get("umask"), int) and 0 <= request["umask"] <= 0o777)


@dataclass(frozen=True)
class Commands:
    """What the server runs for a client, handed over by the command line that starts it (the server knows
    nothing of the command line's modules): a command line's `build` options as click reads them, and the
    command line itself, run for an invocation and returning its exit code."""

    build_options: Callable[[list[str]], dict[str, Any]]
    run: Callable[[list[str], Invocation], int]


class _Server:
    def __init__(self, path: Path, idle_seconds: float, commands: Commands) -> None:
        self.path = path
        self.idle_seconds = idle_seconds
        self.commands = commands
        self.code: list[list[Any]] = []
        self.folders: dict[str, Any] = {}
        """Each template folder (and the assets) as last seen: its files' names, sizes and times."""
        self.fonts: dict[str, list[int]] = {}
        """Every font file seen in a template folder, as first seen: a build may have loaded it like that."""
        self.started = time.time()
        self.stop_after = False
        """Set when a font file changed: this request is built by the client, and the server ends."""

    def warm_up(self) -> None:
        """Import the builder and lay out the built-in briefing and handout once, in memory: fonts, styles
        and templates are then ready for the first real request (and for the workers a roster forks)."""
        import importlib

        importlib.import_module("reports.runtime.batch")  # loaded now: batch workers forked from the server start with it
        from reports.content.validate import check_content
        from reports.paths import DEFAULT_CONTENT, default_cache_dir, template_search_path
        from reports.pipeline import build_tree, render
        from reports.runtime.process import mark_warm, process_cache

        self._take_folders(template_search_path())  # the fonts the warm-up loads, as it loads them
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

    def _take_folders(self, search_path: Sequence[Path]) -> bool:
        """Note the template folders a request searches; True when a font file changed.

        A folder not seen before is taken as it is: nothing cached came from it, and the caches' keys name the
        folders searched. A folder seen before that changed since makes the server forget what it cached (labels,
        themes, templates, forms: `forget_everything`). A font file seen before with other bytes now is the one
        change a process cannot take in: reportlab and matplotlib keep a font once loaded, by its path.
        """
        from reports.paths import ASSETS_DIR
        from reports.runtime.process import forget_everything
        from reports.runtime.uptodate import folder_tree
        from reports.theme.fonts import FONT_SUFFIXES

        changed = font_changed = False
        for root in dict.fromkeys((*search_path, ASSETS_DIR)):
            tree = folder_tree(root)
            before = self.folders.get(str(root), "unseen")
            self.folders[str(root)] = tree
            if before != "unseen" and (tree is None or tree != before):
                changed = True  # a folder too large to fingerprint (None) may have changed any time
            for name, size, mtime in tree or ():
                if str(name).lower().endswith(FONT_SUFFIXES):
                    stamp = self.fonts.setdefault(str(root / name), [size, mtime])
                    font_changed = font_changed or stamp != [size, mtime]
        if changed:
            forget_everything()
        return font_changed

    def serve(self) -> None:
        from reports.runtime.process import keep_from_workers, release_to_workers

        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        identity: int | None = None
        keep_from_workers(listener.fileno())  # a batch worker must never hold the socket (or a client) open
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
                descriptor = connection.fileno()
                keep_from_workers(descriptor)
                try:
                    with connection:
                        if peer_uid(connection) != os.getuid():
                            continue
                        try:
                            if not self._handle(connection):
                                return
                        except Exception as error:  # noqa: BLE001 — one bad request must not end the server
                            print(f"request failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
                finally:
                    release_to_workers(descriptor)
        finally:
            release_to_workers(listener.fileno())
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
            request = next(lines(connection))
            connection.settimeout(None)
        except (OSError, ValueError, StopIteration):
            return True
        if request.get("stop"):
            send(connection, {"stopped": True})
            return False
        if request.get("status"):
            send(connection, {"pid": os.getpid(), "since": self.started})
            return True
        if not _well_formed(request):
            return True
        if request.get("installation") != installation():
            send(connection, {"local": True, "why": "another copy of reports or another Python"})
            return True
        if self._code_changed():
            send(connection, {"local": True, "why": "the code changed since the server started"})
            return False  # a stale server must not build: the client builds, the next start is fresh
        connection.settimeout(SEND_SECONDS)
        send(connection, {"accepted": True})
        try:
            code = self._run(request, connection)
        except RunLocally:
            send(connection, {"local": True})
            return not self.stop_after
        except OSError:
            return True  # the client went away
        try:
            send(connection, {"exit": code})
        except OSError:
            pass
        return True

    def _run(self, request: dict[str, Any], connection: socket.socket) -> int:
        """Run the client's command for the client: its folder, environment, umask and streams, never the server's."""
        from reports.paths import template_search_path

        arguments = [str(argument) for argument in request["argv"]]
        if not served(arguments):
            raise RunLocally()
        client = Invocation(cwd=Path(request["cwd"]), environ=dict(request["env"]),
                            stdout=cast(TextIO, _Forward(connection, "out")),
                            stderr=cast(TextIO, _Forward(connection, "err")), umask=int(request["umask"]) & 0o777)
        # click reads the command line as the build will (resilient: a bad option is the build's to report)
        options = self.commands.build_options(arguments[1:])
        folders = tuple(client.path(Path(folder)) for folder in options.get("templates_dirs") or ())
        if self._take_folders(template_search_path(folders, client.environ)):
            self.stop_after = True
            raise RunLocally()
        return self.commands.run(arguments, client)


def serve(commands: Commands, idle_minutes: float = DEFAULT_IDLE_MINUTES) -> int:
    """Run a server in this process until it is stopped or idle; 0, or 2 when it cannot run here safely."""
    reason = unavailable_reason()
    if reason is not None:
        print(f"the build server cannot run here: {reason} — `reports build` builds without it", file=sys.stderr)
        return 2
    import fcntl

    from reports.runtime.process import keep_from_workers

    path = socket_path()
    if not private_folder(path.parent, create=True):
        print(f"{path.parent}: not a private folder of this user (mode 0700) — remove it or set "
              "REPORTS_SERVER_SOCKET", file=sys.stderr)
        return 2
    # one server per socket: the lock is taken before the (slow) warm-up, so two starts at once cannot
    # both bind, and it is released by the kernel however the server ends (batch workers never hold it)
    lock = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    keep_from_workers(lock)
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
