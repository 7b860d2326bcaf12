"""What a reference document may give the DOCX: styles and nothing else, by an allow-list.

A `reference.docx` is shared between schools and edited in Word, so it can carry much more than styles: a
settings part that attaches a template on the web (Word may fetch it when the output is opened), a VBA
project, headers and footers with fields that read other files (`INCLUDETEXT`), links to external images,
comments. Opening it as the output's starting point passed all of that into every document built from it.

Instead, the output starts from the writer's own package (python-docx's template, trimmed), and only these are
taken from the reference, each parsed without entities or network access and stripped of anything that points
at another part:

* its styles part (every style, the document defaults, the latent styles);
* its list numbering (picture bullets dropped: their pictures are other parts);
* its theme part (colours and fonts; image fills become plain fills);
* its font table (embedded fonts dropped: they are other parts);
* a few settings that shape how text is set (tab stops, hyphenation, East Asian line breaking, the colour
  mapping the theme needs, decimal and list separators, maths defaults).

Page setup is not taken: the theme decides the paper, margins, header and footer for the PDF and the DOCX
alike, so a reference document's columns, first-page header or page borders would make the two differ.

Everything else is reported by `ReferenceIntake.ignored` (`reports templates verify` prints it): parts,
external relationships, settings, fields in parts that are dropped, and the reference's own body text.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from lxml import etree

from reports.cache import Cache
from reports.errors import AssetError, Diagnostic
from reports.writers.docx.reference import check_reference

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_R = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = _R + "/"

TAKEN_PARTS = {"styles": "word/styles.xml", "numbering": "word/numbering.xml", "theme": "word/theme/theme1.xml",
               "fontTable": "word/fontTable.xml"}
"""Relationship type (last segment) → the entry of the writer's own package the reference's part replaces."""

SETTINGS_ORDER = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime", "doNotDisplayPageBoundaries",
    "displayBackgroundShape", "printPostScriptOverText", "printFractionalCharacterWidth", "printFormsData",
    "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
    "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign",
    "attachedTemplate", "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
    "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting", "documentProtection",
    "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope", "summaryLength",
    "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
    "bookFoldPrintingSheets", "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore",
    "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent",
    "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt",
    "showXMLTags", "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
    "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
    "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)
"""The children of `w:settings` in schema order (ECMA-376 CT_Settings): a taken setting goes where Word expects it."""

TAKEN_SETTINGS = frozenset({
    "mirrorMargins", "gutterAtTop", "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
    "doNotHyphenateCaps", "noPunctuationKerning", "characterSpacingControl", "strictFirstAndLastChars",
    "noLineBreaksAfter", "noLineBreaksBefore", "mathPr", "clrSchemeMapping", "decimalSymbol", "listSeparator",
})
"""How text is set, not how the file behaves: pandoc's reference documents keep a similar short list."""

NOTABLE_SETTINGS = {
    "attachedTemplate": "an attached template{target} — Word may fetch it when the output is opened",
    "linkStyles": "linkStyles — Word would restyle the output from the attached template",
    "mailMerge": "a mail merge data source{target}",
    "updateFields": "updateFields — Word would update (and fetch) fields when the output is opened",
    "saveThroughXslt": "a transform applied on saving{target}",
    "attachedSchema": "an attached XML schema",
    "schemaLibrary": "an XML schema library",
    "documentProtection": "document protection",
    "writeProtection": "write protection",
    "docVars": "document variables",
    "evenAndOddHeaders": "different even and odd headers",
}
"""Settings that point outside, act when the output is opened or restrict it: each reported on its own."""

PART_KINDS = {
    "vbaProject": ("macros (a VBA project)", True), "vbaData": ("macro data", True),
    "header": ("a header", True), "footer": ("a footer", True), "comments": ("comments", True),
    "footnotes": ("footnotes", True), "endnotes": ("endnotes", True), "glossaryDocument": ("building blocks", True),
    "oleObject": ("an embedded object", True), "package": ("an embedded file", False),
    "control": ("an ActiveX control", True), "activeXControlBinary": ("an ActiveX control", True),
    "image": ("a picture", False), "chart": ("a chart", False), "customXml": ("custom XML data", False), "webSettings": ("web settings", False),
    "people": ("the list of people who edited it", False), "printerSettings": ("printer settings", False),
    "font": ("an embedded font", False), "thumbnail": ("a thumbnail", False),
    "custom-properties": ("custom document properties", False), "core-properties": ("document properties", False),
    "extended-properties": ("application properties", False),
}
"""What a part the writer does not take is, by its relationship type; notable parts would show in or act on the
output if they were kept."""

FETCHING_FIELDS = frozenset({"INCLUDETEXT", "INCLUDEPICTURE", "LINK", "DDE", "DDEAUTO", "IMPORT", "INCLUDE",
                             "HYPERLINK", "DATABASE"})
"""Field types that read other files or programs."""


@dataclass(frozen=True)
class Ignored:
    """One thing in the reference document the output does not get."""

    what: str
    """In words: "macros (a VBA project) in word/vbaProject.bin"."""
    notable: bool
    """It points outside the document, would run or fetch something, or would show in the output."""


@dataclass
class ReferenceIntake:
    """What the writer takes from a reference document, and what it leaves."""

    parts: dict[str, bytes] = field(default_factory=dict)
    """Entries of the writer's own package replaced by the reference's (sanitized) parts."""
    settings: list[etree._Element] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)

    def ignore(self, what: str, notable: bool) -> None:
        if all(item.what != what for item in self.ignored):
            self.ignored.append(Ignored(what, notable))


_RELATIONSHIP_USERS = etree.XPath("//*[@*[namespace-uri() = $namespace]]")
"""Elements with an attribute in the relationships namespace (`r:id`, `r:embed`): they point at other parts."""

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse(archive: zipfile.ZipFile, name: str, display: str) -> etree._Element:
    try:
        root = etree.fromstring(archive.read(name), _PARSER)
    except (etree.XMLSyntaxError, KeyError, ValueError) as error:
        raise AssetError([Diagnostic(f"reference document part {name} cannot be read ({error}) — save the file "
                                     "again from Word as a .docx document", file=display)]) from None
    if root.getroottree().docinfo.doctype:
        raise AssetError([Diagnostic(f"reference document part {name} declares a DOCTYPE, which Word never writes "
                                     "— save the file again from Word", file=display)])
    return root


def _relationships(archive: zipfile.ZipFile, part: str, display: str) -> list[tuple[str, str, str, bool]]:
    """(id, type's last segment, target entry or URL, external) of each relationship of `part`."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.namelist():
        return []
    found = []
    for relationship in _parse(archive, rels, display).iter(f"{{{_PACKAGE_R}}}Relationship"):
        kind = relationship.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
        target = relationship.get("Target", "")
        external = relationship.get("TargetMode") == "External"
        if not external:
            target = posixpath.normpath(posixpath.join(folder, target)) if not target.startswith("/") else target[1:]
        found.append((relationship.get("Id", ""), kind, target, external))
    return found


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _uses_relationships(raw: bytes) -> bool:
    """Whether any attribute of the part may be in the relationships namespace: searching a styles part's ten thousand
    elements for one costs ≈5 ms, a look at the bytes for the namespace's prefixes a fraction of that."""
    prefixes = re.findall(rb'xmlns:([\w.-]+)="' + re.escape(_R.encode()) + rb'"', raw)
    return any(re.search(rb"\s" + re.escape(prefix) + rb":[\w.-]+\s*=", raw) for prefix in prefixes)


def _drop_relationship_users(root: etree._Element, raw: bytes, part: str, intake: ReferenceIntake) -> bool:
    """Remove what refers to other parts (whose relationships are not taken): picture bullets, embedded fonts,
    theme image fills, and anything else carrying a relationship id. True when anything was removed."""
    changed = False
    for bullet in root.findall(f"{{{_W}}}numPicBullet"):
        root.remove(bullet)
        changed = True
        intake.ignore(f"picture bullets in {part}", False)
    for reference in list(root.iter(f"{{{_W}}}lvlPicBulletId")):
        reference.getparent().remove(reference)
        changed = True
    for fill in list(root.iter(f"{{{_A}}}blipFill")):  # a theme's image fill: a plain fill of the same colour
        plain = etree.Element(f"{{{_A}}}solidFill")
        etree.SubElement(plain, f"{{{_A}}}schemeClr", val="phClr")
        fill.getparent().replace(fill, plain)
        intake.ignore(f"image fills in {part}", False)
        changed = True
    users = _RELATIONSHIP_USERS(root, namespace=_R) if _uses_relationships(raw) else []
    for node in users:
        if node.getparent() is None:
            continue
        what = "embedded fonts" if _local(node).startswith("embed") else f"<{_local(node)}> elements"
        intake.ignore(f"{what} in {part}", False)
        node.getparent().remove(node)
        changed = True
    return changed


def _fields(root: etree._Element) -> Iterable[str]:
    """The instructions of the fields in a part (simple and complex)."""
    for simple in root.iter(f"{{{_W}}}fldSimple"):
        yield simple.get(f"{{{_W}}}instr", "")
    for instruction in root.iter(f"{{{_W}}}instrText"):
        yield instruction.text or ""


def _report_fields(root: etree._Element, part: str, intake: ReferenceIntake) -> None:
    for instruction in _fields(root):
        words = instruction.split()
        if not words:
            continue
        kind = words[0].upper()
        argument = next((word.strip('"') for word in words[1:] if not word.startswith("\\")), "")
        reads = f" (reads {argument})" if kind in FETCHING_FIELDS and argument else ""
        intake.ignore(f"a field {kind}{reads} in {part}", kind in FETCHING_FIELDS)


def _take_settings(root: etree._Element, part: str, relationships: list[tuple[str, str, str, bool]],
                   intake: ReferenceIntake) -> None:
    targets = {identifier: target for identifier, _, target, _ in relationships}
    others = []
    for setting in root:
        name = _local(setting)
        if not name:
            continue
        if name in TAKEN_SETTINGS:
            intake.settings.append(setting)
        elif name in NOTABLE_SETTINGS:
            target = targets.get(setting.get(f"{{{_R}}}id", ""), "")
            if not target:
                source = setting.find(f".//{{{_W}}}dataSource")
                target = targets.get(source.get(f"{{{_R}}}id", ""), "") if source is not None else ""
            intake.ignore(f"{NOTABLE_SETTINGS[name].format(target=f' ({target})' if target else '')} (in {part})",
                          True)
        else:
            others.append(name)
    if others:
        intake.ignore(f"settings that are the editor's state or behaviour: {', '.join(sorted(set(others)))}", False)


def _report_section(document: etree._Element, intake: ReferenceIntake,
                    relationships: list[tuple[str, str, str, bool]]) -> dict[str, str]:
    """Report the reference's body and page setup (none of it is taken); its headers and footers, by part, in
    words ("a first-page header")."""
    placements: dict[str, str] = {}
    body = document.find(f"{{{_W}}}body")
    if body is None:
        return placements
    content = [child for child in body if _local(child) != "sectPr"]
    if content:
        intake.ignore(f"the reference's own body ({len(content)} paragraph(s) or table(s)): only its styles count",
                      False)
    targets = {identifier: target for identifier, _, target, _ in relationships}
    for section in body.iter(f"{{{_W}}}sectPr"):
        for child in section:
            name = _local(child)
            if name in ("headerReference", "footerReference"):
                place = {"first": "first-page ", "even": "even-page "}.get(child.get(f"{{{_W}}}type", ""), "")
                placements[targets.get(child.get(f"{{{_R}}}id", ""), "")] = f"a {place}{name[:6]}"
            elif name == "titlePg":
                intake.ignore("a different first page (titlePg): the header and footer come from the theme", True)
            elif name == "cols" and int(child.get(f"{{{_W}}}num", "1") or 1) > 1:
                intake.ignore(f"{child.get(f'{{{_W}}}num')} columns: the page setup comes from the theme", True)
            elif name == "pgBorders":
                intake.ignore("page borders: the page setup comes from the theme", True)
    return placements


def read_intake(path: Path) -> ReferenceIntake:
    """Everything taken from, and everything left in, the reference document at `path` (checked first)."""
    check_reference(path)
    display = str(path)
    intake = ReferenceIntake()
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        package = _relationships(archive, "", display)
        main = next((target for _, kind, target, external in package if kind == "officeDocument" and not external),
                    "word/document.xml")
        if main not in names:
            raise AssetError([Diagnostic(f"reference document has no main part ({main}) — save it from Word as a "
                                         ".docx document", file=display)])
        used = {main, "[Content_Types].xml"}
        relationships = _relationships(archive, main, display)
        for identifier, kind, target, external in relationships:
            if external:
                continue  # reported with every other external relationship, below
            if kind in TAKEN_PARTS and target in names:
                root = _parse(archive, target, display)
                if _drop_relationship_users(root, archive.read(target), target, intake):
                    intake.parts[TAKEN_PARTS[kind]] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                                     standalone=True)
                else:  # nothing removed: the part's own bytes (serializing a styles part again costs ≈10 ms)
                    intake.parts[TAKEN_PARTS[kind]] = archive.read(target)
                intake.taken.append({"fontTable": "font table", "theme": "theme colours and fonts"}.get(kind, kind))
                used.add(target)
            elif kind == "settings" and target in names:
                _take_settings(_parse(archive, target, display), target, _relationships(archive, target, display),
                               intake)
                used.add(target)
        if "styles" not in {kind for _, kind, _, _ in relationships}:
            raise AssetError([Diagnostic("reference document has no styles part — save it from Word as a .docx "
                                         "document", file=display)])
        document = _parse(archive, main, display)
        placements = _report_section(document, intake, relationships)
        _report_fields(document, main, intake)
        every = [(name, relationship) for name in sorted(names) if name.endswith(".rels")
                 for relationship in _relationships(archive, _part_of(name), display)]
        for name in sorted(names - used):
            _report_part(archive, name, display, [relationship for _, relationship in every], placements, intake)
        for name, (_, kind, target, external) in every:
            if external:
                intake.ignore(f"a link to {target} ({kind}) from {_part_of(name) or 'the package'}", True)
    if intake.settings:
        intake.taken.append("text settings (" + ", ".join(sorted(_local(node) for node in intake.settings)) + ")")
    return intake


def _part_of(rels: str) -> str:
    """`word/_rels/header1.xml.rels` → `word/header1.xml`; `_rels/.rels` → "" (the package)."""
    folder, name = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), name.removesuffix(".rels"))


def _report_part(archive: zipfile.ZipFile, name: str, display: str, relationships: list[tuple[str, str, str, bool]],
                 placements: dict[str, str], intake: ReferenceIntake) -> None:
    if name.endswith(".rels") or name.endswith("/"):
        return
    kind = next((kind for _, kind, target, external in relationships if target == name and not external), "")
    if not kind and re.search(r"(^|/)(header|footer)\d*\.xml$", name):
        kind = "header" if "header" in name else "footer"
    if not kind and name.endswith("vbaProject.bin"):
        kind = "vbaProject"
    words, notable = PART_KINDS.get(kind, ("a part the writer does not use", False))
    if kind in ("header", "footer"):
        place = placements.get(name, f"{words} no section uses")
        intake.ignore(f"{place} ({name}): the header and footer come from the theme", notable)
    else:
        intake.ignore(f"{words} in {name}", notable)
    if name.endswith(".xml"):
        try:
            _report_fields(_parse(archive, name, display), name, intake)
        except AssetError:
            pass  # a damaged part that is not taken only needs naming, which it was


def _insert_in_order(parent: etree._Element, node: etree._Element, order: tuple[str, ...]) -> None:
    """Put `node` in `parent` in place of one of its kind, or before the first child that comes after it."""
    name = _local(node)
    rank = order.index(name) if name in order else len(order)
    for child in list(parent):
        if _local(child) == name and child.tag == node.tag:
            child.addprevious(node)
            parent.remove(child)
            return
    for child in parent:
        child_name = _local(child)
        if child_name not in order or order.index(child_name) > rank:
            child.addprevious(node)
            return
    parent.append(node)


def apply_intake(entries: dict[str, bytes], intake: ReferenceIntake) -> dict[str, bytes]:
    """The writer's blank package entries with the reference's parts and settings in place."""
    merged = dict(entries)
    merged.update({name: data for name, data in intake.parts.items() if name in merged})
    settings = etree.fromstring(merged["word/settings.xml"], _PARSER)
    for setting in intake.settings:
        _insert_in_order(settings, _copy(setting), SETTINGS_ORDER)
    merged["word/settings.xml"] = etree.tostring(settings, xml_declaration=True, encoding="UTF-8", standalone=True)
    return merged


def _copy(node: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(node), _PARSER)


MEMORY_LIMIT = 4
"""Reference packages a cache keeps (a template has one; ≈0.5 MB each)."""


def reference_package(path: Path, cache: Cache) -> bytes:
    """The writer's blank package with what the reference document at `path` may give it, as DOCX bytes; made
    once per cache for the file's size and time."""
    from reports.writers.docx.package import blank_entries

    info = path.stat()

    def make() -> bytes:
        entries = apply_intake(blank_entries(cache), read_intake(path))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name, data in entries.items():
                archive.writestr(name, data)
        return buffer.getvalue()

    return cache.memo("docx-reference", (str(path), info.st_size, info.st_mtime_ns), make, MEMORY_LIMIT)
