"""The build server's client: inside `reports build`, hand the command to a running server (`reports.runtime.server`).

The client sends its arguments, working folder, environment and umask, prints what comes back and exits with the
server's exit code. Whenever the server cannot finish the command — none runs, it is busy, it runs other code,
or it ends while building (stopped, killed, out of memory) — the client builds in its own process instead, and
says why when the server went away mid-way; outputs the server already wrote stay (each was replaced whole), and
the builds it recorded are found up to date. Only the standard library is imported here.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from reports.runtime.server_socket import (
    installation,
    lines,
    private_folder,
    send,
    socket_path,
    unavailable_reason,
)

CONNECT_SECONDS = 1.0
ACCEPT_SECONDS = 2.0
"""How long a client waits for the server to take its request (it may be busy with another) before
building in its own process."""
SERVED_COMMANDS = ("build",)
"""`check` and `schema` start in ≈0.2 s on their own; `--watch` is a long-lived process of its own."""


@dataclass(frozen=True)
class ServerAnswer:
    """What became of a command sent to the server: its exit code, or None when the client must build itself."""

    exit_code: int | None
    note: str = ""
    """Why the client builds itself, when the user should know (the server ended while building)."""


def wanted(arguments: Sequence[str]) -> bool:
    """Whether this command line should go to a server (if one runs): not with `REPORTS_SERVER=off`, never
    where no server can run, and only a command a server runs (`served`)."""
    if os.environ.get("REPORTS_SERVER", "").strip().lower() in ("off", "0", "no", "false"):
        return False
    return unavailable_reason() is None and served(arguments)


def served(arguments: Sequence[str]) -> bool:
    """Whether a server runs this command line: not `--watch` (a long-lived process of its own), not help, not a
    command naming the client's own streams (`/dev/stdin`, `/proc/self/fd/0`: the server would read its own)."""
    if not arguments or arguments[0] not in SERVED_COMMANDS:
        return False
    return not any(argument in ("--watch", "-w", "--help", "-h") or argument.startswith(("/dev/", "/proc/"))
                   for argument in arguments[1:])


def required() -> bool:
    """`REPORTS_SERVER=required`: a build that no server takes is an error (scripts and tests that
    must know the server did the work)."""
    return os.environ.get("REPORTS_SERVER", "").strip().lower() == "required"


def _umask() -> int:
    from reports.output import process_umask

    return process_umask()


def run_on_server(arguments: Sequence[str]) -> ServerAnswer:
    """Run the command on a running server; its exit code, or None (and why) when the client must build itself."""
    local = ServerAnswer(None)
    path = socket_path()
    if not private_folder(path.parent, create=False):
        return local  # no server, or a folder someone else could have planted a socket in
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:
        return local
    accepted = False
    try:
        connection.settimeout(CONNECT_SECONDS)
        connection.connect(str(path))
        send(connection, {"argv": list(arguments), "cwd": os.getcwd(), "env": dict(os.environ), "umask": _umask(),
                          "installation": installation()})
        connection.settimeout(ACCEPT_SECONDS)  # a busy server has not taken it yet: build here instead
        for message in lines(connection):
            if message.get("accepted"):
                accepted = True
                connection.settimeout(None)  # a batch may run for minutes, printing as it goes
            elif "out" in message:
                sys.stdout.write(message["out"])
                sys.stdout.flush()
            elif "err" in message:
                sys.stderr.write(message["err"])
                sys.stderr.flush()
            elif "exit" in message:
                return ServerAnswer(int(message["exit"]))
            elif message.get("local"):
                return local
    except (OSError, ValueError):
        pass
    finally:
        connection.close()
    if accepted:  # the connection ended without an exit code: the server died while it built
        return ServerAnswer(None, f"the build server ({path}) ended while building (stopped, killed or out of "
                                  "memory) — building here instead; files it already wrote are kept")
    return local


def _ask(path: Path, message: dict[str, Any]) -> dict[str, Any] | None:
    """One control message to a running server and its answer; None when no server answers."""
    if not private_folder(path.parent, create=False):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(CONNECT_SECONDS * 5)
            connection.connect(str(path))
            send(connection, message)
            return next(lines(connection), None)
    except (OSError, ValueError):
        return None


def status() -> dict[str, Any] | None:
    return _ask(socket_path(), {"status": True})


def stop() -> bool:
    return _ask(socket_path(), {"stop": True}) is not None
