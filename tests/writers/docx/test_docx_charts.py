"""Native Word charts in the DOCX: chart part + embedded workbook, from the same spec as the PDF chart.

The default briefing is built once (`reports.pipeline.build`) and read back the way Word, LibreOffice and
python-docx would: the chart part and its relationships, the workbook's cells (openpyxl), the chart XML's
categories and values against the `ChartSpec`, LibreOffice's PDF of the DOCX, a python-docx round trip,
and the structural rules of the ECMA-376 chart schema that matter here.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import PROJECT_ROOT, build_files, libreoffice_pdfs, need_tool
from lxml import etree

from reports.cache import Cache
from reports.charts.spec import ChartSpec
from reports.content.validate import check_content
from reports.document import nodes
from reports.document.traversal import walk
from reports.language.countries import member_name
from reports.pipeline import build_tree, content_timestamp
from reports.theme.model import load_theme
from reports.writers.docx.chart_xml import category_labels, native_chart_type, text_size

PROJECT = PROJECT_ROOT
CONTENT = PROJECT / "data" / "sco-russia.yaml"
TEMPLATES = PROJECT / "templates"

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS = {
    "c": C,
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
CHART_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
PACKAGE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- reading a DOCX package ----------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    data: bytes

    def names(self) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            return archive.namelist()

    def read(self, name: str) -> bytes:
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            return archive.read(name)

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.read(name))

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """rId → (type, target part name) of `part`'s relationships."""
        folder, file_name = posixpath.split(part)
        rels = f"{folder}/_rels/{file_name}.rels"
        if rels not in self.names():
            return {}
        found = {}
        for relationship in self.xml(rels).iterfind("rel:Relationship", NS):
            target = posixpath.normpath(posixpath.join(folder, relationship.get("Target")))
            found[relationship.get("Id")] = (relationship.get("Type"), target)
        return found

    def content_type(self, part: str) -> str:
        types = self.xml("[Content_Types].xml")
        ns = {"t": "http://schemas.openxmlformats.org/package/2006/content-types"}
        for override in types.iterfind("t:Override", ns):
            if override.get("PartName") == "/" + part:
                return override.get("ContentType")
        extension = part.rsplit(".", 1)[-1]
        for default in types.iterfind("t:Default", ns):
            if default.get("Extension") == extension:
                return default.get("ContentType")
        return ""

    def chart_parts(self) -> list[str]:
        relationships = self.relationships("word/document.xml").values()
        return [target for kind, target in relationships if kind == CHART_RELATIONSHIP]

    def workbook_of(self, chart_part: str) -> str:
        external = self.xml(chart_part).find("c:externalData", NS)
        assert external is not None, "c:externalData links the chart to its workbook"
        kind, target = self.relationships(chart_part)[external.get(f"{{{NS['r']}}}id")]
        assert kind == PACKAGE_RELATIONSHIP
        return target


def chart_categories(chart: etree._Element) -> list[str]:
    return [point.text for point in chart.iterfind(".//c:ser/c:cat//c:strCache/c:pt/c:v", NS)]


def chart_values(chart: etree._Element) -> list[float]:
    return [float(point.text) for point in chart.iterfind(".//c:ser/c:val//c:numCache/c:pt/c:v", NS)]


# --- fixtures: the default briefing, built once --------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Package:
    out = tmp_path_factory.mktemp("native-charts")
    written, _ = build_files(CONTENT, out_dir=out, formats=("docx",))
    return Package(written[0].read_bytes())


@pytest.fixture(scope="module")
def specs() -> dict[str, ChartSpec]:
    """The chart specs the default briefing's figures carry, by name."""
    document = build_tree(check_content(CONTENT)).document
    return {node.chart.name: node.chart for node in walk(document)
            if isinstance(node, nodes.Figure) and node.chart is not None}


@pytest.fixture(scope="module")
def membership_chart(built: Package, specs: dict[str, ChartSpec]) -> str:
    """The chart part drawn for the membership spec (the only native one in the briefing)."""
    parts = built.chart_parts()
    assert len(parts) == 1, parts
    return parts[0]


# --- the chart part and its workbook -------------------------------------------------------------


def test_the_briefing_holds_a_native_chart_with_an_embedded_workbook(built, membership_chart):
    assert built.content_type(membership_chart) == CHART_CONTENT_TYPE
    workbook = built.workbook_of(membership_chart)
    assert workbook.startswith("word/embeddings/") and workbook.endswith(".xlsx")
    assert built.content_type(workbook) == XLSX_CONTENT_TYPE


def test_workbook_cells_hold_the_charts_numbers_and_categories(built, membership_chart, specs):
    spec = specs["membership"]
    chart = built.xml(membership_chart)
    sheet = openpyxl.load_workbook(io.BytesIO(built.read(built.workbook_of(membership_chart)))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == spec.series[0].name
    assert [row[0] for row in rows[1:]] == list(category_labels(spec))
    assert [row[1] for row in rows[1:]] == list(spec.series[0].values)
    # the chart's formulas point at exactly those cells
    categories_ref = chart.findtext(".//c:ser/c:cat/c:strRef/c:f", namespaces=NS)
    values_ref = chart.findtext(".//c:ser/c:val/c:numRef/c:f", namespaces=NS)
    count = len(spec.categories)
    assert (categories_ref, values_ref) == (f"Sheet1!$A$2:$A${count + 1}", f"Sheet1!$B$2:$B${count + 1}")
    assert chart.findtext(".//c:ser/c:tx/c:strRef/c:f", namespaces=NS) == "Sheet1!$B$1"


def test_chart_categories_and_values_equal_the_spec_in_order(built, membership_chart, specs):
    spec = specs["membership"]
    chart = built.xml(membership_chart)
    labels = chart_categories(chart)
    assert [label.split("\n")[0] for label in labels] == list(spec.categories)
    assert chart_values(chart) == list(spec.series[0].values)
    assert chart.findtext(".//c:ser/c:tx//c:v", namespaces=NS) == spec.series[0].name
    # no title drawn in the chart: the caption under it names it, as in the PDF
    assert not chart.xpath("c:chart/c:title", namespaces=NS)
    assert chart.xpath("c:chart/c:autoTitleDeleted/@val", namespaces=NS) == ["1"]


def test_membership_chart_names_the_countries_in_each_category(built, membership_chart, specs):
    specs["membership"]
    labels = chart_categories(built.xml(membership_chart))
    content = check_content(CONTENT).content
    language = content.document.language
    for label, category in zip(labels, content.organisation.membership):
        first, _, names = label.partition("\n")
        assert first == category.label
        assert names.split(", ") == [member_name(member, language) for member in category.members]


def test_bars_run_top_to_bottom_in_content_order(built, membership_chart):
    chart = built.xml(membership_chart)
    assert chart.find(".//c:barChart/c:barDir", NS).get("val") == "bar"
    assert chart.find(".//c:catAx/c:scaling/c:orientation", NS).get("val") == "maxMin"
    assert chart.find(".//c:valAx/c:crosses", NS).get("val") == "max"  # value axis stays at the bottom


def test_data_labels_colours_and_text_come_from_the_theme(built, membership_chart):
    theme = load_theme(TEMPLATES / "briefing")
    chart = built.xml(membership_chart)
    labels = chart.find(".//c:ser/c:dLbls", NS)
    assert labels.find("c:showVal", NS).get("val") == "1"
    assert labels.find("c:dLblPos", NS).get("val") == "outEnd"
    fills = chart.xpath(".//c:ser/c:dPt/c:spPr/a:solidFill/a:srgbClr/@val", namespaces=NS)
    count = len(chart_categories(chart))
    assert fills == [colour.lstrip("#") for colour in (theme.colours.chart * count)[:count]]
    sizes = {int(size) for size in chart.xpath("//a:defRPr/@sz | //a:rPr/@sz", namespaces=NS)}
    assert round(text_size(theme) * 100) in sizes
    assert max(sizes) <= 1200, "chart text is document-sized, not python-pptx's 18 pt"
    assert set(chart.xpath("//a:latin/@typeface", namespaces=NS)) == {theme.heading_font.name}


def test_chart_part_follows_the_schema_rules_that_matter(built, membership_chart):
    """What the transitional chart schema (dml-chart.xsd) enforces and python-pptx alone gets wrong."""
    chart = built.xml(membership_chart)
    axis_ids = [int(value) for value in chart.xpath("//c:axId/@val", namespaces=NS)]
    assert axis_ids and all(1 <= value < 2**31 for value in axis_ids)  # xsd:unsignedInt; LibreOffice wants < 2^31
    axes = {int(axis.find("c:axId", NS).get("val")): axis
            for axis in chart.xpath("//c:plotArea/*[c:crossAx]", namespaces=NS)}
    assert len(axes) == 2
    for axis_id, axis in axes.items():
        crossed = int(axis.find("c:crossAx", NS).get("val"))
        assert crossed in axes and crossed != axis_id
    assert sorted(int(v) for v in chart.xpath("//c:barChart/c:axId/@val", namespaces=NS)) == sorted(axes)
    assert chart.find("c:roundedCorners", NS).get("val") == "0"
    assert chart.find("c:externalData", NS) is not None
    order = ["date1904", "lang", "roundedCorners", "AlternateContent", "clrMapOvr", "pivotSource", "protection",
             "chart", "spPr", "txPr", "externalData", "printSettings", "userShapes", "extLst"]
    children = [etree.QName(child).localname for child in chart]
    assert children == sorted(children, key=order.index), "c:chartSpace children in schema order"


@pytest.mark.slow
def test_chart_part_validates_against_the_office_schemas(built, tmp_path):
    """Full schema validation with openxml-audit (the Open XML SDK's transitional schemas, in Python) when installed."""
    audit = pytest.importorskip("openxml_audit", reason="openxml-audit not installed: structural rules tested above")
    path = tmp_path / "briefing.docx"
    path.write_bytes(built.data)
    result = audit.OpenXmlValidator().validate(path)
    problems = [f"{error.part_uri}: {error.description}" for error in result.errors]
    assert not [problem for problem in problems if "/charts/" in problem], problems


# --- the drawing in the text ---------------------------------------------------------------------


def test_inline_drawing_points_at_the_chart_with_alt_text(built, membership_chart, specs):
    spec = specs["membership"]
    body = built.xml("word/document.xml")
    charts = body.xpath("//wp:inline[a:graphic/a:graphicData/c:chart]", namespaces=NS)
    assert len(charts) == 1
    inline = charts[0]
    assert inline.find("a:graphic/a:graphicData", NS).get("uri") == C
    relationship = inline.find(".//c:chart", NS).get(f"{{{NS['r']}}}id")
    assert built.relationships("word/document.xml")[relationship] == (CHART_RELATIONSHIP, membership_chart)
    properties = inline.find("wp:docPr", NS)
    assert properties.get("descr") == spec.alt
    assert properties.get("title") == spec.title
    assert int(inline.find("wp:extent", NS).get("cx")) > 0 and int(inline.find("wp:extent", NS).get("cy")) > 0


def test_drawing_ids_are_unique_across_the_package(built):
    ids = []
    for name in built.names():
        if name.startswith("word/") and name.endswith(".xml"):
            ids += built.xml(name).xpath("//wp:docPr/@id", namespaces=NS)
    assert ids and len(ids) == len(set(ids))


def test_timeline_stays_a_picture(built, specs):
    assert "timeline" in specs
    body = built.xml("word/document.xml")
    # pictures in the text itself, not the fallback of a chart (`test_native_chart_has_a_fallback_picture`)
    pictures = body.xpath("//wp:inline[a:graphic/a:graphicData/pic:pic][not(ancestor::mc:Fallback)]/wp:docPr",
                          namespaces={**NS, "mc": MC})
    assert [picture.get("title") for picture in pictures] == [specs["timeline"].title]


def test_a_chart_whose_category_labels_are_too_long_is_a_picture(specs):
    """55 member names in one category label (the African Union) crowd a native chart's label column until
    LibreOffice drops category names; the picture sets them under the bars at full width."""
    from dataclasses import replace

    from reports.paths import TEMPLATES_DIR
    from reports.writers.docx.chart_xml import LONGEST_NATIVE_LABEL

    theme = load_theme(TEMPLATES_DIR / "briefing")
    membership = specs["membership"]
    assert native_chart_type(membership, theme) == "BAR_CLUSTERED"
    names = ", ".join(f"Country {number}" for number in range(1, 56))
    crowded = replace(membership, annotations=(names,) + tuple(membership.annotations[1:]))
    assert max(len(label) for label in category_labels(crowded)) > LONGEST_NATIVE_LABEL
    assert native_chart_type(crowded, theme) is None


def test_native_chart_has_a_fallback_picture_with_the_same_alt_text(built, specs):
    """As Office writes a chart older readers lack: `mc:AlternateContent`, the chart for readers that know Word
    2010 (Word, LibreOffice), else a picture of the same chart with the same alternative text and title."""
    spec = specs["membership"]
    body = built.xml("word/document.xml")
    (alternate,) = body.xpath("//mc:AlternateContent", namespaces={**NS, "mc": MC})
    (choice,) = alternate.xpath("mc:Choice", namespaces={"mc": MC})
    assert choice.get("Requires") == "w14" and choice.xpath(".//c:chart", namespaces=NS)
    (fallback,) = alternate.xpath("mc:Fallback//wp:inline", namespaces={**NS, "mc": MC})
    assert fallback.xpath("a:graphic/a:graphicData/pic:pic", namespaces=NS)
    (chart_properties,) = choice.xpath(".//wp:docPr", namespaces=NS)
    (picture_properties,) = fallback.xpath("wp:docPr", namespaces=NS)
    assert picture_properties.get("descr") == chart_properties.get("descr") == spec.alt
    assert picture_properties.get("title") == chart_properties.get("title") == spec.title
    assert picture_properties.get("id") != chart_properties.get("id")
    embed = fallback.xpath(".//a:blip/@r:embed", namespaces=NS)[0]
    assert built.read(built.relationships("word/document.xml")[embed][1]).startswith(b"\x89PNG")


# --- readers: python-docx, LibreOffice -----------------------------------------------------------


def test_python_docx_reopens_and_resaves_without_losing_the_chart(built, membership_chart):
    buffer = io.BytesIO()
    docx.Document(io.BytesIO(built.data)).save(buffer)
    again = Package(buffer.getvalue())
    assert again.chart_parts() == [membership_chart]
    assert again.read(membership_chart) == built.read(membership_chart)
    workbook = again.workbook_of(membership_chart)
    assert again.read(workbook) == built.read(built.workbook_of(membership_chart))
    assert again.content_type(membership_chart) == CHART_CONTENT_TYPE
    relationship = again.xml("word/document.xml").find(".//c:chart", NS).get(f"{{{NS['r']}}}id")
    assert again.relationships("word/document.xml")[relationship][1] == membership_chart


@pytest.mark.slow
def test_libreoffice_draws_the_chart_with_its_category_labels(built, specs, tmp_path):
    pdftotext = need_tool("pdftotext")
    source = tmp_path / "briefing.docx"
    source.write_bytes(built.data)
    pdf, = libreoffice_pdfs([source], tmp_path, timeout=180)
    assert pdf.is_file(), "LibreOffice did not convert the DOCX"
    text = " ".join(subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    spec = specs["membership"]
    for category in spec.categories:
        assert category in text, category
    for names in spec.annotations:
        for name in names.split(", "):
            assert name in text, name


# --- choices: picture theme, determinism ---------------------------------------------------------


def test_a_picture_theme_gives_pngs_and_no_chart_part(tmp_path):
    templates = tmp_path / "templates"
    folder = templates / "briefing-pictures"
    folder.mkdir(parents=True)
    (folder / "theme.yaml").write_text("name: briefing-pictures\nextends: briefing\ncharts: picture\n",
                                       encoding="utf-8")
    shutil.copy(TEMPLATES / "briefing" / "template.md.j2", folder / "template.md.j2")
    written, _ = build_files(CONTENT, "briefing-pictures", formats=("docx",), out_dir=tmp_path / "out",
                       search_path=(templates, TEMPLATES))
    package = Package(written[0].read_bytes())
    assert package.chart_parts() == []
    assert not [name for name in package.names() if name.startswith(("word/charts/", "word/embeddings/"))]
    body = package.xml("word/document.xml")
    assert len(body.xpath("//pic:pic", namespaces=NS)) == 2  # membership and timeline
    assert all(name.endswith(".png") for name in package.names() if name.startswith("word/media/"))


def test_same_input_gives_the_same_bytes(built, tmp_path, membership_chart):
    written, _ = build_files(CONTENT, out_dir=tmp_path, formats=("docx",))
    assert written[0].read_bytes() == built.data
    workbook = zipfile.ZipFile(io.BytesIO(built.read(built.workbook_of(membership_chart))))
    core = workbook.read("docProps/core.xml").decode()
    moment = content_timestamp(check_content(CONTENT).content).astimezone(dt.UTC)
    assert core.count(moment.strftime(">%Y-%m-%dT%H:%M:%SZ<")) == 2, "created, modified: the build's time, not now"


def test_chart_parts_are_made_once_per_cache_and_parsed_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """A roster's handouts share the chart's bytes, never its XML elements; another date makes new parts."""
    from reports.writers.docx import charts as docx_charts

    made: list[str] = []
    original = docx_charts.chart_xml

    def counting(spec, theme, language_tag, created):  # type: ignore[no-untyped-def]
        made.append(spec.name)
        return original(spec, theme, language_tag, created)

    monkeypatch.setattr(docx_charts, "chart_xml", counting)
    cache = Cache()
    checked = check_content(PROJECT_ROOT / "data" / "sco-russia.yaml")
    built_document = build_tree(checked)
    spec = next(node.chart for node in walk(built_document.document) if getattr(node, "chart", None) is not None
                and native_chart_type(node.chart, built_document.theme) is not None)
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    parts = []
    for _ in range(2):
        document = docx.Document()
        parts.append(docx_charts.embed_chart(document.part, spec, built_document.theme, "id-ID", created, cache))
    assert made == [spec.name]
    assert parts[0].chart_part.element is not parts[1].chart_part.element
    assert etree.tostring(parts[0].chart_part.element) == etree.tostring(parts[1].chart_part.element)
    assert parts[0].workbook_part.blob == parts[1].workbook_part.blob
    docx_charts.embed_chart(docx.Document().part, spec, built_document.theme, "id-ID", created + dt.timedelta(days=1),
                            cache)
    assert made == [spec.name, spec.name]


def test_chart_parts_kept_in_the_cache_folder_are_used_and_damaged_ones_made_again(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A new process reads the parts from the cache folder (no python-pptx); a damaged file is never used."""
    from reports.writers.docx import charts as docx_charts

    made: list[str] = []
    original = docx_charts.chart_xml
    monkeypatch.setattr(docx_charts, "chart_xml", lambda *a: made.append("made") or original(*a))
    built_document = build_tree(check_content(CONTENT))
    spec = next(node.chart for node in walk(built_document.document) if getattr(node, "chart", None) is not None
                and native_chart_type(node.chart, built_document.theme) is not None)
    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cache = tmp_path / "cache"

    def parts() -> tuple[bytes, bytes]:
        # a new cache each time, as in a new process: only its folder is left
        return docx_charts._chart_parts(spec, built_document.theme, "id-ID", created, Cache(cache))

    first = parts()
    files = sorted(cache.iterdir())
    assert [path.name.split(".", 1)[1] for path in files] == ["chart.xlsx", "chart.xml"]
    assert parts() == first and made == ["made"]
    files[1].write_bytes(b"not a chart part")
    assert parts() == first and made == ["made", "made"]
    assert files[1].read_bytes() == first[0]
