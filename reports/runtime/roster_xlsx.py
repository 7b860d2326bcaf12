"""A class list kept as an Excel workbook (`.xlsx`): its first sheet's rows as the roster's lines (openpyxl).

The workbook is untrusted input like any roster: read only (no formulas evaluated, only the values the file
stores), its size limited before it is opened, and a damaged file is a content error at the roster, not a trace.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from reports.errors import ContentError, Diagnostic

MAX_WORKBOOK_BYTES = 4 * 1024 * 1024
"""A class list is a few kilobytes even as a workbook."""
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
"""What the workbook's parts may hold unpacked: more is a zip bomb, not a class list."""


def _cell_text(value: Any) -> str:
    """A cell's value as the roster's text: whole numbers without `.0`, days as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def workbook_lines(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) of every row of the workbook's first sheet."""
    try:
        if path.stat().st_size > MAX_WORKBOOK_BYTES:
            raise ContentError([Diagnostic(f"the roster is larger than {MAX_WORKBOOK_BYTES // 1024 // 1024} MiB — "
                                           "split it into several files", file=shown)])
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ContentError([Diagnostic("the workbook unpacks to far more than a class list holds — save the "
                                               "class list again, or as CSV", file=shown)])
    except OSError as error:
        raise ContentError([Diagnostic(f"cannot read the roster: {error.strerror or error}", file=shown)]) from None
    except zipfile.BadZipFile:
        raise ContentError([Diagnostic("the roster is not an Excel workbook (.xlsx) — save it again from your "
                                       "spreadsheet as 'Excel Workbook' or as 'CSV UTF-8'", file=shown)]) from None
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file; each is the file's fault
        raise ContentError([Diagnostic(f"the workbook cannot be read ({type(error).__name__}) — save it again from "
                                       "your spreadsheet as 'Excel Workbook' or as 'CSV UTF-8'", file=shown)]) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return []
        return [(number, [_cell_text(value) for value in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
