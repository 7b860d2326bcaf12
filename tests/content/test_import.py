"""`reports import ESSAY` as a user runs it: an essay (plain text, Markdown, Word) becomes a content draft whose
body is the essay word for word and whose every other gap is a TODO marker that `reports check` reports with
its line — and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, run_cli
from essay import SEED, normalise

from reports.content.draft import make_draft
from reports.content.essay import read_essay, read_markdown, read_text
from reports.content.loader import load_text
from reports.content.validate import check_content

ASEAN_ESSAY = PROJECT_ROOT / "tests" / "data" / "asean-australia.md"
ASEAN_CONTENT = PROJECT_ROOT / "tests" / "data" / "asean-australia.yaml"


def raw_sentences(text: str) -> list[str]:
    """The essay's sentences as written (no corrections): list markers and Markdown markup are not text."""
    found = []
    for line in text.splitlines():
        line = re.sub(r"^(#+|-|\*|\d+\.)\s+", "", line.strip())
        line = re.sub(r"^[a-h]\.\s+", "", line)
        found.extend(part for part in re.split(r"(?<=[.!?:])\s+", normalise(line)) if part)
    return found


def body_text(path: Path) -> str:
    """Every text under `body` of a content file, as the strict loader reads it."""
    data = load_text(path.read_text(encoding="utf-8"), path.name).data

    def texts(value: object) -> list[str]:
        if isinstance(value, dict):
            return [text for item in value.values() for text in texts(item)]
        if isinstance(value, list):
            return [text for item in value for text in texts(item)]
        return [normalise(str(value))]

    return "\n".join(texts(data["body"]))


def check_lines(result_stderr: str) -> list[str]:
    return [line for line in result_stderr.splitlines() if line]


# --- the seed essay (plain text, one paragraph a line) -----------------------------------------------


@pytest.fixture(scope="module")
def seed_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seed")
    essay = folder / "seed.txt"
    essay.write_bytes(SEED.read_bytes())
    result = run_cli("import", essay.name, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote seed.yaml: 20 paragraphs in 4 sections, language id (guessed), 17 countries")
    return folder / "seed.yaml"


def test_the_seed_essay_imports_to_a_draft_that_checks_with_only_todo_findings(seed_draft: Path) -> None:
    result = run_cli("check", seed_draft.name, cwd=seed_draft.parent)
    assert result.returncode == 3
    lines = check_lines(result.stderr)
    assert lines and all(re.match(r"seed\.yaml:\d+:\d+: [\w.]+: TODO: ", line) for line in lines), result.stderr
    assert result.stdout == f"seed.yaml: draft, {len(lines)} TODOs left\n"
    assert "Traceback" not in result.stderr
    # each TODO is where the file has it (a folded one at its `>-`, the marker on the next line)
    text = seed_draft.read_text(encoding="utf-8").splitlines()
    for line in lines:
        number, column = map(int, line.split(":")[1:3])
        at = text[number - 1][column - 1:]
        assert (text[number].lstrip() if at == ">-" else at.lstrip("'")).startswith("TODO"), line


def test_every_sentence_of_the_seed_is_in_the_draft_verbatim(seed_draft: Path) -> None:
    body = body_text(seed_draft)
    sentences = raw_sentences(SEED.read_text(encoding="utf-8"))
    assert len(sentences) > 30
    assert [sentence for sentence in sentences if sentence not in body] == []
    assert "China,Rusia" in body and "Kyrgyztan" in body  # as written, not corrected


def test_the_seed_draft_proposes_what_the_essay_says(seed_draft: Path) -> None:
    data = load_text(seed_draft.read_text(encoding="utf-8"), "seed.yaml").data
    assert data["document"]["language"] == "id"  # type: ignore[index]
    assert data["organisation"]["name"] == "Shanghai Cooperation Organization"  # type: ignore[index]
    assert data["organisation"]["acronym"] == "SCO"  # type: ignore[index]
    assert data["actor"]["country"] == "RU"  # type: ignore[index]
    members = data["organisation"]["membership"][0]["members"]  # type: ignore[index]
    codes = [member if isinstance(member, str) else member["country"] for member in members]  # type: ignore[index]
    assert codes[:6] == ["CN", "RU", "KZ", "KG", "TJ", "UZ"]  # in order of first mention
    assert {"AF", "BY", "IR", "MN", "AM", "AZ", "KH", "NP", "LK", "TR"} <= set(codes)
    by_code = {member["country"]: member for member in members if isinstance(member, dict)}  # type: ignore[index]
    # the essay's own names: China (not CLDR's Tiongkok), Afghanistan; its other spellings kept for the prose
    assert by_code["CN"] == {"country": "CN", "name": {"id": "China"}, "other_names": {"id": ["Cina"]}}
    assert by_code["AF"] == {"country": "AF", "name": {"id": "Afghanistan"}}
    assert by_code["KG"] == {"country": "KG", "other_names": {"id": ["Kyrgystan", "Kyrgyztan"]}}
    headings = [section["heading"] for section in data["body"]]  # type: ignore[union-attr, index]
    assert headings[1:] == ["Kepentingan Ekonomi", "Kepentingan Politik dan Keamanan", "Kepentingan Ideologi"]
    assert headings[0].startswith("TODO:")  # the opening paragraphs have no heading in the essay


def test_a_completed_seed_draft_checks_clean(seed_draft: Path, tmp_path: Path) -> None:
    """Replacing the TODOs (here with placeholders) leaves no other finding: the verbatim prose, misspellings
    and all, passes the name check thanks to the names the import proposed."""
    import yaml

    data = yaml.safe_load(seed_draft.read_text(encoding="utf-8"))
    data["document"].update(title="Judul", author="Tim", organisation="Unit", date="2026-01-31", facts_as_of="2016")
    data["document"]["source"]["note"] = "Esai utuh."
    data["organisation"]["founded"] = {"date": "2001-06-15", "place": "Shanghai"}
    data["organisation"]["membership"][0]["label"] = "Negara"
    data["actor"]["interests"] = [{"id": "economic", "sector": "Ekonomi", "summary": "S.", "goal": "G."}]
    data["summary"] = ["Satu.", "Dua.", "Tiga."]
    data["body"][0]["heading"] = "Pembukaan"
    del data["classroom"]
    done = tmp_path / "done.yaml"
    done.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    checked = check_content(done)
    assert [warning.format() for warning in checked.warnings] == []
    assert body_text(done).split("\n")[1:] == body_text(seed_draft).split("\n")[1:]  # all but the heading


# --- an English essay on another organisation (Markdown) ---------------------------------------------


def test_the_asean_essay_imports_to_a_draft_with_only_todos(tmp_path: Path) -> None:
    result = run_cli("import", ASEAN_ESSAY, "--out", tmp_path / "asean.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # plain Markdown: nothing the format cannot carry
    checked = run_cli("check", "asean.yaml", cwd=tmp_path)
    assert checked.returncode == 3
    assert all(": TODO: " in line for line in check_lines(checked.stderr)), checked.stderr
    body = body_text(tmp_path / "asean.yaml")
    sentences = raw_sentences(ASEAN_ESSAY.read_text(encoding="utf-8").split("\n", 2)[2])  # past the title
    assert [sentence for sentence in sentences if sentence not in body] == []
    data = load_text((tmp_path / "asean.yaml").read_text(encoding="utf-8"), "asean.yaml").data
    assert data["document"]["title"] == "Australia and ASEAN"  # type: ignore[index]
    assert data["organisation"]["name"] == "Association of Southeast Asian Nations"  # type: ignore[index]
    assert data["actor"]["country"] == "AU"  # type: ignore[index]
    members = data["organisation"]["membership"][0]["members"]  # type: ignore[index]
    assert {"country": "MM", "name": {"en": "Myanmar"}} in members  # the essay's name, not "Myanmar (Burma)"
    assert data["body"][0]["blocks"][2]["items"][-1] == "Timor-Leste, in October 2025"  # type: ignore[index]


def test_the_completed_asean_content_keeps_the_imported_body(tmp_path: Path) -> None:
    """tests/data/asean-australia.yaml is the import of the Markdown essay, completed: its body is the draft's."""
    draft = make_draft(read_essay(ASEAN_ESSAY), source_name="asean-australia.md")
    (tmp_path / "draft.yaml").write_text(draft.text, encoding="utf-8")
    completed = check_content(ASEAN_CONTENT)
    assert completed.warnings == []
    assert body_text(tmp_path / "draft.yaml") == body_text(ASEAN_CONTENT)


# --- Word --------------------------------------------------------------------------------------------


def _word_essay(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.language = "en"
    document.core_properties.author = "A. Writer"
    document.add_paragraph("The Nordic Council", style="Title")
    document.add_paragraph("Origins", style="Heading 1")
    document.add_paragraph("The Nordic Council was founded in 1952 by Denmark, Iceland, Norway and Sweden.")
    document.add_paragraph("Finland joined in 1955.", style="List Bullet")
    document.add_paragraph("Its members:", style="Normal")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Denmark", "1952"
    table.cell(1, 0).text, table.cell(1, 1).text = "Finland", "1955"
    document.add_paragraph("Today", style="Heading 2")
    document.add_paragraph("It works through the Nordic Council of Ministers as well.")
    document.save(str(path))


def test_a_word_essay_keeps_its_headings_lists_and_table_text(tmp_path: Path) -> None:
    _word_essay(tmp_path / "nordic.docx")
    result = run_cli("import", "nordic.docx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "nordic.docx: note: a table (block 6) became a list" in result.stderr
    data = load_text((tmp_path / "nordic.yaml").read_text(encoding="utf-8"), "nordic.yaml").data
    assert data["document"]["title"] == "The Nordic Council"  # type: ignore[index]
    assert data["document"]["language"] == "en"  # type: ignore[index]  # from the file's properties
    assert data["document"]["source"]["author"] == "A. Writer"  # type: ignore[index]
    (origins,) = data["body"]  # type: ignore[misc]
    assert origins["heading"] == "Origins"  # type: ignore[index]
    assert origins["blocks"] == [  # type: ignore[index]
        {"paragraph": "The Nordic Council was founded in 1952 by Denmark, Iceland, Norway and Sweden."},
        {"items": ["Finland joined in 1955."]},
        {"paragraph": "Its members:"},
        {"items": ["Denmark \u2014 1952", "Finland \u2014 1955"]},
    ]
    assert origins["sections"] == [  # type: ignore[index]
        {"heading": "Today", "blocks": [{"paragraph": "It works through the Nordic Council of Ministers as well."}]}]
    assert run_cli("check", "nordic.yaml", cwd=tmp_path).returncode == 3  # TODOs left


def test_a_file_that_is_no_word_document_is_a_content_error(tmp_path: Path) -> None:
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    result = run_cli("import", "broken.docx", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("broken.docx: not a Word document") and "Traceback" not in result.stderr
    assert not (tmp_path / "broken.yaml").exists()


# --- plain text and Markdown readers -----------------------------------------------------------------


def test_plain_text_with_blank_lines_reads_paragraphs_headings_and_lists() -> None:
    essay = read_text("A Title\n\nIntroduction\n\nFirst paragraph, wrapped\nover two lines.\n\n- one\n- two\n\n"
                      "1. Second Part\n\nLast words here.\n")
    assert essay.title == "A Title"
    assert [(block.kind, block.text or block.items) for block in essay.blocks] == [
        ("heading", "Introduction"), ("paragraph", "First paragraph, wrapped over two lines."),
        ("items", ("one", "two")), ("heading", "Second Part"), ("paragraph", "Last words here.")]


def test_markdown_reports_what_the_format_cannot_carry() -> None:
    essay = read_markdown("---\ntitle: T\nlang: fr\ndate: 2020\n---\n\n# Part\n\nSome *bold* words and a "
                          "[link](https://example.org).\n\n![map](map.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                          "> quoted\n", "essay.md")
    assert (essay.title, essay.language) == ("T", "fr")
    assert [block.text or block.items for block in essay.blocks] == [
        "Part", "Some bold words and a link.", ("a \u2014 b", "1 \u2014 2"), "quoted"]
    notes = [note.format() for note in essay.notes]
    assert notes == [
        "essay.md:1:1: note: front matter `date` has no place in a content draft; add it by hand if it matters",
        "essay.md:9:1: note: bold and italic are not carried over: the content's prose is plain text",
        "essay.md:9:1: note: link addresses are not carried over, only the linked words",
        "essay.md:11:1: note: an image (map) is not carried over",
        "essay.md:13:1: note: a table became a list, one item a row (cells joined by ' — ')",
        "essay.md:17:1: note: a quotation became ordinary paragraphs",
    ]


# --- the command's errors ----------------------------------------------------------------------------


def test_an_existing_draft_is_not_replaced_without_force(tmp_path: Path) -> None:
    (tmp_path / "essay.txt").write_text("Words of an essay about Norway and Sweden.\n", encoding="utf-8")
    (tmp_path / "essay.yaml").write_text("finished: work\n", encoding="utf-8")
    result = run_cli("import", "essay.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "essay.yaml: exists — give another --out, or --force to replace it\n"
    assert (tmp_path / "essay.yaml").read_text(encoding="utf-8") == "finished: work\n"
    assert run_cli("import", "essay.txt", "--force", "--language", "en", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(("arguments", "code", "message"), [
    (("absent.txt",), 3, "absent.txt: no such essay file — check the path\n"),
    (("latin1.txt",), 3, "latin1.txt:2:1: byte 0xe9 is not UTF-8 — save the essay as UTF-8\n"),
    (("good.txt", "--language", "xx-nope"), 2, "--language 'xx-nope' is not a known language tag"),
])
def test_bad_input_is_refused_with_a_located_message(tmp_path: Path, arguments: tuple[str, ...], code: int,
                                                      message: str) -> None:
    (tmp_path / "latin1.txt").write_bytes(b"first line\ncaf\xe9\n")
    (tmp_path / "good.txt").write_text("An essay.\n", encoding="utf-8")
    result = run_cli("import", *arguments, cwd=tmp_path)
    assert result.returncode == code
    assert message in result.stderr and "Traceback" not in result.stderr


def test_the_draft_can_go_to_stdout(tmp_path: Path) -> None:
    (tmp_path / "essay.md").write_text("# Title\n\n## Part\n\nIndonesia and Malaysia.\n", encoding="utf-8")
    result = run_cli("import", "essay.md", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("#\n#\n# A content draft made by `reports import` from essay.md.")
    assert "- paragraph: Indonesia and Malaysia." in result.stdout
    assert not (tmp_path / "essay.yaml").exists()


def test_a_draft_does_not_build(tmp_path: Path) -> None:
    (tmp_path / "essay.txt").write_text("An essay on Norway.\n", encoding="utf-8")
    assert run_cli("import", "essay.txt", "--language", "en", cwd=tmp_path).returncode == 0
    result = run_cli("build", "essay.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 3
    assert ": TODO: " in result.stderr and not (tmp_path / "out").exists()
