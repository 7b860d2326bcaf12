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
from typing import Mapping

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


def _expanded(path: str | Path, environ: Mapping[str, str]) -> Path:
    """`~` at the start of `path` as the home folder of `environ` (a build server's client's, not the server's)."""
    text = str(path)
    home = environ.get("HOME", "").strip()
    if home and (text == "~" or text.startswith(("~/", "~" + os.sep))):
        return Path(home) / text[2:]
    return Path(text).expanduser()


def _home(environ: Mapping[str, str]) -> Path:
    home = environ.get("HOME", "").strip()
    return Path(home) if home else Path.home()


def user_template_folder(environ: Mapping[str, str] | None = None) -> Path:
    """Where `reports templates new` puts copies: $REPORTS_USER_TEMPLATES, else the XDG data folder.

    `environ`: the environment to read (default: this process's)."""
    environ = os.environ if environ is None else environ
    configured = environ.get("REPORTS_USER_TEMPLATES")
    if configured:
        return _expanded(configured, environ)
    data_home = Path(environ.get("XDG_DATA_HOME") or _home(environ) / ".local" / "share")
    return data_home / "reports" / "templates"


def template_search_path(extra: tuple[Path, ...] = (), environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """Folders searched for templates, first match wins: given folders, the user's, then the built-ins.

    Relative folders in `extra` are taken from this process's working folder: a caller running for someone
    else (the build server) makes them absolute first."""
    environ = os.environ if environ is None else environ
    folders: list[Path] = [*extra, user_template_folder(environ), TEMPLATES_DIR]
    unique: list[Path] = []
    for folder in folders:
        resolved = _expanded(folder, environ).resolve()
        if resolved not in unique:
            unique.append(resolved)
    return tuple(unique)


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where `reports build` keeps what it can reuse between runs: drawn charts, `builds/` (the record of each
    build, for up-to-date checks) and `fonts/` (font metrics).

    `$REPORTS_CACHE_DIR` when set, else `$XDG_CACHE_HOME/reports/charts`, else `~/.cache/reports/charts`.
    Entries are named by the hash of everything that changes a chart's bytes, so the folder can be
    shared by projects and deleted at any time.
    """
    environ = os.environ if environ is None else environ
    configured = environ.get("REPORTS_CACHE_DIR", "").strip()
    if configured:
        return _expanded(configured, environ)
    cache_home = environ.get("XDG_CACHE_HOME", "").strip()
    return (_expanded(cache_home, environ) if cache_home else _home(environ) / ".cache") / "reports" / "charts"
