"""The template stage: sandboxed, strict, confined, and escaping every printed value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reports.errors import TemplateError
from reports.templating.folders import find_template
from reports.templating.render import render_template


def make_template(root: Path, name: str, body: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "template.md.j2").write_text(body, encoding="utf-8")
    return folder


def render(tmp_path: Path, body: str, **context: object) -> str:
    make_template(tmp_path, "t", body)
    return render_template(find_template("t", (tmp_path,)), dict(context), (tmp_path,))


def test_printed_values_are_escaped_for_markdown(tmp_path: Path) -> None:
    assert render(tmp_path, "{{ value }}", value="*x* & <y>") == "\\*x\\* \\& \\<y\\>"


def test_markup_filter_and_heading_helper_pass_template_markup(tmp_path: Path) -> None:
    assert render(tmp_path, "{{ heading(2) }} {{ '**b**' | markup }}") == "## **b**"


def test_undefined_name_is_located_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "line one\n{{ contnet.title }}\n")
    diagnostic = raised.value.diagnostics[0]
    assert diagnostic.file.endswith("template.md.j2") and diagnostic.line == 2
    assert "contnet" in diagnostic.message and "spelling" in diagnostic.message


def test_python_internals_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "{{ value.__class__.__mro__ }}", value="x")
    assert raised.value.diagnostics[0].line == 1


def test_syntax_error_is_located(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "ok\n{% if %}\n")
    assert raised.value.diagnostics[0].line == 2


@pytest.mark.parametrize("reference", ["../secret.md.j2", "/etc/hostname"])
def test_includes_outside_the_template_folders_are_refused(tmp_path: Path, reference: str) -> None:
    (tmp_path.parent / "secret.md.j2").write_text("SECRET", encoding="utf-8")
    with pytest.raises(TemplateError):
        render(tmp_path, f'{{% include "{reference}" %}}')


def test_symlink_out_of_the_template_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md.j2").write_text("SECRET", encoding="utf-8")
    folder = make_template(tmp_path / "templates", "t", '{% include "link.md.j2" %}')
    os.symlink(outside / "secret.md.j2", folder / "link.md.j2")
    with pytest.raises(TemplateError):
        render_template(find_template("t", (tmp_path / "templates",)), {}, (tmp_path / "templates",))


def test_unknown_template_suggests_the_closest(tmp_path: Path) -> None:
    make_template(tmp_path, "briefing", "x")
    with pytest.raises(TemplateError) as raised:
        find_template("breifing", (tmp_path,))
    assert "did you mean 'briefing'" in raised.value.diagnostics[0].message


@pytest.mark.parametrize("name", ["../briefing", "", ".hidden", "a/b"])
def test_template_names_are_folder_names(name: str) -> None:
    with pytest.raises(TemplateError):
        find_template(name)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ 'x' * 100000000 }}", "exceeds the output limit"),
        ("{{ 10 ** 100000000 }}", "exponent"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}{% for k in range(99999) %}{% endfor %}{% endfor %}{% endfor %}",
         "does not end"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recursion"),
        ("{% for i in range(99999) %}{{ 'y' * 99 }}{% endfor %}", "more than"),
    ],
)
@pytest.mark.slow
def test_resource_exhaustion_is_stopped(tmp_path: Path, body: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.templating.render as templating

    monkeypatch.setattr(templating, "MAX_RENDER_SECONDS", 1.0)
    monkeypatch.setattr(templating, "MAX_OUTPUT_CHARACTERS", 1_000_000)
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, body)
    assert message in str(raised.value)
    assert raised.value.diagnostics[0].file.endswith("template.md.j2")


@pytest.mark.parametrize(
    "expression",
    [
        "'%.500000000f' % 1.5",  # a constant: Jinja would compute it while compiling, where no line is known
        "'%-500000000s' % 'x'",
        "'%*d' % (900000000, 1)",
        "'%.500000000f' | format(1.5)",
        "'{:.500000000f}'.format(1.5)",
        "'{0:{1}}'.format(1, 99999999)",
        "'{a:>{w}}'.format_map({'a': 1, 'w': 500000000})",
    ],
)
def test_huge_format_widths_are_refused_at_their_line(tmp_path: Path, expression: str) -> None:
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "line one\n\n{{ " + expression + " }}\n")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.line == 3 and diagnostic.file.endswith("template.md.j2")
    assert "asks for a width or precision of" in diagnostic.message and "the limit is 10,000" in diagnostic.message


@pytest.mark.parametrize(
    ("expression", "shown"),
    [("'%5.1f|%s' % (3.14159, 'a')", "  3.1|a"), ("'%5.2f' | format(2.5)", " 2.50"), ("7 % 3", "1"),
     ("'{:>4}|{}'.format('ab', 3)", "  ab|3"), ("'{a:>{w}}'.format_map({'a': 1, 'w': 3})", "  1")],
)
def test_ordinary_formats_and_modulo_still_work(tmp_path: Path, expression: str, shown: str) -> None:
    assert render(tmp_path, "{{ " + expression + " }}").replace("\\", "") == shown  # printed values are escaped


def test_a_float_overflow_and_a_format_that_does_not_fit_are_said_in_words(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as raised:
        render(tmp_path, "\n{{ 10.0 ** 400 }}\n")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.line == 2
    assert diagnostic.message == "10.0 ** 400 is too large a number to compute — templates compute with ordinary numbers"
    with pytest.raises(TemplateError) as raised:
        render(tmp_path / "second", "{{ '%(name)s' % value }}", value="x")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.line == 1 and "the format '%(name)s' does not fit the value(s) given to it" in diagnostic.message
    assert "mapping" in diagnostic.message
