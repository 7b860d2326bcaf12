"""The DOCX package around the text: metadata, settings, leftovers of python-docx's template, fixed zip.

python-docx starts from a 2013 Word-for-Mac template: core properties say "python-docx", a blank
thumbnail, a Word 2010 `stylesWithEffects.xml` (which Word 2010 prefers over our styles), compatibility
mode 14 ("[Compatibility Mode]" in Word's title bar). All of that is replaced or dropped here, and the
template is read and trimmed once per process (`blank_package`). The parts are serialized without
python-docx's zip (`package_entries`); `archive.deterministic_zip` writes the archive once, with fixed dates and
a fixed entry order so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import qn
from lxml import etree

from reports.cache import Cache
from reports.document.nodes import Metadata
from reports.errors import ReportsError
from reports.theme.model import FontFamily, Theme, resolve_font_file
from reports.writers.docx.ooxml import element, hex_colour

_DROPPED_DOCUMENT_RELATIONSHIPS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.CUSTOM_XML,
)
_DROPPED_PACKAGE_RELATIONSHIPS = (RT.THUMBNAIL,)
_DRAWING_MAIN = "http://schemas.openxmlformats.org/drawingml/2006/main"


def word_language_tag(language: str) -> str:
    """BCP 47 tag with a region, as Word's proofing languages want: `id` → `id-ID`, `en` → `en-US`.

    A bare language gets its CLDR likely region (Babel's data), so each new language works without a
    table here; a tag that already has a region is kept.
    """
    tag = language.strip().replace("_", "-") or "en"
    parts = tag.split("-")
    if len(parts) > 1 and any(len(part) == 2 and part.isalpha() or part.isdigit() for part in parts[1:]):
        return "-".join([parts[0].lower()] + [part.upper() if len(part) == 2 else part for part in parts[1:]])
    try:
        from babel.core import get_global

        likely = get_global("likely_subtags").get(parts[0].lower(), "")
    except Exception:  # Babel data missing: a bare language is still a valid w:lang value
        likely = ""
    region = next((part for part in str(likely).split("_")[1:] if len(part) == 2 or part.isdigit()), "")
    return f"{parts[0].lower()}-{region}" if region else parts[0].lower()


def utc_naive(timestamp: dt.datetime) -> dt.datetime:
    if timestamp.tzinfo is not None:
        timestamp = timestamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return timestamp.replace(microsecond=0)


CORE_PROPERTY_LIMIT = 255
"""python-docx (following Office) refuses longer core properties; the full text stays in the body."""


def _core_text(text: str) -> str:
    return text if len(text) <= CORE_PROPERTY_LIMIT else text[: CORE_PROPERTY_LIMIT - 1].rstrip() + "…"


def set_core_properties(word: WordDocument, metadata: Metadata, language_tag: str, timestamp: dt.datetime) -> None:
    """Title, author, subject, keywords, language and dates: everything Word's File → Info shows."""
    properties = word.core_properties
    moment = utc_naive(timestamp)
    properties.title = _core_text(metadata.title)
    properties.author = _core_text(metadata.author)
    properties.subject = _core_text(metadata.subject)
    properties.keywords = _core_text("; ".join(metadata.keywords))
    properties.language = language_tag
    properties.comments = ""
    properties.category = ""
    properties.last_modified_by = _core_text(metadata.author)
    properties.revision = 1
    properties.created = moment
    properties.modified = moment


def drop_stale_parts(word: WordDocument) -> None:
    """Unlink the template's stylesWithEffects, custom XML and thumbnail parts, so they are not saved."""
    document_part = word.part
    for relationship_id, relationship in list(document_part.rels.items()):
        if relationship.reltype in _DROPPED_DOCUMENT_RELATIONSHIPS:
            del document_part.rels[relationship_id]
    package = document_part.package
    for relationship_id, relationship in list(package.rels.items()):
        if relationship.reltype in _DROPPED_PACKAGE_RELATIONSHIPS:
            del package.rels[relationship_id]


def tidy_package(word: WordDocument, language_tag: str) -> None:
    """Drop the template's stale parts and bring settings.xml up to date (Word 2013+ mode, language)."""
    drop_stale_parts(word)
    settings = word.settings.element
    for tag in ("w:proofState", "w:savePreviewPicture", "w:rsids"):
        for node in settings.findall(qn(tag)):
            settings.remove(node)  # proofState "clean" would tell Word the text was already spell-checked
    zoom = settings.find(qn("w:zoom"))
    if zoom is not None:
        zoom.attrib.clear()
        zoom.set(qn("w:percent"), "100")
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")  # Word 2013+ layout; 14 opens in "Compatibility Mode"
    font_language = settings.find(qn("w:themeFontLang"))
    if font_language is None:
        font_language = element("w:themeFontLang")
        settings.append(font_language)
    font_language.set(qn("w:val"), language_tag)


def set_hyphenation(word: WordDocument) -> None:
    """Word's automatic hyphenation, in each paragraph's language (the document's, from the style defaults);
    words in capitals (acronyms) stay whole, as the PDF leaves them. Styles that must not be hyphenated
    (headings, captions) say so themselves (`w:suppressAutoHyphens`)."""
    settings = word.settings.element
    for tag in ("w:autoHyphenation", "w:doNotHyphenateCaps"):
        for node in settings.findall(qn(tag)):
            settings.remove(node)
    anchor = settings.find(qn("w:defaultTabStop"))
    added = [element("w:autoHyphenation"), element("w:doNotHyphenateCaps")]
    if anchor is None:  # python-docx's template has it; a reference document may not: after the zoom then
        anchor = settings.find(qn("w:zoom"))
    if anchor is None:
        for node in reversed(added):
            settings.insert(0, node)
        return
    for node in reversed(added):
        anchor.addnext(node)


def extended_properties() -> bytes:
    """docProps/app.xml without the template's "Microsoft Macintosh Word" and stale page/word counts."""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{escape('reports')}</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    ).encode("utf-8")


def office_theme(original: bytes, theme: Theme) -> bytes:
    """The Office theme part with the briefing's fonts and colours, so Word's "+Body"/"+Headings" fonts and
    accent colours (used by built-in table styles and SmartArt a user adds) match the document."""
    root = etree.fromstring(original)
    namespaces = {"a": _DRAWING_MAIN}
    for font_kind, name in (("majorFont", theme.heading_font.name), ("minorFont", theme.body_font.name)):
        for latin in root.iterfind(f".//a:fontScheme/a:{font_kind}/a:latin", namespaces):
            latin.set("typeface", name)
    for slot, colour in (("dk2", theme.colours.primary), ("accent1", theme.colours.primary),
                         ("accent2", theme.colours.accent), ("hlink", theme.colours.primary)):
        for holder in root.iterfind(f".//a:clrScheme/a:{slot}", namespaces):
            for child in list(holder):
                holder.remove(child)
            etree.SubElement(holder, f"{{{_DRAWING_MAIN}}}srgbClr", val=hex_colour(colour))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@dataclass(frozen=True)
class FontInfo:
    """What Word needs to pick a look-alike when the user lacks a theme font: classification, not the file."""

    name: str
    panose: tuple[int, ...] = ()
    """The ten PANOSE digits from the font's OS/2 table; empty when the file is not at hand."""
    charset: str = "00"
    """The Windows character set Word substitutes by (hexadecimal): 00 ANSI, 86 GB2312, 80 Shift-JIS…"""

    @property
    def family(self) -> str:
        if len(self.panose) == 10 and self.panose[0] == 2:
            if self.panose[3] == 9:
                return "modern"  # monospaced
            return "swiss" if self.panose[1] in (11, 12, 13) else "roman"
        lowered = self.name.lower()
        if "mono" in lowered or "courier" in lowered:
            return "modern"
        return "roman" if "serif" in lowered and "sans" not in lowered else "swiss"


def font_info(family: FontFamily, theme_folder: Path, cache: Cache) -> FontInfo:
    """The family's PANOSE digits, from the regular face's facts (`reports.theme.fonts`): already read for this
    cache by the coverage check, or kept in its folder by an earlier process."""
    try:
        path = resolve_font_file(family.regular, theme_folder, cache)
    except ReportsError:  # the DOCX names the font either way
        return FontInfo(family.name)
    return file_font_info(family.name, path, cache)


def file_font_info(name: str, path: Path, cache: Cache, charset: str = "00") -> FontInfo:
    """A font file's PANOSE digits (`reports.theme.fonts`), under the family name the DOCX uses."""
    try:
        from reports.theme.fonts import font_facts

        facts = font_facts(path, cache)
    except (ImportError, OSError):
        return FontInfo(name, charset=charset)
    return FontInfo(name, facts.panose or (), charset)


def font_table(original: bytes, fonts: list[FontInfo]) -> bytes:
    """word/fontTable.xml with the theme's fonts described, so Word substitutes a serif for a serif."""
    main = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(original)
    done: set[str] = set()
    for info in fonts:
        if info.name in done:
            continue
        done.add(info.name)
        for old in root.findall(f"{{{main}}}font"):
            if old.get(f"{{{main}}}name") == info.name:
                root.remove(old)
        entry = etree.SubElement(root, f"{{{main}}}font", {f"{{{main}}}name": info.name})
        if info.panose:
            etree.SubElement(entry, f"{{{main}}}panose1", {f"{{{main}}}val": "".join(f"{d:02X}" for d in info.panose)})
        etree.SubElement(entry, f"{{{main}}}charset", {f"{{{main}}}val": info.charset})
        etree.SubElement(entry, f"{{{main}}}family", {f"{{{main}}}val": info.family})
        pitch = "fixed" if info.family == "modern" else "variable"
        etree.SubElement(entry, f"{{{main}}}pitch", {f"{{{main}}}val": pitch})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class _EntrySink:
    """Takes the place of python-docx's zip writer: keeps each serialized part under its zip entry name."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self.entries[pack_uri.membername] = blob


def package_entries(word: WordDocument) -> dict[str, bytes]:
    """Every part of the package, serialized, by zip entry name: exactly what `word.save` would zip.

    Saving through python-docx would deflate every part only for `deterministic_zip` to inflate and
    deflate them again (styles.xml alone is 350 kB). The steps are `OpcPackage.save`'s, whose zip writer
    cannot be swapped; a test checks the entries against `word.save` in case python-docx changes them.
    """
    package = word.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    sink = _EntrySink()
    PackageWriter._write_content_types_stream(sink, parts)
    PackageWriter._write_pkg_rels(sink, package.rels)
    PackageWriter._write_parts(sink, parts)  # type: ignore[arg-type]  # duck-typed: only .write is called
    return sink.entries


def _template() -> tuple[tuple[tuple[str, bytes], ...], str]:
    """python-docx's default template without its stale parts, as zip entries, and its styles entry name.

    Read once per cache: opening the template parses a 430 kB stylesWithEffects.xml that is then dropped.
    Dropping it here instead of after opening leaves the same gaps in the relationship ids, which later
    relationships (header, footer, links, pictures) fill in the same order.
    """
    word = docx.Document()
    drop_stale_parts(word)
    styles_entry = word.part.part_related_by(RT.STYLES).partname.membername
    return tuple(package_entries(word).items()), styles_entry


def blank_entries(cache: Cache) -> dict[str, bytes]:
    """The trimmed default template's zip entries, by name (a new dict: the caller may change it)."""
    entries, _ = cache.memo("docx-template", "python-docx", _template)
    return dict(entries)


def blank_package(cache: Cache, styles_xml: bytes | None = None) -> bytes:
    """The trimmed default template as DOCX bytes (stored, not deflated: it is only read back), optionally
    with another styles part."""
    entries, styles_entry = cache.memo("docx-template", "python-docx", _template)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, blob in entries:
            archive.writestr(name, styles_xml if styles_xml is not None and name == styles_entry else blob)
    return buffer.getvalue()


def open_package(data: bytes) -> WordDocument:
    """A python-docx document of its own parsed from DOCX bytes (nothing is shared with other documents)."""
    return docx.Document(io.BytesIO(data))


def release_package(word: WordDocument) -> None:
    """Let a written document's package be freed at once. python-docx's package and its parts refer to each
    other (package → relationships → part → package), so every document's XML trees — megabytes of lxml
    nodes — waited for the garbage collector's next full pass; a batch worker grew by 10 % over 100
    documents. Emptying the package's own relationships breaks the cycle: nothing reads them after this."""
    relationships = word.part.package.rels
    relationships._target_parts_by_rId.clear()
    relationships.clear()
