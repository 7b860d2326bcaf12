"""Where the project's own resources live.

The package is installed in editable mode (`pip install -e .`, as the README says), so the
built-in templates, data and assets are the top-level folders of the checkout that the design card
fixes; one module knows that, so moving to packaged resources later is a one-file change.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
LOCALES_DIR = TEMPLATES_DIR / "locales"
DATA_DIR = PROJECT_ROOT / "data"
ASSETS_DIR = PROJECT_ROOT / "assets"
DEFAULT_CONTENT = DATA_DIR / "sco-russia.yaml"
