"""Where the project's own resources live, for a checkout and an installed wheel alike.

The built-in templates, the sample content and the assets are the top-level folders of the checkout
(`templates/`, `data/`, `assets/`), which the design card fixes and which stay the source of truth. A wheel
carries the same folders inside the package, as `reports/resources/<folder>` (pyproject.toml maps them there),
so an installed `reports` finds them there; a checkout or an editable install has no `resources` folder and
reads the top-level ones. Both are real folders on disk (wheels install unpacked), so everything that reads
them — Jinja's loader, fonts, the up-to-date records — works on plain paths.

It also answers, with the standard library alone, the questions `reports build` asks before deciding
whether anything needs building (which folders hold templates, where outputs and caches go), so that
an up-to-date check never pays for importing the builder.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_PACKAGED = PACKAGE_DIR / "resources"
RESOURCES = _PACKAGED if (_PACKAGED / "templates").is_dir() else PACKAGE_DIR.parent
"""The folder holding `templates/`, `data/` and `assets/`: inside the installed package, else the checkout."""
PROJECT_ROOT = RESOURCES
TEMPLATES_DIR = RESOURCES / "templates"
LOCALES_DIR = TEMPLATES_DIR / "locales"
DATA_DIR = RESOURCES / "data"
ASSETS_DIR = RESOURCES / "assets"
DEFAULT_CONTENT = DATA_DIR / "sco-russia.yaml"
SCHEMA_FILE = DATA_DIR / "content.schema.json"



def output_path(content_path: Path, template_name: str, out_dir: Path, extension: str, suffix: str = "") -> Path:
    """`<stem>-<template>.<ext>`, or `<stem>-<template>-<suffix>.<ext>` for a personalised copy."""
    name = f"{content_path.stem}-{template_name}" + (f"-{suffix}" if suffix else "")
    return out_dir / f"{name}.{extension}"


def user_template_folder() -> Path:
    """Where `reports templates new` puts copies: $REPORTS_USER_TEMPLATES, else the XDG data folder."""
    configured = os.environ.get("REPORTS_USER_TEMPLATES")
    if configured:
        return Path(configured).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "reports" / "templates"


def template_search_path(extra: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """Folders searched for templates, first match wins: given folders, the user's, then the built-ins."""
    folders: list[Path] = [*extra, user_template_folder(), TEMPLATES_DIR]
    unique: list[Path] = []
    for folder in folders:
        resolved = folder.expanduser().resolve()
        if resolved not in unique:
            unique.append(resolved)
    return tuple(unique)


def default_cache_dir() -> Path:
    """Where `reports build` keeps what it can reuse between runs: drawn charts, `builds/` (the record of each
    build, for up-to-date checks) and `fonts/` (font metrics).

    `$REPORTS_CACHE_DIR` when set, else `$XDG_CACHE_HOME/reports/charts`, else `~/.cache/reports/charts`.
    Entries are named by the hash of everything that changes a chart's bytes, so the folder can be
    shared by projects and deleted at any time.
    """
    configured = os.environ.get("REPORTS_CACHE_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    cache_home = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(cache_home).expanduser() if cache_home else Path.home() / ".cache") / "reports" / "charts"
