"""XMP metadata for the PDF catalog: the document's title, language, author and dates as readers of metadata
(and PDF/UA checkers) look for them, and the PDF/UA-1 identification (`pdfuaid:part 1`).

ISO 14289-1 (PDF/UA-1) §5 asks a conforming file to say so in its XMP metadata, and §7.1 for `dc:title`.
The values are the document information dictionary's own (reportlab writes that one), so the two never
disagree; dates come from the build's timestamp, never the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream

_PACKET = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>
   <pdf:Keywords>{keywords}</pdf:Keywords>
   <pdf:Producer>{producer}</pdf:Producer>
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def xmp_packet(info: Any, language: str, timestamp: dt.datetime) -> bytes:
    """The XMP packet for a document information dictionary (reportlab's `PDFInfo`) and language."""
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=dt.UTC)
    values = {
        "title": info.title, "author": info.author, "subject": info.subject, "keywords": info.keywords,
        "producer": info.producer, "creator": info.creator, "language": language,
    }
    text = _PACKET.format(date=timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                          **{name: escape(str(value or "")) for name, value in values.items()})
    return text.encode("utf-8")


def add_xmp_metadata(document: Any, language: str, timestamp: dt.datetime) -> None:
    """Put the XMP packet into the catalog of a reportlab `PDFDocument`, uncompressed: XMP readers that do not
    parse PDF find it by scanning the file."""
    # the document's default filters: none, as for the pages (the tests check the packet stays plain text)
    stream = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
                       xmp_packet(document.info, language, timestamp))
    document.Catalog.Metadata = document.Reference(stream)
