"""Tagged PDF: the structure tree, its order, its link to the page content, and what is left as artifact.

Read back with real readers: pikepdf for the objects and the content streams, poppler's `pdfinfo -struct-text`
for the tree as a reader of tagged PDF sees it (with each element's text), `pdftotext` for reading order and
qpdf for the file's health. Built from the writer's sample tree (every node type) and from the real content
with the briefing and handout templates.
"""

from __future__ import annotations

import copy
import io
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pytest
from conftest import PROJECT_ROOT, build_files, need_tool
from pypdf import PdfReader
from reportlab.platypus.flowables import Flowable
from test_pdf_writer import (
    LOREM,
    MEMBERSHIP,
    THEME_FOLDER,
    TIMESTAMP,
    FakeChartRenderer,
    cell,
    metadata,
    numbered_words,
    para,
    sample_document,
    t,
)

from reports.content.validate import check_content
from reports.document import nodes
from reports.document.construct import make_table
from reports.document.nodes import Caption, Document, TableCell, TableRow
from reports.document.traversal import plain_text, walk
from reports.language.countries import member_name
from reports.paths import TEMPLATES_DIR, template_search_path
from reports.pipeline import build_tree
from reports.theme.model import load_theme
from reports.writers.base import RenderContext
from reports.writers.pdf.structure import StructureTree
from reports.writers.pdf.styles import register_theme_fonts
from reports.writers.pdf.tagging import Tagged, artifact, tag
from reports.writers.pdf.tagging_canvas import TaggingCanvas
from reports.writers.pdf.writer import write_pdf

ROOT = PROJECT_ROOT
CONTENT = ROOT / "data" / "sco-russia.yaml"
STANDARD_ROLES = {"Document", "Part", "Sect", "Div", "P", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
                  "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "Figure", "Caption", "Link", "Span"}
PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "BI", "INLINE IMAGE"}
BOX_ROLES = ("key-facts", "summary")


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def context() -> RenderContext:
    theme = load_theme(THEME_FOLDER)
    fonts = register_theme_fonts(theme, THEME_FOLDER)
    return RenderContext(theme=theme, theme_folder=THEME_FOLDER, charts=FakeChartRenderer(fonts.heading.regular),
                         timestamp=TIMESTAMP)


@pytest.fixture(scope="module")
def sample_pdf(context: RenderContext) -> bytes:
    return write_pdf(sample_document(), context)


def long_table_document() -> Document:
    """A table over three pages: its header row is drawn again on each."""
    rows = tuple(TableRow((cell(f"Baris {index}"), cell(LOREM[: 40 + index]))) for index in range(60))
    table = make_table((TableRow((cell("Kolom A"), cell("Kolom B"))),), rows,
                       caption=Caption("table", t("Tabel panjang"), "Tabel", 1))
    return Document(metadata(), (table,))


@pytest.fixture(scope="module")
def long_table_pdf(context: RenderContext) -> bytes:
    return write_pdf(long_table_document(), context)


@pytest.fixture(scope="module")
def split_paragraph_pdf(context: RenderContext) -> bytes:
    """A paragraph that starts near the bottom of page 1 and ends on page 2: after as many filler paragraphs as
    page 1 holds (how many depends on the theme's page and type)."""
    for count in range(4, 16):
        filler = tuple(para(LOREM) for _ in range(count))
        data = write_pdf(Document(metadata(), filler + (para(LOREM * 4),)), context)
        pdf = structure(data)
        if len(pdf.pages) == 2 and any(element.S == "/P" and isinstance(element.get("/K"), pikepdf.Array)
                                       for _, element in pike_elements(pdf)):
            return data
    raise AssertionError("no filler count puts the long paragraph across the page break")


@dataclass(frozen=True)
class Built:
    document: nodes.Document
    pdf: Path


@pytest.fixture(scope="module")
def briefings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """The default briefing and the two handouts, built from the real content."""
    out = tmp_path_factory.mktemp("tagged")
    search_path = template_search_path()
    result = {}
    for template in ("briefing", "handout", "handout-teacher"):
        written, _ = build_files(CONTENT, template, ("pdf",), out, search_path=search_path)
        document = build_tree(check_content(CONTENT), template, search_path).document
        result[template] = Built(document, written[0])
    return result


# --- reading the structure back -----------------------------------------------------------------


@dataclass
class Element:
    role: str
    texts: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)
    actual_text: str | None = None
    """The element's `/ActualText`, which a screen reader reads instead of its content (pdfinfo shows the
    content): a paragraph with a word the layout hyphenated has one."""

    @property
    def text(self) -> str:
        """What a reader of the structure gets: the actual text where there is one, else the content's."""
        if self.actual_text is not None:
            return self.actual_text
        return " ".join(" ".join(self.texts).split())

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def struct_text(path: Path) -> Element:
    """`pdfinfo -struct-text` parsed back into a tree (two spaces of indent per level), with each element's
    `/ActualText` read by pikepdf (pdfinfo lists the elements in the same order)."""
    root = _pdfinfo_tree(path)
    actual = [element.get("/ActualText") for _, element in pike_elements(structure(path))]
    walked = list(root.walk())[1:]  # pdfinfo's root is the Document element, as pikepdf's first
    actual = actual[1:]
    assert len(walked) == len(actual), "pdfinfo and pikepdf list the same elements"
    for element, text in zip(walked, actual):
        element.actual_text = str(text) if text is not None else None
    return root


def _pdfinfo_tree(path: Path) -> Element:
    tool = need_tool("pdfinfo")
    output = subprocess.run([tool, "-struct-text", str(path)], capture_output=True, text=True, check=True).stdout
    root: Element | None = None
    stack: list[tuple[int, Element]] = []
    for line in output.splitlines():
        if not line.strip():
            continue
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2
        if stripped.startswith('"'):
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack[-1][1].texts.append(stripped[1:-1] if stripped.endswith('"') else stripped[1:])
            continue
        if stripped.startswith("/"):
            stack[-1][1].attributes.append(stripped)
            continue
        if stripped.startswith("Object "):
            continue
        role = re.match(r"[A-Za-z0-9]+", stripped).group(0)  # type: ignore[union-attr]
        element = Element(role)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            stack[-1][1].children.append(element)
        else:
            root = element
        stack.append((depth, element))
    assert root is not None, output
    return root


def structure(data: bytes | Path) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data)


def write_temp(data: bytes, tmp_path: Path, name: str = "tagged.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pike_elements(pdf: pikepdf.Pdf):
    """(depth, element) of every structure element, in the tree's order."""
    def visit(element, depth):
        if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") not in (None, "/StructElem"):
            return
        if "/S" not in element:
            return
        yield depth, element
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            yield from visit(kid, depth + 1)

    yield from visit(pdf.Root.StructTreeRoot.K, 0)


def has_title(blocks: tuple) -> bool:
    """Whether the blocks hold a title paragraph: it is then the H1, and headings are tagged a level lower."""
    return any(isinstance(node, nodes.Paragraph) and node.role == "title"
               for node in walk(nodes.Document(metadata(), tuple(blocks))))


def expected_structure(blocks: tuple, shift: int | None = None) -> list[tuple[str, str]]:
    """(role, text) of every element the writer makes for these blocks, in content order."""
    out: list[tuple[str, str]] = []
    shift = int(has_title(blocks)) if shift is None else shift

    def text_of(node: object) -> str:
        return " ".join(plain_text(node).split())

    for block in blocks:
        if isinstance(block, nodes.Heading):
            out.append((f"H{min(max(block.level, 1), 3) + shift}", text_of(block)))
        elif isinstance(block, nodes.Paragraph):
            if text_of(block):
                out.append(("H1" if block.role == "title" else "P", text_of(block)))
        elif isinstance(block, nodes.BulletList):
            if not block.items:
                continue
            out.append(("L", ""))
            for item in block.items:
                out += [("LI", ""), ("Lbl", ""), ("LBody", "")] + expected_structure(item.blocks, shift)
        elif isinstance(block, nodes.Caption):
            out.append(("Caption", caption_text(block)))
        elif isinstance(block, (nodes.Table, nodes.TableRow)):
            table = block if isinstance(block, nodes.Table) else nodes.Table((), (block,), ())
            out.append(("Table", ""))
            if table.caption is not None:
                out.append(("Caption", caption_text(table.caption)))
            for header, rows in ((True, table.header_rows), (False, table.body_rows)):
                for row in rows:
                    out.append(("TR", ""))
                    for column, row_cell in enumerate(row.cells):
                        out.append(("TH" if header or column < table.header_columns else "TD", ""))
                        out += expected_structure(row_cell.blocks, shift)
        elif isinstance(block, nodes.Figure):
            drawn = block.chart is not None or getattr(block, "image", None) is not None
            out.append(("Div", ""))  # the figure, its caption and source line, grouped
            out.append(("Figure", "") if drawn else ("P", " ".join(block.alt.split())))
            if block.caption is not None:
                out.append(("Caption", caption_text(block.caption)))
            if block.source:
                out.append(("P", " ".join("".join(plain_text(inline) for inline in block.source).split())))
        elif isinstance(block, nodes.Div):
            if block.role in BOX_ROLES:
                out.append(("Div", ""))
            out += expected_structure(block.blocks, shift)
        elif isinstance(block, (nodes.ListItem, nodes.TableCell)):
            out += expected_structure(block.blocks, shift)
    return out


def reading_order(blocks: tuple) -> list[str]:
    """Texts of the headings, paragraphs and captions outside tables, in content order."""
    texts: list[str] = []
    for block in blocks:
        if isinstance(block, (nodes.Table, nodes.TableRow, nodes.TableCell)):
            if isinstance(block, nodes.Table) and block.caption is not None:
                texts.append(caption_text(block.caption))
            continue
        if isinstance(block, nodes.BulletList):
            for item in block.items:
                texts += reading_order(item.blocks)
        elif isinstance(block, nodes.Div):
            texts += reading_order(block.blocks)
        else:
            texts += [text for role, text in expected_structure((block,)) if role in ("H1", "H2", "H3", "H4", "P",
                                                                                     "Caption") and text]
    return texts


def caption_text(caption: nodes.Caption) -> str:
    prefix = " ".join(part for part in (caption.label, str(caption.number) if caption.number else "") if part)
    return " ".join(((prefix + ". ") if prefix else "") .split() + plain_text(caption).split())


def actual_structure(root: Element) -> list[tuple[str, str]]:
    """(role, text) of every element below Document, links left out (they sit inside their paragraph)."""
    leaves = {"P", "H1", "H2", "H3", "H4", "Caption"}
    return [(element.role, element.text if element.role in leaves else "")
            for element in list(root.walk())[1:] if element.role != "Link"]


def painting_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Every painting operator inside marked content (an MCID or an artifact), sequences neither nested nor
    crossing q/Q or BT/ET, each page's MCIDs exactly its parent-tree entry, each MCID a kid of its element."""
    numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
    tree = {int(numbers[index]): numbers[index + 1] for index in range(0, len(numbers), 2)}
    problems: list[str] = []
    for number, page in enumerate(pdf.pages, start=1):
        open_sequences: list[tuple[str, int | None, int, bool]] = []
        depth, in_text = 0, False
        mcids: list[int] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name == "q":
                depth += 1
            elif name == "Q":
                depth -= 1
            elif name == "BT":
                in_text = True
            elif name == "ET":
                in_text = False
            elif name in ("BDC", "BMC"):
                if open_sequences:
                    problems.append(f"page {number}: nested marked content")
                mcid = None
                if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                    mcids.append(mcid)
                open_sequences.append((str(operands[0]), mcid, depth, in_text))
            elif name == "EMC":
                tag, mcid, opened_depth, opened_in_text = open_sequences.pop()
                if opened_depth != depth or opened_in_text != in_text:
                    problems.append(f"page {number}: {tag} crosses q/Q or BT/ET")
            elif name in PAINTING:
                if not open_sequences:
                    problems.append(f"page {number}: {name} outside marked content")
                elif open_sequences[-1][0] != "/Artifact" and open_sequences[-1][1] is None:
                    problems.append(f"page {number}: {name} in marked content without an MCID")
        if open_sequences:
            problems.append(f"page {number}: marked content left open")
        key = page.obj.get("/StructParents")
        if not mcids:
            continue
        if key is None:
            problems.append(f"page {number}: marked content but no /StructParents")
            continue
        owners = tree[int(key)]
        if mcids != list(range(len(owners))):
            problems.append(f"page {number}: MCIDs {mcids} but {len(owners)} parent-tree entries")
            continue
        for mcid in mcids:
            owner = owners[mcid]
            kids = owner.K if isinstance(owner.K, pikepdf.Array) else [owner.K]
            linked = False
            for kid in kids:
                if isinstance(kid, int) and int(kid) == mcid:
                    linked = owner.Pg.objgen == page.obj.objgen
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" and int(kid.MCID) == mcid:
                    linked = kid.Pg.objgen == page.obj.objgen
                if linked:
                    break
            if not linked:
                problems.append(f"page {number}: MCID {mcid} is not a kid of its parent-tree element {owner.S}")
    return problems


# --- the wrapper --------------------------------------------------------------------------------


def test_tagged_delegates_every_flowable_method_and_class_attribute():
    """Flowable's own methods and class attributes shadow `__getattr__`: each must be delegated explicitly."""
    own = set(vars(Tagged))
    missing = [name for name in vars(Flowable) if not name.startswith("__") and name not in own]
    assert missing == []


def test_tagged_keeps_the_wrapped_flowables_layout(context):
    from reportlab.platypus import Paragraph

    from reports.writers.pdf.styles import build_styles

    styles = build_styles(context.theme, register_theme_fonts(context.theme, THEME_FOLDER))
    heading = Paragraph("Judul", styles.paragraphs["Heading 1"])
    heading.keepWithNext = 1  # as the writer marks a heading (never its style: `styles.paragraph_style`)
    tagged = tag(StructureTree(), heading, "H1")
    assert tagged.getKeepWithNext() == 1 and tagged.getSpaceBefore() == heading.getSpaceBefore()
    assert tagged.wrap(300, 500) == heading.wrap(300, 500)
    tagged.spaceAfter = 7  # written through to the paragraph
    assert heading.spaceAfter == 7 and tagged.getSpaceAfter() == 7
    body = Paragraph(LOREM * 3, styles.paragraphs["Body Text"])
    element = StructureTree().leaf("P")
    parts = Tagged(body, element).split(300, 60)
    assert len(parts) == 2 and all(isinstance(part, Tagged) and part.element is element for part in parts)


def test_nested_marked_content_is_never_written(tmp_path):
    canvas = TaggingCanvas(str(tmp_path / "nested.pdf"))
    element = canvas.structure.leaf("P")
    canvas.begin_marked_content(element)
    with artifact(canvas):
        canvas.drawString(10, 10, "x")
    canvas.end_marked_content()
    canvas.save()
    pdf = pikepdf.open(tmp_path / "nested.pdf")
    operators = [str(operator) for _, operator in pikepdf.parse_content_stream(pdf.pages[0])]
    assert operators.count("BDC") == 1 and operators.count("EMC") == 1


# --- the catalog ----------------------------------------------------------------------------------


def test_catalog_declares_a_tagged_pdf_in_the_documents_language(sample_pdf):
    pdf = structure(sample_pdf)
    root = pdf.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "id"
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title) == "Rusia dan Organisasi Kerja Sama Shanghai"
    assert root.StructTreeRoot.Type == "/StructTreeRoot"
    assert root.StructTreeRoot.K.S == "/Document"
    assert int(root.StructTreeRoot.ParentTreeNextKey) >= len(pdf.pages)


@pytest.mark.slow
def test_pdfinfo_says_tagged_and_qpdf_passes(briefings, tmp_path, sample_pdf):
    pdfinfo, qpdf = need_tool("pdfinfo"), need_tool("qpdf")
    for path in [built.pdf for built in briefings.values()] + [write_temp(sample_pdf, tmp_path)]:
        info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), path
        subprocess.run([qpdf, "--check", str(path)], capture_output=True, check=True)


def test_only_standard_structure_types(sample_pdf, briefings):
    files = [structure(sample_pdf)] + [structure(built.pdf) for built in briefings.values()]
    for pdf in files:
        roles = {str(element.S)[1:] for _, element in pike_elements(pdf)}
        assert roles <= STANDARD_ROLES, roles - STANDARD_ROLES
        assert "/RoleMap" not in pdf.Root.StructTreeRoot


# --- structure and order ------------------------------------------------------------------------


def test_sample_structure_follows_the_content_order(sample_pdf, tmp_path):
    root = struct_text(write_temp(sample_pdf, tmp_path))
    assert root.role == "Document"
    assert actual_structure(root) == expected_structure(sample_document().blocks)


@pytest.mark.slow
@pytest.mark.parametrize("template", ["briefing", "handout", "handout-teacher"])
def test_briefing_structure_follows_the_content_order(briefings, template):
    built = briefings[template]
    root = struct_text(built.pdf)
    assert actual_structure(root) == expected_structure(built.document.blocks)


def test_default_briefing_tree_has_every_kind_of_element(briefings):
    """What `pdfinfo -struct-text` shows for the default briefing: headings, paragraphs, list items, the table
    with header cells and the figures, in reading order."""
    built = briefings["briefing"]
    root = struct_text(built.pdf)
    top = [child.role for child in root.children]
    headings = [(element.role, element.text) for element in root.walk() if element.role in ("H2", "H3", "H4")]
    assert headings == [(f"H{node.level + 1}", plain_text(node)) for node in walk(built.document)
                        if isinstance(node, nodes.Heading)]  # below the title, the document's one H1
    title = next(node for node in walk(built.document) if isinstance(node, nodes.Paragraph) and node.role == "title")
    assert [(element.role, element.text) for element in root.children[:1]] == [("H1", plain_text(title))]
    assert top[:3] == ["H1", "P", "P"] and "Table" in top and "L" in top
    groups = [element for element in root.children if element.role == "Div"
              and [child.role for child in element.children][:2] == ["Figure", "Caption"]]
    assert len(groups) == 2, "each figure and its caption are grouped, the caption right after the figure"
    table = next(element for element in root.walk() if element.role == "Table")
    assert table.children[0].role == "Caption" and table.children[0].text.startswith("Tabel 1.")
    header_row = table.children[1]
    assert [cell.role for cell in header_row.children] == ["TH"] * 4
    assert all("/Scope /Column" in cell.attributes for cell in header_row.children)
    assert [cell.children[0].text for cell in header_row.children] == ["Sektor", "Tujuan", "Instrumen di organisasi",
                                                                       "Bukti dalam esai"]
    body_rows = table.children[2:]
    # the sector heads its row: TH with /Scope /Row, then the row's data cells
    assert body_rows and all([cell.role for cell in row.children] == ["TH", "TD", "TD", "TD"] for row in body_rows)
    assert all("/Scope /Row" in row.children[0].attributes for row in body_rows)
    items = [element for element in root.walk() if element.role == "LI"]
    assert items and all([child.role for child in item.children] == ["Lbl", "LBody"] for item in items)
    group_index = root.children.index(groups[0])
    assert root.children[group_index - 1].text == "Keanggotaan"  # the figure follows its heading
    assert groups[0].children[1].text.startswith("Gambar 1.")


def test_figures_carry_their_alt_text(briefings, sample_pdf):
    content = check_content(CONTENT).content
    pdf = structure(briefings["briefing"].pdf)
    figures = [element for _, element in pike_elements(pdf) if element.S == "/Figure"]
    alts = [str(figure.Alt) for figure in figures]
    expected = [node.alt for node in walk(briefings["briefing"].document) if isinstance(node, nodes.Figure)]
    assert alts == [" ".join(alt.split()) for alt in expected]
    language = content.document.language
    for category in content.organisation.membership:  # the membership chart's alt names every member
        for member in category.members:
            assert member_name(member, language) in alts[0]
    for figure in figures:
        x0, y0, x1, y1 = (float(value) for value in figure.A.BBox)
        assert 0 <= x0 < x1 <= 596 and 0 <= y0 < y1 <= 842
    sample = structure(sample_pdf)
    sample_figures = [element for _, element in pike_elements(sample) if element.S == "/Figure"]
    assert [str(figure.Alt) for figure in sample_figures] == [MEMBERSHIP.alt]


def test_an_image_figure_is_a_figure_with_alt_text(context, tmp_path):
    from PIL import Image as PilImage

    from reports.theme.images import decode_picture

    logo = tmp_path / "logo.png"
    PilImage.new("RGB", (400, 160), "#1F3A5F").save(logo)
    figure = nodes.Figure(alt="Logo  SMA Negeri 1", image=decode_picture(logo.read_bytes(), "logo.png"), width=0.25)
    data = write_pdf(Document(metadata(), (figure, para("Teks."))), context)
    pdf = structure(data)
    (element,) = [element for _, element in pike_elements(pdf) if element.S == "/Figure"]
    assert str(element.Alt) == "Logo SMA Negeri 1"
    x0, y0, x1, y1 = (float(value) for value in element.A.BBox)
    frame_width = 595.28 - (context.theme.margins.left + context.theme.margins.right) * 72 / 25.4
    assert x1 - x0 == pytest.approx(frame_width * 0.25, abs=0.1)
    assert y1 - y0 == pytest.approx((x1 - x0) * 160 / 400, abs=0.1)  # proportions kept
    operators = [(str(operator), operands) for operands, operator in pikepdf.parse_content_stream(pdf.pages[0])]
    figure_mcid = int(element.K)
    inside = False
    drawn = []
    for name, operands in operators:
        if name == "BDC":
            inside = str(operands[0]) == "/Figure" and int(operands[1].MCID) == figure_mcid
        elif name == "EMC":
            inside = False
        elif name == "Do":
            drawn.append(inside)
    assert drawn == [True]
    assert painting_problems(pdf) == []


def test_lists_say_how_they_are_numbered(sample_pdf, tmp_path):
    root = struct_text(write_temp(sample_pdf, tmp_path))
    lists = [element for element in root.walk() if element.role == "L"]
    numbering = [element.attributes for element in lists]
    assert ["/ListNumbering /Decimal"] in numbering and ["/ListNumbering /Disc"] in numbering
    ordered = lists[numbering.index(["/ListNumbering /Decimal"])]
    assert [item.children[0].text for item in ordered.children] == ["1.", "2.", "3."]
    nested = [element for element in root.walk() if element.role == "LBody"
              and any(child.role == "L" for child in element.children)]
    assert nested, "a nested list sits in its item's body"


def test_structure_text_keeps_the_spaces_at_line_ends(sample_pdf, split_paragraph_pdf, tmp_path):
    """reportlab draws lines without the space it broke them at; the structure's text must not join words."""
    root = struct_text(write_temp(sample_pdf, tmp_path))
    texts = [element.text for element in root.walk() if element.role == "P"]
    assert " ".join((LOREM * 3).split()) in texts
    raw = [element.texts for element in root.walk() if element.role == "P" and element.text.startswith("Rusia mem")]
    assert raw and all(not text[-1].endswith(" ") for text in raw), "no space after a paragraph's last line"
    split = struct_text(write_temp(split_paragraph_pdf, tmp_path, "split.pdf"))
    long = [element for element in split.walk() if element.role == "P" and len(element.texts) > 1]
    assert len(long) == 1, "the paragraph across the page break is one element with content on both pages"
    assert long[0].text == " ".join((LOREM * 4).split())
    assert long[0].texts[0].endswith(" ")  # the word space before the page break is kept


def test_split_paragraph_has_marked_content_on_both_pages(split_paragraph_pdf):
    pdf = structure(split_paragraph_pdf)
    assert len(pdf.pages) == 2
    paragraphs = [element for _, element in pike_elements(pdf)
                  if element.S == "/P" and isinstance(element.get("/K"), pikepdf.Array)]
    assert len(paragraphs) == 1
    kids = list(paragraphs[0].K)
    assert isinstance(kids[0], int) and paragraphs[0].Pg.objgen == pdf.pages[0].obj.objgen
    assert kids[1].Type == "/MCR" and kids[1].Pg.objgen == pdf.pages[1].obj.objgen


def test_repeated_header_rows_are_artifacts(long_table_pdf, tmp_path):
    path = write_temp(long_table_pdf, tmp_path)
    pages = subprocess.run([need_tool("pdftotext"), str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    drawn = sum(page.count("Kolom A") for page in pages)
    assert drawn >= 3, "the header row is drawn on every page"
    root = struct_text(path)
    table = next(element for element in root.walk() if element.role == "Table")
    rows = [child for child in table.children if child.role == "TR"]
    assert len(rows) == 61  # one header row and the sixty body rows, once each
    assert [cell.children[0].text for cell in rows[0].children] == ["Kolom A", "Kolom B"]
    assert sum(element.text == "Kolom A" for element in root.walk()) == 1
    assert [row.children[0].children[0].text for row in rows[1:]] == [f"Baris {index}" for index in range(60)]
    pdf = structure(long_table_pdf)
    assert painting_problems(pdf) == []


def test_links_are_listed_in_the_structure(sample_pdf):
    pdf = structure(sample_pdf)
    numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
    tree = {int(numbers[index]): numbers[index + 1] for index in range(0, len(numbers), 2)}
    annotations = [annotation for page in pdf.pages for annotation in page.obj.get("/Annots", [])]
    assert len(annotations) >= 3
    for annotation in annotations:
        link = tree[int(annotation.StructParent)]
        assert link.S == "/Link" and link.P.S == "/P"
        assert link.K.Type == "/OBJR" and link.K.Obj.objgen == annotation.objgen
    assert all(page.obj.Tabs == "/S" for page in pdf.pages)


# --- the page content ---------------------------------------------------------------------------


def test_every_painting_operator_is_tagged_and_the_parent_tree_matches(sample_pdf, briefings):
    sample = structure(sample_pdf)
    assert painting_problems(sample) == []
    for template, built in briefings.items():
        pdf = structure(built.pdf)
        assert painting_problems(pdf) == [], template


def test_running_header_and_footer_are_pagination_artifacts(sample_pdf):
    pdf = structure(sample_pdf)
    for number, page in enumerate(pdf.pages, start=1):
        subtypes = [str(operands[1].get("/Subtype")) for operands, operator in pikepdf.parse_content_stream(page)
                    if str(operator) == "BDC" and str(operands[0]) == "/Artifact"
                    and operands[1].get("/Type") == "/Pagination"]
        assert "/Header" in subtypes and "/Footer" in subtypes, number


def test_pdftotext_reading_order_matches_the_content_order(briefings):
    """Headings, paragraphs, list items and captions outside tables come out of pdftotext in content order."""
    for template, built in briefings.items():
        text = " ".join(subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(built.pdf), "-"],
                                       capture_output=True, text=True, check=True).stdout.split())
        text = re.sub(r" ?Halaman \d+ dari \d+ ?", " ", text)
        position = 0
        checked = 0
        for expected in reading_order(built.document.blocks):
            found = text.find(expected[:60], position)
            if found < 0:
                # a paragraph broken by the running header at a page break: its start is still in order
                found = text.find(expected[:25], position)
            assert found >= 0, (template, expected[:60], text[position:position + 200])
            position = found + 1
            checked += 1
        assert checked > 10, template


def test_tagging_is_deterministic(context, sample_pdf):
    assert write_pdf(sample_document(), context) == sample_pdf


# --- blocks taller than a page ------------------------------------------------------------------


class TallChartRenderer(FakeChartRenderer):
    """A chart drawing far taller than the frame (a category label of hundreds of words does that)."""

    def drawing(self, spec, width_mm):
        drawing = super().drawing(spec, width_mm)
        drawing.height = 5000
        return drawing


def tagged_correctly(data: bytes, blocks: tuple, tmp_path: Path) -> Element:
    """The structure read back: every painting operator tagged, each MCID in the tree, elements in content order."""
    assert painting_problems(structure(data)) == []
    root = struct_text(write_temp(data, tmp_path))
    assert actual_structure(root) == expected_structure(blocks)
    return root


def test_figure_whose_chart_is_taller_than_the_frame_is_tagged(context, tmp_path):
    tall = RenderContext(theme=context.theme, theme_folder=context.theme_folder,
                         charts=TallChartRenderer(register_theme_fonts(context.theme, THEME_FOLDER).heading.regular),
                         timestamp=TIMESTAMP)
    figure = nodes.Figure(alt=MEMBERSHIP.alt, chart=MEMBERSHIP, source=t("Sumber: uji"),
                          caption=Caption("figure", t("Sangat tinggi"), "Gambar", 1))
    blocks = (para("Awal."), figure, para("Akhir."))
    data = write_pdf(Document(metadata(), blocks), tall)
    tagged_correctly(data, blocks, tmp_path)
    pdf = structure(data)
    (element,) = [element for _, element in pike_elements(pdf) if element.S == "/Figure"]
    assert str(element.Alt) == MEMBERSHIP.alt
    x0, y0, x1, y1 = (float(value) for value in element.A.BBox)
    assert 0 <= x0 < x1 <= 596 and 51 <= y0 < y1 <= 842 - 56  # scaled into the frame


def test_figure_with_a_caption_taller_than_a_page_is_tagged(context, tmp_path):
    caption = numbered_words(1800)
    figure = nodes.Figure(alt=MEMBERSHIP.alt, chart=MEMBERSHIP, caption=Caption("figure", t(caption), "Gambar", 1),
                          source=t("Sumber: uji"))
    blocks = (para("Awal."), figure, para("Akhir."))
    data = write_pdf(Document(metadata(), blocks), context)
    root = tagged_correctly(data, blocks, tmp_path)
    (element,) = [element for element in root.walk() if element.role == "Caption"]
    assert element.text == "Gambar 1. " + caption
    pdf = structure(data)
    (caption_element,) = [element for _, element in pike_elements(pdf) if element.S == "/Caption"]
    pages = {caption_element.Pg.objgen} | {kid.Pg.objgen for kid in caption_element.K
                                           if isinstance(kid, pikepdf.Dictionary)}
    assert len(pages) >= 2  # one element, with content on each page it spans


def test_content_copied_by_a_split_inside_a_table_row_stays_in_the_tree(context, tmp_path):
    """reportlab deep-copies a list in a table cell (a box is one) before splitting it across pages: the copy's
    content must belong to the same structure elements, not to copies outside the written tree."""
    long_item = nodes.BulletList((nodes.ListItem((para(numbered_words(1500)),)), nodes.ListItem((para("dua"),))))
    table = make_table((TableRow((cell("A"),)),), (TableRow((TableCell((long_item,)),)),))
    blocks = (nodes.Div("key-facts", (para("Fakta"), long_item)), table)
    data = write_pdf(Document(metadata(), blocks), context)
    root = tagged_correctly(data, blocks, tmp_path)
    assert [element.text for element in root.walk() if element.role == "P"].count(numbered_words(1500)) == 2
    element = StructureTree().leaf("P")
    assert copy.deepcopy(Tagged(Flowable(), element)).element is element


# --- long paragraphs ----------------------------------------------------------------------------


@pytest.mark.slow
def test_very_long_paragraph_is_one_paragraph_element(context, tmp_path):
    """Laid out in pieces (`paragraph_pieces`), a 30,000-word paragraph is still one `P`, its text whole."""
    text = numbered_words(30_000)
    blocks = (para("Awal."), para(text), para("Akhir."))
    data = write_pdf(Document(metadata(), blocks), context)
    root = tagged_correctly(data, blocks, tmp_path)
    assert [element.text for element in root.children] == ["Awal.", text, "Akhir."]
    (long,) = [element for element in root.children if element.role == "P" and len(element.texts) > 1]
    assert all(piece.endswith(" ") for piece in long.texts[:-1])  # no word joined to the next piece's first
    pdf = structure(data)
    (paragraph,) = [element for _, element in pike_elements(pdf) if element.S == "/P" and "/K" in element
                    and isinstance(element.K, pikepdf.Array)]
    assert len(paragraph.K) > len(pdf.pages)  # marked content of every piece on every page, in one element


# --- PDF/UA-1 ----------------------------------------------------------------------------------------


def test_every_built_in_template_passes_the_pdfua_checker(briefings, sample_pdf, tmp_path):
    """The `pdfua` package (PyPI), an independent checker of the machine-checkable part of PDF/UA-1: no error, no
    warning, for the briefing, both handouts and the writer's sample (every node type, links included)."""
    import pdfua

    built_in = {folder.name for folder in TEMPLATES_DIR.iterdir() if (folder / "template.md.j2").is_file()}
    assert set(briefings) == built_in, "a new built-in template is checked too"
    paths = [built.pdf for built in briefings.values()] + [write_temp(sample_pdf, tmp_path)]
    for path in paths:
        report = pdfua.validate(str(path))
        assert report.outcomes, "the checker ran its rules"
        assert [(finding.rule_id, finding.message) for finding in report.findings] == [], path.name


def test_xmp_metadata_claims_pdfua_with_title_and_language(briefings):
    for template, built in briefings.items():
        pdf = structure(built.pdf)
        assert pdf.pdf_version == "1.7"  # PDF/UA-1 is written against ISO 32000-1
        metadata = pdf.open_metadata()
        assert metadata["pdfuaid:part"] == "1", template
        assert metadata["dc:title"] == built.document.metadata.title == str(pdf.docinfo.Title)
        assert metadata["dc:language"] == {built.document.metadata.language}
        assert metadata["dc:creator"] == [built.document.metadata.author]
        assert metadata["xmp:CreateDate"] == "2026-11-27T00:00:00Z"  # the content's date, never the clock
        stream = pdf.Root.Metadata
        assert stream.Type == "/Metadata" and stream.Subtype == "/XML" and "/Filter" not in stream


def test_links_describe_themselves(sample_pdf):
    """PDF/UA 7.18.5: a link annotation says where it goes (`/Contents`): the link's own text."""
    pdf = structure(sample_pdf)
    descriptions = sorted(str(annotation.Contents) for page in pdf.pages for annotation in page.get("/Annots", ())
                          if annotation.Subtype == "/Link")
    assert descriptions and all(descriptions)
    assert "sectsco.org" in descriptions and "Kepentingan Rusia" in descriptions


def test_hyphenated_words_are_whole_for_readers(briefings, tmp_path):
    """The briefing is hyphenated at layout: pdftotext joins each broken word again, and a paragraph with a
    broken word gives its whole text as the structure's `/ActualText` (what a screen reader reads); pypdf, which
    reads glyphs only, shows the hyphen at the line end."""
    built = briefings["briefing"]
    raw = " ".join(page.extract_text() for page in PdfReader(str(built.pdf)).pages)
    broken = re.findall(r"([a-z]+)-\n([a-z]+)", raw)
    assert len(broken) > 10, "the briefing has words broken at line ends"
    poppler = " ".join(subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(built.pdf), "-"],
                                      capture_output=True, text=True, check=True).stdout.split())
    assert all(f"{head}{tail}" in poppler for head, tail in broken)
    root = struct_text(built.pdf)
    hyphenated = [element for element in root.walk() if element.actual_text is not None]
    assert hyphenated and all(element.role == "P" for element in hyphenated)
    texts = {element.text for element in root.walk() if element.role == "P"}
    for block in walk(built.document):
        if isinstance(block, nodes.Paragraph) and block.role == "" and len(plain_text(block)) > 200:
            assert " ".join(plain_text(block).split()) in texts  # whole words, no hyphen, no space
