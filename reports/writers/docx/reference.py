"""Word reference documents: a template's `reference.docx` supplies the DOCX styles, as in pandoc.

A teacher restyles headings, captions or the table style in Word, saves the file as
`templates/<name>/reference.docx`, and every build uses those styles. The writer then only *names*
styles; it checks every style it needs exists before writing and names the missing ones (exit 5).
A reference document is untrusted input (shared between schools), so it is read only after its
zip directory passes size checks, only from inside the template folder, and only for what
`reference_intake` allows (styles and nothing else).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from reports.errors import AssetError, Diagnostic

REFERENCE_NAME = "reference.docx"

MAX_REFERENCE_BYTES = 20 * 1024 * 1024
"""A styles-only Word file is tens of kilobytes; 20 MiB leaves room for embedded fonts and logos."""

MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_COMPRESSION_RATIO = 200
"""XML compresses ~10:1; a member expanding 200-fold or more is a zip bomb, not a document."""


def find_reference(theme_folder: Path) -> Path | None:
    """The template's reference document, if it has one; refused if it resolves outside the folder."""
    candidate = theme_folder / REFERENCE_NAME
    if not candidate.exists() and not candidate.is_symlink():
        return None
    resolved = candidate.resolve()
    if not resolved.is_relative_to(theme_folder.resolve()) or not resolved.is_file():
        raise AssetError([Diagnostic(
            f"{REFERENCE_NAME} must be a file inside the template folder, not a link to elsewhere — copy the file in",
            file=str(candidate))])
    return resolved


def check_reference(path: Path) -> None:
    """Refuse files that are not a Word document or that would expand without bound when opened."""
    display = str(path)
    size = path.stat().st_size
    if size > MAX_REFERENCE_BYTES:
        raise AssetError([Diagnostic(f"reference document is {size:,} bytes; the limit is {MAX_REFERENCE_BYTES:,} — "
                                     "remove embedded media from it", file=display)])
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise AssetError([Diagnostic("reference document is not a DOCX (not a zip file) — save it from Word as .docx",
                                     file=display)]) from None
    if len(entries) > MAX_ENTRIES:
        raise AssetError([Diagnostic(f"reference document has {len(entries):,} parts (limit {MAX_ENTRIES:,})",
                                     file=display)])
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise AssetError([Diagnostic(f"reference document expands to {total:,} bytes (limit {MAX_UNCOMPRESSED_BYTES:,}) "
                                     "— it looks like a zip bomb", file=display)])
    for entry in entries:
        if entry.compress_size and entry.file_size > 1024 * 1024 and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO:
            raise AssetError([Diagnostic(f"part {entry.filename} expands {entry.file_size // entry.compress_size}-fold "
                                         "— it looks like a zip bomb", file=display)])
    names = {entry.filename for entry in entries}
    if "word/document.xml" not in names or "word/styles.xml" not in names:
        raise AssetError([Diagnostic("reference document has no word/document.xml or word/styles.xml — save it from "
                                     "Word as a .docx document", file=display)])
