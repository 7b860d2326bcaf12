"""A roster row becomes a handout: reading a class list (CSV) and naming each student's files.

Each row of the roster (`name`, `class`, any other column) becomes one personalised document: the template
sees it as `student`, and the outputs are named `<stem>-<template>-<name>.<format>`. The rows of a roster
are built from one laid-out form per process when they can be (`reports.runtime.mail_merge`).
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


def read_roster(path: Path, display_name: str | None = None) -> list[dict[str, str]]:
    """Rows of a class list (CSV with a header: `name`, optionally `class`, any other columns).

    UTF-8 (with or without the BOM spreadsheets write), comma, semicolon or tab separated. Column names
    are matched ignoring case and surrounding spaces. Every problem is reported at once (exit 3), with
    its line. Empty rows are skipped.
    """
    shown = display_name or str(path)
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
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ContentError([Diagnostic("the roster is empty — its first line names the columns, e.g. "
                                           "'name,class'", file=shown, line=1)])
        columns = [cell.strip().casefold() for cell in header]
        if "name" not in columns:
            found = ", ".join(filter(None, columns))
            raise ContentError([Diagnostic(f"the roster has no 'name' column (found: {found}) — its first line "
                                           "names the columns, e.g. 'name,class'", file=shown, line=1)])
        rows: list[dict[str, str]] = []
        problems: list[Diagnostic] = []
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                problems.append(Diagnostic(f"this row has {len(cells)} cells but the header names {len(columns)} — "
                                           f"quote values that contain '{delimiter}'", file=shown, line=line))
                continue
            row = {column: cell.strip() for column, cell in zip(columns, cells) if column}
            row.setdefault("class", "")
            if not row.get("name"):
                problems.append(Diagnostic("this row has no name — fill in the 'name' column or delete the row",
                                           file=shown, line=line))
                continue
            rows.append(row)
    except csv.Error as error:
        raise ContentError([Diagnostic(f"the roster is not valid CSV: {error}", file=shown,
                                       line=reader.line_num)]) from None
    if problems:
        raise ContentError(problems)
    if not rows:
        raise ContentError([Diagnostic("the roster has no rows — add one line per student under the header",
                                       file=shown)])
    return rows


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
