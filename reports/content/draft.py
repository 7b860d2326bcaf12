"""The content draft `reports import` writes: the data (what the essay gives, TODO markers for the rest) and
its YAML, laid out like a hand-written content file — long prose folded (`>-`), members one a line, comments
saying what was guessed — and read back to prove that every word of the essay is in it unchanged.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reports.content.essay import Essay
from reports.content.importer import (
    FoundCountry,
    body_sections,
    find_countries,
    guess_language,
    member_entry,
    organisation_name,
)
from reports.errors import ContentError, Diagnostic
from reports.language.labels import labels_for


def todo(what: str) -> str:
    return f"TODO: {what}"


def draft_data(essay: Essay, language: str | None, found: list[FoundCountry], organisation: tuple[str, str] | None,
               opening: str) -> dict[str, Any]:
    tag = language or "en"
    labels = labels_for(tag)
    kind = labels.text.get("essay") if labels.file.stem == tag.split("-")[0] else None
    members: list[Any] = [_Flow(entry) if isinstance(entry := member_entry(country, tag), dict) else entry
                          for country in found]
    mentions = Counter({country.code: sum(country.spellings.values()) for country in found})
    actor = mentions.most_common(1)[0][0] if mentions else todo("ISO code of the state whose interests the essay "
                                                                   "analyses")
    source: dict[str, Any] = {
        "title": essay.title or opening,
        "kind": kind or todo("what kind of text the source is (essay, article), in the document's language"),
        **({"author": essay.author} if essay.author else {}),
        "note": todo("how the essay was used (transcribed verbatim, translated, headings added) — or delete this"),
    }
    return {
        "schema_version": 1,
        "document": {
            "title": essay.title or todo("the title of the paper"),
            **({"subtitle": essay.subtitle} if essay.subtitle else {}),
            "language": language or todo("the language of the essay as a BCP 47 tag (id, en, fr) — it could not be "
                                         "guessed"),
            "author": todo("the person or team who prepared this paper"),
            "organisation": todo("the publishing organisation"),
            "date": todo("the publication date, YYYY-MM-DD"),
            "facts_as_of": todo("the date the facts of the essay describe: a year (2016), a month (2016-05) or a day"),
            "source": source,
        },
        "organisation": {
            "name": organisation[0] if organisation else todo("the full name of the organisation"),
            **({"acronym": organisation[1]} if organisation else {}),
            "founded": {"date": todo("the founding day, YYYY-MM-DD"), "place": todo("the city where it was founded")},
            "membership": [{
                "id": "members",
                "label": todo("name this category (plural, e.g. Member states); split the countries below into the "
                              "organisation's categories (members, observers, partners); delete those that are not "
                              "members; mark founders with `founding: true` and later members with `joined`"),
                "members": members or [todo("the members: ISO codes (CN, RU) or {name: {en: …}} entries")],
            }],
        },
        "actor": {
            "country": actor,
            "interests": [{
                "id": todo("a short lower-case id for the sector (economic)"),
                "sector": todo("the name of the sector"),
                "summary": todo("one or two sentences on the interest of the actor in this sector"),
                "goal": todo("what the actor wants in this sector"),
            }],
        },
        "summary": [todo("3 to 5 points that sum up the essay")],
        "body": body_sections(essay.blocks),
        "classroom": {
            "objectives": [todo("what students will be able to do")],
            "glossary": [{"term": todo("a key term of the essay"), "definition": todo("a short definition")}],
            "questions": [{"question": todo("a discussion question"), "answer": todo("its model answer")}],
            "activity": {"title": todo("the name of the activity"), "instructions": todo("what students do")},
        },
    }


class _Flow(dict[str, Any]):
    """A mapping written on one line (`{country: CN, name: {id: China}}`)."""


class _Dumper(yaml.SafeDumper):
    folded = True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)  # lists indented under their key, as in the samples


def _text(dumper: _Dumper, value: str) -> Any:
    long_prose = len(value) > 80 and value == " ".join(value.split())
    style = ">" if dumper.folded and long_prose else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _flow(dumper: _Dumper, value: _Flow) -> Any:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Flow, _flow)

_COMMENTS = {
    "document:": "# The paper: title, language, who prepared it and when. The source is the essay itself.",
    "organisation:": "# The organisation: name, founding, membership by category (countries found in the essay, in\n"
                     "# order of first mention; `name` is the essay's own name for a country, `other_names` its other\n"
                     "# spellings, which the prose keeps), milestones and aims (add them: they are optional).",
    "actor:": "# The state whose interests the essay analyses (proposed: the country it names most), by sector.",
    "summary:": "# The executive summary: 3 to 5 points, your words.",
    "body:": "# The essay, verbatim: its paragraphs under its headings. Do not edit the prose.",
    "classroom:": "# Classroom material for the handout templates; delete `classroom` if you need no handout.",
}


def draft_yaml(data: dict[str, Any], essay: Essay, source_name: str, schema: str) -> str:
    """The draft as YAML with its explanatory comments; prose is checked to read back word for word."""
    from reports.content.loader import load_text

    for folded in (True, False):
        _Dumper.folded = folded
        try:
            text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
        finally:
            _Dumper.folded = True
        try:
            if _strings(load_text(text, "<draft>").data) == _strings(data):
                break
        except ContentError:
            pass  # a folded scalar the strict loader refuses: write it plainly instead
    else:
        raise ContentError([Diagnostic("the draft could not be written so that it reads back word for word",
                                       file=source_name)])
    lines = [f"# yaml-language-server: $schema={schema}" if schema else "#",
             "#",
             f"# A content draft made by `reports import` from {source_name or 'an essay'}.",
             "# Every part that could not be inferred is a TODO marker: `reports check` lists each with its line",
             "# until it is replaced. docs/writing-content.md walks through them.",
             ""]
    for line in text.splitlines():
        comment = _COMMENTS.get(line)
        if comment:
            lines += ["", *comment.split("\n")]
        lines.append(_annotated(line, data))
    return "\n".join(lines) + "\n"


def _annotated(line: str, data: dict[str, Any]) -> str:
    """Guessed values say so at the end of their line."""
    document, organisation = data["document"], data["organisation"]
    if line == f"  language: {document['language']}" and not str(document["language"]).startswith("TODO"):
        return line + "  # guessed from the essay's words: check it"
    if "acronym" in organisation and line.startswith("  name: ") and line.endswith(organisation["name"]):
        return line + "  # found in the essay with its acronym: check it"
    if line == f"  country: {data['actor']['country']}":
        return line + "  # the country the essay names most: check it"
    return line


def _strings(value: Any) -> list[str]:
    """Every scalar of the data as the strict loader reads it (text as is, flags as `true`/`false`)."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [str(key), *_strings(item)]]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


@dataclass(frozen=True)
class Draft:
    text: str
    """The content file, YAML."""
    notes: list[Diagnostic]
    paragraphs: int
    sections: int
    countries: int
    todos: int
    language: str | None


def first_words(text: str, limit: int = 80) -> str:
    """The opening words of the essay, cut at a word, for `source.title` when it has no title."""
    from reports.content.attribution import shorten

    return shorten(text, limit).rstrip("\u2026").rstrip(" ,;:")


def make_draft(essay: Essay, language: str | None = None, source_name: str = "", schema: str = "") -> Draft:
    """The content draft of `essay` (see the module's docstring). `language`: a BCP 47 tag, else guessed."""
    body_text = "\n".join(block.text or " ".join(block.items) for block in essay.blocks)
    language = language or essay.language or guess_language(body_text)
    found = find_countries(body_text, language) if language else []
    data = draft_data(essay, language, found, organisation_name(body_text), first_words(_first_paragraph(essay)))
    text = draft_yaml(data, essay, source_name, schema)
    return Draft(text=text, notes=essay.notes, paragraphs=sum(block.kind == "paragraph" for block in essay.blocks),
                 sections=len(data["body"]), countries=len(found), todos=text.count("TODO:"), language=language)


def _first_paragraph(essay: Essay) -> str:
    return next((block.text for block in essay.blocks if block.kind == "paragraph"), essay.title or "")


def schema_reference(output: Path) -> str:
    """The path of the JSON Schema relative to the draft, for the editor comment on its first line."""
    from reports.paths import DATA_DIR, PROJECT_ROOT

    schema = DATA_DIR / "content.schema.json"
    folder = output.resolve().parent
    if not folder.is_relative_to(PROJECT_ROOT):
        return str(schema)  # a draft elsewhere: a path climbing out of it would only puzzle its reader
    return os.path.relpath(schema, folder)
