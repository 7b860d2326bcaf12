"""`reports templates list | new | theme | reference | verify`: find, copy, restyle and check templates."""

from __future__ import annotations

from pathlib import Path

import click

from reports.cli.base import display_path, main, print_diagnostics, templates_dir_option
from reports.errors import Diagnostic, UsageError
from reports.paths import DEFAULT_CONTENT


@main.group()
def templates() -> None:
    """List templates, or copy one to customise."""


@templates.command("list")
@templates_dir_option
def templates_list(templates_dirs: tuple[Path, ...]) -> None:
    """Show the templates found, where, and which copy wins (user folders before built-ins)."""
    from reports.paths import template_search_path
    from reports.templating.folders import list_templates

    search_path = template_search_path(templates_dirs)
    click.echo("Searched, first match wins: " + ", ".join(display_path(folder) for folder in search_path))
    for folder, hidden in list_templates(search_path):
        note = "  (hidden by an earlier folder)" if hidden else ""
        click.echo(f"{folder.name:<20} {display_path(folder.path)}{note}")


@templates.command("new")
@click.argument("name")
@click.option("--from", "source_name", default="briefing", show_default=True, help="Template to copy.")
@click.option("--dir", "destination", type=click.Path(path_type=Path, file_okay=False),
              help="Folder to put the copy in (default: your user template folder).")
@templates_dir_option
def templates_new(name: str, source_name: str, destination: Path | None, templates_dirs: tuple[Path, ...]) -> None:
    """Copy template SOURCE to a new template NAME that you can edit."""
    from reports.paths import template_search_path, user_template_folder
    from reports.templating.folders import copy_template, find_template

    search_path = template_search_path(templates_dirs)
    source = find_template(source_name, search_path)
    target = copy_template(source, name, destination or user_template_folder())
    where = f" --templates-dir {display_path(destination)}" if destination else ""
    click.echo(f"created {display_path(target)} from {source_name}; edit theme.yaml or template.md.j2, then "
               f"`reports build --template {name}{where}`; `reports templates theme {name}{where}` lists every "
               f"theme value it inherits (sizes, colours, chart palette) and where each is set")


@templates.command("theme")
@click.argument("name")
@templates_dir_option
def templates_theme(name: str, templates_dirs: tuple[Path, ...]) -> None:
    """Print the theme template NAME builds with: every value after `extends` and the defaults, each with the
    file and line that set it (or `house default`).

    \b
    The output is YAML: copy a line (a role's size, a colour, the chart palette) into the
    template's theme.yaml and edit it there to change that value.
    """
    from reports.paths import template_search_path
    from reports.templating.folders import find_template
    from reports.theme.describe import describe_theme

    search_path = template_search_path(templates_dirs)
    click.echo(describe_theme(find_template(name, search_path).path, search_path), nl=False)


@templates.command("reference")
@click.argument("name")
@click.option("--out", "-o", "out", default=Path("reference.docx"), show_default=True,
              type=click.Path(path_type=Path, dir_okay=False), help="Where to write the reference document.")
@click.option("--content", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_CONTENT,
              help="Content to fill the sample with (default: data/sco-russia.yaml).")
@templates_dir_option
def templates_reference(name: str, out: Path, content: Path, templates_dirs: tuple[Path, ...]) -> None:
    """Write a Word reference document with every style template NAME uses.

    \b
    Restyle it in Word (Home → Styles → Modify), save it as reference.docx in the template's
    folder, and later DOCX builds take their styles from it (as pandoc's --reference-doc).
    """
    from reports.output import write_atomically
    from reports.paths import template_search_path
    from reports.pipeline import build_tree, load_content, render

    if out.resolve() == content.resolve():
        raise UsageError([Diagnostic("the reference document would overwrite the content file", file=str(out))])
    # a DOCX whose styles are the template's, defined from its theme (pandoc's reference.docx idea)
    built = build_tree(load_content(content), name, template_search_path(templates_dirs))
    write_atomically(out, render(built, ("docx",))["docx"])
    click.echo(f"wrote {display_path(out)}; save your restyled copy as reference.docx in the template folder")


@templates.command("verify")
@click.argument("name")
@click.option("--content", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_CONTENT,
              help="Content to build the template with (default: data/sco-russia.yaml).")
@click.option("--all", "show_all", is_flag=True, help="Also list what the reference document holds that never "
                                                      "reaches an output (editor settings, its sample text, pictures).")
@templates_dir_option
def templates_verify(name: str, content: Path, show_all: bool, templates_dirs: tuple[Path, ...]) -> None:
    """Check template NAME: its theme, fonts, logo and reference document, and a build of both formats.

    \b
    Nothing is written. A reference.docx gives the DOCX its styles and nothing else: what it holds
    beyond them (macros, headers and footers, fields, links to the web, an attached template) is
    listed as warnings. Exits with the code a build would.
    """
    from reports.paths import template_search_path
    from reports.pipeline import build_tree, load_content, render
    from reports.templating.folders import find_template
    from reports.writers.docx.reference import find_reference
    from reports.writers.docx.reference_intake import read_intake

    search_path = template_search_path(templates_dirs)
    template = find_template(name, search_path)
    reference = find_reference(template.path)
    if reference is not None:
        shown = display_path(template.path / "reference.docx")
        intake = read_intake(reference)
        click.echo(f"{shown}: gives the DOCX its {', '.join(intake.taken)}")
        print_diagnostics([Diagnostic(f"ignored {item.what}", file=shown, severity="warning")
                           for item in intake.ignored if item.notable])
        quiet = [item for item in intake.ignored if not item.notable]
        for item in quiet if show_all else ():
            click.echo(f"{shown}: ignored {item.what}")
        if quiet and not show_all:
            click.echo(f"{shown}: also ignored {len(quiet)} thing(s) that never reach an output (--all lists them)")
    built = build_tree(load_content(content, display_path(content)), name, search_path)
    print_diagnostics(built.warnings)
    render(built, ("pdf", "docx"))
    click.echo(f"{name}: verified — {display_path(content)} builds as PDF and DOCX with it (nothing written)")
