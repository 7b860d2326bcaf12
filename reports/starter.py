"""`reports init`: a folder to start from for someone who installed the tool, not the checkout.

It holds a content file to edit (the sample essay, in the language asked for), the JSON Schema the content
file's first line names (so an editor with the YAML language server autocompletes and checks it), a copy of a
built-in template to customise, and a README with the next steps. Nothing that exists is overwritten.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from reports.errors import Diagnostic, UsageError
from reports.paths import DATA_DIR, SCHEMA_FILE, TEMPLATES_DIR

SAMPLES = {"id": DATA_DIR / "sco-russia.yaml", "en": DATA_DIR / "sco-russia.en.yaml"}
CONTENT_NAME = "content.yaml"
TEMPLATE_NAME = "my-briefing"

_HEADER = """\
# Your content file: the sample essay, ready to be replaced by yours. Every field is described in
# content.schema.json (an editor with the YAML language server shows the descriptions and checks as you type).
# `reports check content.yaml` reports every problem at once; the README beside this file says what's next.
"""

_README = """\
# Your reports folder

Made by `reports init`. What is here:

| file | what |
| --- | --- |
| `content.yaml` | the content of one briefing: the sample essay, to replace with yours |
| `content.schema.json` | the content file's schema (editors use it to autocomplete and check) |
| `templates/{template}/` | a copy of the built-in `briefing` template: `template.md.j2` (what goes where), `theme.yaml` (fonts, colours, page) |

Next steps, from this folder:

```sh
reports check content.yaml                                   # every problem at once, with its line
reports build content.yaml                                   # build/content-briefing.pdf and .docx
reports build content.yaml -t handout                        # a classroom handout (needs `classroom:`)
reports build content.yaml -t {template} --templates-dir templates   # with your copy of the template
reports templates reference {template} --templates-dir templates     # a Word reference.docx to restyle
```

To start from an essay you already have (Markdown, Word or plain text): `reports import essay.docx`.
`reports --help` lists every command; `reports build --help` every option of a build.
"""


def create_starter_folder(folder: Path, language: str = "id") -> list[Path]:
    """Write the starter files into `folder` (created if needed) and return them; a usage error (exit 2) when
    the language has no sample or any of the files exists already."""
    if language not in SAMPLES:
        raise UsageError([Diagnostic(f"there is no sample in '{language}' — choose one of "
                                     f"{', '.join(sorted(SAMPLES))}")])
    content, schema, readme = folder / CONTENT_NAME, folder / SCHEMA_FILE.name, folder / "README.md"
    template = folder / "templates" / TEMPLATE_NAME
    existing = [path for path in (content, schema, readme, template) if path.exists()]
    if existing:
        raise UsageError([Diagnostic("already exists — run `reports init` in a new folder, or move it away",
                                     file=str(path)) for path in existing])
    sample = SAMPLES[language].read_text(encoding="utf-8")
    body = sample.split("\n", 1)[1] if sample.startswith("# yaml-language-server:") else sample
    try:
        folder.mkdir(parents=True, exist_ok=True)
        content.write_text(f"# yaml-language-server: $schema={SCHEMA_FILE.name}\n{_HEADER}{_strip_comments(body)}",
                           encoding="utf-8")
        shutil.copyfile(SCHEMA_FILE, schema)
        shutil.copytree(TEMPLATES_DIR / "briefing", template)
        readme.write_text(_README.format(template=TEMPLATE_NAME), encoding="utf-8")
    except OSError as error:
        raise UsageError([Diagnostic(f"cannot write the starter folder: {error.strerror or error}",
                                     file=str(folder))]) from None
    return [content, schema, template, readme]


def _strip_comments(body: str) -> str:
    """The sample without its leading comment block (notes for this project's developers, not for a user)."""
    lines = body.split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)
