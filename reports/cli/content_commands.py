"""`reports check` and `reports schema`: the content file, validated and described."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reports.cli.base import display_path, main, print_diagnostics
from reports.errors import ExitCode, ReportsError
from reports.paths import DEFAULT_CONTENT


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, not the per-file summary.")
@click.option("--accessibility", "-a", is_flag=True,
              help="Also check accessibility with a template: colour contrast (WCAG AA), heading levels, "
                   "figures' alternative text, document language.")
@click.option("--template", "-t", "template_name", default=None,
              help="Also check what this template makes of the content: warn about every field it does not show "
                   "(and, with --accessibility, the template's accessibility; default there: briefing).")
@click.option("--templates-dir", "templates_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Extra folder of templates, searched before your user folder and the built-in templates.")
def check(files: tuple[Path, ...], quiet: bool, accessibility: bool, template_name: str | None,
          templates_dirs: tuple[Path, ...]) -> None:
    """Validate content FILES (default: data/sco-russia.yaml) and report every problem at once.

    A draft's TODO markers (`reports import`) are reported one per line, with their lines, until each is
    replaced. With --template, also warn about every field of the content the template does not show.
    With --accessibility, also build each file's document with the template (nothing is written) and
    report what would make it hard to use with a screen reader or for readers with low vision;
    warnings only still exit 0.
    """
    from reports.content.validate import check_content

    worst = ExitCode.OK
    for path in files or (DEFAULT_CONTENT,):
        name = display_path(path)
        try:
            checked = check_content(path, name)
        except ReportsError as error:
            print_diagnostics(error.diagnostics)
            worst = max(worst, error.exit_code)
            todos = sum(diagnostic.message.startswith("TODO") for diagnostic in error.diagnostics)
            if todos and not quiet:
                others = len(error.diagnostics) - todos
                more = f" and {others} error{'s' if others != 1 else ''}" if others else ""
                click.echo(f"{name}: draft, {todos} TODO{'s' if todos != 1 else ''}{more} left")
            continue
        print_diagnostics(checked.warnings)
        warnings = len(checked.warnings)
        verdict = "valid"
        if template_name is not None:
            from reports.paths import template_search_path
            from reports.shown import fields_not_shown  # renders the template: only when asked

            try:
                shown = fields_not_shown(checked, template_name, template_search_path(templates_dirs))
            except ReportsError as error:
                print_diagnostics(error.diagnostics)
                worst = max(worst, error.exit_code)
                continue
            print_diagnostics(shown)
            warnings += sum(diagnostic.severity == "warning" for diagnostic in shown)
            verdict = f"valid, fields checked with template '{template_name}'"
        if accessibility:
            from reports.accessibility import check_accessibility  # builds documents: only when asked
            from reports.paths import template_search_path

            try:
                report = check_accessibility(path, template_name or "briefing", template_search_path(templates_dirs),
                                             name)
            except ReportsError as error:
                print_diagnostics(error.diagnostics)
                worst = max(worst, error.exit_code)
                continue
            print_diagnostics(report.diagnostics)
            warnings += sum(diagnostic.severity == "warning" for diagnostic in report.diagnostics)
            worst = max(worst, report.exit_code)
            verdict = f"valid, accessibility checked with template '{template_name or 'briefing'}'"
            if report.exit_code != ExitCode.OK:
                verdict = f"accessibility problems with template '{template_name or 'briefing'}'"
        if not quiet:
            suffix = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
            click.echo(f"{name}: {verdict}{suffix}")
    sys.exit(int(worst))


@main.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file instead of stdout.")
def schema(out: Path | None) -> None:
    """Print the content file's JSON Schema (for editor autocompletion and checking)."""
    from reports.content.schema import content_json_schema

    text = json.dumps(content_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    from reports.output import write_atomically

    write_atomically(out, text.encode("utf-8"))
