"""Writing output files so that a reader never sees a half-written one.

Each file is written to a temporary file in the destination folder (same file system, so the
rename is atomic), flushed to disk, then renamed over the target. A crash, a kill or a full disk
leaves the previous file intact and removes the temporary one.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from reports.errors import Diagnostic, OutputError


def _output_error(path: Path, error: OSError) -> OutputError:
    reason = {
        errno.EACCES: "permission denied — choose another folder with --out or fix its permissions",
        errno.EROFS: "the file system is read-only — choose another folder with --out",
        errno.ENOSPC: "the disk is full — free some space; the previous file was left as it was",
        errno.EDQUOT: "the disk quota is exceeded — free some space; the previous file was left as it was",
    }.get(error.errno or 0, f"{error.strerror or error} — check the output folder")
    return OutputError([Diagnostic(f"cannot write: {reason}", file=str(path))])


def ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _output_error(folder, error) from None


def write_atomically(path: Path, data: bytes) -> None:
    ensure_folder(path.parent)
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise _output_error(path, error) from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
