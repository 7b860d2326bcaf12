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
import functools
import hashlib
import io
import json
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part, XmlPart
from docx.oxml.parser import parse_xml as parse_docx_xml
from lxml import etree

from reports.charts.spec import ChartSpec
from reports.output import read_cache_entry, write_cache_entry
from reports.theme.model import Theme
from reports.writers.docx.package import utc_naive

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
CHART_URI = C
"""`a:graphicData/@uri` of a chart: the chart namespace itself."""

CHART_PARTNAME = "/word/charts/chart%d.xml"
WORKBOOK_PARTNAME = "/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx"
"""Part names as Word itself names them, so a file Word re-saves keeps the same layout."""

CATEGORY_AXIS_ID = 510_000_001
VALUE_AXIS_ID = 510_000_002
"""Axis ids: any value in 1 … 2^31−1 works; fixed so the same input gives the same bytes."""

GAP_WIDTH = 100
"""Space between bars as a percentage of a bar's thickness: bars fill half their band, near the PDF's look."""

PARTS_VERSION = 1
"""Part of the cache key of chart parts kept in the cache folder: bump it whenever a change here changes them."""

EMU_PER_MM = 36000
MM_PER_POINT = 25.4 / 72


def text_size(theme: Theme) -> float:
    """Points for a chart's labels: 90% of the body size, as the PDF chart's (9 pt for 10 pt text; not
    python-pptx's 18 pt slide default), rounded to the half point Word stores."""
    return round(theme.font_size * 0.9 * 2) / 2


def title_size(theme: Theme) -> float:
    return round(theme.font_size * 2) / 2


NATIVE_KINDS = {"bar": "BAR_CLUSTERED"}
"""Spec kind → python-pptx's `XL_CHART_TYPE` member: horizontal bars, one per category, as the PDF draws them."""


def native_chart_type(spec: ChartSpec, theme: Theme) -> str | None:
    """The name of python-pptx's `XL_CHART_TYPE` for a spec Word can draw natively, or None (draw it as a
    picture). A name, not the member: deciding must not import python-pptx (≈0.1 s), which a chart read
    from the cache folder never needs.

    None for kinds Word has no chart for (a timeline) and for every chart when the theme says `picture`.
    """
    if theme.charts != "native" or not spec.series or not spec.categories:
        return None
    return NATIVE_KINDS.get(spec.kind)


def category_labels(spec: ChartSpec) -> tuple[str, ...]:
    """The category labels Word shows: the spec's label, then on a second line its annotation (the members).

    The category axis is where a Word reader looks for what a bar is, so the members' names go there: the
    PDF chart puts them just under each category's label too. They live in the workbook's category cells,
    so "Edit Data" edits them with the numbers (a custom data label would be static text that goes stale).
    The count is not repeated in the label: the data label at the bar's end shows it from the data.
    """
    labels = []
    for index, category in enumerate(spec.categories):
        annotation = spec.annotations[index].strip() if index < len(spec.annotations) else ""
        labels.append(f"{category}\n{annotation}" if annotation else category)
    return tuple(labels)


# --- the workbook ----------------------------------------------------------------------------------


def _chart_data(spec: ChartSpec, created: dt.datetime) -> object:
    """python-pptx chart data for the spec; its workbook writer stamps `created`, never the clock."""
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xlsx import CategoryWorkbookWriter

    moment = utc_naive(created)  # XlsxWriter wants a naive datetime, taken as UTC
    label_width = min(60, max([12] + [len(line) for label in category_labels(spec) for line in label.split("\n")]))

    class WorkbookWriter(CategoryWorkbookWriter):  # type: ignore[misc]
        """python-pptx's layout (categories in A, one column per series), with fixed dates and readable columns."""

        @contextmanager
        def _open_worksheet(self, xlsx_file: io.BytesIO) -> Iterator[tuple[object, object]]:
            # as python-pptx's own `_open_worksheet`, plus a fixed creation date: XlsxWriter writes the
            # clock's time into docProps/core.xml (created and modified) otherwise
            from xlsxwriter import Workbook

            workbook = Workbook(xlsx_file, {"in_memory": True})
            workbook.set_properties({"created": moment})
            worksheet = workbook.add_worksheet()
            yield workbook, worksheet
            workbook.close()

        def _populate_worksheet(self, workbook: object, worksheet: object) -> None:
            super()._populate_worksheet(workbook, worksheet)
            wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})  # type: ignore[attr-defined]
            for row, label in enumerate(category_labels(spec), start=1):  # the names' line break shows in the cell
                worksheet.write_string(row, 0, label, wrapped)  # type: ignore[attr-defined]
            worksheet.set_column(0, 0, label_width)  # type: ignore[attr-defined]
            series_width = max([12] + [len(series.name) + 2 for series in spec.series])
            worksheet.set_column(1, len(spec.series), series_width)  # type: ignore[attr-defined]

    class ChartData(CategoryChartData):  # type: ignore[misc]
        @property
        def _workbook_writer(self) -> WorkbookWriter:
            return WorkbookWriter(self)

    data = ChartData(number_format="General")
    data.categories = category_labels(spec)
    for series in spec.series:
        data.add_series(series.name, series.values)
    return data


def workbook_blob(spec: ChartSpec, created: dt.datetime) -> bytes:
    """The XLSX a chart embeds: categories in column A, one column of numbers per series, names in row 1."""
    return _chart_data(spec, created).xlsx_blob  # type: ignore[attr-defined,no-any-return]


# --- the chart part's XML ------------------------------------------------------------------------


def _c(tag: str) -> str:
    return f"{{{C}}}{tag}"


def _a(tag: str) -> str:
    return f"{{{A}}}{tag}"


def _no_fill_no_line() -> etree._Element:
    """`c:spPr` with no fill and no outline: a chart sits on the page like the PDF's, without a frame."""
    shape = etree.Element(_c("spPr"), nsmap={"c": C, "a": A})
    etree.SubElement(shape, _a("noFill"))
    etree.SubElement(etree.SubElement(shape, _a("ln")), _a("noFill"))
    return shape


def chart_xml(spec: ChartSpec, theme: Theme, language_tag: str, created: dt.datetime) -> bytes:
    """The chart part (`c:chartSpace`) for `spec`; `c:externalData` gets its workbook's r:id once that is related."""
    from pptx.chart.chart import Chart
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import (XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_TICK_LABEL_POSITION,
                                 XL_TICK_MARK)
    from pptx.oxml import parse_xml as parse_pptx_xml
    from pptx.util import Pt

    chart_type = native_chart_type(spec, theme)
    if chart_type is None:
        raise ValueError(f"chart '{spec.name}': Word has no native chart of kind '{spec.kind}'")
    data = _chart_data(spec, created)
    space = parse_pptx_xml(data.xml_bytes(getattr(XL_CHART_TYPE, chart_type)))  # type: ignore[attr-defined]
    chart = Chart(space, None)  # the proxy needs its part only to replace data; we never do

    def rgb(colour: str) -> RGBColor:
        return RGBColor.from_string(colour.lstrip("#").upper())

    font_name = theme.heading_font.name  # the PDF chart's font (reports.charts.render), so both read alike
    size = Pt(text_size(theme))
    chart.font.size = size
    chart.font.name = font_name
    chart.font.color.rgb = rgb(theme.colours.text)
    chart.has_legend = len(spec.series) > 1

    if spec.title:
        chart.has_title = True
        frame = chart.chart_title.text_frame
        frame.text = spec.title
        for paragraph in frame.paragraphs:
            for target in [paragraph.font, *(run.font for run in paragraph.runs)]:
                target.size, target.bold, target.name = Pt(title_size(theme)), True, font_name
                target.color.rgb = rgb(theme.colours.text)
    else:
        chart.has_title = False

    plot = chart.plots[0]
    plot.gap_width = GAP_WIDTH
    plot.vary_by_categories = len(spec.series) == 1  # one colour per category, as the PDF's bars
    palette = theme.colours.chart
    for series_index, series in enumerate(plot.series):
        series.invert_if_negative = False
        for point_index in range(len(spec.categories)):
            fill = series.points[point_index].format.fill
            fill.solid()
            colour_index = point_index if plot.vary_by_categories else series_index
            fill.fore_color.rgb = rgb(palette[colour_index % len(palette)])
        labels = series.data_labels  # per series: LibreOffice and Word both read these
        labels.show_value = True
        labels.show_category_name = False
        labels.show_series_name = False
        labels.number_format = "General"
        labels.number_format_is_linked = True
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.font.size = size
        labels.font.bold = True
        labels.font.name = font_name
        labels.font.color.rgb = rgb(theme.colours.text)

    categories = chart.category_axis
    categories.reverse_order = True  # first category on top, as in the content and the PDF
    # Reversed categories move the value axis to the top unless it crosses at the last category:
    # `c:valAx/c:crosses val="max"`. python-pptx's `crosses` property exists on the value axis only and sets
    # where the *category* axis crosses it, so this uses its oxml element methods instead.
    for value_axis in space.valAx_lst:
        value_axis._remove_crosses()
        value_axis._add_crosses(val=XL_AXIS_CROSSES.MAXIMUM)
    categories.major_tick_mark = XL_TICK_MARK.NONE
    categories.minor_tick_mark = XL_TICK_MARK.NONE
    categories.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    categories.has_major_gridlines = False
    categories.format.line.color.rgb = rgb(theme.colours.rule)
    categories.format.line.width = Pt(0.75)
    categories.tick_labels.font.size = size
    categories.tick_labels.font.name = font_name
    categories.tick_labels.font.color.rgb = rgb(theme.colours.text)

    values = chart.value_axis
    values.visible = False  # the data labels carry the numbers, as in the PDF: no scale, no grid
    values.has_major_gridlines = False
    values.has_minor_gridlines = False
    values.minimum_scale = 0

    _renumber_axes(space)
    for axis in space.catAx_lst:  # every category labelled: Word otherwise skips labels it finds crowded
        skip = etree.Element(_c("tickLblSkip"), val="1")
        axis.find(_c("lblOffset")).addnext(skip)  # CT_CatAx: … lblAlgn, lblOffset, tickLblSkip, tickMarkSkip …
    display_blanks = space.find(f"{_c('chart')}/{_c('dispBlanksAs')}")
    display_blanks.addprevious(etree.Element(_c("plotVisOnly"), val="1"))  # as Word writes: hidden rows not drawn
    _set_language_and_corners(space, language_tag)
    plot_area = space.find(f"{_c('chart')}/{_c('plotArea')}")
    plot_area.append(_no_fill_no_line())  # CT_PlotArea: spPr follows the axes
    chart_element = space.find(_c("chart"))
    chart_element.addnext(_no_fill_no_line())  # CT_ChartSpace: spPr follows c:chart
    external = etree.Element(_c("externalData"), {f"{{{R}}}id": ""}, nsmap={"c": C, "r": R})
    etree.SubElement(external, _c("autoUpdate"), val="0")
    text_properties = space.find(_c("txPr"))
    (text_properties if text_properties is not None else chart_element.getnext()).addnext(external)
    for end in space.iter(_a("endParaRPr")):
        end.set("lang", language_tag)
    return etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)


def _renumber_axes(root: etree._Element) -> None:
    """python-pptx's axis ids are negative (`-2068027336`): give each axis a positive id below 2^31."""
    plot_area = root.find(f"{_c('chart')}/{_c('plotArea')}")
    mapping: dict[str, str] = {}
    for axis in plot_area:
        if axis.tag in (_c("catAx"), _c("dateAx"), _c("serAx")):
            mapping[axis.find(_c("axId")).get("val")] = str(CATEGORY_AXIS_ID)
        elif axis.tag == _c("valAx"):
            mapping[axis.find(_c("axId")).get("val")] = str(VALUE_AXIS_ID)
    for node in root.iter(_c("axId"), _c("crossAx")):
        value = node.get("val")
        node.set("val", mapping.get(value, value))


def _set_language_and_corners(root: etree._Element, language_tag: str) -> None:
    """`c:lang` (the document's language) and `c:roundedCorners val=0` in schema order after `c:date1904`."""
    anchor = root.find(_c("date1904"))
    language = etree.Element(_c("lang"), val=language_tag)
    corners = etree.Element(_c("roundedCorners"), val="0")  # the schema's default is true: rounded frame
    if anchor is None:
        root.insert(0, language)
    else:
        anchor.addnext(language)
    language.addnext(corners)


# --- the package and the inline drawing ----------------------------------------------------------


@dataclass(frozen=True)
class EmbeddedChart:
    relationship_id: str
    """Relationship id of the chart part from the document part (`c:chart r:id`)."""
    chart_part: Part
    workbook_part: Part


_PARTS_LIMIT = 32
_parts: OrderedDict[tuple[str, str, str, str], tuple[bytes, bytes]] = OrderedDict()
_parts_lock = threading.Lock()


def _chart_parts(spec: ChartSpec, theme: Theme, language_tag: str, created: dt.datetime,
                 cache_dir: Path | None = None) -> tuple[bytes, bytes]:
    """The chart XML and its workbook, made once for the same chart, theme, language and date: kept in
    memory per process, and in the cache folder (`cache_dir`) beside the drawn charts.

    A roster's handouts all carry the same chart: python-pptx and XlsxWriter took ≈4 ms of each handout
    to make the same bytes again, and a new process paid ≈0.1 s to import them. Bytes are kept, never
    elements: every document parses its own copy.
    """
    key = (spec.digest(), theme.digest(), language_tag, created.isoformat())
    with _parts_lock:
        hit = _parts.get(key)
        if hit is not None:
            _parts.move_to_end(key)
            return hit
    files = _cache_files(key, cache_dir) if cache_dir is not None else None
    made = _read_parts(files) if files is not None else None
    if made is None:
        made = (chart_xml(spec, theme, language_tag, created), workbook_blob(spec, created))
        if files is not None:
            for path, data in zip(files, made):
                write_cache_entry(path, data)
    with _parts_lock:
        _parts[key] = made
        while len(_parts) > _PARTS_LIMIT:
            _parts.popitem(last=False)
    return made


@functools.lru_cache(maxsize=1)
def _made_by() -> tuple[object, ...]:
    """What writes the parts, read from the packages' metadata once per process (without importing them)."""
    from importlib.metadata import version

    return PARTS_VERSION, version("python-pptx"), version("XlsxWriter")


def _cache_files(key: tuple[str, ...], cache_dir: Path) -> tuple[Path, Path]:
    """The chart part's and the workbook's files in the cache folder: named by a hash of what makes them,
    the versions of python-pptx and XlsxWriter (they write them) and `PARTS_VERSION`."""
    digest = hashlib.sha256(json.dumps([*key, *_made_by()]).encode()).hexdigest()
    return cache_dir / f"{digest}.chart.xml", cache_dir / f"{digest}.chart.xlsx"


def _read_parts(files: tuple[Path, Path]) -> tuple[bytes, bytes] | None:
    """Both parts from the cache folder, or None when either is missing or not what it should be."""
    chart, workbook = read_cache_entry(files[0], b"<?xml"), read_cache_entry(files[1], b"PK\x03\x04")
    return (chart, workbook) if chart is not None and workbook is not None else None


def embed_chart(document_part: Part, spec: ChartSpec, theme: Theme, language_tag: str,
                created: dt.datetime, cache_dir: Path | None = None) -> EmbeddedChart:
    """Add the chart part and its workbook to the package; relate the chart to `document_part`."""
    package = document_part.package
    chart_bytes, workbook_bytes = _chart_parts(spec, theme, language_tag, created, cache_dir)
    # each part is related as soon as it exists: `next_partname` only counts parts reachable by relationships
    chart_element = parse_docx_xml(chart_bytes)
    chart_part = XmlPart(package.next_partname(CHART_PARTNAME), CT.DML_CHART, chart_element, package)
    relationship_id = document_part.relate_to(chart_part, RT.CHART)
    workbook_part = Part(package.next_partname(WORKBOOK_PARTNAME), CT.SML_SHEET, workbook_bytes, package)
    chart_element.find(_c("externalData")).set(f"{{{R}}}id", chart_part.relate_to(workbook_part, RT.PACKAGE))
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
    graphic = etree.SubElement(inline, _a("graphic"))
    data = etree.SubElement(graphic, _a("graphicData"), uri=CHART_URI)
    etree.SubElement(data, _c("chart"), {f"{{{R}}}id": relationship_id})
    return parse_docx_xml(etree.tostring(inline))


def chart_height_mm(spec: ChartSpec, width_mm: float, theme: Theme) -> float:
    """Height of a native bar chart: its title and, per category, the label's lines or the bar, whichever is taller.

    An estimate (Word and LibreOffice lay the chart out themselves): the category labels get about 45% of the
    width, at about 0.55 em per character.
    """
    size_mm = text_size(theme) * MM_PER_POINT
    per_line = max(1, int(width_mm * 0.45 / (size_mm * 0.55)))
    bands = 0.0
    for label in category_labels(spec):
        lines = sum(max(1, -(-len(line) // per_line)) for line in label.split("\n"))
        bands += max(lines * size_mm * 1.25 + 2.5, 9.0)
    title = title_size(theme) * MM_PER_POINT * 1.6 + 3.0 if spec.title else 0.0
    return round(title + bands + 6.0, 1)
