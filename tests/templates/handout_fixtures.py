"""What the handout tests share: both editions of the sample in both languages, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, build_files

from reports.paths import template_search_path

CONTENT = {"id": PROJECT_ROOT / "data" / "sco-russia.yaml", "en": PROJECT_ROOT / "data" / "sco-russia.en.yaml"}


@pytest.fixture(scope="session")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Path]]:
    out = tmp_path_factory.mktemp("handouts")
    built: dict[tuple[str, str], dict[str, Path]] = {}
    for language, content in CONTENT.items():
        for template in ("handout", "handout-teacher"):
            written, _ = build_files(content, template, out_dir=out, search_path=template_search_path())
            built[(language, template)] = {path.suffix: path for path in written}
    return built
