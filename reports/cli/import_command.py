"""`reports import ESSAY`: an essay file (Markdown, Word or plain text) becomes a content draft."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reports.cli.base import display_path, main, print_diagnostics
from reports.errors import Diagnostic, UsageError


@main.command(name="import")
@click.argument("essay", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="The content file to write (default: the essay's name with .yaml, beside it); '-' for stdout.")
@click.option("--language", "-l", help="The essay's language as a BCP 47 tag (id, en); guessed when not given.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def import_essay(essay: Path, out: Path | None, language: str | None, force: bool) -> None:
    """Write a content draft from ESSAY (.md, .docx, or plain text): its paragraphs verbatim under its headings,
    its title and language, the countries it names, and a TODO marker, reported by `reports check` with its
    line, for every part that cannot be inferred (categories, interests, summary, classroom material).
    """
    from reports.content.draft import make_draft, schema_reference
    from reports.content.essay import read_essay

    if language is not None:
        _check_language(language)
    target = out if out is not None else essay.with_suffix(".yaml")
    to_stdout = str(target) == "-"
    if not to_stdout:
        if target.resolve() == essay.resolve():
            raise UsageError([Diagnostic("the draft would replace the essay — give another --out", file=str(target))])
        if target.exists() and not force:
            raise UsageError([Diagnostic("exists — give another --out, or --force to replace it",
                                         file=display_path(target))])
    read = read_essay(essay, display_path(essay))
    draft = make_draft(read, language, source_name=display_path(essay),
                       schema="" if to_stdout else schema_reference(target))
    print_diagnostics(draft.notes)
    if to_stdout:
        click.echo(draft.text, nl=False)
        return
    from reports.output import write_atomically

    write_atomically(target, draft.text.encode("utf-8"))
    guessed = "" if language or read.language else " (guessed)"
    click.echo(f"wrote {display_path(target)}: {draft.paragraphs} paragraphs in {draft.sections} section"
               f"{'s' if draft.sections != 1 else ''}, language {draft.language or 'unknown'}{guessed}, "
               f"{draft.countries} countries proposed, {draft.todos} TODOs — run `reports check "
               f"{display_path(target)}` for each with its line", err=False)
    sys.exit(0)


def _check_language(language: str) -> None:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise UsageError([Diagnostic(f"--language '{language}' is not a known language tag — use a BCP 47 tag "
                                     "such as id, en or en-GB")]) from None
