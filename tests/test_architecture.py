"""The layout the architecture promises, checked: no import cycles, the core knows nothing of the runtime,
writers never read content or templates, modules stay small, and the cheap commands stay cheap."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "reports"
MAX_LINES = 450
"""About 400 lines, with room for a docstring: a module longer than this is doing two things."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports() -> dict[str, set[str]]:
    """Module → the `reports` modules it imports anywhere (also inside functions), but for type checking."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        found: set[str] = set()
        for node in ast.walk(tree):
            if _type_checking_only(node, parents):
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name.startswith("reports"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reports"):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    found.add(candidate if candidate in modules else node.module)
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.slow
def test_no_import_cycles() -> None:
    assert cycles(imports()) == []


@pytest.mark.slow
def test_the_core_never_imports_the_runtime_wing_or_the_command_line() -> None:
    offenders = {module: sorted(target for target in targets if target.startswith(("reports.runtime", "reports.cli")))
                 for module, targets in imports().items()
                 if not module.startswith(("reports.runtime", "reports.cli"))}
    assert {module: targets for module, targets in offenders.items() if targets} == {}


@pytest.mark.slow
def test_writers_read_no_content_files_and_no_templates() -> None:
    forbidden = ("reports.content", "reports.templating", "reports.pipeline", "reports.runtime")
    offenders = {module: sorted(target for target in targets if target.startswith(forbidden))
                 for module, targets in imports().items() if module.startswith("reports.writers")}
    assert {module: targets for module, targets in offenders.items() if targets} == {}


def test_no_module_is_two_modules() -> None:
    long = {module_name(path): count for path in PACKAGE.rglob("*.py")
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _imported_by(arguments: list[str], cwd: Path, env: dict[str, str]) -> set[str]:
    """The modules a `reports` command imports, as a user runs it (`python -X importtime` names each one)."""
    ran = subprocess.run([sys.executable, "-X", "importtime", "-m", "reports.cli", *arguments], capture_output=True,
                         text=True, cwd=cwd, env=env, timeout=120)
    return {line.rsplit("|", 1)[-1].strip() for line in ran.stderr.splitlines() if line.startswith("import time:")}


HEAVY = ("reportlab", "docx", "pptx", "matplotlib", "jinja2", "fontTools", "PIL", "lxml", "babel", "pydantic",
         "yaml", "markdown_it", "svglib", "xlsxwriter", "rich", "watchfiles")


@pytest.mark.slow
def test_check_and_up_to_date_builds_import_no_builder(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "REPORTS_CACHE_DIR": str(tmp_path / "cache"), "REPORTS_SERVER": "off"}
    content = PROJECT_ROOT / "data" / "sco-russia.yaml"
    subprocess.run([sys.executable, "-m", "reports.cli", "build", str(content), "-o", str(tmp_path / "out")],
                   check=True, capture_output=True, env=env, timeout=300, cwd=tmp_path)
    up_to_date = _imported_by(["build", str(content), "-o", str(tmp_path / "out")], tmp_path, env)
    heavy = sorted(name for name in up_to_date if name.split(".")[0] in HEAVY)
    assert heavy == [], "an up-to-date build imports the builder's libraries"
    builder = ("reports.pipeline", "reports.writers.pdf", "reports.writers.docx", "reports.templating.render",
               "reports.templating.sandbox", "reports.templating.markup", "reports.content.model",
               "reports.content.validate", "reports.charts", "reports.theme")
    assert sorted(name for name in up_to_date if name.startswith(builder)) == []
    checked = _imported_by(["check", str(content)], tmp_path, env)
    assert not {name for name in checked if name.split(".")[0] in ("reportlab", "docx", "matplotlib", "pptx",
                                                                     "jinja2", "fontTools")}


@pytest.mark.parametrize("module", ["reports", "reports.cache", "reports.writers"])
def test_light_modules_stay_light(module: str) -> None:
    ran = subprocess.run([sys.executable, "-c", f"import sys, {module}; print(sorted(sys.modules))"],
                         capture_output=True, text=True, check=True, timeout=60)
    loaded = ran.stdout
    assert not any(f"'{heavy}" in loaded for heavy in HEAVY)
