"""`python -m reports.cli`: the same as the `reports` command."""

from reports.cli import run

run()
