"""`reports init [DIR]`: a starter folder for someone who installed the tool (`reports.starter`)."""

from __future__ import annotations

from pathlib import Path

import click

from reports.cli.base import display_path, main


@main.command("init")
@click.argument("folder", required=False, default=Path("."), type=click.Path(path_type=Path, dir_okay=True,
                                                                            file_okay=False))
@click.option("--language", "-l", default="id", show_default=True,
              help="Language of the sample content: id (Indonesian) or en (English).")
def init(folder: Path, language: str) -> None:
    """Make a starter FOLDER (default: this one): a content file to edit, its schema, a template to customise
    and a README with the next steps. Nothing that exists is overwritten."""
    from reports.starter import create_starter_folder

    written = create_starter_folder(folder, language)
    for path in written:
        click.echo(f"wrote {display_path(path)}")
    where = "" if folder.resolve() == Path.cwd().resolve() else f"cd {display_path(folder)} && "
    click.echo(f"next: {where}reports check content.yaml && reports build content.yaml (see README.md there)")
