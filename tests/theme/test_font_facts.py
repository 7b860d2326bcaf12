"""Font facts (`reports.theme.fonts`): one parse per font file and process, kept as JSON in the cache folder.

The facts must be exactly what fontTools reads (the coverage check, chart wrapping and the DOCX font
table depend on them), a new process must take them from the cache without parsing, a damaged cache
must never matter, and without a cache folder nothing may be written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import matplotlib
import pytest

from reports.cache import Cache
from reports.errors import AssetError
from reports.paths import TEMPLATES_DIR
from reports.theme import font_data, font_entries, fonts
from reports.theme.model import load_theme, resolve_font_file

THEME_FOLDER = TEMPLATES_DIR / "briefing"
MATPLOTLIB_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def theme_font_files() -> list[Path]:
    """The eight faces the built-in briefing theme uses, as the build resolves them."""
    theme = load_theme(THEME_FOLDER)
    return [resolve_font_file(getattr(family, face), THEME_FOLDER)
            for family in (theme.body_font, theme.heading_font)
            for face in ("regular", "bold", "italic", "bold_italic")]


FONT_FILES = sorted({*theme_font_files(), MATPLOTLIB_FONTS / "cmr10.ttf", MATPLOTLIB_FONTS / "STIXGeneral.ttf",
                     MATPLOTLIB_FONTS / "DejaVuSansMono.ttf"})


def stats(cache: Cache) -> dict[str, int]:
    counts = cache.counts()
    return {name: counts.get(f"font-facts:{name}", 0) for name in ("parsed", "disk_hits", "memory_hits")}


def direct_parse(path: Path) -> dict[str, Any]:
    """What the coverage check, the charts and the DOCX font table each read before: fontTools, real glyph names."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True, fontNumber=0)
    cmap = font.getBestCmap() or {}
    metrics = font["hmtx"].metrics
    os2 = font["OS/2"]
    return {
        "code_points": frozenset(cmap),
        "advances": {code: metrics[name][0] for code, name in cmap.items() if name in metrics},
        "units_per_em": font["head"].unitsPerEm,
        "ascent": font["hhea"].ascent,
        "cap_height": getattr(os2, "sCapHeight", 0) or 0,
        "panose": tuple(int(getattr(os2.panose, name)) for name in (
            "bFamilyType", "bSerifStyle", "bWeight", "bProportion", "bContrast", "bStrokeVariation", "bArmStyle",
            "bLetterForm", "bMidline", "bXHeight")),
    }


def as_dict(facts: font_data.FontFacts) -> dict[str, Any]:
    return {"code_points": facts.code_points, "advances": facts.advances, "units_per_em": facts.units_per_em,
            "ascent": facts.ascent, "cap_height": facts.cap_height, "panose": facts.panose}


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "fonts").glob("*.json")) if (cache / "fonts").is_dir() else []


# --- the facts ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", FONT_FILES, ids=lambda path: path.name)
def test_facts_are_what_fonttools_reads(path: Path) -> None:
    facts = fonts.font_facts(path, Cache())
    assert facts.error is None and facts.metrics_error is None
    assert as_dict(facts) == direct_parse(path)


@pytest.mark.slow
@pytest.mark.parametrize("path", FONT_FILES, ids=lambda path: path.name)
def test_facts_read_back_from_the_cache_are_the_parsed_ones(path: Path, tmp_path: Path) -> None:
    parsed = fonts.font_facts(path, Cache(tmp_path))
    cache = Cache(tmp_path)  # a new process: its memory is empty
    cached = fonts.font_facts(path, cache)
    assert stats(cache) == {"parsed": 0, "disk_hits": 1, "memory_hits": 0}
    assert as_dict(cached) == as_dict(parsed) == direct_parse(path)


def test_the_three_users_share_one_parse(tmp_path: Path) -> None:
    """Coverage, chart metrics and the DOCX font table: each of the eight faces parsed once."""
    from reports.charts.render import ChartRenderer
    from reports.theme.fallback import FontFallback
    from reports.writers.docx.package import font_info

    theme = load_theme(THEME_FOLDER)
    cache = Cache(tmp_path)
    faces = FontFallback(theme, THEME_FOLDER, cache).theme_faces()
    chart_fonts = ChartRenderer(theme, THEME_FOLDER, cache).fonts()
    info = font_info(theme.heading_font, THEME_FOLDER, cache)
    assert stats(cache)["parsed"] == len({face.file for face in faces}) == len(entries(tmp_path)) == 8
    heading = direct_parse(resolve_font_file(theme.heading_font.bold, THEME_FOLDER))
    assert chart_fonts.bold.advances == heading["advances"]
    assert chart_fonts.bold.ascender == heading["ascent"] / heading["units_per_em"]
    assert info.panose == direct_parse(resolve_font_file(theme.heading_font.regular, THEME_FOLDER))["panose"]


@pytest.mark.slow
def test_a_new_process_reads_the_cache_without_fonttools(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    for path in theme_font_files():
        fonts.font_facts(path, cache)
    program = f"""
import sys
from pathlib import Path
from reports.cache import Cache
from reports.theme.fallback import FontFallback
from reports.theme.model import load_theme
folder = Path({str(THEME_FOLDER)!r})
cache = Cache(Path({str(tmp_path)!r}))
faces = FontFallback(load_theme(folder), folder, cache).theme_faces()
counts = cache.counts()
print(len(faces), counts.get("font-facts:parsed", 0), counts.get("font-facts:disk_hits", 0), "fontTools" in sys.modules)
"""
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120)
    assert ran.stdout.split() == ["8", "0", "8", "False"]


# --- a cache that cannot be trusted ------------------------------------------------------------------


def _damaged(entry: Path) -> Iterator[tuple[str, bytes]]:
    text = entry.read_bytes()
    value = json.loads(text)
    yield "truncated", text[: len(text) // 2]
    yield "empty", b""
    yield "not JSON", b"\x80\x04\x95 a pickle, not JSON"
    yield "a list", b"[1, 2, 3]"
    for key, changed in (("digest", "0" * 64), ("version", font_data.FACTS_VERSION + 1), ("units_per_em", -1),
                         ("advances", "!!!"), ("advances", value["advances"][:-4]),
                         ("code_point_runs", value["code_point_runs"][:-8]), ("unmeasured", [0x10FFFF]),
                         ("panose", [1, 2, 3]), ("ascent", 1.5), ("ascent", True)):
        yield f"{key}={str(changed)[:12]}", json.dumps({**value, key: changed}).encode()
    yield "missing key", json.dumps({k: v for k, v in value.items() if k != "code_point_runs"}).encode()
    runs = list(font_entries._unblob("I", value["code_point_runs"]) or [])
    swapped = runs[2:4] + runs[:2] + runs[4:]  # two runs out of order: same numbers, not as written
    yield "runs out of order", json.dumps({**value, "code_point_runs": font_entries._blob("I", swapped)}).encode()
    merged = [runs[0], runs[1] + 1] + runs[2:]  # a run overlapping the next one
    yield "runs overlapping", json.dumps({**value, "code_point_runs": font_entries._blob("I", merged)}).encode()


def test_a_damaged_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    path = theme_font_files()[0]
    expected = direct_parse(path)
    fonts.font_facts(path, Cache(tmp_path))
    [entry] = entries(tmp_path)
    good = entry.read_bytes()
    for label, damage in _damaged(entry):
        entry.write_bytes(damage)
        cache = Cache(tmp_path)
        facts = fonts.font_facts(path, cache)
        assert stats(cache)["parsed"] == 1, label
        assert as_dict(facts) == expected, label
        assert entry.read_bytes() == good, label  # written again, whole


def test_an_entry_for_other_bytes_is_not_used(tmp_path: Path) -> None:
    """The key is the hash of the bytes: a font replaced by another gets the other's facts, not stale ones."""
    copy = tmp_path / "Face.ttf"
    copy.write_bytes((MATPLOTLIB_FONTS / "DejaVuSans.ttf").read_bytes())
    assert fonts.font_facts(copy, Cache(tmp_path / "cache")).code_points == direct_parse(copy)["code_points"]
    copy.write_bytes((MATPLOTLIB_FONTS / "cmr10.ttf").read_bytes())
    assert as_dict(fonts.font_facts(copy, Cache(tmp_path / "cache"))) == direct_parse(copy)
    assert len(entries(tmp_path / "cache")) == 2


def test_without_a_cache_folder_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.output

    def refuse(path: Path, data: bytes) -> None:
        raise AssertionError(f"wrote {path}")

    monkeypatch.setattr(reports.output, "write_atomically", refuse)
    monkeypatch.chdir(tmp_path)
    for path in theme_font_files():
        assert fonts.font_facts(path, Cache()).error is None
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_cache_costs_only_time(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    path = theme_font_files()[0]
    assert as_dict(fonts.font_facts(path, Cache(blocker))) == direct_parse(path)


# --- fonts that cannot be read -----------------------------------------------------------------------


def test_a_file_that_is_not_a_font_is_refused_by_each_user_and_never_cached(tmp_path: Path) -> None:
    from reports.charts.faces import load_face
    from reports.theme.fallback import code_points

    bogus = tmp_path / "Bogus.ttf"
    bogus.write_bytes(b"not really a font" * 10)
    cache = Cache(tmp_path / "cache")
    facts = fonts.font_facts(bogus, cache)
    assert facts.error and not facts.complete
    with pytest.raises(AssetError, match=r"font file Bogus.ttf cannot be read \(.+\) — use a TrueType"):
        code_points(bogus, cache)
    with pytest.raises(AssetError, match=r"font file Bogus.ttf cannot be read \(.+\) — use a TrueType"):
        load_face(bogus, cache)
    assert entries(tmp_path / "cache") == []


def test_a_font_without_metrics_passes_coverage_and_fails_in_the_charts(tmp_path: Path) -> None:
    """As before the facts were shared: the cmap is all the coverage check reads."""
    from fontTools.ttLib import TTFont

    from reports.charts.faces import load_face
    from reports.theme.fallback import code_points

    font = TTFont(str(MATPLOTLIB_FONTS / "cmr10.ttf"), recalcBBoxes=False)
    del font["hmtx"]
    broken = tmp_path / "NoMetrics.ttf"
    font.save(str(broken))
    cache = Cache(tmp_path / "cache")
    assert code_points(broken, cache) == direct_parse(MATPLOTLIB_FONTS / "cmr10.ttf")["code_points"]
    with pytest.raises(AssetError, match="NoMetrics.ttf cannot be read"):
        load_face(broken, cache)
    assert entries(tmp_path / "cache") == []


def test_a_font_reportlab_cannot_read_is_an_asset_error_not_a_crash(tmp_path: Path) -> None:
    """reportlab raises KeyError for a missing table (here `post`), which used to end as an internal error."""
    from fontTools.ttLib import TTFont

    from reports.errors import AssetError
    from reports.writers.pdf.styles import _register_face

    font = TTFont(str(MATPLOTLIB_FONTS / "DejaVuSans.ttf"))
    del font["post"]
    broken = tmp_path / "NoPost.ttf"
    font.save(str(broken))
    with pytest.raises(AssetError) as raised:
        _register_face(broken, tmp_path / "theme.yaml")
    assert "NoPost.ttf" in raised.value.diagnostics[0].message
    assert raised.value.diagnostics[0].file == str(tmp_path / "theme.yaml")
