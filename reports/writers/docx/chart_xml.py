"""The chart part's XML and its embedded workbook, made from a `ChartSpec` with python-pptx (see
`reports.writers.docx.charts` for how they are embedded and kept).

- **Chart XML**: python-pptx's chart data and XML writer (`pptx.chart.data.CategoryChartData`, whose
  `xml_bytes` runs `pptx.chart.xmlwriter.ChartXmlWriter`), then its chart proxy objects
  (`pptx.chart.chart.Chart`: title, fonts, data labels, axes, per-point fills) to style it. python-pptx is
  pinned in pyproject.toml because `Chart(chart_space, None)` and the workbook writer subclass below use
  its internals.
- **Workbook**: python-pptx's `pptx.chart.xlsx.CategoryWorkbookWriter` (XlsxWriter underneath), which is
  also the authority for the cell ranges the chart XML refers to (`Sheet1!$A$2:$A$4`, …). Subclassed only
  to fix the workbook's dates (determinism) and make the columns readable in "Edit Data".
- **By hand**, because python-pptx does not write them: `c:lang`, `c:roundedCorners`, `c:plotVisOnly`,
  `c:tickLblSkip`, the value axis's `c:crosses`, the chart area's and plot area's `c:spPr` (no border, no
  fill) and the replacement of python-pptx's axis ids.

Fixes found in a feasibility trial (LibreOffice and the ECMA-376 transitional schema): python-pptx writes
negative axis ids (the schema's `xsd:unsignedInt` rejects them; ids ≥ 2^31 make LibreOffice mislink the
axes), omits `c:roundedCorners` (default true), sizes text for slides (18 pt) and lists bar categories
bottom-up.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager

from lxml import etree

from reports.charts.spec import ChartSpec
from reports.theme.model import Theme
from reports.writers.docx.package import utc_naive

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CATEGORY_AXIS_ID = 510_000_001
VALUE_AXIS_ID = 510_000_002
"""Axis ids: any value in 1 … 2^31−1 works; fixed so the same input gives the same bytes."""

GAP_WIDTH = 100
"""Space between bars as a percentage of a bar's thickness: bars fill half their band, near the PDF's look."""


def text_size(theme: Theme) -> float:
    """Points for a chart's labels: 90% of the body size, as the PDF chart's (9 pt for 10 pt text; not
    python-pptx's 18 pt slide default), rounded to the half point Word stores."""
    return round(theme.font_size * 0.9 * 2) / 2


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


def chart_tag(tag: str) -> str:
    return f"{{{C}}}{tag}"


def drawing_tag(tag: str) -> str:
    return f"{{{A}}}{tag}"


def _no_fill_no_line() -> etree._Element:
    """`c:spPr` with no fill and no outline: a chart sits on the page like the PDF's, without a frame."""
    shape = etree.Element(chart_tag("spPr"), nsmap={"c": C, "a": A})
    etree.SubElement(shape, drawing_tag("noFill"))
    etree.SubElement(etree.SubElement(shape, drawing_tag("ln")), drawing_tag("noFill"))
    return shape


def chart_xml(spec: ChartSpec, theme: Theme, language_tag: str, created: dt.datetime) -> bytes:
    """The chart part (`c:chartSpace`) for `spec`; `c:externalData` gets its workbook's r:id once that is related."""
    from pptx.chart.chart import Chart
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_TICK_LABEL_POSITION, XL_TICK_MARK
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

    # no title drawn: the caption under the chart names it, as in the PDF (the title stays the drawing's
    # title, for readers of the alternative text)
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
        skip = etree.Element(chart_tag("tickLblSkip"), val="1")
        axis.find(chart_tag("lblOffset")).addnext(skip)  # CT_CatAx: … lblAlgn, lblOffset, tickLblSkip, tickMarkSkip …
    display_blanks = space.find(f"{chart_tag('chart')}/{chart_tag('dispBlanksAs')}")
    display_blanks.addprevious(etree.Element(chart_tag("plotVisOnly"), val="1"))  # as Word writes: hidden rows not drawn
    _set_language_and_corners(space, language_tag)
    plot_area = space.find(f"{chart_tag('chart')}/{chart_tag('plotArea')}")
    plot_area.append(_no_fill_no_line())  # CT_PlotArea: spPr follows the axes
    chart_element = space.find(chart_tag("chart"))
    chart_element.addnext(_no_fill_no_line())  # CT_ChartSpace: spPr follows c:chart
    external = etree.Element(chart_tag("externalData"), {f"{{{R}}}id": ""}, nsmap={"c": C, "r": R})
    etree.SubElement(external, chart_tag("autoUpdate"), val="0")
    text_properties = space.find(chart_tag("txPr"))
    (text_properties if text_properties is not None else chart_element.getnext()).addnext(external)
    for end in space.iter(drawing_tag("endParaRPr")):
        end.set("lang", language_tag)
    return etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)


def _renumber_axes(root: etree._Element) -> None:
    """python-pptx's axis ids are negative (`-2068027336`): give each axis a positive id below 2^31."""
    plot_area = root.find(f"{chart_tag('chart')}/{chart_tag('plotArea')}")
    mapping: dict[str, str] = {}
    for axis in plot_area:
        if axis.tag in (chart_tag("catAx"), chart_tag("dateAx"), chart_tag("serAx")):
            mapping[axis.find(chart_tag("axId")).get("val")] = str(CATEGORY_AXIS_ID)
        elif axis.tag == chart_tag("valAx"):
            mapping[axis.find(chart_tag("axId")).get("val")] = str(VALUE_AXIS_ID)
    for node in root.iter(chart_tag("axId"), chart_tag("crossAx")):
        value = node.get("val")
        node.set("val", mapping.get(value, value))


def _set_language_and_corners(root: etree._Element, language_tag: str) -> None:
    """`c:lang` (the document's language) and `c:roundedCorners val=0` in schema order after `c:date1904`."""
    anchor = root.find(chart_tag("date1904"))
    language = etree.Element(chart_tag("lang"), val=language_tag)
    corners = etree.Element(chart_tag("roundedCorners"), val="0")  # the schema's default is true: rounded frame
    if anchor is None:
        root.insert(0, language)
    else:
        anchor.addnext(language)
    language.addnext(corners)


NATIVE_KINDS = {"bar": "BAR_CLUSTERED"}

LONGEST_NATIVE_LABEL = 160
"""Characters of a category label (its name and members) a native chart still shows well: about four lines of
the label column Word and LibreOffice give a full-width bar chart. Longer labels (the African Union's 55 members)
are wrapped into a crowded column, and LibreOffice then leaves some category names out; the picture, which sets
the names under each bar across the whole width, keeps them all."""
"""Spec kind → python-pptx's `XL_CHART_TYPE` member: horizontal bars, one per category, as the PDF draws them."""


def native_chart_type(spec: ChartSpec, theme: Theme) -> str | None:
    """The name of python-pptx's `XL_CHART_TYPE` for a spec Word can draw natively, or None (draw it as a
    picture). A name, not the member: deciding must not import python-pptx (≈0.1 s), which a chart read
    from the cache folder never needs.

    None for kinds Word has no chart for (a timeline), for a chart whose category labels are too long for a
    native chart's label column (`LONGEST_NATIVE_LABEL`), and for every chart when the theme says `picture`.
    """
    if theme.charts != "native" or not spec.series or not spec.categories:
        return None
    if max(len(label) for label in category_labels(spec)) > LONGEST_NATIVE_LABEL:
        return None
    return NATIVE_KINDS.get(spec.kind)
