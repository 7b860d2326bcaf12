"""Run the `reports` CLI under an audit hook that logs every file opened and every network or process event.

Usage: `HOSTILE_AUDIT_LOG=log.jsonl python tests/hostile/audited.py build content.yaml …`

The hook is installed before `reports` is imported, so every `open` (of Python files too) is seen. Each
event is one JSON line; tests/test_hostile.py decides which paths and events are allowed. Writing the log
does not itself raise `open` events: the log file is opened before the hook is installed.
"""

from __future__ import annotations

import json
import os
import sys

_log = open(os.environ["HOSTILE_AUDIT_LOG"], "w", buffering=1, encoding="utf-8")  # noqa: SIM115 (kept open)
_write = _log.write
_cwd = os.getcwd()

_WATCHED_PREFIXES = ("socket.", "subprocess.", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.fork",
                     "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.", "ctypes.dlopen")


def _hook(event: str, args: tuple) -> None:
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        if isinstance(path, int) or path is None:
            return
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        path = os.path.join(_cwd, str(path))
        _write(json.dumps({"event": event, "path": path, "mode": str(mode), "flags": flags if isinstance(flags, int) else 0})
               + "\n")
    elif event.startswith(_WATCHED_PREFIXES):
        _write(json.dumps({"event": event, "args": repr(args)[:500]}) + "\n")


sys.addaudithook(_hook)

from reports.cli import run  # noqa: E402  (imported under the hook on purpose)

sys.argv = ["reports", *sys.argv[1:]]
run()
