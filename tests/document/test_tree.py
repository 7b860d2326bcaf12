"""The document tree: a golden text dump of the sample, one traversal for everyone, positions of blocks.

The dump (`reports.document.dump`, like pandoc's native output) of the sample briefing is kept in
`tests/document/golden/`; a change to the tree shows there as a readable diff. After a change that is meant,
run `pytest tests/document --update-goldens` and commit the new dump with it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

from reports.cache import Cache
from reports.content.validate import check_content
from reports.document import nodes
from reports.document.dump import dump
from reports.document.traversal import child_fields, children, plain_text, rebuild, walk
from reports.paths import TEMPLATES_DIR
from reports.pipeline import build_tree
from reports.templating.folders import find_template
from reports.templating.render import render_markup

GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLES = {
    "sco-russia-briefing": (PROJECT_ROOT / "data" / "sco-russia.yaml", "briefing"),
    "sco-russia-handout-teacher": (PROJECT_ROOT / "data" / "sco-russia.yaml", "handout-teacher"),
    "sco-russia.en-briefing": (PROJECT_ROOT / "data" / "sco-russia.en.yaml", "briefing"),
    "african-union-briefing": (PROJECT_ROOT / "tests" / "data" / "african-union.yaml", "briefing"),
    "asean-australia-briefing": (PROJECT_ROOT / "tests" / "data" / "asean-australia.yaml", "briefing"),
    "asean-australia-handout-teacher": (PROJECT_ROOT / "tests" / "data" / "asean-australia.yaml", "handout-teacher"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_tree_of_each_sample_is_its_golden_dump(name: str, request: pytest.FixtureRequest) -> None:
    content, template = SAMPLES[name]
    text = dump(build_tree(check_content(content), template).document)
    golden = GOLDEN / f"{name}.txt"
    if request.config.getoption("update_goldens"):
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden dump yet: run pytest {Path(__file__).name} --update-goldens"
    assert text == golden.read_text(encoding="utf-8"), (
        f"the tree of {name} changed: if that is meant, run pytest tests/document --update-goldens and commit "
        "the new dump")


def test_every_field_that_holds_nodes_is_walked() -> None:
    """One place knows the children: every dataclass field typed with a node type, and nothing else."""
    assert child_fields(nodes.Table) == ("header_rows", "body_rows", "caption")
    assert child_fields(nodes.Figure) == ("caption", "source")
    assert child_fields(nodes.Heading) == ("content",)
    assert child_fields(nodes.Text) == () and child_fields(nodes.PageBreak) == ()
    for node_type in nodes.ALL:
        for field in dataclasses.fields(node_type):
            holds_nodes = any(name in str(field.type) for name in ("Inline", "Block", "ListItem", "TableRow",
                                                                   "TableCell", "Caption"))
            assert (field.name in child_fields(node_type)) == holds_nodes, (node_type.__name__, field.name)


def test_walk_is_document_order_and_rebuild_keeps_what_did_not_change() -> None:
    caption = nodes.Caption("table", (nodes.Text("c"),))
    table = nodes.Table((nodes.TableRow((nodes.TableCell((nodes.Paragraph((nodes.Text("h"),)),)),)),),
                        (nodes.TableRow((nodes.TableCell((nodes.Paragraph((nodes.Text("b"),)),)),)),), (1.0,),
                        caption=caption)
    document = nodes.Document(nodes.Metadata("t", "en"), (nodes.Heading(1, (nodes.Text("x"),)), table))
    assert [node.text for node in walk(document) if isinstance(node, nodes.Text)] == ["x", "h", "b", "c"]
    assert list(children(table))[-1] is caption and plain_text(table) == "hbc"
    assert rebuild(document, lambda node: node) is document
    quoted = rebuild(document, lambda node: dataclasses.replace(node, role="quote")
                     if isinstance(node, nodes.Paragraph) else node)
    assert [node.role for node in walk(quoted) if isinstance(node, nodes.Paragraph)] == ["quote", "quote"]
    assert quoted.blocks[0] is document.blocks[0] and quoted.metadata is document.metadata


def test_positions_are_not_part_of_a_block_value() -> None:
    here, there = nodes.SourcePosition("a.j2", 1), nodes.SourcePosition("b.j2", 9)
    assert nodes.Paragraph((nodes.Text("p"),), position=here) == nodes.Paragraph((nodes.Text("p"),), position=there)
    assert str(there) == "b.j2:9"


def test_each_block_knows_the_template_line_that_printed_it(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "lines"
    folder.mkdir(parents=True)
    (folder / "theme.yaml").write_text("name: lines\nextends: briefing\n", encoding="utf-8")
    (folder / "part.md.j2").write_text("\n## From the part\n\nIncluded text.\n", encoding="utf-8")
    (folder / "template.md.j2").write_text(
        "# {{ content.document.title }}\n"           # 1
        "\n"                                         # 2
        "{% for point in content.summary %}\n"       # 3
        "- {{ point }}\n"                            # 4
        "{% endfor %}\n"                             # 5
        "\n"                                         # 6
        "A paragraph\n"                              # 7
        "over two lines.\n"                          # 8
        "{% include 'lines/part.md.j2' %}\n"         # 9
        "\n"                                         # 10
        "::: key-facts\n"                            # 11
        "Inside a box.\n"                            # 12
        ":::\n",                                     # 13
        encoding="utf-8")
    search_path = (tmp_path / "templates", TEMPLATES_DIR)
    built = build_tree(check_content(PROJECT_ROOT / "data" / "sco-russia.yaml"), "lines", search_path, cache=Cache())
    where = [(type(node).__name__, node.position.file.rsplit("/", 1)[-1], node.position.line)
             for node in walk(built.document) if getattr(node, "position", None) is not None]
    assert where[:2] == [("Heading", "template.md.j2", 1), ("BulletList", "template.md.j2", 4)]
    assert ("Paragraph", "template.md.j2", 7) in where
    assert ("Heading", "part.md.j2", 2) in where and ("Paragraph", "part.md.j2", 4) in where
    assert ("Div", "template.md.j2", 11) in where and ("Paragraph", "template.md.j2", 12) in where


def test_rendering_without_noting_lines_gives_the_same_markup(tmp_path: Path) -> None:
    from reports.charts.specs import chart_specs
    from reports.language.labels import labels_for
    from reports.templating.context import template_context
    from reports.theme.model import load_theme

    checked = check_content(PROJECT_ROOT / "data" / "sco-russia.yaml")
    template = find_template("briefing")
    labels = labels_for("id")
    context = template_context(checked.content, labels, chart_specs(checked.content, labels),
                               load_theme(template.path), checked.source.file)
    noted = render_markup(template, context, note_lines=True)
    plain = render_markup(template, context)
    assert noted.text == plain.text and plain.lines == ()
    assert len(noted.lines) == noted.text.count("\n") + 1
