"""A roster row becomes a handout: reading a class list (CSV or an Excel workbook) and naming each student's files.

Each row of the roster (`name`, `class`, any other column) becomes one personalised document: the template
sees it as `student`, and the outputs are named `<stem>-<template>-<name>.<format>`. The rows of a roster
are built from one laid-out form per process when they can be (`reports.runtime.mail_merge`).

A cell is text a person typed or pasted: control characters and the invisible marks that reorder text (bidi
controls) are refused where they stand (`roster.csv:LINE`, exit 3), and every message shows them escaped, never
raw, so a roster cannot ring the terminal's bell or reverse the text of the message that names it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path
from typing import Mapping, Sequence

from reports.errors import ContentError, Diagnostic

MAX_ROSTER_BYTES = 2 * 1024 * 1024
"""A class list is a few kilobytes; a province's schools a few hundred."""


def slug(text: str) -> str:
    """A file-name part from a person's name: accents dropped, lower case, runs of other characters → '-'.

    Accents on Latin letters are dropped (`Ráhma` → `rahma`); letters of other scripts are kept as they are
    (`Андрей` → `андрей`); nothing that could leave the folder survives.
    """
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue  # an accent on a Latin letter
        kept.append(char)
    plain = unicodedata.normalize("NFC", "".join(kept)).casefold()
    return re.sub(r"[\W_]+", "-", plain).strip("-")[:60].strip("-")


class RosterRow(dict[str, str]):
    """One student's row (column → value), and where it stands in the roster, for messages about it."""

    def __init__(self, values: Mapping[str, str], file: str, line: int) -> None:
        super().__init__(values)
        self.file = file
        self.line = line

    def __reduce__(self) -> tuple[object, ...]:  # pickled with its place (a pool's worker gets the row)
        return (RosterRow, (dict(self), self.file, self.line))


BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder the text around them without being seen (Unicode's Bidi_Control)."""


def unsafe_character(character: str) -> bool:
    """A control character or an invisible reordering mark: never in a name, never echoed raw."""
    return unicodedata.category(character) == "Cc" or character in BIDI_CONTROLS


def escaped(text: str) -> str:
    """`text` with its unsafe characters written as `\\u202e`, for a message."""
    return "".join(f"\\u{ord(character):04x}" if unsafe_character(character) else character for character in text)


def _character_label(character: str) -> str:
    code = f"U+{ord(character):04X}"
    if unicodedata.category(character) == "Cc":
        return f"{code} (a control character)"
    return f"{code} ({unicodedata.name(character, 'a reordering mark').lower()})"


def _cell_problems(row: Mapping[str, str], shown: str, line: int) -> list[Diagnostic]:
    problems = []
    for column, value in row.items():
        bad = sorted({character for character in value if unsafe_character(character)})
        if bad:
            kinds = ", ".join(_character_label(character) for character in bad)
            problems.append(Diagnostic(
                f"'{escaped(value)}' holds {kinds}, which a handout cannot show — retype the cell (a copy from "
                "another program can bring invisible characters along)", file=shown, line=line,
                field_path=f"column '{column}'"))
    return problems


def read_roster(path: Path, display_name: str | None = None) -> list[RosterRow]:
    """Rows of a class list: CSV or an Excel workbook (`.xlsx`, its first sheet), with a header row naming the
    columns: `name`, optionally `class`, any others.

    CSV: UTF-8 (with or without the BOM spreadsheets write), comma, semicolon or tab separated. Column names
    are matched ignoring case and surrounding spaces. Every problem is reported at once (exit 3), with
    its line (the workbook's row number). Empty rows are skipped.
    """
    shown = display_name or str(path)
    if path.suffix.casefold() == ".xlsx":
        from reports.runtime.roster_xlsx import workbook_lines

        return _rows(workbook_lines(path, shown), shown, ",")
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_ROSTER_BYTES else None
    except OSError as error:
        raise ContentError([Diagnostic(f"cannot read the roster: {error.strerror or error}", file=shown)]) from None
    if data is None:
        raise ContentError([Diagnostic(f"the roster is larger than {MAX_ROSTER_BYTES // 1024 // 1024} MiB — "
                                       "split it into several files", file=shown)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError([Diagnostic("the roster is not UTF-8 text — save it as 'CSV UTF-8' from your spreadsheet",
                                       file=shown, line=line)]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            lines.append((reader.line_num, cells))
    except csv.Error as error:
        raise ContentError([Diagnostic(f"the roster is not valid CSV: {escaped(str(error))}", file=shown,
                                       line=reader.line_num)]) from None
    return _rows(lines, shown, delimiter)


def _rows(lines: Sequence[tuple[int, Sequence[str]]], shown: str, delimiter: str) -> list[RosterRow]:
    """The students' rows from the roster's lines (line number, cells), the first naming the columns."""
    if not lines or not any(cell.strip() for cell in lines[0][1]):
        raise ContentError([Diagnostic("the roster is empty — its first line names the columns, e.g. "
                                       "'name,class'", file=shown, line=1)])
    header_line, header = lines[0]
    columns = [cell.strip().casefold() for cell in header]
    if "name" not in columns:
        found = escaped(", ".join(filter(None, columns)))
        raise ContentError([Diagnostic(f"the roster has no 'name' column (found: {found}) — its first line "
                                       "names the columns, e.g. 'name,class'", file=shown, line=header_line)])
    rows: list[RosterRow] = []
    problems: list[Diagnostic] = []
    for line, cells in lines[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            problems.append(Diagnostic(f"this row has {len(cells)} cells but the header names {len(columns)} — "
                                       f"quote values that contain '{delimiter}'", file=shown, line=line))
            continue
        row = {column: cell.strip() for column, cell in zip(columns, cells) if column}
        row.setdefault("class", "")
        cell_problems = _cell_problems(row, shown, line)
        if cell_problems:
            problems += cell_problems
            continue
        if not row.get("name"):
            problems.append(Diagnostic("this row has no name — fill in the 'name' column or delete the row",
                                       file=shown, line=line))
            continue
        rows.append(RosterRow(row, shown, line))
    if problems:
        raise ContentError(problems)
    if not rows:
        raise ContentError([Diagnostic("the roster has no rows — add one line per student under the header",
                                       file=shown)])
    return rows


def relocated(diagnostics: Sequence[Diagnostic], row: Mapping[str, str], file: str, line: int) -> list[Diagnostic]:
    """Problems a student's own row causes (a character the fonts cannot show), placed at the row in the roster
    rather than at the template line or document text that printed it; other problems stay where they are."""
    located = []
    for diagnostic in diagnostics:
        column = next((column for column, value in row.items()
                       if value and any(character in diagnostic.message for character in value if ord(character) > 127)),
                      None)
        if column is None or not file:
            located.append(diagnostic)
        else:
            located.append(Diagnostic(escaped(diagnostic.message), file=file, line=line,
                                      field_path=f"column '{column}'", severity=diagnostic.severity))
    return located


def roster_suffixes(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """A distinct file-name suffix per row: the name's slug, `-2`, `-3`… for repeated names, `row-N` for none."""
    suffixes: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        base = slug(row.get("name", "")) or f"row-{number}"
        candidate, count = base, 1
        while candidate in seen:
            count += 1
            candidate = f"{base}-{count}"
        seen.add(candidate)
        suffixes.append(candidate)
    return suffixes
