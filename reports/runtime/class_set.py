"""A class set: every student's handout in one print-ready PDF (`reports build --roster … --class-set`).

Each handout starts on a new sheet of paper when the set is printed on both sides: after a handout with an odd
number of pages comes one blank page of its size. Each student is a bookmark, the handout's own bookmarks under it,
and the first page of each handout carries the student's name as its page label, so a print dialog's page range
and a reader's outline both find a student. The students' own PDFs stay the accessible (tagged) files; a set
joined from them by page is meant for the printer, and says so in its title.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from reports.errors import Diagnostic
from reports.paths import output_path

if TYPE_CHECKING:
    from reports.runtime.jobs import Job, Outcome

CLASS_SET_SUFFIX = "class-set"


@dataclass(frozen=True)
class Handout:
    """One student's handout in the set."""

    student: str
    pdf: bytes


def class_set_path(content: Path, template_name: str, out_dir: Path) -> Path:
    """`<stem>-<template>-class-set.pdf` beside the students' files."""
    return output_path(content, template_name, out_dir, "pdf", CLASS_SET_SUFFIX)


def write_class_sets(jobs: Sequence[Job], outcomes: Sequence[Outcome], out_dir: Path, umask: int | None = None) -> tuple[list[Path], list[Diagnostic]]:
    """One class set per content file of a roster batch, from the PDFs its jobs wrote (in roster order).

    A set with a failed handout is not written — a printed class set missing a student is worse than none — and
    the problem says which content file's set it is (the failures themselves were reported with their jobs).
    """
    from reports.output import write_atomically

    groups: dict[Path, list[tuple[Job, Outcome]]] = {}
    for job, outcome in zip(jobs, outcomes):
        groups.setdefault(job.content, []).append((job, outcome))
    written: list[Path] = []
    problems: list[Diagnostic] = []
    for content, members in groups.items():
        first = members[0][0]
        target = class_set_path(content, first.template_name, out_dir)
        failed = [job for job, outcome in members if not outcome.ok]
        if failed:
            problems.append(Diagnostic(f"the class set {target.name} is not written: {len(failed)} of {len(members)} "
                                       "handouts failed (see above) — fix them and build again",
                                       file=first.display_name))
            continue
        from pypdf.errors import PyPdfError

        try:
            handouts = [Handout(student_name(job), next(path for path in outcome.written if path.suffix == ".pdf")
                                .read_bytes()) for job, outcome in members]
            title = f"{target.stem}: {len(handouts)} handouts to print on both sides"
            write_atomically(target, join_class_set(handouts, title), umask)
        except (OSError, PyPdfError) as error:  # a handout gone or damaged since it was written, a full disk
            problems.append(Diagnostic(f"the class set {target.name} is not written: {error}", file=str(target)))
            continue
        written.append(target)
    return written, problems


def student_name(job: Job) -> str:
    return (job.student or {}).get("name", "") or job.suffix


def join_class_set(handouts: Sequence[Handout], title: str) -> bytes:
    """The handouts in order, each starting on an odd page (a blank page after an odd-length one)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import PageLabelStyle
    from pypdf.generic import ArrayObject, ByteStringObject

    writer = PdfWriter()
    for handout in handouts:
        reader = PdfReader(io.BytesIO(handout.pdf))
        first = len(writer.pages)
        writer.append(reader, outline_item=handout.student, import_outline=True)
        if len(reader.pages) % 2:
            box = reader.pages[-1].mediabox
            writer.add_blank_page(width=box.width, height=box.height)
        writer.set_page_label(first, len(writer.pages) - 1, style=PageLabelStyle.DECIMAL, prefix=f"{handout.student} ")
    language = None
    if handouts:
        language = PdfReader(io.BytesIO(handouts[0].pdf)).root_object.get("/Lang")
    if language is not None:
        writer._root_object[_name("/Lang")] = language
    writer.add_metadata({"/Title": title, "/Producer": "reports"})
    # the same handouts give the same bytes: a fixed file identifier instead of pypdf's random one
    identifier = ByteStringObject(_digest(handouts))
    writer._ID = ArrayObject([identifier, identifier])  # noqa: SLF001 — pypdf offers no setter for the trailer's /ID
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _name(text: str) -> object:
    from pypdf.generic import NameObject

    return NameObject(text)


def _digest(handouts: Sequence[Handout]) -> bytes:
    import hashlib

    digest = hashlib.md5(usedforsecurity=False)
    for handout in handouts:
        digest.update(handout.student.encode("utf-8"))
        digest.update(hashlib.sha256(handout.pdf).digest())
    return digest.digest()
