"""Template folders: where templates are found (user folders before the built-ins), listed and copied for customising.

A template is a folder holding `template.md.j2` and `theme.yaml`; the first folder of the search path that has a
template of a name wins, so a teacher's copy shadows the built-in one of the same name.
"""

from __future__ import annotations

import difflib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from reports.errors import Diagnostic, TemplateError
from reports.paths import TEMPLATES_DIR, template_search_path, user_template_folder  # noqa: F401 — re-exported

MAIN_TEMPLATE = "template.md.j2"


@dataclass(frozen=True)
class TemplateFolder:
    name: str
    path: Path
    """Folder holding `template.md.j2` and `theme.yaml`."""


def list_templates(search_path: tuple[Path, ...]) -> list[tuple[TemplateFolder, bool]]:
    """Every template found, with whether an earlier folder's template of the same name hides it."""
    found: list[tuple[TemplateFolder, bool]] = []
    seen: set[str] = set()
    for root in search_path:
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if (folder / MAIN_TEMPLATE).is_file():
                found.append((TemplateFolder(folder.name, folder.resolve()), folder.name in seen))
                seen.add(folder.name)
    return found


def copy_template(source: TemplateFolder, name: str, destination_root: Path) -> Path:
    """Copy a template folder under a new name for editing; symlinks are not followed or copied."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or name in {"base", "locales"}:
        raise TemplateError([Diagnostic(f"'{name}' cannot be a template name — use letters, digits and dashes")])
    target = destination_root / name
    if target.exists():
        raise TemplateError([Diagnostic(f"{target} already exists — choose another name or delete it first")])
    try:
        shutil.copytree(source.path, target, symlinks=True, ignore=_skip_symlinks)
    except OSError as error:
        raise TemplateError([Diagnostic(f"cannot copy the template: {error.strerror or error}", file=str(target))]) from None
    return target


def _skip_symlinks(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if os.path.islink(os.path.join(folder, name))]


def find_template(name: str, search_path: tuple[Path, ...] = (TEMPLATES_DIR,)) -> TemplateFolder:
    """The first folder named `name` that holds a main template, user folders first."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise TemplateError([Diagnostic(f"'{name}' is not a template name — use a folder name such as 'briefing'")])
    for root in search_path:
        candidate = root / name
        if (candidate / MAIN_TEMPLATE).is_file():
            return TemplateFolder(name=name, path=candidate.resolve())
    known = sorted(
        {folder.name for root in search_path if root.is_dir() for folder in root.iterdir() if (folder / MAIN_TEMPLATE).is_file()}
    )
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" — did you mean '{close[0]}'?" if close else f" — available: {', '.join(known) or 'none'}"
    raise TemplateError([Diagnostic(f"no template named '{name}'{hint}")])
