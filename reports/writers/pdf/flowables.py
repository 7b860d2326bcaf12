"""The few flowables reportlab lacks: keep-with-next that does not waste pages, a scaled vector chart, and
long paragraphs laid out in linear time.

reportlab's own keep-with-next wraps a heading and the whole next block in a `KeepTogether`, which moves
them to a new page whenever the *whole* block does not fit (half-empty pages before long paragraphs), and
never groups a heading with a list, figure or box at all. `KeepWithNext` keeps the heading with the
*start* of the next block instead, which is what typesetters mean by it.
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus.doctemplate import FrameBreak
from reportlab.platypus.flowables import _listWrapOn

from reports.document.nodes import SourcePosition
from reports.writers.pdf.tagging import artifact, untagged


def release_keep_with_next(flowables: list[Flowable]) -> list[Flowable]:
    """Clear keep-with-next on flowables the group has placed, so reportlab does not group them again."""
    for flowable in flowables:
        untagged(flowable).__dict__["keepWithNext"] = 0  # a tagged flowable asks the one it wraps
    return flowables


def _is_frame_action(flowable: Flowable) -> bool:
    return bool(getattr(flowable, "frameAction", None)) or type(flowable).__name__ in (
        "NullActionFlowable", "FrameBreak", "PageBreak", "SlowPageBreak", "CondPageBreak")


class Together(KeepTogether):
    """Flowables kept on one page (a figure with its caption and source line, a title block).

    The group's space before is that of its first flowable that takes room. reportlab takes the first
    flowable's, and a figure starts with its zero-size link anchor: the group then measured itself without the
    chart's space before, which the frame still adds after placing the anchor, so a group that 'fitted' by a
    few points lost its source line to the next page.
    """

    def getSpaceBefore(self, content: list[Flowable] | None = None) -> float:
        for flowable in self._content if content is None else content:
            if not hasattr(flowable, "frameAction") and not getattr(flowable, "_ZEROSIZE", False):
                return float(flowable.getSpaceBefore())
        return 0.0


class KeepWithNext(Together):
    """Leading flowables (headings, a table caption) kept on the same page as the start of the last one."""

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        content: list[Flowable] = list(self._content)
        self.wrap(available_width, available_height)
        frame = getattr(self, "_frame", None)
        at_top = bool(getattr(frame, "_atTop", False))
        if self._natural_height(content, available_width, available_height) <= available_height or at_top or len(content) < 2:
            return self._first_fitting(release_keep_with_next(content), available_width, available_height)
        leading, last = content[:-1], content[-1]
        if self._start_fits(leading, last, frame, available_width, available_height):
            # the frame splits the last block itself, with the exact space left
            return release_keep_with_next(leading) + [last]
        return [FrameBreak()] + release_keep_with_next(content)

    def _natural_height(self, content: list[Flowable], available_width: float, available_height: float) -> float:
        """Height of the group as laid out. KeepTogether.wrap reports 0xffffff to force a split, so a
        nested KeepTogether (a figure with its caption) counts with its real height, `_H`."""
        total = 0.0
        for index, flowable in enumerate(content):
            _, height = flowable.wrapOn(self.canv, available_width, available_height)
            if isinstance(flowable, KeepTogether):
                height = getattr(flowable, "_H", height)
            total += height
            if index:
                total += max(content[index - 1].getSpaceAfter(), flowable.getSpaceBefore())
        return total

    def _first_fitting(self, content: list[Flowable], available_width: float,
                       available_height: float) -> list[Flowable]:
        """reportlab requires the first flowable a split returns to fit: split it when it is taller."""
        first = content[0]
        _, height = first.wrapOn(self.canv, available_width, available_height)
        if height <= available_height or not hasattr(first, "splitOn"):
            return content
        parts = first.splitOn(self.canv, available_width, available_height)
        return list(parts) + content[1:] if parts else content

    def _start_fits(self, leading: list[Flowable], last: Flowable, frame: Any, available_width: float,
                    available_height: float) -> bool:
        """Whether the leading flowables and the first part of the last one fit in the space left.

        The room is under-estimated (spaces added, not merged), so when this says yes, the frame's
        own split of the last block, with the exact room, succeeds too.
        """
        if isinstance(last, KeepTogether) or not hasattr(last, "splitOn"):
            return False
        _, leading_height = _listWrapOn(leading, available_width, self.canv)
        room = (available_height - leading_height - leading[0].getSpaceBefore() - leading[-1].getSpaceAfter()
                - last.getSpaceBefore() - 1)
        if room <= 0:
            return False
        last._frame = frame  # tables decide how to split from where the frame is
        parts = last.splitOn(self.canv, available_width, room)
        if len(parts) < 2 or _is_frame_action(parts[0]):
            return False
        _, first_height = parts[0].wrapOn(self.canv, available_width, room)
        return first_height <= room


class BriefingTable(Table):
    """A table that splits between rows; it cuts a row only when that row would not fit on a fresh page.

    reportlab (with `splitInRow`) cuts the first row whenever no whole row fits in the space left at
    the bottom of a page; a reader would rather see the table start on the next page.

    Tagged PDF: backgrounds, grid lines and empty text cells are drawn as artifacts; the cells' flowables
    tag themselves (the structure tree knows the cell they belong to), so a header row repeated on the next
    page — the same flowables drawn again — becomes an artifact too.
    """

    def _drawBkgrnd(self) -> None:
        with artifact(self.canv):
            super()._drawBkgrnd()

    def _drawLines(self) -> None:
        with artifact(self.canv):
            super()._drawLines()

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:
        if isinstance(cellval, (list, tuple, Flowable)):
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        with artifact(self.canv):  # a text cell ("" for an empty one) is never content here
            super()._drawCell(cellval, cellstyle, pos, size)

    def _splitCell(self, value: Any, style: Any, oldHeight: float, newHeight: float, width: float) -> Any:
        """Cut a cell's flowables at a page break, at the width they are drawn at.

        reportlab measures the cell's content at the column width less the cell's padding, but splits it at
        the whole column width: a paragraph or list cut there has fewer, longer lines than it gets when it
        is drawn, so the part before the break runs out of the bottom of its cell — over the footer, and off
        the page, lines lost. Given the padded width and no side padding, it measures and splits alike.
        """
        if not isinstance(value, (list, tuple)):
            return super()._splitCell(value, style, oldHeight, newHeight, width)
        unpadded = style.copy()
        unpadded.leftPadding = unpadded.rightPadding = 0
        return super()._splitCell(value, unpadded, oldHeight, newHeight,
                                  width - style.leftPadding - style.rightPadding)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self._calc(available_width, available_height)
        if self._width > available_width + 0.01:
            return []
        parts = self._splitRows(available_height, doInRowSplit=False)
        if parts or not self.splitInRow:
            return parts
        frame = getattr(self, "_frame", None)
        if frame is not None and not getattr(frame, "_atTop", False):
            first_rows = self._rowHeights[: self.repeatRows + 1]
            if sum(first_rows) <= frame._height - frame._topPadding - frame._bottomPadding:
                return []  # it fits whole on the next page
        return self._splitRows(available_height, doInRowSplit=True)


class Anchor(Flowable):
    """An invisible destination for internal links (`#id` of a table or figure); stays with what follows."""

    _ZEROSIZE = True
    _SPACETRANSFER = True
    """The frame merges the space after what came before with the space before what follows, as if the anchor
    were not there (without it the anchor resets that space to 0 and both spaces are added)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.keepWithNext = 1
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.key, 0, 0)


class ChartFlowable(Flowable):
    """A vector chart (reportlab Drawing) scaled to a width, centred, never taller than `max_height`."""

    def __init__(self, drawing: Drawing, width: float, max_height: float, alt_text: str, font_name: str) -> None:
        super().__init__()
        self.drawing = drawing
        self.font_name = font_name
        """Initial font of the drawing's graphics state (reportlab's default would be Helvetica)."""
        self.alt_text = alt_text
        """Alternative text, kept for tagging (reportlab cannot write tagged PDF yet)."""
        self.hAlign = "CENTER"
        natural_width = float(drawing.width) or 1.0
        natural_height = float(drawing.height) or 1.0
        self._scale = min(width / natural_width, max_height / natural_height)
        self._natural = (natural_width, natural_height)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        natural_width, natural_height = self._natural
        self._drawn_scale = min(self._scale, available_width / natural_width)
        self.width = natural_width * self._drawn_scale
        self.height = natural_height * self._drawn_scale
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.scale(self._drawn_scale, self._drawn_scale)
        drawing = self.drawing
        previous = drawing.__dict__.get("initialFontName")
        if previous is None:
            drawing.initialFontName = self.font_name
        try:
            renderPDF.draw(drawing, canvas, 0, 0)
        finally:
            if previous is None:
                drawing.__dict__.pop("initialFontName", None)
        canvas.restoreState()


LONG_PARAGRAPH_WORDS = 500
"""Paragraphs longer than this are laid out as consecutive pieces of about this many words."""


def paragraph_pieces(paragraph: Paragraph, width: float, words: int = LONG_PARAGRAPH_WORDS) -> list[Paragraph]:
    """A long paragraph as consecutive paragraphs of about `words` words each, which read as one.

    reportlab breaks the *whole rest* of a paragraph into lines again at every page break (its `split`
    makes a new paragraph of the remaining words, which the next frame wraps from scratch), so a paragraph
    of n words costs O(n²): 50,000 words took half a minute. Pieces of bounded length make it linear.

    The paragraph is broken into lines once, at `width` (the width it will be drawn at), and cut at line
    ends with reportlab's own split helpers (the words, fonts, links of each line are kept as they are), so
    each piece, wrapped at that width, has exactly the lines the whole paragraph had there: the page looks
    the same. Only the first piece has the space before (and the first-line indent), only the last the
    space after (and keep-with-next); between the pieces there is no space, so the lines follow at the
    paragraph's own leading. Widow and orphan control stay where the whole paragraph has them: a piece
    but the last may end with one line at the top of a page, and a piece but the first may start with one
    line at the bottom of one — as an attribute of the piece itself, not of its style, because the part
    that follows when reportlab splits a piece is a continuation, which keeps the style's orphan control
    as the whole paragraph's continuations do. A paragraph of at most `words` words (or one that will not
    break into lines at this width) is returned as it is.
    """
    plain = paragraph.getPlainText()
    total = len(plain.split())
    if total <= words or width <= 0:
        return [paragraph]
    paragraph.wrap(width, 0x7FFFFFFF)
    lines = paragraph.blPara.lines
    per_piece = max(1, round(len(lines) * words / total))
    starts = [0]
    cut = per_piece
    while cut < len(lines):
        # never right after a forced line break: reportlab would start the next piece with the break, an
        # empty line
        while cut < len(lines) and getattr(lines[cut - 1], "lineBreak", False):
            cut += 1
        if cut < len(lines):
            starts.append(cut)
        cut += per_piece
    if len(starts) > 1 and len(lines) - starts[-1] < per_piece / 2:
        starts.pop()  # a short last piece joins the one before
    if len(starts) < 2:
        return [paragraph]
    split_lines = paragraph._get_split_blParaFunc()
    style = paragraph.style
    first = ParagraphStyle(f"{style.name} (start)", parent=style, spaceAfter=0, allowWidows=1, keepWithNext=0)
    middle = ParagraphStyle(f"{style.name} (continued)", parent=style, spaceBefore=0, spaceAfter=0, allowWidows=1,
                            firstLineIndent=0, keepWithNext=0)
    last = ParagraphStyle(f"{style.name} (end)", parent=style, spaceBefore=0, firstLineIndent=0)
    label = _first_words(" ".join(plain.split(None, 9)[:9]), 8)
    pieces: list[Paragraph] = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else len(lines)
        piece_style = first if index == 0 else last if index == len(starts) - 1 else middle
        piece = type(paragraph)(None, piece_style, bulletText=paragraph.bulletText if index == 0 else None,
                                frags=split_lines(paragraph.blPara, start, stop))
        if index:
            piece.allowOrphans = 1  # read before the style's by `Paragraph.split`, and not passed on by it
        if index < len(starts) - 1:
            # a justified paragraph's line is justified where the piece ends too (reportlab leaves a paragraph's
            # last line ragged); never after a forced line break, where no piece is cut
            piece._JustifyLast = True
        piece.block_label = label  # for error messages: pieces made from lines may not give their text back
        pieces.append(piece)
    return pieces


def drawing_fonts(node: Any) -> set[str]:
    """Font names the strings of a drawing use (a chart must use embedded theme fonts only)."""
    found: set[str] = set()
    name = getattr(node, "fontName", None)
    if isinstance(name, str) and hasattr(node, "text"):
        found.add(name)
    for child in getattr(node, "contents", None) or []:
        found |= drawing_fonts(child)
    return found


def describe(flowable: Any, words: int = 8) -> str:
    """A short, human description of a flowable for error messages: its first words."""
    flowable = untagged(flowable)
    label = getattr(flowable, "block_label", "")
    if label:
        return label
    if isinstance(flowable, Paragraph):
        text = " ".join(flowable.getPlainText().split())
        return _first_words(text, words) or "an empty paragraph"
    if isinstance(flowable, ChartFlowable):
        return "figure " + _quote(_first_words(flowable.alt_text, words))
    if isinstance(flowable, Table):
        for row in getattr(flowable, "_cellvalues", []):
            for cell in row:
                for item in cell if isinstance(cell, (list, tuple)) else [cell]:
                    if isinstance(item, Paragraph) and item.getPlainText().strip():
                        return "table starting " + _quote(_first_words(item.getPlainText(), words))
        return "a table"
    for child in getattr(flowable, "_content", None) or getattr(flowable, "_flowables", None) or []:
        if not _is_frame_action(child):
            return describe(child, words)
    return type(flowable).__name__


def source_position(flowable: Any) -> SourcePosition | None:
    """The template line of the block a flowable (or the first of its parts that knows it) was made for."""
    position = getattr(untagged(flowable), "source_position", None)
    if position is not None:
        return position  # type: ignore[no-any-return]
    for child in getattr(flowable, "_content", None) or getattr(flowable, "_flowables", None) or []:
        found = source_position(child)
        if found is not None:
            return found
    return None


def _first_words(text: str, count: int) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def _quote(text: str) -> str:
    return f"“{text}”"


def group_keep_with_next(flowables: list[Flowable]) -> list[Flowable]:
    """Group each run of keep-with-next flowables (headings, table captions) with the flowable after it."""
    grouped: list[Flowable] = []
    run: list[Flowable] = []
    for flowable in flowables:
        if flowable.getKeepWithNext():
            run.append(flowable)
            continue
        if run and not isinstance(flowable, PdfPageBreak):
            grouped.append(KeepWithNext(run + [flowable]))
        else:
            grouped.extend(release_keep_with_next(run))
            grouped.append(flowable)
        run = []
    # nothing to keep with: release, or reportlab would wrap a too-tall heading in KeepTogether forever
    grouped.extend(release_keep_with_next(run))
    return grouped
