"""Word fields, bookmarks and hyperlinks: the parts of a DOCX that Word updates or follows by itself.

Fields are written as complex fields (begin, instruction, separate, cached result, end) with the result
already filled in, so a reader that never updates fields (LibreOffice converting, docx2python, a phone
preview) still shows the right caption number, and Word can renumber after the user edits.
"""

from __future__ import annotations

import hashlib
import re

from reports.writers.docx.ooxml import Element, element, text_run

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

_BOOKMARK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
_BOOKMARK_LIMIT = 40
"""Word ignores links to bookmarks longer than 40 characters (pandoc issue #5091)."""


def field_runs(instruction: str, cached_result: str, properties: Element | None = None) -> list[Element]:
    """The five runs of a complex field, e.g. `SEQ Table \\* ARABIC` with its cached number."""

    def control(kind: str) -> Element:
        run = element("w:r")
        if properties is not None:
            run.append(_copy(properties))
        run.append(element("w:fldChar", {"w:fldCharType": kind}))
        return run

    instruction_run = element("w:r")
    if properties is not None:
        instruction_run.append(_copy(properties))
    instruction_text = element("w:instrText")
    instruction_text.set(XML_SPACE, "preserve")
    instruction_text.text = f" {instruction} "
    instruction_run.append(instruction_text)
    return [control("begin"), instruction_run, control("separate"), text_run(cached_result, properties), control("end")]


def sequence_name(kind: str) -> str:
    """Caption kind → Word's sequence identifier (the names Word's own Insert Caption uses)."""
    return {"table": "Table", "figure": "Figure"}.get(kind, kind.title() or "Figure")


def bookmark_name(identifier: str) -> str:
    """A Word-safe bookmark name for a node id; the same id always gives the same name.

    Ids that already suit Word (a letter first, at most 40 characters) are kept as they are, so a
    user sees the heading id in Word's bookmark list; others get a readable prefix and a short hash.
    """
    if len(identifier) <= _BOOKMARK_LIMIT and _BOOKMARK_NAME.fullmatch(identifier):
        return identifier
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", identifier)
    if not cleaned[:1].isalpha():
        cleaned = "id_" + cleaned
    digest = hashlib.sha1(identifier.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned[: _BOOKMARK_LIMIT - 9]}_{digest}"


class Bookmarks:
    """Hands out bookmark ids (unique per document) and remembers the names already placed."""

    def __init__(self) -> None:
        self._next_id = 0
        self.placed: set[str] = set()

    def wrap(self, paragraph: Element, identifier: str) -> None:
        """Put a bookmark named after `identifier` around the whole content of `paragraph`."""
        name = bookmark_name(identifier)
        if not identifier or name in self.placed:
            return  # Word keeps only the first bookmark of a name; a duplicate id must not break the file
        self.placed.add(name)
        bookmark_id = str(self._next_id)
        self._next_id += 1
        start = element("w:bookmarkStart", {"w:id": bookmark_id, "w:name": name})
        properties = paragraph.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pPr")
        if properties is not None:
            properties.addnext(start)
        else:
            paragraph.insert(0, start)
        paragraph.append(element("w:bookmarkEnd", {"w:id": bookmark_id}))


def internal_hyperlink(identifier: str) -> Element:
    """`w:hyperlink w:anchor=…` pointing at the bookmark of a heading, table or figure id."""
    return element("w:hyperlink", {"w:anchor": bookmark_name(identifier), "w:history": "1"})


def external_hyperlink(relationship_id: str) -> Element:
    return element("w:hyperlink", {"r:id": relationship_id, "w:history": "1"})


def _copy(node: Element) -> Element:
    from copy import deepcopy

    return deepcopy(node)
