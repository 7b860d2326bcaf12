"""Strict YAML loading that never guesses, and remembers where every value came from.

PyYAML is used only to *compose* (parse into a node graph with positions); nothing is ever
*constructed* from tags, so `!!python/object` cannot run code and YAML 1.1 resolution never turns
`NO` into `False`, `012` into `10` or `2024-01-31` into a date. Every scalar reaches the model as
the exact string the user typed (or `None` for a plain empty/`null`/`~`), and the typed schema
decides what it becomes. Our own composer (PyYAML's, with checks added) builds the nodes: it refuses
aliases at the alias event itself (with its location) before anything can be expanded, custom tags
and runaway nesting. The events come from libyaml when PyYAML was built with it (12 ms → 1 ms for the
seed essay); whenever that fast path fails, the file is parsed again by the pure-Python parser, whose
errors and positions are the ones we report — so a bad file gets the same message either way. (The
one difference left: libyaml follows YAML 1.2 and accepts `?` inside a plain value in a flow list,
`[a?b]`, which PyYAML refuses.)
"""

from __future__ import annotations

import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser as _LibyamlParser
except ImportError:  # PyYAML built without libyaml: the pure-Python parser does everything
    _LibyamlParser = None

from reports.errors import ContentError, Diagnostic

FieldPath: TypeAlias = tuple[str | int, ...]
Plain: TypeAlias = "dict[str, Plain] | list[Plain] | str | None"

MAX_CONTENT_BYTES = 2 * 1024 * 1024
"""Content files are hand-written prose; 2 MiB is ~50 books' worth of briefings and keeps memory bounded."""

MAX_DEPTH = 40
"""The model nests at most ~8 deep; a deeper document is an accident or an attack (RecursionError)."""

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_BIDI_CONTROLS = set("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NBSP_AS_SYNTAX = re.compile(r"^(?P<indent>[ \u00a0]*)(?:-\u00a0|[^\s#'\"][^:#]*:\u00a0)")


@dataclass(frozen=True)
class Position:
    line: int
    column: int
    file: str = ""
    """Set when a document merges several files (themes that extend another); else the document's file."""


@dataclass
class LoadedDocument:
    """Plain data plus the source position of every key and value, by field path."""

    data: dict[str, Plain]
    file: str
    value_positions: dict[FieldPath, Position] = field(default_factory=dict)
    key_positions: dict[FieldPath, Position] = field(default_factory=dict)
    positioned: bool = True
    """False for content given as data: diagnostics then name the field but no line."""

    def locate(self, path: FieldPath, prefer_key: bool = False) -> Position:
        """Position of `path`, or of its nearest ancestor that exists in the file."""
        probe = tuple(path)
        while True:
            table = (self.key_positions, self.value_positions) if prefer_key else (self.value_positions, self.key_positions)
            for positions in table:
                if probe in positions:
                    return positions[probe]
            if not probe:
                return Position(1, 1) if self.positioned else Position(0, 0)
            probe = probe[:-1]

    def diagnostic(self, path: FieldPath, message: str, *, prefer_key: bool = False, severity: str = "error") -> Diagnostic:
        position = self.locate(path, prefer_key=prefer_key)
        return Diagnostic(
            message,
            file=position.file or self.file,
            line=position.line,
            column=position.column,
            field_path=format_path(path),
            severity=severity,  # type: ignore[arg-type]
        )


def format_path(path: FieldPath) -> str:
    return ".".join(str(part) for part in path)


class _AliasRefused(Exception):
    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark


class _StrictComposing(Composer):
    """A composer that refuses aliases, custom tags and runaway nesting (mixed into a parser below)."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(
                event.start_mark,
                f"alias '*{event.anchor}' is not allowed — write the value out in full "
                "(aliases can expand exponentially and hide where a value comes from)",
            )
        event = self.peek_event()
        if isinstance(event, (ScalarEvent, MappingStartEvent, SequenceStartEvent)):
            tag = event.tag
            if tag not in (None, "!") and self.resolve_tag(tag) not in _STANDARD_TAGS:
                shown = tag.replace("tag:yaml.org,2002:", "!!")
                raise _AliasRefused(event.start_mark, f"tag '{shown}' is not allowed — remove it; only plain YAML data is read")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _AliasRefused(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels — flatten the structure")
        try:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1

    def resolve_tag(self, tag: str) -> str:
        if tag.startswith("!!"):
            return "tag:yaml.org,2002:" + tag[2:]
        return tag


class _StrictComposer(_StrictComposing, yaml.SafeLoader):
    """The pure-Python reader, scanner and parser: the reference, whose errors are reported."""


if _LibyamlParser is not None:

    class _LibyamlComposer(_StrictComposing, _LibyamlParser, Resolver):  # type: ignore[misc, valid-type]
        """The same composer fed by libyaml's events (marks carry the same 0-based lines and columns)."""

        def __init__(self, stream: str) -> None:
            _LibyamlParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)


def _compose_with_libyaml(text: str) -> Node | None:
    """The node graph from libyaml's events, or an exception for the pure-Python parser to explain."""
    if _LibyamlParser is None:
        raise yaml.YAMLError("libyaml is not available")
    if "\t" in text:
        # libyaml accepts tabs inside plain values where PyYAML refuses them with a hint about tab
        # indentation; tabs are nearly always a paste accident, so they keep the reference's answer
        raise yaml.YAMLError("a tab: the reference parser decides")
    composer = _LibyamlComposer(text)
    try:
        return composer.get_single_node()
    finally:
        composer.dispose()


def _decode(raw: bytes, file: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")) + 1
        raise ContentError(
            [
                Diagnostic(
                    f"byte 0x{raw[error.start]:02x} is not UTF-8 — save the file as UTF-8 "
                    "(in most editors: 'Save with encoding' → UTF-8)",
                    file=file,
                    line=line,
                    column=column,
                )
            ]
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


_UNICODE_LINE_BREAKS = {"\u2028": "line separator", "\u2029": "paragraph separator", "\u0085": "next-line control"}


def _check_pasted_spaces(text: str, file: str) -> list[Diagnostic]:
    """Characters pasted from Word or the web that change how YAML reads the file.

    A no-break space after `key:` silently turns the mapping into one string; U+2028/U+2029/U+0085
    are line breaks to YAML but not to editors, so every later line number would be off by one.
    """
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        for character, name in _UNICODE_LINE_BREAKS.items():
            if character in line:
                problems.append(Diagnostic(
                    f"{name} U+{ord(character):04X} is not allowed — replace it with a space or a normal line break",
                    file=file, line=number, column=line.index(character) + 1))
        match = _NBSP_AS_SYNTAX.match(line)
        if match or line.lstrip(" ").startswith("\u00a0"):
            column = line.index("\u00a0") + 1
            problems.append(
                Diagnostic(
                    "no-break space (U+00A0) where YAML needs an ordinary space — retype the space "
                    "(text pasted from Word or a web page often carries it)",
                    file=file,
                    line=number,
                    column=column,
                )
            )
    return problems


def _text_problem(value: str) -> tuple[int, str] | None:
    for index, character in enumerate(value):
        category = unicodedata.category(character)
        if character in "\n\t":
            continue
        if category == "Cc":
            return index, f"control character U+{ord(character):04X} is not allowed — delete it"
        if category == "Cs":
            return index, f"lone surrogate U+{ord(character):04X} is not text — delete it or fix the escape"
        if character in _BIDI_CONTROLS:
            return index, (
                f"bidirectional control character U+{ord(character):04X} is not allowed — delete it "
                "(it can make text display differently from what it says)"
            )
    return None


class _Converter:
    def __init__(self, document: LoadedDocument) -> None:
        self.document = document
        self.problems: list[Diagnostic] = []

    def convert(self, node: Node, path: FieldPath) -> Plain:
        self.document.value_positions.setdefault(path, Position(node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.convert(item, path + (index,)) for index, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        result: dict[str, Plain] = {}
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key_position = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    Diagnostic("a key must be a plain name, not a list or mapping", file=self.document.file,
                               line=key_position.line, column=key_position.column, field_path=format_path(path))
                )
                continue
            key = unicodedata.normalize("NFC", key_node.value)
            if key == "<<":
                self.problems.append(
                    Diagnostic("merge key '<<' is not allowed — write the fields out", file=self.document.file,
                               line=key_position.line, column=key_position.column, field_path=format_path(path))
                )
                continue
            child = path + (key,)
            if key in seen:
                first = seen[key]
                self.problems.append(
                    Diagnostic(
                        f"duplicate key '{key}' (first at line {first.line}) — keep one of them",
                        file=self.document.file,
                        line=key_position.line,
                        column=key_position.column,
                        field_path=format_path(child),
                    )
                )
                continue
            seen[key] = key_position
            self.document.key_positions[child] = key_position
            result[key] = self.convert(value_node, child)
        return result

    def _scalar(self, node: ScalarNode, path: FieldPath) -> str | None:
        if not node.style and node.tag == "tag:yaml.org,2002:null":  # plain: None from PyYAML, '' from libyaml
            return None
        problem = _text_problem(node.value)
        if problem:
            index, message = problem
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            if node.start_mark.line == node.end_mark.line:
                column += index + (1 if node.style in ("'", '"') else 0)
            self.problems.append(
                Diagnostic(message, file=self.document.file, line=line, column=column, field_path=format_path(path))
            )
        return unicodedata.normalize("NFC", node.value)


def load_text(text: str, file: str) -> LoadedDocument:
    """Load YAML text; raise ContentError listing every problem found."""
    problems = _check_pasted_spaces(text, file)
    if problems:
        raise ContentError(problems)
    try:
        root = _compose_with_libyaml(text)
    except (yaml.YAMLError, _AliasRefused, UnicodeError, ValueError, RecursionError):
        root = _compose_explaining_errors(text, file)
    return _to_document(root, file)


def _compose_explaining_errors(text: str, file: str) -> Node | None:
    """Compose with the pure-Python parser, turning its errors into located diagnostics."""
    try:
        composer = _StrictComposer(text)
    except ReaderError as error:  # PyYAML checks the whole text for unprintable characters here
        before = text[: error.position]
        problem = _text_problem(chr(error.character))
        message = problem[1] if problem else f"character U+{error.character:04X} is not allowed — delete it"
        raise ContentError(
            [Diagnostic(message, file=file, line=before.count("\n") + 1, column=len(before.rsplit("\n", 1)[-1]) + 1)]
        ) from None
    try:
        root = composer.get_single_node()
    except _AliasRefused as refused:
        raise ContentError(
            [Diagnostic(str(refused), file=file, line=refused.mark.line + 1, column=refused.mark.column + 1)]
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = f"{error.problem or error.context or 'invalid YAML'}"
        lines = text.split("\n")
        if "\t" in (lines[mark.line] if mark and mark.line < len(lines) else ""):
            message += " — indent with spaces, not tabs"
        else:
            message += " — check the indentation and quoting on this line"
        raise ContentError(
            [Diagnostic(f"YAML syntax: {message}", file=file, line=(mark.line + 1) if mark else 0,
                        column=(mark.column + 1) if mark else 0)]
        ) from None
    except yaml.YAMLError as error:
        raise ContentError([Diagnostic(f"YAML: {error}", file=file)]) from None
    finally:
        composer.dispose()
    return root


def _to_document(root: Node | None, file: str) -> LoadedDocument:
    if root is None:
        raise ContentError([Diagnostic("the file is empty — start from data/sco-russia.yaml", file=file, line=1, column=1)])
    if not isinstance(root, MappingNode):
        raise ContentError(
            [Diagnostic("the top level must be a mapping of fields (`document:`, `organisation:` …), not a "
                        + ("list" if isinstance(root, SequenceNode) else "single value"),
                        file=file, line=root.start_mark.line + 1, column=root.start_mark.column + 1)]
        )
    document = LoadedDocument(data={}, file=file)
    converter = _Converter(document)
    document.data = converter.convert(root, ())  # type: ignore[assignment]
    if converter.problems:
        raise ContentError(converter.problems)
    return document


def load_file(path: Path, display_name: str | None = None) -> LoadedDocument:
    name = display_name or str(path)
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(str(path))
        if not stat.S_ISREG(status.st_mode):  # a pipe would block for ever, a device never end
            raise ContentError([Diagnostic("is not a regular file (a pipe, device or socket) — give the path of a "
                                           "YAML file", file=name)])
        size = status.st_size
        if size > MAX_CONTENT_BYTES:
            raise ContentError(
                [Diagnostic(f"file is {size:,} bytes; content files are limited to {MAX_CONTENT_BYTES:,} bytes — "
                            "split it into several documents", file=name)]
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONTENT_BYTES + 1)
    except FileNotFoundError:
        raise ContentError([Diagnostic("no such file — check the path", file=name)]) from None
    except IsADirectoryError:
        raise ContentError([Diagnostic("is a folder, not a content file", file=name)]) from None
    except PermissionError:
        raise ContentError([Diagnostic("cannot be read: permission denied", file=name)]) from None
    return load_text(_decode(raw, name), name)
