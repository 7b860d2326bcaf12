"""The markup stage: templates' light markup parses once into the neutral tree, text stays literal."""

from __future__ import annotations

import pytest

from reports.charts.spec import ChartSpec, Series
from reports.document import nodes
from reports.document.dump import dump
from reports.document.transforms import apply_all
from reports.document.traversal import plain_text, walk
from reports.errors import TemplateError
from reports.templating.markup import escape_markdown, parse_markup

CHART = ChartSpec(
    name="membership",
    kind="bar",
    title="Members",
    categories=("Members",),
    series=(Series("Members", (2.0,)),),
    annotations=("China, Russia",),
    alt="Bar chart: Members 2 (China, Russia).",
)


def parse(text: str) -> tuple[nodes.Block, ...]:
    return parse_markup(text, {"membership": CHART}, "test.md.j2")


@pytest.mark.parametrize(
    "text",
    [
        "a & b < c > d",
        "$5 and $10",
        "_leading underscore",
        "*not emphasis* and **not strong**",
        "1. not a list",
        "- not a bullet",
        "# not a heading",
        "[not](a link) <https://not.an.autolink>",
        "back\\slash `code` {.not-a-role} ::: not a directive",
        "Россия 中国 Kirgizstan",
        "&amp; &#65; entity-looking text",
        "Supercalifragilisticexpialidocious" * 5,
    ],
)
def test_escaped_text_comes_back_unchanged(text: str) -> None:
    (paragraph,) = parse(escape_markdown(text) + "\n")
    assert isinstance(paragraph, nodes.Paragraph)
    assert plain_text(paragraph) == text


def test_line_breaks_inside_a_value_do_not_end_the_paragraph() -> None:
    blocks = parse("Start " + escape_markdown("one\n\ntwo\tthree") + "\n")
    assert len(blocks) == 1
    assert plain_text(blocks[0]) == "Start one two three"


def test_roles_headings_lists_and_divs() -> None:
    blocks = parse(
        "{.subtitle}\nSub\n\n# One\n\n## Two\n\n- a\n- b\n\n1. x\n\n:::: key-facts\n::: box-title\nFacts\n:::\n- **A:** b\n::::\n\n---\n"
    )
    kinds = [type(block).__name__ for block in blocks]
    assert kinds == ["Paragraph", "Heading", "Heading", "BulletList", "BulletList", "Div", "PageBreak"]
    assert blocks[0].role == "subtitle"  # type: ignore[union-attr]
    assert [blocks[1].level, blocks[2].level] == [1, 2]  # type: ignore[union-attr]
    assert blocks[4].ordered is True  # type: ignore[union-attr]
    box = blocks[5]
    assert isinstance(box, nodes.Div) and box.role == "key-facts"
    assert isinstance(box.blocks[0], nodes.Div) and box.blocks[0].role == "box-title"
    strong = box.blocks[1].items[0].blocks[0].content[0]  # type: ignore[union-attr]
    assert isinstance(strong, nodes.Strong) and plain_text(strong) == "A:"


def test_figure_directive_takes_caption_source_and_chart_alt_text() -> None:
    (figure,) = parse("::: figure chart=membership width=0.8\nThe caption\n\n{.source}\nSource: essay\n:::\n")
    assert isinstance(figure, nodes.Figure)
    assert figure.chart is CHART and figure.width == 0.8
    assert figure.alt == CHART.alt
    assert figure.caption is not None and plain_text(figure.caption) == "The caption"
    assert "".join(plain_text(node) for node in figure.source) == "Source: essay"


def test_list_table_builds_header_and_body_rows_with_normalised_widths() -> None:
    (table,) = parse(
        '::: table widths="1 3"\nCaption\n\n* - H1\n  - H2\n* - a\n  - - x\n    - y\n* - short\n:::\n'
    )
    assert isinstance(table, nodes.Table)
    assert [plain_text(cell) for cell in table.header_rows[0].cells] == ["H1", "H2"]
    assert len(table.body_rows) == 2
    assert all(len(row.cells) == 2 for row in table.body_rows), "short rows are padded"
    assert table.column_widths == pytest.approx((0.25, 0.75))
    assert isinstance(table.body_rows[0].cells[1].blocks[0], nodes.BulletList)


def test_captions_are_numbered_per_kind_in_document_order() -> None:
    blocks = parse(
        "::: figure chart=membership\nF1\n:::\n\n::: table\nT1\n\n* - h\n* - c\n:::\n\n"
        "::: figure chart=membership\nF2\n:::\n\n# Heading\n\n# Heading\n"
    )
    document = apply_all(nodes.Document(nodes.Metadata("t", "id"), blocks), {"figure": "Gambar", "table": "Tabel"})
    captions = [node for node in walk(document) if isinstance(node, nodes.Caption)]
    assert [(c.label, c.number, plain_text(c)) for c in captions] == [
        ("Gambar", 1, "F1"),
        ("Tabel", 1, "T1"),
        ("Gambar", 2, "F2"),
    ]
    headings = [node.id for node in walk(document) if isinstance(node, nodes.Heading)]
    assert headings == ["heading", "heading-2"]


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("::: figure chart=nope\nx\n:::\n", "no chart named 'nope'"),
        ("::: figure chart=membership colour=red\nx\n:::\n", "unknown option"),
        ("[x](ftp://host/file)\n", "not allowed"),
        ("![img](https://example.org/x.png)\n", "images are placed with"),
        ("#### too deep\n", "deeper than the 3 levels"),
        ("::: table\ncaption\n\nnot a list\n:::\n", "expected a caption paragraph"),
    ],
)
def test_bad_markup_is_a_located_template_error(markup: str, message: str) -> None:
    with pytest.raises(TemplateError) as raised:
        parse("Intro\n\n" + markup)
    diagnostic = raised.value.diagnostics[0]
    assert message in diagnostic.message
    assert diagnostic.line == 3
    assert "test.md.j2" in diagnostic.file


def test_dump_is_deterministic_text() -> None:
    blocks = parse("# A\n\nText *em* **strong**\n")
    dumped = dump(nodes.Document(nodes.Metadata("t", "en"), blocks))
    assert dumped == dump(nodes.Document(nodes.Metadata("t", "en"), parse("# A\n\nText *em* **strong**\n")))
    assert "Emphasis" in dumped and "Strong" in dumped and "Heading level=1" in dumped
