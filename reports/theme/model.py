"""The theme: fonts, colours, page geometry and role→style mapping, kept apart from templates as data.

A template folder holds `theme.yaml`; it is validated like content (located errors, "did you mean").
Writers read only this object: the PDF writer builds fresh reportlab styles from it for each render,
the DOCX writer names styles and sets their fonts/colours in the document's style part.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from reports.cache import Cache
from reports.content.loader import LoadedDocument, Position, load_file
from reports.errors import AssetError, ContentError, Diagnostic, TemplateError
from reports.theme.scale import (
    DEFAULT_BOXES,
    DEFAULT_ROLES,
    BoxLook,
    TableRoleLook,
    ResolvedLook,
    RoleLook,
    TableLook,
    merge_boxes,
    merge_roles,
    resolve_colour,
    resolve_look,
)

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _check_colour(value: str) -> str:
    if not _HEX.match(value):
        raise ValueError(f"'{value}' is not a colour — write it as #RRGGBB, e.g. #1F3A5F")
    return value.upper()


Colour = Annotated[str, AfterValidator(_check_colour)]


class ThemeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Margins(ThemeModel):
    top: float = Field(default=22, gt=5, lt=80, description="Top margin in millimetres.")
    bottom: float = Field(default=22, gt=5, lt=80, description="Bottom margin in millimetres.")
    left: float = Field(default=22, gt=5, lt=80, description="Left margin in millimetres.")
    right: float = Field(default=22, gt=5, lt=80, description="Right margin in millimetres.")


class FontFamily(ThemeModel):
    """A font family: the name Word shows, and the TrueType files the PDF embeds."""

    name: str = Field(description="Family name used in the DOCX (and shown in Word's font list).")
    regular: str = Field(description="TrueType file of the regular face.")
    bold: str = Field(description="TrueType file of the bold face.")
    italic: str = Field(description="TrueType file of the italic face.")
    bold_italic: str = Field(description="TrueType file of the bold italic face.")


class FallbackFont(ThemeModel):
    """A font that sets the characters the body and heading fonts lack (another script, symbols)."""

    name: str = Field(description="Family name used in the DOCX for those characters (e.g. `Noto Sans SC`).")
    file: str = Field(description="TrueType file, looked up like the other theme fonts (the template's `fonts/` first).")


class Colours(ThemeModel):
    text: Colour = "#1A1A1A"
    primary: Colour = "#1F3A5F"
    """Headings, title, table header background."""
    accent: Colour = "#B5472B"
    """Rules and highlights."""
    muted: Colour = "#5A6270"
    """Captions, running header and footer, source lines."""
    rule: Colour = "#C9D1DB"
    box_background: Colour = "#EEF2F7"
    table_header_text: Colour = "#FFFFFF"
    table_stripe: Colour = "#F5F7FA"
    chart: list[Colour] = Field(
        default_factory=lambda: ["#1F3A5F", "#4F7CAC", "#9DB4CC", "#B5472B", "#7A8B99", "#D9A441"],
        min_length=1,
        description="Chart palette, one colour per category, in order.",
    )


DEFAULT_STYLES: dict[str, str] = {
    # block roles → style names. DOCX: the Word style of that name (built-in where Word has one, so
    # restyling in Word works as users expect); PDF: the ParagraphStyle built from this theme.
    "body": "Body Text",
    "title": "Title",
    "subtitle": "Subtitle",
    "byline": "Byline",
    "source": "Source Line",
    "lead": "Lead",
    "caption": "Caption",
    "heading-1": "Heading 1",
    "heading-2": "Heading 2",
    "heading-3": "Heading 3",
    "bullet": "List Bullet",
    "number": "List Number",
    "box-title": "Box Title",
    "table-text": "Table Text",
    "table-heading": "Table Heading",
    "table": "Briefing Table",
    "key-facts": "Key Facts",
    "summary": "Summary Box",
    "header": "Header",
    "footer": "Footer",
    # roles the writers use internally; named here so a theme (or reference document) can rename them
    "figure": "Figure",
    "caption-label": "Caption Label",
    "hyperlink": "Hyperlink",
    "list-continue": "List Continue",
    "table-spacing": "Table Spacing",
    "table-bullet": "Table Bullet",
    "table-number": "Table Number",
    "box-text": "Box Text",
    "name-lines": "Name Lines",
    "answer": "Answer",
    "answer-space": "Answer Space",
    "question": "Question",
    "answer-line": "Answer Line",
    "answer-line-end": "Answer Line End",
    "marking": "Marking Guide",
    "reading": "Reading Text",
}


_PLAIN = RoleLook()


class Theme(ThemeModel):
    name: str = Field(description="Name of the theme.")
    extends: str | None = Field(
        default=None,
        description="Folder name of a theme this one builds on (e.g. `base`); fields here override it.",
    )
    page_size: Literal["A4", "Letter"] = Field(default="A4", description="Paper size.")
    margins: Margins = Field(default_factory=Margins)
    body_font: FontFamily
    heading_font: FontFamily
    fallback_fonts: list[FallbackFont] = Field(
        default_factory=list,
        description="Fonts for characters the body and heading fonts lack, tried in order before the fonts "
                    "installed on the machine.",
    )
    font_size: float = Field(default=10.5, ge=7, le=16, description="Body text size in points.")
    line_spacing: float = Field(default=1.3, ge=1.0, le=2.0, description="Line height as a multiple of the font size.")
    colours: Colours = Field(default_factory=Colours)
    organisation_name: str = Field(default="", description="Shown in the running header when set.")
    header_text: str = Field(default="", description="Running header; the document title when empty.")
    footer_text: str = Field(default="", description="Text before the page number in the footer.")
    logo_alt: str | None = Field(default=None, description="Alternative text of the logo, for screen readers.")
    logo: str | None = Field(
        default=None,
        description="Logo image (PNG or JPEG) in the template folder, shown on the title block; needs `logo_alt`.",
    )
    charts: Literal["native", "picture"] = Field(
        default="native",
        description="DOCX charts: `native` Word charts (editable data) where Word has the kind, or `picture` for all.",
    )
    styles: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_STYLES),
        description="Role → style name; roles not listed keep their default names.",
    )
    alignment: Literal["left", "justify"] = Field(
        default="left", description="Alignment of body text, list items and box text (roles with `align: text`).")
    hyphenation: bool = Field(
        default=False, description="Hyphenate roles with `hyphenate: true` in the document's language (PDF: "
                                   "pyphen's patterns; DOCX: Word's automatic hyphenation).")
    smart_quotes: bool = Field(
        default=True, description="Straight quotes and apostrophes are set as the language's curly ones.")
    roles: dict[str, RoleLook] = Field(
        default_factory=lambda: {role: RoleLook(**values) for role, values in DEFAULT_ROLES.items()},
        description="Role → its look (size, leading, spacing, colour, rules); a role given here overrides the "
                    "defaults field by field.")
    boxes: dict[str, BoxLook] = Field(
        default_factory=lambda: {role: BoxLook(**values) for role, values in DEFAULT_BOXES.items()},
        description="Box role → its look; every role listed is drawn as a shaded box.")
    table: TableLook = Field(default_factory=TableLook, description="How data tables look.")
    tables: dict[str, TableRoleLook] = Field(
        default_factory=dict,
        description="Table role (`::: table role=sorting`) → how its rows are laid out (a minimum row height to "
                    "write in, rows kept whole); tables of other roles lay out as `table` says.")

    @field_validator("roles", mode="before")
    @classmethod
    def _roles_over_defaults(cls, given: object) -> object:
        return merge_roles(given)

    @field_validator("boxes", mode="before")
    @classmethod
    def _boxes_over_defaults(cls, given: object) -> object:
        return merge_boxes(given)

    @field_validator("logo")
    @classmethod
    def _logo_needs_alt_text(cls, logo: str | None, info: ValidationInfo) -> str | None:
        # a field validator (logo_alt is declared first, so it is already in info.data): the error
        # then points at the `logo:` line, not at the top of the file
        if logo and not (info.data.get("logo_alt") or "").strip():
            raise ValueError("a logo needs `logo_alt`: describe the logo for screen readers (e.g. the school's name)")
        return logo

    def style_for(self, role: str) -> str:
        """Style name for a role: the theme's mapping, the default one, else the role title-cased."""
        return self.styles.get(role) or DEFAULT_STYLES.get(role) or role.replace("-", " ").title()

    def look(self, role: str) -> ResolvedLook:
        """A role's look in points and #RRGGBB: a role the theme does not list looks like body text."""
        return resolve_look(self.roles.get(role) or self.roles.get("body") or _PLAIN, self.font_size, self.line_spacing, self.alignment,
                            self.hyphenation, self.colours.model_dump())

    def colour(self, reference: str) -> str:
        """#RRGGBB of a colour reference (`primary`, `muted`, … or #RRGGBB)."""
        return resolve_colour(reference, self.colours.model_dump())

    @property
    def page_size_mm(self) -> tuple[float, float]:
        return (210.0, 297.0) if self.page_size == "A4" else (215.9, 279.4)

    @property
    def text_width_mm(self) -> float:
        return self.page_size_mm[0] - self.margins.left - self.margins.right

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def _font_search_path(theme_folder: Path) -> list[Path]:
    """Theme folder, then the project's assets, then the DejaVu fonts matplotlib ships (always installed)."""
    from reports.paths import ASSETS_DIR

    folders = [theme_folder / "fonts", ASSETS_DIR / "fonts"]
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        folders.append(Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf")
    return folders


def resolve_font_file(file_name: str, theme_folder: Path, cache: Cache | None = None) -> Path:
    """The font file named in a theme, looked up only in the known font folders (never a free path); the answer
    is kept in `cache` (a font added to a template folder is found once the cache is cleared)."""
    if cache is None:
        return _resolve_font_file(file_name, theme_folder)
    return cache.memo("font-files", (file_name, theme_folder), lambda: _resolve_font_file(file_name, theme_folder))


def _resolve_font_file(file_name: str, theme_folder: Path) -> Path:
    if Path(file_name).name != file_name:
        raise AssetError([Diagnostic(f"font '{file_name}' must be a file name, not a path — put the file in "
                                     f"{theme_folder / 'fonts'}", file=str(theme_folder / "theme.yaml"))])
    for folder in _font_search_path(theme_folder):
        candidate = folder / file_name
        if candidate.is_file():
            if not candidate.resolve().is_relative_to(folder.resolve()):
                raise AssetError([Diagnostic(f"font file '{file_name}' links outside {folder} — copy the font file in",
                                             file=str(theme_folder / "theme.yaml"))])
            return candidate
    raise AssetError(
        [Diagnostic(f"font file '{file_name}' not found in " + ", ".join(str(f) for f in _font_search_path(theme_folder))
                    + " — add it to the template's fonts/ folder", file=str(theme_folder / "theme.yaml"))]
    )


MAX_THEME_DEPTH = 8


def _theme_folder(name: str, search_path: tuple[Path, ...], child: Path) -> Path:
    if not name or Path(name).name != name or name.startswith("."):
        raise TemplateError([Diagnostic(f"'{name}' must be a template folder name", file=str(child),
                                        field_path="extends")])
    for root in search_path:
        if (root / name / "theme.yaml").is_file():
            return (root / name).resolve()
    raise TemplateError([Diagnostic(f"no theme folder named '{name}' in "
                                    + ", ".join(str(root) for root in search_path), file=str(child), field_path="extends")])


def _merge(child: LoadedDocument, parent: LoadedDocument) -> LoadedDocument:
    """Child values over parent values (mappings merged key by key); positions from whichever file gave the value."""

    def merge(over: object, under: object) -> object:
        if isinstance(over, dict) and isinstance(under, dict):
            merged = dict(under)
            for key, value in over.items():
                merged[key] = merge(value, under.get(key))
            return merged
        return over

    merged = LoadedDocument(data=merge(child.data, parent.data), file=child.file)  # type: ignore[arg-type]
    for source in (parent, child):
        for path, position in source.value_positions.items():
            merged.value_positions[path] = Position(position.line, position.column, position.file or source.file)
        for path, position in source.key_positions.items():
            merged.key_positions[path] = Position(position.line, position.column, position.file or source.file)
    return merged


def load_theme_document(folder: Path, search_path: tuple[Path, ...] | None = None) -> LoadedDocument:
    """`folder/theme.yaml` merged over the themes it extends, each value located in the file that set it."""
    from reports.paths import TEMPLATES_DIR

    roots = search_path or (TEMPLATES_DIR,)
    chain: list[LoadedDocument] = []
    current = folder
    seen: set[Path] = set()
    while True:
        path = current / "theme.yaml"
        if path.exists() and not path.resolve().is_relative_to(current.resolve()):
            raise TemplateError([Diagnostic("theme.yaml links outside the template folder — copy the file in",
                                            file=str(path))])
        try:
            document = load_file(path)
        except ContentError as error:  # a theme is part of the template: its faults are template errors
            raise TemplateError(error.diagnostics) from None
        chain.append(document)
        seen.add(current.resolve())
        parent_name = document.data.get("extends")
        if parent_name is None:
            break
        if not isinstance(parent_name, str):
            raise TemplateError([document.diagnostic(("extends",), "extends must be a folder name")])
        parent = _theme_folder(parent_name, roots, path)
        if parent in seen or len(chain) >= MAX_THEME_DEPTH:
            raise TemplateError([document.diagnostic(("extends",), f"themes extend each other in a loop via '{parent_name}'")])
        current = parent
    merged = chain[-1]
    for document in reversed(chain[:-1]):
        merged = _merge(document, merged)
    return merged


def load_theme(folder: Path, search_path: tuple[Path, ...] | None = None, cache: Cache | None = None) -> Theme:
    """Load and validate `folder/theme.yaml` and the themes it extends; errors (exit 4) are located.

    With a cache, a theme is read once and again only when one of the theme files it could extend changed.
    """
    from reports.content.validate import validate_as

    if cache is None:
        return validate_as(load_theme_document(folder, search_path), Theme, TemplateError)
    key = (folder, tuple(search_path or ()))
    stamp = _theme_files_stamp(folder, key[1])
    kept = cache.get("themes", key)
    if kept is not None and kept[0] == stamp:
        return kept[1]  # type: ignore[no-any-return]
    theme = validate_as(load_theme_document(folder, search_path), Theme, TemplateError)
    cache.put("themes", key, (stamp, theme))
    return theme


def _theme_files_stamp(folder: Path, search_path: tuple[Path, ...]) -> tuple[object, ...]:
    """Size, time and inode of every theme file the folder's theme could extend.

    Only stat, never open: a theme.yaml that links out of its folder must not be read before
    `load_theme` refuses it.
    """
    files = [folder / "theme.yaml"]
    for root in search_path:
        try:
            files.extend(sorted(root.glob("*/theme.yaml")))
        except OSError:
            continue
    stamp: list[object] = []
    for path in files:
        try:
            info = path.stat()
            stamp.append((str(path), info.st_size, info.st_mtime_ns, info.st_ino))
        except OSError:
            stamp.append((str(path), None))
    return tuple(stamp)
