"""The build server's socket, as both sides see it: where it lives, who may use it, and how messages travel.

The socket is a Unix domain socket in a folder only its user can enter (mode 0700, owned by them, checked by
both sides); the server also asks the kernel who connected (the peer's user id) and serves only its own user.
Messages are JSON, one per line, size-limited (no pickle: a message can carry no code).

Platforms: Linux and macOS have all of it (the peer's user id through `SO_PEERCRED` on Linux, `LOCAL_PEERCRED`
on macOS and the BSDs). Windows has no Unix domain sockets in Python: there the server is unavailable, says so
when asked for, and `reports build` simply builds in its own process.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

MAX_REQUEST_BYTES = 1024 * 1024
_SOL_LOCAL = 0
"""The socket level of `LOCAL_PEERCRED` (macOS and the BSDs name it SOL_LOCAL; Python does not)."""
_LOCAL_PEERCRED = getattr(socket, "LOCAL_PEERCRED", 0x001 if sys.platform == "darwin" or "bsd" in sys.platform else None)
"""The peer's credentials on macOS and the BSDs (`sys/un.h`; not every Python names it)."""
_XUCRED = struct.Struct("=IIh")
"""The start of `struct xucred`: version, user id, group count (the groups that follow are not needed)."""
_XUCRED_BUFFER = 128
"""Room for the whole `struct xucred` (76 bytes on macOS, more with FreeBSD's trailing pointer)."""


def unavailable_reason() -> str | None:
    """Why this system cannot run the build server safely, or None when it can."""
    if not hasattr(socket, "AF_UNIX"):
        return "this system has no Unix domain sockets (Windows)"
    if not hasattr(socket, "SO_PEERCRED") and _LOCAL_PEERCRED is None:
        return "this system cannot tell the server which user connects (no SO_PEERCRED or LOCAL_PEERCRED)"
    if not hasattr(os, "getuid"):
        return "this system has no user ids"
    return None


def _user_tag() -> str:
    """The user, in the socket folder's name: the user id where there is one."""
    if hasattr(os, "getuid"):
        return str(os.getuid())
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError, AttributeError):  # no user name either: one folder for whoever runs this
        return "user"


def socket_path() -> Path:
    """`$REPORTS_SERVER_SOCKET`, else `$XDG_RUNTIME_DIR/reports/server.sock`, else `/tmp/reports-<uid>/server.sock`."""
    configured = os.environ.get("REPORTS_SERVER_SOCKET", "").strip()
    if configured:
        return Path(configured)
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    folder = Path(runtime) / "reports" if runtime else Path(tempfile.gettempdir()) / f"reports-{_user_tag()}"
    return folder / "server.sock"


def private_folder(folder: Path, create: bool) -> bool:
    """True when `folder` is a real folder owned by this user that nobody else can enter."""
    if unavailable_reason() is not None:
        return False
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
    return private_folder(socket_path().parent, create=True)


def peer_uid(connection: socket.socket) -> int | None:
    """The user id of the process at the other end of a Unix socket, as the kernel says; None when it cannot."""
    if hasattr(socket, "SO_PEERCRED"):  # Linux: struct ucred {pid, uid, gid}
        try:
            credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        except OSError:
            return None
        return int(struct.unpack("3i", credentials)[1])
    if _LOCAL_PEERCRED is None:
        return None
    try:  # macOS and the BSDs: struct xucred, whose version must be XUCRED_VERSION (0)
        credentials = connection.getsockopt(_SOL_LOCAL, _LOCAL_PEERCRED, _XUCRED_BUFFER)
    except OSError:
        return None
    if len(credentials) < _XUCRED.size:
        return None
    version, uid, _ = _XUCRED.unpack_from(credentials)
    return int(uid) if version == 0 else None


def send(connection: socket.socket, message: dict[str, Any]) -> None:
    connection.sendall(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")


def lines(connection: socket.socket) -> Iterator[dict[str, Any]]:
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


def installation() -> list[str]:
    """What must match between client and server: this copy of `reports` and this Python."""
    from reports.paths import PACKAGE_DIR

    return [str(PACKAGE_DIR), sys.executable, sys.version]
