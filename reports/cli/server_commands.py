"""`reports server start | run | stop | status`: the resident build process (`reports.runtime.server`)."""

from __future__ import annotations

import sys
from typing import Any

import click

from reports.cli.base import main
from reports.errors import ExitCode


@main.group("server")
def server_group() -> None:
    """A resident build process that keeps the builder loaded: `reports build` then takes ≈0.1 s.

    \b
    While a server runs, every `reports build` (not --watch) hands its work to it and prints what it
    says; the files and exit codes are the same. It exits when idle or on `reports server stop`.
    REPORTS_SERVER=off makes `reports build` ignore it.
    """


@server_group.command("start")
@click.option("--idle-minutes", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Stop after this long without a request.")
def server_start(idle_minutes: float) -> None:
    """Start a build server in the background and wait until it answers."""
    import subprocess
    import time

    from reports.runtime.server_client import status
    from reports.runtime.server_socket import prepare_socket_folder, socket_path

    _refuse_where_unavailable()
    if status() is not None:
        click.echo(f"a reports server is already running on {socket_path()}")
        return
    # the server outlives this command: its messages go to a log beside its socket, not to a pipe
    # nobody reads (or to a terminal that may be gone)
    log_path = socket_path().with_name("server.log")
    try:
        log = open(log_path, "ab") if prepare_socket_folder() else None
    except OSError:
        log = None
    if log is None:
        click.echo(f"{socket_path().parent}: cannot be used for the server's socket (it must be a folder of "
                   "yours that nobody else can enter) — remove it or set REPORTS_SERVER_SOCKET", err=True)
        sys.exit(int(ExitCode.USAGE))
    with log:
        process = subprocess.Popen([sys.executable, "-m", "reports.cli", "server", "run", "--idle-minutes",
                                    str(idle_minutes)], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if status() is not None:
            click.echo(f"reports server running on {socket_path()} (pid {process.pid})")
            return
        if process.poll() is not None:
            click.echo(f"the server stopped at once — see {log_path}", err=True)
            sys.exit(int(ExitCode.USAGE))
        time.sleep(0.05)
    click.echo("the server did not answer within 60 s", err=True)
    sys.exit(int(ExitCode.INTERNAL))


@server_group.command("run")
@click.option("--idle-minutes", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Stop after this long without a request.")
def server_run(idle_minutes: float) -> None:
    """Run a build server in this terminal (Ctrl-C stops it)."""
    from reports.cli.base import invoke
    from reports.cli.build_command import build
    from reports.runtime import server

    def build_options(arguments: list[str]) -> dict[str, Any]:
        # click reads the command line as the build will (resilient: a bad option is the build's to report)
        return dict(build.make_context("build", arguments, resilient_parsing=True).params)

    try:
        sys.exit(server.serve(server.Commands(build_options, invoke), idle_minutes))
    except KeyboardInterrupt:
        sys.exit(int(ExitCode.OK))


@server_group.command("stop")
def server_stop() -> None:
    """Stop the running build server."""
    from reports.runtime.server_client import stop

    _refuse_where_unavailable()
    click.echo("stopped" if stop() else "no server was running")


@server_group.command("status")
def server_status() -> None:
    """Say whether a build server runs, where, and since when (exit 0 if it does, 1 if not)."""
    import datetime as dt

    from reports.runtime.server_client import status
    from reports.runtime.server_socket import socket_path

    _refuse_where_unavailable()
    answer = status()
    if answer is None:
        click.echo(f"no server on {socket_path()}")
        sys.exit(1)
    since = dt.datetime.fromtimestamp(float(answer.get("since", 0))).isoformat(timespec="seconds")
    click.echo(f"running on {socket_path()}, pid {answer.get('pid')}, since {since}")


def _refuse_where_unavailable() -> None:
    """Where no server can run (Windows), say so and why, with the usage exit code (2)."""
    from reports.runtime.server_socket import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        click.echo(f"the build server is not available here: {reason} — `reports build` works without it, "
                   "building in its own process", err=True)
        sys.exit(int(ExitCode.USAGE))
