"""The DOCX writer's token-substitution step: a written document whose text holds placeholder tokens, filled in.

Word lays text out itself, so a roster's handouts (`reports.runtime.mail_merge`) need no layout of their own:
the form's package is kept as its parts, the tokens replaced in `word/document.xml` and the parts zipped as
the writer zips them. `FilledPackage.open` says whether a written package can be filled in this way: only
when every token is in the text of a `w:t` outside any table (Word's estimate of whether a row fits a page
depends on its text), and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Mapping
from xml.sax.saxutils import escape as xml_escape

from reports.cache import Cache
from reports.writers.docx.archive import deterministic_zip

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCUMENT = "word/document.xml"


@dataclass(frozen=True)
class TokenPackage:
    """A written DOCX that holds tokens only where `fill` can replace them."""

    entries: Mapping[str, bytes]
    timestamp: dt.datetime

    @classmethod
    def open(cls, package: bytes, tokens: Mapping[str, str], expected: int,
             timestamp: dt.datetime) -> TokenPackage | None:
        """The package ready to be filled in, or None when a token is anywhere but in `w:t` text outside tables,
        or not all `expected` occurrences of the tokens are there."""
        from lxml import etree

        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            entries = {name: archive.read(name) for name in archive.namelist()}
        encoded = [token.encode() for token in tokens.values()]
        parts = tuple(name for name, data in entries.items() if any(token in data for token in encoded))
        if parts != (_DOCUMENT,):
            return None
        data = entries[_DOCUMENT]
        in_text = 0
        for element in etree.fromstring(data).iter(f"{_W}t"):
            found = sum((element.text or "").count(token) for token in tokens.values())
            if found and any(ancestor.tag == f"{_W}tbl" for ancestor in element.iterancestors()):
                return None
            in_text += found
        if in_text != expected or sum(data.count(token) for token in encoded) != expected:
            return None
        return cls(entries, timestamp)

    def fill(self, values: Mapping[str, str], cache: Cache | None = None) -> bytes:
        """The DOCX with each token (key) replaced by its value, zipped as the writer zips a package."""
        entries = dict(self.entries)
        data = entries[_DOCUMENT]
        for token, value in values.items():
            # the tokens are in the text of `w:t` elements: escaped as lxml escapes text
            data = data.replace(token.encode(), xml_escape(value).encode())
        entries[_DOCUMENT] = data
        return deterministic_zip(entries, self.timestamp, cache=cache)
