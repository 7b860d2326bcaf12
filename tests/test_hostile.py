"""The hostile-input suite: every category of HOSTILE.md, as data, through the real command line.

Each folder of tests/hostile/cases/ is one case: the input files (content, a template folder, …) and a
`case.yaml` saying what must happen:

```yaml
about: one line on what the input does and why it is dangerous
hostile: [duplicate-keys]          # HAZARDS ids (HOSTILE.md items) this case covers
command: [check, content.yaml]     # arguments after `reports`, run in a copy of the folder
env: {REPORTS_RENDER_SECONDS: "2"} # extra environment
exit: 3                            # expected exit code (or a list of accepted codes)
diagnostics:                       # the whole of stderr, one line each, in order
  - {at: "content.yaml:5:3", field: document.author, message: "duplicate key"}
stderr: [fragment, …]              # more fragments stderr must contain; stderr_absent: must not
outputs:                           # exist, absent, regular_files, pdf_text, pdf_text_absent, docx_text,
  pdf_text: {out/x.pdf: [text]}    # docx_text_absent, docx_xml, docx_raw_absent, docx_images_fit, pdf_fonts
symlinks: {t/evil/notes.j2: "@CANARY@"}   # links made in the copy (git cannot hold links to random paths)
generate: [zip_bomb_reference_docx]       # GENERATORS run in the copy (binary inputs)
repeat: 2                          # run twice: the outputs must be byte-identical
xfail: "the defect, and where it must be fixed"    # strict: flips to a failure once fixed
```

Placeholders in every input and expectation: `@CANARY@` (a file outside every allowed folder, which no
case may ever open), `@CANARY_DIR@` (its folder), `@CASE@` (the case's folder, resolved).

Every case, whatever it expects, must also: print no Python traceback; open no file outside the checkout,
the case folder, the Python installation, the system fonts/time zones and matplotlib's cache (an audit hook,
tests/hostile/audited.py, logs every `open`); write only inside the case folder (and caches); never open the
canary; make no network connection and start no program but fontconfig's `fc-list`; leave every input
byte-identical and no temporary file behind. Cases run in parallel (one process each) before their tests assert, so the whole
suite takes about a minute. The real readers (qpdf, pdffonts, docx2python, LibreOffice) then check every
PDF and DOCX the cases produced.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import image_files
import pytest
import yaml
from conftest import PROJECT_ROOT, libreoffice_pdfs, need_tool

HOSTILE_DIR = Path(__file__).resolve().parent / "hostile"
CASES_DIR = HOSTILE_DIR / "cases"
AUDITED = HOSTILE_DIR / "audited.py"
HOSTILE_MD = PROJECT_ROOT.parent / "shared" / "design" / "HOSTILE.md"

# --- what HOSTILE.md lists: every item has an id, and a fragment of HOSTILE.md's text that names it -----

HAZARDS: dict[str, str] = {
    # Content files (YAML)
    "norway-no": "country code NO!",
    "booleans-yes-off": "`off`, `yes` become booleans",
    "leading-zero": "`012` becomes 10",
    "sexagesimal": "`1:30` becomes 90",
    "date-guessing": "`2024-01-31` a date",
    "impossible-date": "an impossible date raises a plain `ValueError`",
    "duplicate-keys": "duplicate keys (PyYAML silently keeps the last)",
    "billion-laughs": "billion laughs",
    "deep-nesting": "deep nesting (`RecursionError`)",
    "empty-file": "empty file",
    "list-at-top": "a list at top",
    "tab-indentation": "tabs for indentation",
    "nbsp-after-colon": "a no-break space after a colon",
    "non-utf8-byte": "a non-UTF-8 byte",
    "bom": "a BOM",
    "crlf": "CRLF line ends",
    "python-object-tag": "`!!python/object` tags",
    "misspelt-keys": "**Misspelt keys** are errors with a suggestion",
    "indonesian-thousands": 'Indonesian `"1.500"` means one thousand five hundred',
    "nan": "`.nan`",
    "inf": "`.inf`",
    "negative-counts": "negatives where counts are meant",
    "control-characters": "control characters and lone surrogates",
    "lone-surrogates": "lone surrogates (python-docx refuses them at save",
    "bidi-controls": "bidirectional control characters",
    "decomposed-accents": "decomposed accents (normalise to NFC)",
    "long-words": "very long words",
    "long-paragraphs": "long words and paragraphs",
    # Templates
    "sandbox-escape": "Always a sandboxed Jinja2 environment",
    "strict-undefined": "`StrictUndefined`: a typo is an error with template file and line",
    "include-dotdot": "Includes and extends stay inside the template's folder: `../`",
    "include-absolute": "`../`, absolute paths and",
    "include-symlink-outside": "**symlinks pointing outside**",
    "nested-loops": "nested loops",
    "string-multiplication": "huge string multiplication",
    # Writers
    "escape-ampersand": "Unescaped `&` silently becomes `&;`",
    "escape-less-than": "`<` crashes or drops text",
    "img-tag": "`<img src=…>` in user text reads local files or fetches URLs",
    "font-coverage": "Fonts must cover the text",
    "non-bmp-emoji": "Characters outside the BMP (emoji) get a broken text layer",
    "long-words-and-tall-cells": "Long words and tall table cells must not raise `LayoutError`",
    "docx-control-characters": "**python-docx**: control characters",
    "huge-images": "huge images (always set a width within the text area)",
    "reference-missing-styles": "missing styles in a user's reference document",
    "reference-zip-bomb": "a reference document that is a zip bomb",
    "mathtext-dollar": "`$` in a data label switches on math parsing",
    "leading-underscore-label": "a label starting with `_` vanishes from legends",
    "missing-glyphs": "missing glyphs warn and draw boxes",
    "pyplot-state-in-batches": "pyplot state leaks in batches",
    # Files and outputs
    "asset-dotdot": "Asset paths (`../../etc/passwd`",
    "asset-absolute": "absolute paths, URLs, symlinks",
    "asset-url": "URLs, symlinks) resolve only inside",
    "asset-symlink": "symlinks) resolve only inside the project's or template's folders",
    "output-never-replaces-input": "Output never replaces an input",
    "temp-file-and-rename": "written to a temporary file and renamed into place",
    "full-disk-keeps-previous": "a crash or a full disk leaves the previous good file",
    "byte-identical": "The same input built twice gives byte-identical files",
}

BEYOND_HOSTILE_MD: dict[str, str] = {
    "content-not-a-regular-file": "a device or pipe named as the content file (a pipe would block for ever)",
    "reference-beyond-styles": "a reference document carrying macros, headers, fields, web links or an attached "
                               "template (issue 18)",
}

# Hazards that need more than one CLI run to show (faults, properties, size): covered by these named tests too.
OTHER_TESTS: dict[str, list[str]] = {
    "full-disk-keeps-previous": [
        "test_output_faults.py::test_full_disk_leaves_the_previous_output_and_no_temporary_file",
        "test_output_faults.py::test_killed_build_leaves_the_previous_output_and_no_temporary_file",
    ],
    "temp-file-and-rename": ["test_output_faults.py::test_concurrent_builds_of_one_output_never_leave_a_broken_file"],
    "byte-identical": ["test_properties.py::test_building_twice_gives_identical_bytes"],
    "long-paragraphs": ["content/test_large_input.py::test_300_paragraphs_and_a_500_row_table_build_with_repeating_headers"],
    "font-coverage": ["test_properties.py::test_covered_text_appears_unchanged_in_pdf_and_docx"],
}

# --- cases -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    spec: dict[str, Any]

    @property
    def exits(self) -> list[int]:
        expected = self.spec["exit"]
        return list(expected) if isinstance(expected, list) else [expected]

    @property
    def outputs(self) -> dict[str, Any]:
        return self.spec.get("outputs") or {}


def load_cases() -> list[Case]:
    cases = []
    for folder in sorted(path for path in CASES_DIR.iterdir() if (path / "case.yaml").is_file()):
        spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        cases.append(Case(folder.name, folder, spec))
    return cases


CASES = load_cases()


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.spec["xfail"])] if case.spec.get("xfail") else []
    return pytest.param(case, id=case.name, marks=marks)


# --- generators for inputs that are binary or built with a library ----------------------------------


def plain_reference_docx(folder: Path) -> None:
    """python-docx's own default document as a reference: Word's built-in styles, none of the template's."""
    import docx

    docx.Document().save(str(folder / "t" / "evil" / "reference.docx"))


def zip_bomb_reference_docx(folder: Path) -> None:
    """A valid reference document plus one part of 8 MiB of zeros that compresses to a few kilobytes."""
    import docx

    plain = io.BytesIO()
    docx.Document().save(plain)
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, \
            zipfile.ZipFile(folder / "t" / "evil" / "reference.docx", "w", zipfile.ZIP_DEFLATED) as bomb:
        for name in source.namelist():
            bomb.writestr(name, source.read(name))
        bomb.writestr("word/media/image1.png", b"\0" * (8 * 1024 * 1024))


def _one_bit_png(path: Path, width: int, height: int) -> None:
    """A large picture in a small file: one bit per pixel, one colour, compresses to almost nothing."""
    from PIL import Image

    Image.new("1", (width, height), 1).save(path, optimize=True)


def big_logo_png(folder: Path) -> None:
    _one_bit_png(folder / "t" / "evil" / "logo.png", 4000, 3000)


def bomb_logo_png(folder: Path) -> None:
    _one_bit_png(folder / "t" / "evil" / "logo.png", 8000, 6000)


def _font_with(folder: Path, name: str, symbol_cmap: bool) -> None:
    """matplotlib's DejaVu Sans with a `head` table four bytes too long (fontTools warns "extra bytes at the end
    of 'head' table" while reading it) and, with `symbol_cmap`, only a Windows symbol cmap (codes U+F020–F0FF,
    as Wingdings or Symbol have)."""
    import matplotlib
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.sfnt import SFNTWriter
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    font = TTFont(str(source))
    if symbol_cmap:
        table = CmapSubtable.newSubtable(4)
        table.platformID, table.platEncID, table.language = 3, 0, 0
        table.cmap = {0xF000 + code: glyph for code, glyph in font.getBestCmap().items() if 0x20 <= code < 0x100}
        font["cmap"].tables = [table]
    buffer = io.BytesIO()
    font.save(buffer)
    rebuilt = TTFont(io.BytesIO(buffer.getvalue()), lazy=True)
    tables = {tag: rebuilt.reader[tag] for tag in rebuilt.reader.keys()}
    tables["head"] += b"\0\0\0\0"
    fonts = folder / "t" / "evil" / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    with (fonts / name).open("wb") as handle:
        writer = SFNTWriter(handle, len(tables))
        for tag in sorted(tables):
            writer[tag] = tables[tag]
        writer.close()


def symbol_font_ttf(folder: Path) -> None:
    _font_with(folder, "Symbolic.ttf", symbol_cmap=True)


def font_fonttools_warns_about(folder: Path) -> None:
    _font_with(folder, "Repaired.ttf", symbol_cmap=False)


def evil_reference_docx(folder: Path) -> None:
    """What `reports templates reference briefing` writes, then edited as issue 18's prober did: an attached template
    on the web, a VBA project, a first-page header with an INCLUDETEXT field and an external picture, comments, a
    DDEAUTO field, a picture bullet, an external hyperlink, two columns."""
    from reference_files import evil_reference

    from reports.paths import DEFAULT_CONTENT
    from reports.pipeline import build_tree, load_content, render

    plain = folder / "plain-reference.docx"
    plain.write_bytes(render(build_tree(load_content(DEFAULT_CONTENT), "briefing"), ("docx",))["docx"])
    evil_reference(plain, folder / "t" / "evil" / "reference.docx")
    plain.unlink()


def _logo(folder: Path, name: str = "logo.png") -> Path:
    return folder / "t" / "evil" / name


GENERATORS: dict[str, Callable[[Path], None]] = {
    "evil_reference_docx": evil_reference_docx,
    "bomb_30000_square_png": lambda folder: image_files.zero_bomb_png(_logo(folder), 30000, 30000) and None,
    "bomb_15000_by_12000_png": lambda folder: image_files.zero_bomb_png(_logo(folder), 15000, 12000) and None,
    "text_chunk_50_mb_png": lambda folder: image_files.inflating_text_png(_logo(folder)) and None,
    "colour_profile_50_mb_png": lambda folder: image_files.inflating_profile_png(_logo(folder)) and None,
    "cut_to_60_bytes_png": lambda folder: image_files.truncated_png(_logo(folder)) and None,
    "garbage_idat_png": lambda folder: image_files.garbage_idat_png(_logo(folder)) and None,
    "cmyk_jpeg": lambda folder: image_files.cmyk_jpeg(_logo(folder, "logo.jpg"), 600, 300) and None,
    "transparent_palette_png": lambda folder: image_files.palette_png(_logo(folder), transparent=True) and None,
    "sixteen_bit_rgba_png": lambda folder: image_files.sixteen_bit_png(_logo(folder), 6) and None,
    "symbol_font_ttf": symbol_font_ttf,
    "font_fonttools_warns_about": font_fonttools_warns_about,
    "plain_reference_docx": plain_reference_docx,
    "zip_bomb_reference_docx": zip_bomb_reference_docx,
    "big_logo_png": big_logo_png,
    "bomb_logo_png": bomb_logo_png,
}

# --- running a case ---------------------------------------------------------------------------------


@dataclass
class Ran:
    case: Case
    folder: Path
    results: list[subprocess.CompletedProcess[str]]
    audit: list[dict[str, Any]]
    inputs: dict[str, str]
    """sha256 of every regular input file before the run, by path relative to the case folder."""
    first_outputs: dict[str, bytes] = field(default_factory=dict)
    placeholders: dict[str, str] = field(default_factory=dict)

    @property
    def result(self) -> subprocess.CompletedProcess[str]:
        return self.results[-1]

    def expand(self, text: str) -> str:
        for key, value in self.placeholders.items():
            text = text.replace(key, value)
        return text


@dataclass(frozen=True)
class Canary:
    folder: Path
    file: Path
    content: bytes


TEXT_SUFFIXES = {".yaml", ".j2", ".txt", ".md", ".pdf", ".docx"}


def _substitute(folder: Path, placeholders: dict[str, str]) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.name != "case.yaml":
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue
            if "@" in text:
                replaced = text
                for key, value in placeholders.items():
                    replaced = replaced.replace(key, value)
                if replaced != text:
                    path.write_bytes(replaced.encode("utf-8"))


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink() and path.name not in ("case.yaml", "audit.jsonl")
    }


def _outputs(folder: Path) -> dict[str, bytes]:
    out = folder / "out"
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()} \
        if out.is_dir() else {}


def run_case(case: Case, work: Path, canary: Canary) -> Ran:
    folder = work / case.name
    shutil.copytree(case.folder, folder, symlinks=True, ignore=shutil.ignore_patterns("case.yaml"))
    folder = folder.resolve()
    placeholders = {"@CANARY_DIR@": str(canary.folder), "@CANARY@": str(canary.file), "@CASE@": str(folder)}
    _substitute(folder, placeholders)
    for link, target in (case.spec.get("symlinks") or {}).items():
        path = folder / link
        path.parent.mkdir(parents=True, exist_ok=True)
        for key, value in placeholders.items():
            target = target.replace(key, value)
        path.symlink_to(target)
    for name in case.spec.get("generate") or []:
        GENERATORS[name](folder)
    inputs = _snapshot(folder)
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("REPORTS_DEBUG", "SOURCE_DATE_EPOCH", "PYTHONSTARTUP")}
    environment["REPORTS_USER_TEMPLATES"] = str(folder / ".no-user-templates")
    environment["REPORTS_CACHE_DIR"] = str(folder / ".cache")  # the chart cache, kept per case
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    environment.update({key: str(value) for key, value in (case.spec.get("env") or {}).items()})
    arguments = [placeholders_expand(str(argument), placeholders) for argument in case.spec["command"]]
    ran = Ran(case, folder, [], [], inputs, placeholders=placeholders)
    for round_number in range(int(case.spec.get("repeat", 1))):
        log = folder / "audit.jsonl"
        environment["HOSTILE_AUDIT_LOG"] = str(log)
        ran.results.append(subprocess.run(
            [sys.executable, str(AUDITED), *arguments], cwd=folder, env=environment,
            capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=180,
        ))
        ran.audit.extend(json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip())
        log.unlink()
        if round_number == 0:
            ran.first_outputs = _outputs(folder)
    return ran


def placeholders_expand(text: str, placeholders: dict[str, str]) -> str:
    for key, value in placeholders.items():
        text = text.replace(key, value)
    return text


@pytest.fixture(scope="session")
def canary() -> Iterator[Canary]:
    folder = Path(tempfile.mkdtemp(prefix="hostile-canary-")).resolve()
    file = folder / "canary"
    content = b"CANARY: no build may ever open this file\n"
    file.write_bytes(content)
    yield Canary(folder, file, content)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def hostile_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 canary: Canary) -> dict[str, Ran]:
    """Run every selected case once, in parallel; tests then assert on the results."""
    selected = {item.callspec.params["case"].name for item in request.session.items
                if item.module is sys.modules[__name__] and hasattr(item, "callspec") and "case" in item.callspec.params}
    wanted = [case for case in CASES if case.name in selected] or CASES
    work = tmp_path_factory.mktemp("hostile")
    import matplotlib.font_manager  # noqa: F401  (builds matplotlib's font cache once, before cases run in parallel)

    with ThreadPoolExecutor(max_workers=max(2, min(6, (os.cpu_count() or 2) + 1))) as pool:
        futures = {case.name: pool.submit(run_case, case, work, canary) for case in wanted}
        return {name: future.result() for name, future in futures.items()}


# --- what every case must respect: files, network, processes ---------------------------------------


def _allowed_read_roots(folder: Path) -> list[Path]:
    import matplotlib

    roots = {PROJECT_ROOT, folder, Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(sys.base_exec_prefix), Path(matplotlib.get_cachedir()), Path(matplotlib.get_configdir())}
    roots.update(Path(path) for path in sysconfig.get_paths().values())
    roots.update(Path(path) for path in site.getsitepackages())
    roots.add(Path(site.getusersitepackages()))
    roots.update(Path(path) for path in ("/usr/share/fonts", "/usr/local/share/fonts", "/etc/fonts", "/usr/share/zoneinfo",
                                         "/etc/localtime", "/dev/null", "/dev/urandom", "/etc/mime.types"))
    home = Path.home()
    roots.update({home / ".reportlab_mods", home / ".reportlab_settings", home / ".fonts", home / ".local" / "share" / "fonts"})
    return [root.resolve() for root in roots]


def _allowed_write_roots(folder: Path) -> list[Path]:
    import matplotlib

    return [folder, Path(matplotlib.get_cachedir()).resolve(), Path("/dev/null")]


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_NETWORK_EVENTS = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
                   "socket.sendto", "socket.sendmsg", "socket.bind", "urllib.Request", "http.client.connect",
                   "ftplib.connect", "smtplib.connect", "webbrowser.open")


def _is_write(entry: dict[str, Any]) -> bool:
    mode = entry.get("mode") or ""
    if mode not in ("None", "") and any(flag in mode for flag in "wax+"):
        return True
    return bool(int(entry.get("flags") or 0) & _WRITE_FLAGS)


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def audit_problems(ran: Ran, canary: Canary) -> list[str]:
    problems = []
    reads, writes = _allowed_read_roots(ran.folder), _allowed_write_roots(ran.folder)
    for entry in ran.audit:
        event = entry["event"]
        if event == "open":
            shown = entry["path"]
            real = Path(os.path.realpath(shown))
            literal = Path(os.path.normpath(shown))
            if real == canary.file or literal == canary.file or real.is_relative_to(canary.folder):
                problems.append(f"opened the canary: {shown}")
            elif literal.is_relative_to("/proc/self") and not _is_write(entry):
                continue  # the process's own status (memory size for the render limit)
            elif not (_inside(real, reads) and _inside(literal, reads)):
                problems.append(f"opened a file outside the allowed folders: {shown} (→ {real})")
            elif _is_write(entry) and not (_inside(real, writes) or "__pycache__" in real.parts):
                problems.append(f"wrote outside the case folder: {shown}")
        elif event.startswith(_NETWORK_EVENTS):
            problems.append(f"network: {event} {entry.get('args', '')}")
        elif event.startswith(("subprocess.", "os.exec", "os.posix_spawn", "os.spawn", "os.system")):
            # fontconfig's fc-list only: matplotlib builds its font cache with it, and the font fallback asks it, once,
            # which installed fonts have the characters the theme's fonts lack (reports.theme.installed_fonts)
            if "fc-list" not in entry.get("args", ""):
                problems.append(f"started a program: {event} {entry.get('args', '')}")
    return problems


# --- reading outputs --------------------------------------------------------------------------------




_STRAIGHT_QUOTES = str.maketrans("\u201c\u201d\u201e\u2018\u2019\u201a\u00ab\u00bb", "\"\"\"\'\'\'\"\"")
"""The document sets straight quotes as the language's curly ones (theme `smart_quotes`): a case's expected text
keeps what its author typed."""


def squeeze(text: str) -> str:
    """Text without any white space or typographic quotes: PDF lines break anywhere, even inside a long word."""
    return "".join(text.replace("\u00ad", "").translate(_STRAIGHT_QUOTES).split())


def dehyphenated(text: str) -> str:
    """`squeeze` without hyphens: pdftotext joins a line ending in '-' to the next and drops the hyphen
    (its dehyphenation cannot be turned off), so hyphens are not compared in its output; pypdf's are."""
    return squeeze(text).replace("-", "")


def spaced(text: str) -> str:
    return " ".join(text.translate(_STRAIGHT_QUOTES).split())


_FOOTER = re.compile(r"^(Page|Halaman) \d+ (of|dari) \d+$")


def without_page_furniture(pages: list[str]) -> str:
    """Page text minus the running header (first line after page 1) and the page-number footer, which would
    otherwise interrupt a word or sentence that crosses a page break."""
    kept = []
    for number, page in enumerate(pages):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        lines = [line for line in lines if not _FOOTER.match(line)]
        if number > 0 and lines:
            lines = lines[1:]
        kept.extend(lines)
    return "\n".join(kept)


def pdftotext(path: Path) -> str:
    text = subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, encoding="utf-8", check=True).stdout
    return without_page_furniture(text.split("\f"))


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return without_page_furniture([page.extract_text() or "" for page in PdfReader(str(path)).pages])


def docx_text(path: Path) -> str:
    """Every paragraph of the body, tables included, as python-docx reads it."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    texts: list[str] = []

    def visit(container: Any) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                texts.append(block.text)
            elif isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        visit(cell)

    visit(docx.Document(str(path)))
    return "\n".join(texts)


def docx_xml_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        parts = [archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")]
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts)))


def produced(ran: Ran, suffix: str) -> list[Path]:
    out = ran.folder / "out"
    return sorted(path for path in out.rglob(f"*{suffix}") if path.is_file() and not path.is_symlink()) \
        if out.is_dir() else []


# --- the tests --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_hostile_case(case: Case, hostile_runs: dict[str, Ran], canary: Canary) -> None:
    ran = hostile_runs[case.name]
    for result in ran.results:
        assert "Traceback" not in result.stderr, result.stderr
        assert "internal error" not in result.stderr, result.stderr
        assert result.returncode in case.exits, f"exit {result.returncode}, expected {case.exits}:\n{result.stderr}"
    stderr = ran.result.stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    expected = case.spec.get("diagnostics") or []
    if expected:
        assert len(lines) == len(expected), f"expected {len(expected)} diagnostic line(s):\n{stderr}"
        for line, diagnostic in zip(lines, expected):
            prefix = ran.expand(diagnostic["at"]) + ": "
            if diagnostic.get("field"):
                prefix += diagnostic["field"] + ": "
            assert line.startswith(prefix), f"{line!r} does not start with {prefix!r}"
            assert ran.expand(diagnostic["message"]) in line, line
    for fragment in case.spec.get("stderr") or []:
        assert ran.expand(fragment) in stderr, f"{fragment!r} not in stderr:\n{stderr}"
    for fragment in case.spec.get("stderr_absent") or []:
        assert ran.expand(fragment) not in stderr, f"{fragment!r} in stderr:\n{stderr}"

    problems = audit_problems(ran, canary)
    assert not problems, "\n".join(problems[:20])
    assert canary.file.read_bytes() == canary.content, "the canary was changed"

    after = _snapshot(ran.folder)
    changed = [name for name, digest in ran.inputs.items() if after.get(name) != digest]
    assert not changed, f"inputs changed or removed: {changed}"
    leftovers = [str(path.relative_to(ran.folder)) for path in ran.folder.rglob("*.part")]
    assert not leftovers, f"temporary files left behind: {leftovers}"

    _check_outputs(ran)
    if int(case.spec.get("repeat", 1)) > 1:
        second = _outputs(ran.folder)
        assert ran.first_outputs, "the first build wrote nothing"
        assert second.keys() == ran.first_outputs.keys()
        different = [name for name in second if second[name] != ran.first_outputs[name]]
        assert not different, f"rebuilding changed the bytes of {different}"


def _check_outputs(ran: Ran) -> None:
    outputs = ran.case.outputs
    for name in outputs.get("exist") or []:
        assert (ran.folder / name).is_file(), f"{name} was not written"
    for name in outputs.get("absent") or []:
        assert not (ran.folder / name).exists(), f"{name} exists"
    for name in outputs.get("regular_files") or []:
        path = ran.folder / name
        assert path.is_file() and not path.is_symlink(), f"{name} is not a regular file"
    for name, texts in (outputs.get("pdf_text") or {}).items():
        path = ran.folder / name
        assert path.is_file(), f"{name} was not written"
        for reader, extracted, flatten in (("pdftotext", pdftotext(path), dehyphenated), ("pypdf", pypdf_text(path), squeeze)):
            flat = flatten(extracted)
            for text in texts:
                assert flatten(ran.expand(text)) in flat, f"{reader} does not find {text[:80]!r} in {name}"
    for name, texts in (outputs.get("pdf_text_absent") or {}).items():
        flat = squeeze(pdftotext(ran.folder / name))
        for text in texts:
            assert squeeze(ran.expand(text)) not in flat, f"{text!r} is in {name}"
    for name, texts in (outputs.get("docx_text") or {}).items():
        path = ran.folder / name
        assert path.is_file(), f"{name} was not written"
        extracted = spaced(docx_text(path))
        for text in texts:
            assert spaced(ran.expand(text)) in extracted, f"python-docx does not find {text[:80]!r} in {name}"
    for name, texts in (outputs.get("docx_text_absent") or {}).items():
        extracted = docx_text(ran.folder / name)
        for text in texts:
            assert ran.expand(text) not in extracted, f"{text!r} is in {name}"
    for name, texts in (outputs.get("docx_xml") or {}).items():
        extracted = spaced(docx_xml_text(ran.folder / name))
        for text in texts:
            assert spaced(ran.expand(text)) in extracted, f"{text!r} not in the XML of {name}"
    for name, fragments in (outputs.get("docx_raw_absent") or {}).items():
        with zipfile.ZipFile(ran.folder / name) as archive:
            raw = [(entry, archive.read(entry)) for entry in archive.namelist()]
        for fragment in fragments:
            found = [entry for entry, data in raw if fragment.encode("utf-8") in data or fragment in entry]
            assert not found, f"{fragment!r} is in {name}: {found}"
    for name in outputs.get("docx_images_fit") or []:
        _assert_images_fit(ran, ran.folder / name)
    for name, fonts in (outputs.get("pdf_fonts") or {}).items():
        listed = subprocess.run([need_tool("pdffonts"), str(ran.folder / name)], capture_output=True, text=True,
                                check=True).stdout
        for font in fonts:
            assert font in listed, f"{font!r} is not embedded in {name}:\n{listed}"


def _assert_images_fit(ran: Ran, path: Path) -> None:
    from reports.paths import template_search_path
    from reports.theme.model import load_theme

    template = next(folder for folder in (ran.folder / "t").iterdir() if folder.is_dir())
    theme = load_theme(template, template_search_path((ran.folder / "t",)))
    emu_per_mm = 36_000
    width = theme.text_width_mm * emu_per_mm
    height = (theme.page_size_mm[1] - theme.margins.top - theme.margins.bottom) * emu_per_mm
    with zipfile.ZipFile(path) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
        media = [name for name in archive.namelist() if name.startswith("word/media/")]
    extents = [(int(cx), int(cy)) for cx, cy in re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', body)]
    assert media and extents, "the DOCX has no picture"
    for cx, cy in extents:
        assert 0 < cx <= width + 1 and 0 < cy <= height + 1, (cx, cy, width, height)


# --- the suite covers HOSTILE.md --------------------------------------------------------------------


def test_every_hostile_md_item_has_a_case_or_a_named_test() -> None:
    covered: dict[str, list[str]] = {hazard: [] for hazard in [*HAZARDS, *BEYOND_HOSTILE_MD]}
    for case in CASES:
        for hazard in case.spec["hostile"]:
            assert hazard in covered, f"{case.name}: unknown hazard id {hazard!r}"
            covered[hazard].append(case.name)
    tests_dir = Path(__file__).parent
    for hazard, tests in OTHER_TESTS.items():
        for test in tests:
            file, function = test.split("::")
            source = (tests_dir / file).read_text(encoding="utf-8")
            assert re.search(rf"^def {re.escape(function)}\(", source, re.MULTILINE), f"{test} does not exist"
            covered[hazard].append(test)
    missing = [hazard for hazard, names in covered.items() if not names]
    assert not missing, f"HOSTILE.md items without a test: {missing}"


def test_hazard_list_matches_hostile_md() -> None:
    """Every hazard id quotes HOSTILE.md, and every bullet of HOSTILE.md is quoted by some id."""
    if not HOSTILE_MD.is_file():
        pytest.skip(f"{HOSTILE_MD} is not part of this checkout")
    text = HOSTILE_MD.read_text(encoding="utf-8")
    flat = spaced(text)
    stale = [hazard for hazard, fragment in HAZARDS.items() if spaced(fragment) not in flat]
    assert not stale, f"fragments no longer in HOSTILE.md: {stale}"
    bullets = [spaced(bullet) for bullet in re.split(r"\n(?=- )", text) if bullet.startswith("- ")]
    uncovered = [bullet[:60] for bullet in bullets if not any(spaced(fragment) in bullet for fragment in HAZARDS.values())]
    assert not uncovered, f"HOSTILE.md bullets no hazard id quotes: {uncovered}"


def test_every_case_is_well_formed() -> None:
    known = {"about", "hostile", "command", "env", "exit", "diagnostics", "stderr", "stderr_absent", "outputs", "symlinks",
             "generate", "repeat", "xfail"}
    outputs = {"exist", "absent", "regular_files", "pdf_text", "pdf_text_absent", "docx_text", "docx_text_absent",
               "docx_xml", "docx_raw_absent", "docx_images_fit", "pdf_fonts"}
    for case in CASES:
        assert set(case.spec) <= known, (case.name, set(case.spec) - known)
        assert set(case.outputs) <= outputs, (case.name, set(case.outputs) - outputs)
        assert case.spec["about"] and case.spec["hostile"] and case.spec["command"][0] in ("check", "build")
        assert 1 not in case.exits, f"{case.name}: no case may expect exit 1 (an internal error)"
        for name in case.spec.get("generate") or []:
            assert name in GENERATORS, (case.name, name)
    # byte-exact inputs must survive git (tests/hostile/.gitattributes turns off line-end normalisation)
    crlf = (CASES_DIR / "bom-and-crlf" / "content.yaml").read_bytes()
    assert crlf.startswith(b"\xef\xbb\xbf") and b"\r\n" in crlf and b"\n" not in crlf.replace(b"\r\n", b"")
    assert b"\xf3" in (CASES_DIR / "non-utf8-byte" / "content.yaml").read_bytes()


# --- real readers over every file the cases produced ------------------------------------------------


def _all_produced(hostile_runs: dict[str, Ran], suffix: str) -> list[Path]:
    return [path for ran in hostile_runs.values() if ran.result.returncode == 0 for path in produced(ran, suffix)]


@pytest.mark.slow
def test_every_pdf_passes_qpdf_check(hostile_runs: dict[str, Ran]) -> None:
    qpdf = need_tool("qpdf")
    pdfs = _all_produced(hostile_runs, ".pdf")
    assert pdfs
    for pdf in pdfs:
        result = subprocess.run([qpdf, "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0, f"{pdf}: {result.stdout[-500:]}{result.stderr[-500:]}"


def test_every_pdf_embeds_all_its_fonts_and_no_zapfdingbats(hostile_runs: dict[str, Ran]) -> None:
    pdffonts = need_tool("pdffonts")
    for pdf in _all_produced(hostile_runs, ".pdf"):
        rows = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert rows, f"{pdf}: no fonts"
        for row in rows:
            assert row.split()[-5] == "yes", f"{pdf}: font not embedded: {row}"
            assert "ZapfDingbats" not in row and "Helvetica" not in row and "Times" not in row, f"{pdf}: {row}"


def test_every_docx_reads_back_with_docx2python(hostile_runs: dict[str, Ran]) -> None:
    from docx2python import docx2python

    documents = _all_produced(hostile_runs, ".docx")
    assert documents
    for document in documents:
        with docx2python(str(document)) as read:
            text = read.text
        assert text.strip(), document
        title = docx_text(document).splitlines()[0].strip()
        assert spaced(title)[:40] in spaced(text), (document, title)


@pytest.mark.slow
def test_libreoffice_converts_every_docx(hostile_runs: dict[str, Ran], tmp_path: Path) -> None:
    """One soffice call for all of them; soffice exits 0 even when it fails, so look for each converted file."""
    documents = _all_produced(hostile_runs, ".docx")
    assert documents
    batch = tmp_path / "docx"
    batch.mkdir()
    for index, document in enumerate(documents):
        shutil.copy(document, batch / f"{index:03d}-{document.parent.parent.name}.docx")
    copies = sorted(batch.iterdir())
    converted = libreoffice_pdfs(copies, tmp_path / "pdf", timeout=600)
    missing = [path.name for path, pdf in zip(copies, converted) if not pdf.is_file() or pdf.stat().st_size < 1000]
    assert not missing, f"LibreOffice could not convert: {missing}"


# --- font coverage (reports.theme.coverage), directly -----------------------------------------------------


def _checked(tmp_path: Path, text: str) -> Any:
    from reports.content.validate import check_content

    path = tmp_path / "content.yaml"
    path.write_text(text, encoding="utf-8")
    return check_content(path, "content.yaml")


def _coverage(checked: Any, folder: Path | None = None, installed: tuple[Any, ...] | None = ()) -> list[Any]:
    """The coverage check's diagnostics; by default as on a machine with no fonts installed beyond the theme's
    (`installed=None`: this machine's)."""
    from reports.cache import Cache
    from reports.paths import template_search_path
    from reports.templating.folders import find_template
    from reports.theme.coverage import check_font_coverage
    from reports.theme.fallback import FontFallback
    from reports.theme.model import load_theme

    if folder is None:
        folder = find_template("briefing").path
    theme = load_theme(folder, template_search_path((folder.parent,)))
    cache = Cache()
    fallback = FontFallback(theme, folder, cache, checked.content.document.language, installed=installed)
    return check_font_coverage(checked.content, theme, folder, checked.source, cache, fallback)


def test_coverage_names_the_character_the_field_its_place_and_the_font(tmp_path: Path) -> None:
    from conftest import minimal_content_yaml, position_of

    text = minimal_content_yaml().replace("Some prose.", "Россия и 中国").replace("label: Members", "label: Members 中国")
    (label, paragraph) = _coverage(_checked(tmp_path, text))  # sorted by line
    assert label.format() == (f"content.yaml:{':'.join(map(str, position_of(text, 'Members 中国')))}: "
                              "organisation.membership.0.label: characters '中' (U+4E2D), '国' (U+56FD) are not in font "
                              "DejaVu Serif (DejaVuSerif.ttf) nor in any font installed on this machine — install a "
                              "font that has them (on Debian or Ubuntu: apt install fonts-wqy-microhei), or name one "
                              "under fallback_fonts in the template's theme.yaml, or write the text without them")
    line, column = position_of(text, "Россия и 中国")
    assert (paragraph.line, paragraph.column, paragraph.field_path) == (line, column, "body.0.blocks.0.paragraph")
    assert "'Р'" not in paragraph.message and "U+0420" not in paragraph.message, "Cyrillic is in DejaVu"


def test_coverage_accepts_latin_greek_and_cyrillic(tmp_path: Path) -> None:
    from conftest import minimal_content_yaml

    text = minimal_content_yaml().replace("Some prose.", "Россия, Ελλάδα, Łódź, Ťřžščě, œuvre, “quotes” — €5 ±2 ×3 № §")
    assert _coverage(_checked(tmp_path, text)) == []


def test_emoji_are_refused_by_rule_whatever_the_font(tmp_path: Path) -> None:
    from conftest import minimal_content_yaml

    text = minimal_content_yaml().replace("Some prose.", "Great work \U0001F44D and \U0001F600")
    (diagnostic,) = _coverage(_checked(tmp_path, text))
    assert diagnostic.field_path == "body.0.blocks.0.paragraph"
    assert "'\U0001F44D' (U+1F44D, thumbs up sign), '\U0001F600' (U+1F600, grinning face) are outside the Basic " \
           "Multilingual Plane" in diagnostic.message
    assert "write them in words" in diagnostic.message


def test_text_derived_in_the_documents_language_is_checked_where_it_comes_from(tmp_path: Path) -> None:
    """In Chinese, CLDR names CN 中国 and dates read 2024年1月31日: reported at the code and the date fields."""
    from conftest import minimal_content_yaml

    diagnostics = _coverage(_checked(tmp_path, minimal_content_yaml().replace("language: en", "language: zh")))
    by_field = {diagnostic.field_path: diagnostic.message for diagnostic in diagnostics}
    assert by_field["organisation.membership.0.members.0.country"].startswith(
        "in the name of CN in 'zh' (\"中国\", from CLDR): characters '中' (U+4E2D)")
    assert by_field["document.date"].startswith("in the date as written in 'zh' (\"2024年1月31日\")")
    assert "actor.country" in by_field


def test_coverage_checks_every_face_of_a_theme_font(tmp_path: Path) -> None:
    """A theme whose body font (Computer Modern, shipped with matplotlib) has no Cyrillic: named with the field."""
    from conftest import minimal_content_yaml

    folder = tmp_path / "templates" / "latin-only"
    folder.mkdir(parents=True)
    (folder / "template.md.j2").write_text('{% extends "briefing/template.md.j2" %}\n', encoding="utf-8")
    (folder / "theme.yaml").write_text(
        "name: latin-only\nextends: base\nbody_font: {name: Computer Modern, regular: cmr10.ttf, bold: cmr10.ttf, "
        "italic: cmr10.ttf, bold_italic: cmr10.ttf}\n", encoding="utf-8")
    text = minimal_content_yaml().replace("Some prose.", "Москва")
    (diagnostic,) = _coverage(_checked(tmp_path, text), folder)
    assert diagnostic.field_path == "body.0.blocks.0.paragraph"
    assert "not in font Computer Modern (cmr10.ttf)" in diagnostic.message


def test_require_font_coverage_is_a_layout_error(tmp_path: Path) -> None:
    from conftest import minimal_content_yaml

    from reports.errors import LayoutError
    from reports.templating.folders import find_template
    from reports.theme.coverage import require_font_coverage
    from reports.theme.model import load_theme

    checked = _checked(tmp_path, minimal_content_yaml().replace("Some prose.", "Vai ꔀ"))  # in no font installed here
    template = find_template("briefing")
    with pytest.raises(LayoutError) as raised:
        require_font_coverage(checked.content, load_theme(template.path), template.path, checked.source)
    assert raised.value.exit_code == 6 and raised.value.diagnostics[0].line > 0


def test_uncovered_text_is_a_located_exit_6_before_any_writer_runs(tmp_path: Path) -> None:
    """The core checks the content against the theme's fonts and the fallback before any writer runs: the build
    refuses at the content field and writes nothing."""
    from conftest import build_files, minimal_content_yaml

    from reports.errors import LayoutError

    path = tmp_path / "content.yaml"
    path.write_text(minimal_content_yaml().replace("label: Members", "label: ꔀ"), encoding="utf-8")
    with pytest.raises(LayoutError) as raised:
        build_files(path, out_dir=tmp_path / "out", display_name="content.yaml")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.format().startswith("content.yaml:17:14: organisation.membership.0.label: character 'ꔀ'")
    assert not (tmp_path / "out").exists()
