"""`reports templates theme NAME`: the theme a template builds with, every inherited value shown with its origin."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import run_cli

from reports.paths import TEMPLATES_DIR, template_search_path
from reports.theme.describe import describe_theme
from reports.theme.model import Theme, load_theme


def value_lines(text: str) -> dict[str, str]:
    """`key: value  # origin` lines by their (indented) key, origin only."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or " # " not in line:
            continue
        head, origin = line.rsplit(" # ", 1)
        found[head.split(":", 1)[0]] = origin
    return found


def test_the_listing_is_the_theme_itself_for_every_built_in_template() -> None:
    """Read back as YAML it is exactly the theme builds use: nothing inherited is missing or changed."""
    for name in ("briefing", "handout", "handout-teacher"):
        folder = TEMPLATES_DIR / name
        listed = yaml.safe_load(describe_theme(folder, template_search_path()))
        assert Theme(**listed).model_dump() == load_theme(folder, template_search_path()).model_dump() | {"extends": None}


def test_each_value_names_the_file_and_line_that_set_it() -> None:
    text = describe_theme(TEMPLATES_DIR / "briefing", template_search_path())
    base = (TEMPLATES_DIR / "base" / "theme.yaml").read_text(encoding="utf-8").splitlines()
    own = (TEMPLATES_DIR / "briefing" / "theme.yaml").read_text(encoding="utf-8").splitlines()
    origins = value_lines(text)
    palette_line = next(number for number, line in enumerate(base, 1) if line.strip().startswith("chart:"))
    assert origins["  chart"] == f"base/theme.yaml:{palette_line}"  # the chart palette, inherited
    assert "'#1F3A5F'" in next(line for line in text.splitlines() if line.startswith("  chart:"))
    margins_line = next(number for number, line in enumerate(own, 1) if line.startswith("margins:"))
    assert origins["  left"] == f"briefing/theme.yaml:{margins_line}"
    assert origins["  primary"].startswith("base/theme.yaml:")  # the house colours, inherited
    title_line = next(number for number, line in enumerate(own, 1) if line.strip().startswith("title:"))
    assert origins["  title"] == f"briefing/theme.yaml:{title_line} sets size; the rest house defaults"
    assert origins["  heading-2"] == "house default"
    assert text.startswith("# Theme of the template 'briefing' as builds use it: briefing/theme.yaml over "
                           "base/theme.yaml over the house defaults.")


def test_a_copied_template_lists_what_it_inherits(tmp_path: Path) -> None:
    user = tmp_path / "templates"
    created = run_cli("templates", "new", "school", "--from", "handout", "--dir", user)
    assert created.returncode == 0, created.stderr
    assert f"`reports templates theme school --templates-dir {user}`" in created.stdout
    theme = user / "school" / "theme.yaml"
    # a teacher's own look over the handout's: the copy's theme, rewritten to extend it
    theme.write_text("name: school\nextends: handout\ncolours:\n  chart: ['#112233', '#445566']\n"
                     "roles:\n  caption: {size: 0.9, colour: accent}\n", encoding="utf-8")
    shown = run_cli("templates", "theme", "school", "--templates-dir", user)
    assert shown.returncode == 0, shown.stderr
    lines = len(theme.read_text(encoding="utf-8").splitlines())
    origins = value_lines(shown.stdout)
    assert origins["  chart"] == f"school/theme.yaml:{lines - 2}"
    assert origins["  caption"] == f"school/theme.yaml:{lines} sets size, colour; the rest house defaults"
    assert origins["  primary"].startswith("base/theme.yaml:")  # the house colours come from the built-in base
    listed = yaml.safe_load(shown.stdout)
    assert listed["colours"]["chart"] == ["#112233", "#445566"] and listed["roles"]["caption"]["size"] == 0.9


def test_an_unknown_template_is_a_template_error() -> None:
    result = run_cli("templates", "theme", "nope")
    assert result.returncode == 4
    assert "no template named 'nope'" in result.stderr and "Traceback" not in result.stderr
