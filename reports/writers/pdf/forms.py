"""A PDF laid out once and filled in many times: the PDF writer's token-substitution step.

A form is a document whose personal values (a student's name and class) are placeholder tokens; the runtime's
mail merge (`reports.runtime.mail_merge`) decides when one is worth making and keeps it. `lay_out_form` lays
the form out once with a `FormWriter`, recording what was drawn where (`replay.LayoutPlan`); each paragraph
holding a token is a `FormParagraph`, which notes every way layout used it — the widths and heights it was
measured at, the splits tried, where it was drawn. `PdfForm.fill` sets each such paragraph again with a row's
text and asks it the same questions: when every answer is the same (the name takes as many lines as the
token did), no layout decision could differ, so the recorded layout is drawn again (`replay.replay_pdf`) with
the new text in place. Drawing in the same order on a fresh canvas gives the bytes a full build of that row
gives — fonts are subset in drawing order, and the token itself is never drawn again. When an answer
differs, `fill` returns None and the row is built the ordinary way.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Mapping

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from reports.document.nodes import Document
from reports.writers.base import RenderContext
from reports.writers.pdf.flowables import LONG_PARAGRAPH_WORDS
from reports.writers.pdf.hyphenation import TypesetParagraph
from reports.writers.pdf.inlines import escape_markup
from reports.writers.pdf.replay import LayoutPlan, ReplayMismatch, replay_pdf
from reports.writers.pdf.styles import FontFaces
from reports.writers.pdf.writer import PdfWriter

__all__ = ["FormParagraph", "FormWriter", "PdfForm", "lay_out_form"]


class FormParagraph(TypesetParagraph):
    """A paragraph of a form: remembers each use layout made of it, in order (see the module)."""

    def __init__(self, text: str, style: ParagraphStyle, *args: Any, **kwargs: Any) -> None:
        super().__init__(text, style, *args, **kwargs)
        self.form_markup = text
        self.form_uses: list[tuple[Any, ...]] | None = []

    def _note(self, use: tuple[Any, ...]) -> None:
        uses = self.__dict__.get("form_uses")
        if uses is not None:
            uses.append(use)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        result = super().wrap(availWidth, availHeight)
        self._note(("wrap", availWidth, availHeight, result))
        return result

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        parts = super().split(availWidth, availHeight)
        self._note(("split", availWidth, availHeight, len(parts)))
        return parts

    def minWidth(self) -> float:
        result = super().minWidth()
        self._note(("minWidth", result))
        return result

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        self._note(("draw",))
        super().drawOn(canvas, x, y, _sW)

    def take_layout_of(self, other: Paragraph) -> None:
        """Become `other` as layout left it (its text, lines and size), keeping this object: the layout plan
        and the flowables that hold this paragraph refer to it by identity."""
        state = dict(other.__dict__)
        self.__dict__.clear()
        self.__dict__.update(state, form_uses=None)


class FormWriter(PdfWriter):
    """The PDF writer, noting where the form's tokens are: paragraphs holding one are `FormParagraph`s, and the
    face each token is set in is kept, to check a row's values against."""

    def __init__(self, context: RenderContext, tokens: frozenset[str]) -> None:
        super().__init__(context)
        self.tokens = tokens
        self.token_faces: list[tuple[str, FontFaces, bool, bool]] = []
        self.paragraphs: list[FormParagraph] = []

    def make_paragraph(self, markup: str, style: ParagraphStyle) -> Paragraph:
        if any(token in markup for token in self.tokens):
            paragraph = FormParagraph(markup, style)
            self.paragraphs.append(paragraph)
            return paragraph
        return super().make_paragraph(markup, style)

    def text_set(self, text: str, faces: FontFaces, bold: bool, italic: bool) -> None:
        for token in self.tokens:
            self.token_faces.extend([(token, faces, bold, italic)] * text.count(token))


def lay_out_form(document: Document, context: RenderContext, tokens: frozenset[str]) -> PdfForm:
    """Lay out a document holding `tokens` once and keep what is needed to fill it in."""
    writer = FormWriter(context, tokens)
    plan = LayoutPlan()
    writer.write(document, plan)
    assert writer.last_layout is not None
    return PdfForm(writer, plan, list(writer.token_faces), list(writer.paragraphs))


@dataclass
class _Slot:
    paragraph: FormParagraph
    markup: str
    style: ParagraphStyle
    uses: list[tuple[Any, ...]]


class PdfForm:
    """A laid-out form (see the module); `fill` makes one row's PDF, or says it cannot."""

    def __init__(self, writer: FormWriter, plan: LayoutPlan, token_faces: list[tuple[str, FontFaces, bool, bool]],
                 paragraphs: list[FormParagraph]) -> None:
        assert writer.last_layout is not None
        self._writer = writer
        self._plan = plan
        self._structure, self._texts, self._info = writer.last_layout
        self._token_faces = token_faces
        self._slots = [_Slot(paragraph, paragraph.form_markup, paragraph.style, list(paragraph.form_uses or ()))
                       for paragraph in paragraphs]
        for paragraph in paragraphs:
            paragraph.form_uses = None  # later draws of the same objects are replays, not layout
        self._lock = threading.Lock()
        """Filling in changes the form's paragraphs and draws its flowables: one row at a time (a Dask
        worker runs tasks in threads)."""

    @property
    def unusable_reason(self) -> str:
        """Why this form cannot be filled in ('' when it can): every token must be in a paragraph drawn
        once and whole, and nowhere else (an outline entry, an anchor, a figure's alternative text)."""
        tokens = {token for token, *_ in self._token_faces}
        in_paragraphs = sum(slot.markup.count(token) for slot in self._slots for token in tokens)
        if in_paragraphs != len(self._token_faces):
            return "a value is also used outside the text of a paragraph (an anchor or a long paragraph)"
        for slot in self._slots:
            if sum(1 for use in slot.uses if use[0] == "draw") != 1:
                return "a paragraph with a value was split across pages or drawn more than once"
        lowered = {token.lower() for token in tokens}
        for page in self._plan.pages:
            for event in page.events:
                if event[0] == "outline" and any(token in str(event[1]).lower() or token in str(event[4]).lower()
                                                  for token in lowered):
                    return "a value is in a heading of the outline"
        for element in self._structure.root.walk():
            if element.alt and any(token in element.alt.lower() for token in lowered):
                return "a value is in a figure's alternative text"
        return ""

    def fill(self, values: Mapping[str, str]) -> bytes | None:
        """The PDF with each token replaced by its value; None when the values would change the layout or
        cannot be drawn (the ordinary build then lays the row out, or reports the problem)."""
        with self._lock:
            return self._fill(values)

    def _fill(self, values: Mapping[str, str]) -> bytes | None:
        for token, faces, bold, italic in self._token_faces:
            if self._writer.characters.problems(values[token], faces, bold, italic):
                return None
        filled: list[tuple[FormParagraph, Paragraph]] = []
        shown: dict[str, str] = {}
        for token, faces, bold, italic in self._token_faces:
            markup = self._writer.text_markup(values[token], faces, bold, italic)
            if shown.setdefault(token, markup) != markup:
                return None  # set in faces that need different fallback runs: laid out on its own
        for slot in self._slots:
            markup = slot.markup
            for token, value in values.items():
                markup = markup.replace(token, shown.get(token, escape_markup(value)))
            paragraph = _same_layout(Paragraph(markup, slot.style), slot.uses)
            if paragraph is None:
                return None
            filled.append((slot.paragraph, paragraph))
        for form_paragraph, paragraph in filled:
            form_paragraph.take_layout_of(paragraph)
        try:
            return replay_pdf(self._plan, self._structure, self._writer.styles, self._texts, self._info)
        except ReplayMismatch:
            return None


def _same_layout(paragraph: Paragraph, uses: list[tuple[Any, ...]]) -> Paragraph | None:
    """The paragraph as it is when drawn, if every use layout made of the form's paragraph gives the same answer
    for it; None otherwise."""
    if len(paragraph.getPlainText().split()) > LONG_PARAGRAPH_WORDS:
        return None  # the writer would have cut it into pieces
    last_wrap: tuple[float, float] | None = None
    for use in uses:
        kind = use[0]
        if kind == "wrap":
            _, width, height, result = use
            if paragraph.wrap(width, height) != result:
                return None
            last_wrap = (width, height)
        elif kind == "split":
            _, width, height, count = use
            if len(paragraph.split(width, height)) != count:
                return None
        elif kind == "minWidth":
            if paragraph.minWidth() != use[1]:
                return None
        elif kind == "draw":
            break
    if last_wrap is None:
        return None
    paragraph.wrap(*last_wrap)  # lines as broken for the drawing
    return paragraph
