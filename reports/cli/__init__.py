"""The `reports` command line: parse arguments, call the library, map errors to exit codes.

Everything a command does is a library function a Python user can call too; the command modules only translate
between the shell and those functions (`base`: the group and what commands share; `build_command`,
`content_commands`, `import_command`, `template_commands`, `server_commands`, `init_command`). A user's mistake is
printed as located diagnostics with the documented exit code; only a bug (exit 1) mentions Python at all.
"""

from __future__ import annotations

from reports.cli import (  # noqa: F401 — the commands register themselves
    build_command,
    content_commands,
    import_command,
    init_command,
    server_commands,
    template_commands,
)
from reports.cli.base import main, run

__all__ = ["main", "run"]
