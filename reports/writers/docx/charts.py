"""Native Word charts: a chart part with its data in an embedded workbook, from the PDF chart's own spec.

A `ChartSpec` whose kind Word has becomes a DrawingML chart part (`word/charts/chartN.xml`) that reads its
numbers from an embedded XLSX (`word/embeddings/…`), so Word's "Edit Data" opens the numbers and the chart
redraws when they change. Kinds Word lacks (`timeline`) and themes that say `charts: picture` keep the PNG.

What comes from where:

- **Chart XML**: python-pptx's chart data and XML writer (`pptx.chart.data.CategoryChartData`, whose
  `xml_bytes` runs `pptx.chart.xmlwriter.ChartXmlWriter`), then its chart proxy objects
  (`pptx.chart.chart.Chart`: title, fonts, data labels, axes, per-point fills) to style it. python-pptx is
  pinned (1.0.2) in pyproject.toml because `Chart(chart_space, None)` and the workbook writer subclass
  below use its internals.
- **Workbook**: python-pptx's `pptx.chart.xlsx.CategoryWorkbookWriter` (XlsxWriter underneath), which is
  also the authority for the cell ranges the chart XML refers to (`Sheet1!$A$2:$A$4`, …). Subclassed only
  to fix the workbook's dates (determinism) and make the columns readable in "Edit Data".
- **Package**: python-docx's own part classes (`docx.opc.part.XmlPart` for the chart, `Part` for the
  workbook) and relationship types (`RT.CHART`, `RT.PACKAGE`), so python-docx reopens and re-saves the file
  with the chart intact.
- **By hand**, because neither library has them: the inline drawing (`wp:inline` holding `c:chart r:id`,
  laid out as Word writes it), `c:lang`, `c:roundedCorners`, `c:externalData`, `c:plotVisOnly`,
  `c:tickLblSkip`, the value axis's `c:crosses`, the chart area's and plot area's `c:spPr` (no border, no
  fill) and the replacement of python-pptx's axis ids.

Fixes found in a feasibility trial (LibreOffice and the ECMA-376 transitional schema): python-pptx writes
negative axis ids (the schema's `xsd:unsignedInt` rejects them; ids ≥ 2^31 make LibreOffice mislink the
axes), omits `c:roundedCorners` (default true), sizes text for slides (18 pt) and lists bar categories
bottom-up; Word's "Edit Data" does nothing without the embedded workbook.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part, XmlPart
from docx.oxml.parser import parse_xml as parse_docx_xml
from lxml import etree

from reports.cache import Cache
from reports.charts.spec import ChartSpec
from reports.theme.model import Theme
from reports.theme.scale import MM_PER_POINT
from reports.writers.docx.chart_xml import (
    A,
    C,
    R,
    category_labels,
    chart_tag,
    chart_xml,
    drawing_tag,
    text_size,
    workbook_blob,
)

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
CHART_URI = C
"""`a:graphicData/@uri` of a chart: the chart namespace itself."""

CHART_PARTNAME = "/word/charts/chart%d.xml"
WORKBOOK_PARTNAME = "/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx"
"""Part names as Word itself names them, so a file Word re-saves keeps the same layout."""

PARTS_VERSION = 2
"""Part of the cache key of chart parts kept in the cache folder: bump it whenever a change here changes them."""

EMU_PER_MM = 36000


# --- the workbook ----------------------------------------------------------------------------------


# --- the chart part's XML ------------------------------------------------------------------------


# --- the package and the inline drawing ----------------------------------------------------------


@dataclass(frozen=True)
class EmbeddedChart:
    relationship_id: str
    """Relationship id of the chart part from the document part (`c:chart r:id`)."""
    chart_part: XmlPart
    workbook_part: Part


PARTS_LIMIT = 32
"""Chart parts a cache keeps in memory (a few kB each)."""


def _chart_parts(spec: ChartSpec, theme: Theme, language_tag: str, created: dt.datetime,
                 cache: Cache) -> tuple[bytes, bytes]:
    """The chart XML and its workbook, made once for the same chart, theme, language and date: kept in
    the cache, and in its folder (when it has one) beside the drawn charts.

    A roster's handouts all carry the same chart: python-pptx and XlsxWriter took ≈4 ms of each handout
    to make the same bytes again, and a new process paid ≈0.1 s to import them. Bytes are kept, never
    elements: every document parses its own copy.
    """
    key = (spec.digest(), theme.digest(), language_tag, created.isoformat())
    kept = cache.get("docx-chart-parts", key)
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    files = _cache_files(key, cache)
    chart, workbook = cache.read_entry(files[0], b"<?xml"), cache.read_entry(files[1], b"PK\x03\x04")
    if chart is not None and workbook is not None:
        made = (chart, workbook)
    else:
        made = (chart_xml(spec, theme, language_tag, created), workbook_blob(spec, created))
        for path, data in zip(files, made):
            cache.write_entry(path, data)
    return cache.put("docx-chart-parts", key, made, PARTS_LIMIT)


def _made_by() -> tuple[object, ...]:
    """What writes the parts, read from the packages' metadata (without importing them)."""
    from importlib.metadata import version

    return PARTS_VERSION, version("python-pptx"), version("XlsxWriter")


def _cache_files(key: tuple[str, ...], cache: Cache) -> tuple[Path | None, Path | None]:
    """The chart part's and the workbook's files in the cache's folder: named by a hash of what makes them,
    the versions of python-pptx and XlsxWriter (they write them) and `PARTS_VERSION`."""
    if cache.folder is None:
        return None, None
    made_by = cache.memo("versions", "docx-chart-parts", _made_by)
    digest = hashlib.sha256(json.dumps([*key, *made_by]).encode()).hexdigest()
    return cache.entry_path(f"{digest}.chart.xml"), cache.entry_path(f"{digest}.chart.xlsx")


def embed_chart(document_part: Part, spec: ChartSpec, theme: Theme, language_tag: str,
                created: dt.datetime, cache: Cache) -> EmbeddedChart:
    """Add the chart part and its workbook to the package; relate the chart to `document_part`."""
    package = document_part.package
    chart_bytes, workbook_bytes = _chart_parts(spec, theme, language_tag, created, cache)
    # each part is related as soon as it exists: `next_partname` only counts parts reachable by relationships
    chart_element = parse_docx_xml(chart_bytes)
    chart_part = XmlPart(package.next_partname(CHART_PARTNAME), CT.DML_CHART, chart_element, package)
    relationship_id = document_part.relate_to(chart_part, RT.CHART)
    workbook_part = Part(package.next_partname(WORKBOOK_PARTNAME), CT.SML_SHEET, workbook_bytes, package)
    chart_element.find(chart_tag("externalData")).set(f"{{{R}}}id", chart_part.relate_to(workbook_part, RT.PACKAGE))
    return EmbeddedChart(relationship_id, chart_part, workbook_part)


def chart_inline(relationship_id: str, drawing_id: int, width_mm: float, height_mm: float, alt: str,
                 title: str) -> etree._Element:
    """The `wp:inline` drawing that shows a chart part in the text, as Word writes it for a chart."""
    inline = etree.Element(f"{{{WP}}}inline", {"distT": "0", "distB": "0", "distL": "0", "distR": "0"},
                           nsmap={"wp": WP, "a": A, "c": C, "r": R})
    etree.SubElement(inline, f"{{{WP}}}extent", cx=str(round(width_mm * EMU_PER_MM)),
                     cy=str(round(height_mm * EMU_PER_MM)))
    etree.SubElement(inline, f"{{{WP}}}effectExtent", l="0", t="0", r="0", b="0")
    properties = etree.SubElement(inline, f"{{{WP}}}docPr", id=str(drawing_id), name=f"Chart {drawing_id}")
    properties.set("descr", alt)
    if title:
        properties.set("title", title)
    etree.SubElement(inline, f"{{{WP}}}cNvGraphicFramePr")
    graphic = etree.SubElement(inline, drawing_tag("graphic"))
    data = etree.SubElement(graphic, drawing_tag("graphicData"), uri=CHART_URI)
    etree.SubElement(data, chart_tag("chart"), {f"{{{R}}}id": relationship_id})
    return parse_docx_xml(etree.tostring(inline))


MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def alternate_content(chart_drawing: etree._Element, picture_drawing: etree._Element) -> etree._Element:
    """`mc:AlternateContent`: the chart for readers that know DrawingML charts (`Requires="c"`), else the picture.

    Markup Compatibility (ECMA-376 Part 3): a reader takes the first choice whose required namespaces it
    understands, else the fallback — Word and LibreOffice draw the chart, pandoc and mammoth show the picture,
    both with the same alternative text.
    """
    alternate = etree.Element(f"{{{MC}}}AlternateContent", nsmap={"mc": MC})
    choice = etree.SubElement(alternate, f"{{{MC}}}Choice", {"Requires": "w14"}, nsmap={"w14": W14})
    choice.append(chart_drawing)
    etree.SubElement(alternate, f"{{{MC}}}Fallback").append(picture_drawing)
    return parse_docx_xml(etree.tostring(alternate))


def chart_height_mm(spec: ChartSpec, width_mm: float, theme: Theme) -> float:
    """Height of a native bar chart: per category, the label's lines or the bar, whichever is taller.

    An estimate (Word and LibreOffice lay the chart out themselves): the category labels get about 45% of the
    width, at about 0.55 em per character.
    """
    size_mm = text_size(theme) * MM_PER_POINT
    per_line = max(1, int(width_mm * 0.45 / (size_mm * 0.55)))
    bands = 0.0
    for label in category_labels(spec):
        lines = sum(max(1, -(-len(line) // per_line)) for line in label.split("\n"))
        bands += max(lines * size_mm * 1.2 + 1.5, 8.0)
    return round(bands + 5.0, 1)
