"""One style scale, two formats: every role the PDF sets text in is styled from the same numbers in the DOCX.

The PDF side is read from the paragraph styles the PDF writer builds (`build_styles`); the DOCX side from the
styles part of a real DOCX, each property resolved through the style's `basedOn` chain and the document
defaults, as Word resolves it. Both must equal the theme's numbers (`Theme.look`), for the briefing's theme and
the handout's (a different body size and line spacing) and for a theme that overrides a role.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT
from lxml import etree
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT

from reports.cache import Cache
from reports.document import nodes
from reports.document.construct import make_table
from reports.document.nodes import Caption, Div, Document, Metadata, Paragraph, TableCell, TableRow, Text
from reports.theme.model import Theme, load_theme
from reports.writers.base import RenderContext
from reports.writers.docx.writer import write_docx
from reports.writers.pdf.styles import PARAGRAPH_ROLES, build_styles, register_theme_fonts
from reports.writers.pdf.tables import build_box, build_table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEMPLATES = PROJECT_ROOT / "templates"
PDF_ALIGNMENTS = {TA_LEFT: "left", TA_JUSTIFY: "both", TA_CENTER: "center", TA_RIGHT: "right"}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


class WordStyles:
    """A DOCX's styles part, each property resolved through `basedOn` and the document defaults."""

    def __init__(self, data: bytes) -> None:
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml"))
        # Word's built-in names are case-insensitive ("caption" is Caption)
        self.by_name = {style.find(w("name")).get(w("val")).lower(): style for style in root.findall(w("style"))}
        self.by_id = {style.get(w("styleId")): style for style in root.findall(w("style"))}
        self.defaults = root.find(w("docDefaults"))

    def chain(self, name: str) -> list[etree._Element]:
        styles, style = [], self.by_name[name.lower()]
        while style is not None:
            styles.append(style)
            based_on = style.find(w("basedOn"))
            style = self.by_id.get(based_on.get(w("val"))) if based_on is not None else None
        return styles

    def find(self, name: str, path: str) -> etree._Element | None:
        """The first element at `path` (`w:pPr/w:spacing`) along the chain, then in the document defaults."""
        def qualified(text: str) -> str:
            return text.replace("w:", f"{{{W}}}")

        for style in self.chain(name):
            found = style.find(qualified(path))
            if found is not None:
                return found
        default = path.replace("w:pPr", "w:pPrDefault/w:pPr").replace("w:rPr", "w:rPrDefault/w:rPr")
        return self.defaults.find(qualified(default))

    def value(self, name: str, path: str, attribute: str = "val") -> str | None:
        found = self.find(name, path)
        return None if found is None else found.get(w(attribute))

    def flag(self, name: str, path: str) -> bool:
        found = self.find(name, path)
        return found is not None and found.get(w("val"), "true") not in ("0", "false")


def sample_document() -> Document:
    """A document that uses every role, so the DOCX defines every style."""
    table = make_table((TableRow((TableCell((Paragraph((Text("head"),)),)),)),),
                       (TableRow((TableCell((Paragraph((Text("cell"),)),)),)),),
                       caption=Caption("table", (Text("caption"),), "Tabel", 1))
    blocks: tuple[nodes.Block, ...] = tuple(Paragraph((Text(role),), role) for role in
                                            ("title", "subtitle", "byline", "lead", "source", "body")) + (
        nodes.Heading(1, (Text("one"),)), nodes.Heading(2, (Text("two"),)), nodes.Heading(3, (Text("three"),)),
        nodes.BulletList((nodes.ListItem((Paragraph((Text("item"),)),)),)),
        nodes.BulletList((nodes.ListItem((Paragraph((Text("item"),)),)),), ordered=True),
        Div("summary", (Div("box-title", (Paragraph((Text("box title"),)),)), Paragraph((Text("box"),)))),
        table,
    )
    return Document(Metadata(title="Parity", language="id"), blocks)


@pytest.fixture(scope="module", params=["briefing", "handout", "overridden"])
def theme_and_folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Theme, Path]:
    if request.param != "overridden":
        folder = TEMPLATES / request.param
        return load_theme(folder), folder
    folder = tmp_path_factory.mktemp("themes") / "house"
    folder.mkdir()
    (folder / "theme.yaml").write_text(
        "name: house\nextends: briefing\nfont_size: 11\nalignment: left\n"
        "roles:\n  title: {size: 2.6, colour: accent}\n  caption: {italic: true, after: 1.0}\n"
        "  heading-2: {colour: '#336699', before: 2}\n", encoding="utf-8")
    return load_theme(folder, (TEMPLATES, folder.parent)), folder


@pytest.fixture(scope="module")
def word_styles(theme_and_folder: tuple[Theme, Path]) -> WordStyles:
    theme, folder = theme_and_folder
    context = RenderContext(theme=theme, theme_folder=folder, charts=None,  # type: ignore[arg-type]
                            timestamp=__import__("datetime").datetime(2024, 1, 1), cache=Cache())
    return WordStyles(write_docx(sample_document(), context))


def test_every_pdf_role_has_the_same_numbers_in_the_docx(theme_and_folder: tuple[Theme, Path],
                                                         word_styles: WordStyles) -> None:
    theme, folder = theme_and_folder
    fonts = register_theme_fonts(theme, folder)
    pdf = build_styles(theme, fonts)
    compared = []
    for role in PARAGRAPH_ROLES:
        name = theme.style_for(role)
        look = theme.look(role)
        style = pdf.paragraphs[name]
        family, bold, italic = fonts.faces_of(style.fontName)
        word_colour = (word_styles.value(name, "w:rPr/w:color") or "").upper()
        pdf_numbers = {
            "font": family.display_name, "size": style.fontSize, "bold": bold, "italic": italic,
            "colour": "#" + style.textColor.hexval()[2:].upper(), "leading": style.leading,
            "before": style.spaceBefore, "after": style.spaceAfter,
            "keep with next": name in pdf.keeps_with_next, "alignment": PDF_ALIGNMENTS[style.alignment],
        }
        word_numbers = {
            "font": word_styles.value(name, "w:rPr/w:rFonts", "ascii"),
            "size": int(word_styles.value(name, "w:rPr/w:sz") or 0) / 2,
            "bold": word_styles.flag(name, "w:rPr/w:b"), "italic": word_styles.flag(name, "w:rPr/w:i"),
            "colour": "#" + word_colour,
            "leading": int(word_styles.value(name, "w:pPr/w:spacing", "line") or 0) / 20,
            "before": int(word_styles.value(name, "w:pPr/w:spacing", "before") or 0) / 20,
            "after": int(word_styles.value(name, "w:pPr/w:spacing", "after") or 0) / 20,
            "keep with next": word_styles.flag(name, "w:pPr/w:keepNext"),
            "alignment": word_styles.value(name, "w:pPr/w:jc") or "left",
        }
        theme_numbers = {
            "font": (theme.heading_font if look.font == "heading" else theme.body_font).name, "size": look.size,
            "bold": look.bold, "italic": look.italic, "colour": look.colour, "leading": look.leading,
            "before": look.before, "after": look.after, "keep with next": look.keep_with_next,
            "alignment": {"justify": "both"}.get(look.align, look.align),
        }
        assert word_styles.value(name, "w:pPr/w:spacing", "lineRule") == "atLeast", name
        assert pdf_numbers == theme_numbers, role
        assert word_numbers == theme_numbers, role
        compared.append(role)
    assert len(compared) == len(PARAGRAPH_ROLES) >= 19


def test_rules_tables_and_boxes_have_the_same_numbers(theme_and_folder: tuple[Theme, Path],
                                                      word_styles: WordStyles) -> None:
    theme, folder = theme_and_folder
    pdf = build_styles(theme, register_theme_fonts(theme, folder))
    # the rule under the byline: a paragraph border in Word, a line after the paragraph in the PDF
    rule = theme.look("byline").rule_below
    assert rule is not None
    border = word_styles.find(theme.style_for("byline"), "w:pPr/w:pBdr/w:bottom")
    assert border is not None
    assert (int(border.get(w("sz"))) / 8, border.get(w("color")), int(border.get(w("space")))) == \
        (rule.width, rule.colour.lstrip("#"), round(rule.gap))
    # data tables: header band, stripe, rules, cell padding
    look = theme.table
    table_style = word_styles.by_name[theme.style_for("table").lower()]
    borders = table_style.find(f"{w('tblPr')}/{w('tblBorders')}")
    assert int(borders.find(w("top")).get(w("sz"))) / 8 == look.rule_width
    assert borders.find(w("top")).get(w("color")) == theme.colour(look.rule).lstrip("#")
    header = table_style.find(f"{w('tblStylePr')}[@{w('type')}='firstRow']")
    assert header.find(f"{w('tcPr')}/{w('shd')}").get(w("fill")) == theme.colour(look.header_background).lstrip("#")
    margins = table_style.find(f"{w('tblPr')}/{w('tblCellMar')}")
    assert round(int(margins.find(w("left")).get(w("w"))) / 20, 1) == pytest.approx(look.cell_padding_side, abs=0.1)
    table = build_table([[[]], [[]]], 1, [100.0], pdf, theme)
    commands = {(command[0], command[1]): command for command in table._bkgrndcmds + table._linecmds}
    assert commands[("BACKGROUND", (0, 0))][3].hexval()[2:].upper() == theme.colour(look.header_background)[1:]
    assert table._linecmds[-1][3] == look.rule_width
    # boxes: the rule down the left edge and the shading
    for role, box_look in theme.boxes.items():
        box_style = word_styles.by_name[theme.style_for(role).lower()]
        left = box_style.find(f"{w('tblPr')}/{w('tblBorders')}/{w('left')}")
        assert (int(left.get(w("sz"))) / 8, left.get(w("color"))) == \
            (box_look.rule_width, theme.colour(box_look.rule).lstrip("#")), role
        assert box_style.find(f"{w('tcPr')}/{w('shd')}").get(w("fill")) == \
            theme.colour(box_look.background).lstrip("#")
        box = build_box([], 100.0, box_look, pdf, theme)
        (line,) = [command for command in box._linecmds if command[0] == "LINEBEFORE"]
        assert (line[3], line[4].hexval()[2:].upper()) == (box_look.rule_width, theme.colour(box_look.rule)[1:])


def test_summary_and_key_facts_rules_are_the_same_colour_in_both() -> None:
    """The drift the style scale ended: the summary's rule was navy in the PDF and rust in the DOCX."""
    theme = load_theme(TEMPLATES / "briefing")
    assert theme.colour(theme.boxes["summary"].rule) == theme.colours.primary
    assert theme.colour(theme.boxes["key-facts"].rule) == theme.colours.accent
