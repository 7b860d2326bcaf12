"""Handouts a teacher would hand out (issue 15): no answers on the student sheet, room to write, the reading with
numbered paragraphs, type for students, a teacher edition with answers and marking guides, one list in every
reader, neutral labels for members that are not countries, objectives served by activities.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, as_typeset, build_files
from handout_fixtures import handouts  # noqa: F401 — both editions in both languages, built once
from pandoc_reading import blocks_of, pandoc_ast, text_of

from reports.content.membership import sorted_members
from reports.content.validate import check_content, check_data
from reports.document import nodes
from reports.document.traversal import plain_text, walk
from reports.errors import ContentError
from reports.language.countries import member_name
from reports.paths import template_search_path
from reports.pipeline import build_tree

CONTENT = {"id": PROJECT_ROOT / "data" / "sco-russia.yaml", "en": PROJECT_ROOT / "data" / "sco-russia.en.yaml"}
ASEAN = PROJECT_ROOT / "tests" / "data" / "asean-australia.yaml"


@pytest.fixture
def built(handouts: dict[tuple[str, str], dict[str, Path]]) -> dict[tuple[str, str], dict[str, Path]]:
    return handouts


def _tree(content: Path, template: str) -> nodes.Document:
    return build_tree(check_content(content), template).document


def _sorting_pairs(content: Path, language: str) -> list[tuple[str, str]]:
    checked = check_content(content).content
    asked = {id(member) for member in sorted_members(checked)}
    return [(member_name(member, language, checked.country_names()), category.label)
            for category in checked.organisation.membership for member in category.members if id(member) in asked]


# --- 1. nothing on the student sheet answers its own activities ---------------------------------------------------


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_figure_table_or_box_of_the_student_sheet_pairs_a_member_with_its_category(language: str) -> None:
    document = _tree(CONTENT[language], "handout")
    pairs = _sorting_pairs(CONTENT[language], language)
    assert pairs
    asked_names = [as_typeset(name, language) for name, _ in pairs]
    for node in walk(document):
        if isinstance(node, nodes.Figure):  # the chart's words, its alternative text and caption
            chart = node.chart
            words = [node.alt, plain_text(node)] + (list(chart.annotations) + list(chart.categories) if chart else [])
            for name in asked_names:
                assert not any(name in text for text in words), f"the chart names {name}"
        elif isinstance(node, nodes.Table):
            for row in node.body_rows:
                text = plain_text(row)
                for name, category in pairs:
                    assert not (as_typeset(name, language) in text and as_typeset(category, language) in text)
        elif isinstance(node, nodes.Div) and node.role in ("key-facts", "summary"):
            for name in asked_names:
                assert name not in plain_text(node)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_student_sheet_prints_no_true_false_answer(built, language: str) -> None:
    classroom = check_content(CONTENT[language]).content.classroom
    assert classroom is not None
    pdf = subprocess.run(["pdftotext", str(built[(language, "handout")][".pdf"]), "-"], capture_output=True,
                         text=True, check=True).stdout
    text = " ".join(pdf.split())
    assert "\u2612" not in text and "\u2610" in text  # empty boxes to tick, none ticked
    for item in classroom.activity.true_false:
        assert item.explanation is None or as_typeset(item.explanation, language)[:40] not in text
    for question in classroom.questions:
        assert as_typeset(question.answer, language)[:40] not in text


def test_the_docx_chart_of_the_student_sheet_names_none_of_the_members_to_sort(built) -> None:
    pairs = _sorting_pairs(CONTENT["en"], "en")
    with zipfile.ZipFile(built[("en", "handout")][".docx"]) as archive:
        parts = [archive.read(name).decode("utf-8") for name in archive.namelist()
                 if name.startswith("word/charts/") or name == "word/document.xml"]
    drawing = "".join(re.findall(r'descr="([^"]*)"', parts[-1] if parts else ""))
    charts = "".join(part for part in parts if "<c:chartSpace" in part)
    for name, _ in pairs:
        assert name not in charts and name not in drawing


# --- 2. room to write, one list -------------------------------------------------------------------------------------


def test_each_question_has_its_ruled_lines_and_the_sorting_rows_are_tall(built) -> None:
    import docx

    classroom = check_content(CONTENT["en"]).content.classroom
    assert classroom is not None
    document = docx.Document(str(built[("en", "handout")][".docx"]))
    styles = [paragraph.style.name for paragraph in document.paragraphs]
    assert styles.count("Question") == len(classroom.questions)
    assert styles.count("Answer Line") + styles.count("Answer Line End") == sum(q.ruled_lines for q in classroom.questions)
    assert styles.count("Answer Line End") == len(classroom.questions)
    body = document.element.body.xml
    heights = [int(value) for value in re.findall(r'<w:trHeight w:val="(\d+)" w:hRule="atLeast"/>', body)]
    assert heights and min(heights) >= 9 * 56  # at least 9 mm, in twips
    assert body.count("<w:cantSplit/>") >= len(heights)


def test_answer_space_may_be_a_height_filled_with_as_many_ruled_lines_as_fit(tmp_path: Path) -> None:
    pdfplumber = pytest.importorskip("pdfplumber")
    text = CONTENT["en"].read_text(encoding="utf-8")
    first = text.index("      lines: 3\n")
    (tmp_path / "space.yaml").write_text(text[:first] + "      space: 6 cm\n" + text[first + 15:], encoding="utf-8")
    question = check_content(tmp_path / "space.yaml").content.classroom.questions[0]  # type: ignore[union-attr]
    assert question.space == 60.0
    written, _ = build_files(tmp_path / "space.yaml", "handout", ("pdf",), tmp_path / "out",
                             search_path=template_search_path())
    with pdfplumber.open(str(written[0])) as pdf:
        page = next(page for page in pdf.pages if as_typeset(question.question, "en")[:30] in
                    " ".join((page.extract_text() or "").split()))
        lines = page.extract_text_lines()
        end = next(index for index, line in enumerate(lines) if line["text"].rstrip().endswith(
            question.question.split()[-1]))
        below, limit = lines[end]["bottom"], lines[end + 1]["top"]
        rules = sorted({round(edge["top"], 1) for edge in page.horizontal_edges
                        if below < edge["top"] < limit and edge["x1"] - edge["x0"] > page.width * 0.4})
    pitch = rules[1] - rules[0]
    height = 60 * 72 / 25.4  # the ruled lines fill 6 cm below the question: as many as fit, and no more
    assert len(rules) >= 3 and rules[-1] - below <= height < rules[-1] - below + pitch
    docx_file = build_files(tmp_path / "space.yaml", "handout", ("docx",), tmp_path / "out",
                            search_path=template_search_path())[0][0]
    import docx

    styles = [paragraph.style.name for paragraph in docx.Document(str(docx_file)).paragraphs]
    first = styles.index("Question")
    after = styles[first + 1:]
    lines_in_docx = after[:after.index("Question")]
    assert lines_in_docx.count("Answer Line") + lines_in_docx.count("Answer Line End") == len(rules)


def test_a_question_with_answer_space_reads_the_same_after_a_round_trip(tmp_path: Path) -> None:
    """Dumped and read again — a Dask task's content, `reports check --template`'s probe — a question with `space`
    stays valid: an unset `lines` is None, not a default the dump would write out as given."""
    from reports.shown import fields_not_shown

    text = CONTENT["en"].read_text(encoding="utf-8")
    first = text.index("      lines: 3\n")
    (tmp_path / "space.yaml").write_text(text[:first] + "      space: 45 mm\n" + text[first + 15:], encoding="utf-8")
    checked = check_content(tmp_path / "space.yaml")
    again = check_data(checked.content.model_dump(mode="json", exclude_none=True), "again")
    assert again.content == checked.content
    assert again.content.model_dump(mode="json") == checked.content.model_dump(mode="json")
    fields_not_shown(checked, "handout", template_search_path())  # raised "gives both" before


@pytest.mark.parametrize(("value", "millimetres"), [("35", 35.0), ("3,5 cm", 35.0), (".5 in", 12.7), ("35 MM", 35.0),
                                                   ("1.4 in", 35.56)])
def test_answer_space_reads_the_ways_people_write_a_length(tmp_path: Path, value: str, millimetres: float) -> None:
    text = CONTENT["en"].read_text(encoding="utf-8")
    first = text.index("      lines: 3\n")
    (tmp_path / "space.yaml").write_text(text[:first] + f"      space: {value}\n" + text[first + 15:], encoding="utf-8")
    question = check_content(tmp_path / "space.yaml").content.classroom.questions[0]  # type: ignore[union-attr]
    assert question.space == pytest.approx(millimetres)


@pytest.mark.parametrize(("value", "message"), [
    ("space: 3 furlongs", "'3 furlongs' is not a length — write a number and a unit: `35 mm`"),
    ("space: 2 mm", "2 mm is too little — answer space runs from 7 mm (one ruled line) to 200 mm"),
    ("space: 35 mm\n      lines: 3", "gives both `lines` and `space` — keep one"),
    ("space: true", "'true' is not a length"),  # the strict loader gives YAML's other scalars as they are written
    ("space: -35", "'-35' is not a length"),
    ("space: .nan", "'.nan' is not a length"),
    ("space: 1e2 mm", "'1e2 mm' is not a length"),
])
def test_a_wrong_answer_space_is_a_located_content_error(tmp_path: Path, value: str, message: str) -> None:
    text = CONTENT["en"].read_text(encoding="utf-8")
    first = text.index("      lines: 3\n")
    (tmp_path / "space.yaml").write_text(text[:first] + f"      {value}\n" + text[first + 15:], encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        check_content(tmp_path / "space.yaml")
    diagnostic = raised.value.diagnostics[0]
    assert message in diagnostic.message
    assert diagnostic.field_path.startswith("classroom.questions.0") and diagnostic.line


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("template", ["handout", "handout-teacher"])
def test_the_discussion_questions_stay_one_list_in_pandoc_and_mammoth(built, template: str, language: str) -> None:
    mammoth = pytest.importorskip("mammoth")
    path = built[(language, template)][".docx"]
    classroom = check_content(CONTENT[language]).content.classroom
    assert classroom is not None
    questions = classroom.questions
    html = mammoth.convert_to_html(io.BytesIO(path.read_bytes())).value
    first_list = html[html.index("<ol>", html.index(as_typeset(questions[0].question)) - 600):]
    first_list = first_list[:first_list.index("</ol>")]
    assert first_list.count("<li") == len(questions)
    # pandoc's DOCX reader ends a list at a paragraph outside any list (jgm/pandoc#3590): the answers and marking
    # guides under each question must read as part of its item, and the questions as one list
    lists = blocks_of(pandoc_ast(path)["blocks"], "OrderedList")
    question_lists = [block for block in lists
                      if any(_words(questions[0].question)[:6] == _words(text_of(item))[:6] for item in block["c"][1])]
    assert len(question_lists) == 1, [text_of(item)[:60] for block in lists for item in block["c"][1]]
    items = question_lists[0]["c"][1]
    assert len(items) == len(questions)
    for item, question in zip(items, questions, strict=True):
        text = _words(text_of(item))
        assert text[:6] == _words(question.question)[:6]
        if template == "handout-teacher":  # the answer and the marking guide sit in the question's own item
            assert " ".join(_words(question.answer)) in " ".join(text)
            for point in question.marking:
                assert " ".join(_words(point)) in " ".join(text)
        else:
            assert " ".join(_words(question.answer)[:8]) not in " ".join(text)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", as_typeset(text))


# --- 3. the reading ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_reading_carries_the_essay_with_numbered_paragraphs(language: str) -> None:
    content = check_content(CONTENT[language]).content
    document = _tree(CONTENT[language], "handout")
    reading = [node for node in walk(document) if isinstance(node, nodes.Paragraph) and node.role == "reading"]
    paragraphs = [block.paragraph for section in content.walk_sections() for block in section.blocks
                  if hasattr(block, "paragraph")] + (content.conclusion.paragraphs if content.conclusion else [])
    assert len(reading) == len(paragraphs)
    for number, (node, paragraph) in enumerate(zip(reading, paragraphs), start=1):
        assert plain_text(node).startswith(f"{number}\u2002")
        assert as_typeset(paragraph, language) in plain_text(node)


def test_an_excerpt_prints_only_the_chosen_sections() -> None:
    data = json.loads(json.dumps(check_content(CONTENT["en"]).content.model_dump(mode="json", exclude_none=True)))
    data["classroom"]["reading"] = {"sections": ["Economic Interests"], "conclusion": False}
    checked = check_data(data, "excerpt")
    document = build_tree(checked, "handout").document
    reading = [plain_text(node) for node in walk(document) if isinstance(node, nodes.Paragraph)
               and node.role == "reading"]
    assert len(reading) == 2 and reading[0].startswith("1\u2002The implementation")


def test_an_unknown_reading_section_or_sorted_member_is_a_located_content_error() -> None:
    data = check_content(CONTENT["en"]).content.model_dump(mode="json", exclude_none=True)
    data["classroom"]["reading"] = {"sections": ["Economics"]}
    data["classroom"]["activity"]["sort_members"] = ["RU", "XX-land"]
    with pytest.raises(ContentError) as raised:
        check_data(data, "bad")
    messages = " ".join(diagnostic.message for diagnostic in raised.value.diagnostics)
    assert "no section headed 'Economics'" in messages and "'XX-land' is no member" in messages
    paths = {diagnostic.field_path for diagnostic in raised.value.diagnostics}
    assert {"classroom.reading.sections.0", "classroom.activity.sort_members.1"} <= paths


def test_check_warns_about_an_objective_no_activity_serves(tmp_path: Path) -> None:
    text = ASEAN.read_text(encoding="utf-8")
    unlinked = re.sub(r"\n *objectives: \[[a-z, -]+\]", "", text).replace("    - id: partners\n      text:", "    -")
    (tmp_path / "lesson.yaml").write_text(unlinked, encoding="utf-8")
    warnings = check_content(tmp_path / "lesson.yaml").warnings
    unserved = [warning for warning in warnings if "no activity serves this learning objective" in warning.message]
    assert [warning.field_path for warning in unserved] == [f"classroom.objectives.{index}" for index in range(3)]
    assert all(warning.line for warning in unserved)
    assert "give it an `id:`" in unserved[1].message and "list 'founders'" in unserved[0].message
    for content in (*CONTENT.values(), ASEAN):
        assert not [warning for warning in check_content(content).warnings if "objective" in warning.message]


def test_check_warns_about_a_true_false_statement_without_its_paragraph_or_outside_the_reading(
        tmp_path: Path) -> None:
    text = ASEAN.read_text(encoding="utf-8")
    edited = text.replace("        paragraph: '1'\n", "", 1).replace("        paragraph: '2'\n", "        paragraph: '2, 9'\n", 1)
    (tmp_path / "lesson.yaml").write_text(edited, encoding="utf-8")
    warnings = [warning for warning in check_content(tmp_path / "lesson.yaml").warnings
                if "paragraph" in warning.message]
    assert [warning.field_path for warning in warnings] == ["classroom.activity.true_false.0",
                                                            "classroom.activity.true_false.1.paragraph"]
    assert "the teacher edition's Paragraph column stays empty" in warnings[0].message
    assert "paragraph 9 is not in the reading, whose paragraphs run from 1 to 7" in warnings[1].message
    assert all(warning.line for warning in warnings)
    for content in (*CONTENT.values(), ASEAN):  # the samples cite paragraphs the reading has
        assert not [warning for warning in check_content(content).warnings if "paragraph" in warning.message]


def test_a_link_to_an_objective_that_does_not_exist_is_refused() -> None:
    data = check_content(CONTENT["en"]).content.model_dump(mode="json", exclude_none=True)
    data["classroom"]["questions"][0]["objectives"] = ["sortin"]
    with pytest.raises(ContentError, match="objectives sortin are linked but not defined"):
        check_data(data, "bad link")


# --- 4. type for students ---------------------------------------------------------------------------------------------


def test_type_sizes_and_measure_suit_students(built) -> None:
    from reports.theme.model import load_theme

    theme = load_theme(PROJECT_ROOT / "templates" / "handout", template_search_path())
    assert theme.look("body").size >= 11 and theme.look("reading").size >= 11
    assert theme.look("table-text").size >= 9.5 and theme.look("table-heading").size >= 9.5
    layout = subprocess.run(["pdftotext", "-layout", str(built[("en", "handout")][".pdf"]), "-"],
                            capture_output=True, text=True, check=True).stdout
    first_section = check_content(CONTENT["en"]).content.body[0].heading
    reading = layout.split("Reading: ", 1)[1].split(first_section, 1)[1]  # the essay's paragraphs, after the glossary
    lines = [line.strip() for line in reading.splitlines()
             if len(line.strip()) > 40 and "  " not in line.strip()]  # not the footer (spaced out to the right)
    lengths = sorted(len(line) for line in lines)
    # a measure of 55–75 characters: the typical line in the middle of it, and no more than a stray line (a long
    # word that would not break) past it
    assert 55 <= lengths[len(lengths) // 2] <= 75 and lengths[len(lengths) * 95 // 100] <= 75 and lengths[-1] <= 78


# --- 5. a real teacher edition ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_teacher_edition_has_answers_marking_guides_and_no_student_lines(built, language: str) -> None:
    import docx

    classroom = check_content(CONTENT[language]).content.classroom
    assert classroom is not None
    document = docx.Document(str(built[(language, "handout-teacher")][".docx"]))
    paragraphs = [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]
    text = " ".join(body for _, body in paragraphs)
    assert ("Nama:" if language == "id" else "Name:") not in text
    assert not any(style.startswith("Answer Line") for style, _ in paragraphs)
    answers = [body for style, body in paragraphs if style == "Answer"]
    assert len(answers) == len(classroom.questions)
    for question in classroom.questions:
        for point in question.marking:
            assert as_typeset(point, language) in text
    runs = [run for paragraph in document.paragraphs if paragraph.style.name == "Answer" for run in paragraph.runs]
    assert runs[0].bold  # "Answer:" marked by weight, not by colour alone
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert sum("\u2612" in cell for cell in cells) == len(classroom.activity.true_false)


# --- 6. neutral labels ------------------------------------------------------------------------------------------------


def _member_column(data: dict) -> list[str]:
    sorting = next(node for node in walk(build_tree(check_data(data, "variant"), "handout").document)
                   if isinstance(node, nodes.Table) and node.role == "sorting")
    return [plain_text(cell) for cell in sorting.header_rows[0].cells]


def test_a_member_that_is_not_a_country_gets_a_neutral_column_label() -> None:
    data = check_content(ASEAN).content.model_dump(mode="json", exclude_none=True)
    assert _member_column(data)[0] == "Member or partner"  # the content's own word
    del data["classroom"]["activity"]["member_label"]
    header = _member_column(data)  # the European Union is among the members to sort
    assert header[0] == "Member" and "Country" not in header
    data["classroom"]["activity"]["sort_members"] = ["VN", "LA", "AU"]
    assert _member_column(data)[0] == "Country"  # only countries to sort
