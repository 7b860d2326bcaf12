"""The reading a handout prints: the essay (or the sections the classroom material chooses) as a flat run of
headings, numbered paragraphs and lists, numbered once here so the student sheet, the teacher edition and the
answers that cite "paragraph 4" agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.content.model import BulletList, Content, Paragraph, Section
from reports.language.labels import Labels


@dataclass(frozen=True)
class ReadingBlock:
    """One block of the reading: a heading (`level` 1–2), a numbered paragraph, or a list (not numbered: it
    belongs to the paragraph before it)."""

    kind: str
    """`heading`, `paragraph` or `list`."""
    text: str = ""
    level: int = 0
    number: int = 0
    items: tuple[str, ...] = ()
    ordered: bool = False


def reading_blocks(content: Content, labels: Labels) -> list[ReadingBlock]:
    """The reading's blocks in order, its paragraphs numbered from 1; empty without classroom material."""
    classroom = content.classroom
    if classroom is None:
        return []
    chosen = set(classroom.reading.sections)
    blocks: list[ReadingBlock] = []
    number = 0

    def add_section(section: Section, level: int) -> None:
        nonlocal number
        blocks.append(ReadingBlock("heading", section.heading, level=level))
        for block in section.blocks:
            if isinstance(block, Paragraph):
                number += 1
                blocks.append(ReadingBlock("paragraph", block.paragraph, number=number))
            elif isinstance(block, BulletList):
                blocks.append(ReadingBlock("list", items=tuple(block.items), ordered=block.ordered))
        for subsection in section.sections:
            add_section(subsection, min(level + 1, 2))

    def walk(sections: list[Section]) -> None:
        for section in sections:
            if not chosen or section.heading in chosen:
                add_section(section, 1)
            else:
                walk(section.sections)  # a chosen subsection of a section left out

    walk(content.body)
    if classroom.reading.conclusion and content.conclusion is not None:
        blocks.append(ReadingBlock("heading", content.conclusion.heading or labels["conclusion"], level=1))
        for paragraph in content.conclusion.paragraphs:
            number += 1
            blocks.append(ReadingBlock("paragraph", paragraph, number=number))
    return blocks
