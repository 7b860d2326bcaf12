"""Writing output files so that a reader never sees a half-written one.

Each file is written to a temporary file in the destination folder (same file system, so the
rename is atomic), flushed to disk, then renamed over the target. A crash, a kill or a full disk
leaves the previous file intact:

* where the system allows it (Linux, `O_TMPFILE`), the temporary file has no name while it is
  written, so a build killed even with SIGKILL leaves nothing behind; it gets a name only for the
  instant between being complete on disk and being renamed over the target;
* elsewhere it is a hidden `.<name>.<host>-<pid>.<random>.part` file, removed on any error; one left
  by a process that was killed is removed by the next build writing the same file (only when that
  process, on this host, no longer runs — a concurrent build's file is never touched).

The target is replaced, never written through: if it is a symbolic link, the link is replaced and
the file it pointed at is left alone.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import socket
import tempfile
from pathlib import Path

from reports.errors import Diagnostic, OutputError

_PART_SUFFIX = ".part"
_WINDOWS = os.name == "nt"
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
"""Linux and macOS refuse to open anything but a folder with it; Windows has none (and opens no folder)."""


def _output_error(path: Path, error: OSError) -> OutputError:
    denied = ("permission denied — if the file is open in another program, close it; else choose another folder "
              "with --out or fix its permissions") if _WINDOWS else (
              "permission denied — choose another folder with --out or fix its permissions")
    reason = {
        errno.EACCES: denied,
        errno.EPERM: "not permitted (the folder or file is read-only or immutable) — choose another folder with --out",
        errno.EROFS: "the file system is read-only — choose another folder with --out",
        errno.ENOSPC: "the disk is full — free some space; the previous file was left as it was",
        getattr(errno, "EDQUOT", -1): "the disk quota is exceeded — free some space; the previous file was left as it was",
    }.get(error.errno or 0, f"{error.strerror or error} — check the output folder")
    return OutputError([Diagnostic(f"cannot write: {reason}", file=str(path))])


def ensure_folder(folder: Path, umask: int | None = None) -> None:
    """Create `folder` and its missing parents; with `umask` (a build server's client's), each one created gets
    exactly 0777 less it, whatever this process's own umask is."""
    try:
        if umask is None:
            folder.mkdir(parents=True, exist_ok=True)
            return
        missing: list[Path] = []
        current = folder
        while not current.is_dir() and current != current.parent:
            missing.append(current)
            current = current.parent
        for created in reversed(missing):
            try:
                created.mkdir()
            except FileExistsError:
                if created.is_dir():
                    continue  # made by a concurrent build meanwhile
                raise
            os.chmod(created, 0o777 & ~umask)
    except OSError as error:
        raise _output_error(folder, error) from None


def _host_tag() -> str:
    """Short, file-name-safe tag of this machine, so stale temporary files are judged only by their own host."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _temporary_prefix(path: Path) -> str:
    return f".{path.name}.{_host_tag()}-{os.getpid()}."


def _process_is_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    if _WINDOWS:
        return _windows_process_is_gone(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists but belongs to someone else (EPERM), or cannot tell: leave it
        return False
    return False


def _windows_process_is_gone(pid: int) -> bool:
    """Windows has no signal 0: `os.kill(pid, 0)` there *terminates* the process. Ask for a handle instead."""
    import ctypes

    query_limited_information, still_active, invalid_parameter = 0x1000, 259, 87
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return bool(ctypes.get_last_error() == invalid_parameter)  # type: ignore[attr-defined]  # else denied: leave it
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value != still_active
    finally:
        kernel32.CloseHandle(handle)


def remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files for `path` left by killed builds on this host (never a running build's)."""
    prefix = f".{path.name}.{_host_tag()}-"
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(_PART_SUFFIX)):
            continue
        pid_text = name[len(prefix):].split(".", 1)[0]
        if pid_text.isdigit() and _process_is_gone(int(pid_text)):
            try:
                os.unlink(path.parent / name)
            except OSError:
                pass


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def process_umask() -> int:
    """This process's umask. Read from /proc where there is one: reading it with os.umask means setting it, which
    races with other threads."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _new_file_mode(umask: int | None) -> int:
    """What `open()` would give a new file: 0666 less the umask (a user with umask 077 gets private files).
    Temporary files are created 0600 and chmod-ed to this once complete."""
    return 0o666 & ~(process_umask() if umask is None else umask)


def _anonymous_file(folder: Path) -> int | None:
    """An unnamed file in `folder` (Linux O_TMPFILE), or None where the system or file system lacks it."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | os.O_CLOEXEC, 0o644)
    except OSError as error:
        if error.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOTSUP):
            return None
        raise


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; some file systems cannot sync folders, which only costs durability.
    Windows cannot open a folder at all (a rename there is made durable by the file system itself)."""
    if _WINDOWS:
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY | _O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _discard(temporary: Path) -> None:
    try:
        os.unlink(temporary)
    except OSError:
        pass


def _replace_from(temporary: Path, path: Path) -> None:
    try:
        os.replace(temporary, path)
    except BaseException:
        _discard(temporary)
        raise


def _write_anonymous(descriptor: int, path: Path, data: bytes, umask: int | None) -> bool:
    """Write through an unnamed file, name it, rename it over `path`; False when it cannot be named here."""
    folder = path.parent
    temporary = folder / f"{_temporary_prefix(path)}{secrets.token_hex(4)}{_PART_SUFFIX}"
    try:
        _write_all(descriptor, data)
        os.fsync(descriptor)
        os.fchmod(descriptor, _new_file_mode(umask))
        folder_descriptor = os.open(folder, os.O_RDONLY | _O_DIRECTORY)
        try:
            # linkat(AT_SYMLINK_FOLLOW) through /proc gives the finished file a name; a dir fd selects linkat
            os.link(f"/proc/self/fd/{descriptor}", temporary.name, dst_dir_fd=folder_descriptor)
        except FileNotFoundError:  # no /proc: fall back to a named temporary file
            return False
        finally:
            os.close(folder_descriptor)
    finally:
        os.close(descriptor)
    _replace_from(temporary, path)
    return True


def _write_named(path: Path, data: bytes, umask: int | None) -> None:
    descriptor, name = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=_PART_SUFFIX, dir=path.parent)
    temporary = Path(name)
    try:
        try:
            _write_all(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.chmod(temporary, _new_file_mode(umask))
    except BaseException:
        _discard(temporary)
        raise
    _replace_from(temporary, path)


def write_atomically(path: Path, data: bytes, umask: int | None = None) -> None:
    """Replace `path` with `data` all at once: readers see the old file or the new one, never a mix.

    The file (and any folder made for it) gets the permissions `umask` leaves, by default this process's.
    """
    ensure_folder(path.parent, umask)
    remove_stale_temporaries(path)
    try:
        descriptor = _anonymous_file(path.parent)
        if descriptor is None or not _write_anonymous(descriptor, path, data, umask):
            _write_named(path, data, umask)
        _sync_folder(path.parent)
    except OSError as error:
        raise _output_error(path, error) from None


# --- cache entries -----------------------------------------------------------------------------------


def read_cache_entry(path: Path, signature: bytes) -> bytes | None:
    """A file of the cache folder, or None when it is missing, unreadable or does not start as it must (a
    damaged entry is made again, never used)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(signature) else None


def write_cache_entry(path: Path, data: bytes) -> None:
    """Keep `data` in the cache folder; a cache that cannot be written only costs time, never the build."""
    try:
        write_atomically(path, data)
    except OutputError:
        pass
