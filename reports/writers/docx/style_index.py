"""Word's styles part by name and id: python-docx finds a style by scanning every style each time, which a
document of a few hundred styles and a few thousand paragraphs turned into the writer's largest cost; the
index keeps both maps.
"""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.oxml.styles import CT_Style, CT_Styles
from docx.styles import BabelFish

PARAGRAPH = WD_STYLE_TYPE.PARAGRAPH
CHARACTER = WD_STYLE_TYPE.CHARACTER
TABLE = WD_STYLE_TYPE.TABLE
_STYLE, _NAME, _VAL, _STYLE_ID = qn("w:style"), qn("w:name"), qn("w:val"), qn("w:styleId")
STYLE_TYPE_NAMES = {PARAGRAPH: "paragraph", CHARACTER: "character", TABLE: "table"}


def style_kind(node: CT_Style) -> WD_STYLE_TYPE:
    """A style's type as python-docx reports it: a style without `w:type` is a paragraph style."""
    kind = node.type
    return PARAGRAPH if kind is None else kind


class StyleIndex:
    """The `w:style` elements of one styles part by name and by id, built in one pass.

    python-docx answers `name in styles` and `styles[name]` with a scan over every style (XPath or a
    generator), and a document asks over a hundred times; this answers from dicts. Like python-docx, the
    first style in document order wins a duplicated name or id, names are Word's UI names (`Heading 1`,
    stored as `heading 1`), and `get` falls back to the id as `styles[key]` does. Styles added or replaced
    through `add` and `replace` keep it in step; anything else that edits the part must build a new index.
    """

    def __init__(self, root: CT_Styles) -> None:
        self.root = root
        self._by_name: dict[str, CT_Style] = {}
        self._by_id: dict[str, CT_Style] = {}
        for node in root.iterchildren(_STYLE):
            self._register(node)

    def _register(self, node: CT_Style) -> None:
        # plain lxml rather than python-docx's descriptors (`name_val`, `styleId`): same values, a tenth the time
        name = node.find(_NAME)
        name_value = name.get(_VAL) if name is not None else None
        if name_value is not None:
            self._by_name.setdefault(name_value, node)
        style_id = node.get(_STYLE_ID)
        if style_id is not None:
            self._by_id.setdefault(style_id, node)

    def __contains__(self, name: str) -> bool:
        return BabelFish.ui2internal(name) in self._by_name

    def find(self, name: str) -> CT_Style | None:
        """The style named `name`, or None (python-docx's `name in styles`, then `styles[name]`)."""
        return self._by_name.get(BabelFish.ui2internal(name))

    def get(self, key: str) -> CT_Style:
        """The style named `key`, else the one whose id is `key`; KeyError if neither (`styles[key]`)."""
        node = self.find(key)
        if node is None:
            node = self._by_id.get(key)
        if node is None:
            raise KeyError(f"no style with name '{key}'")
        return node

    def add(self, name: str, kind: WD_STYLE_TYPE) -> CT_Style:
        """A new custom style at the end of the part, as python-docx's `styles.add_style(name, kind)` makes it."""
        internal = BabelFish.ui2internal(name)
        if internal in self._by_name:
            raise ValueError(f"document already contains style '{name}'")
        node = self.root.add_style_of_type(internal, kind, False)
        self._register(node)
        return node

    def replace(self, old: CT_Style, new: CT_Style) -> None:
        """Put `new` where `old` is; it takes over whatever name and id lookups found `old`."""
        old.addprevious(new)
        self.root.remove(old)
        for table in (self._by_name, self._by_id):
            for key in [key for key, node in table.items() if node is old]:
                table[key] = new
        self._register(new)

    def append(self, new: CT_Style) -> None:
        self.root.append(new)
        self._register(new)
