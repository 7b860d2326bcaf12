"""Classroom material for the handout templates: objectives, glossary, questions, an activity and the reading,
written for the essay and validated like the rest of the content.

Objectives and the work that serves them are linked by id (`objectives: [sorting]` on a question, the activity or
the reading), so `reports check` can warn about an objective no activity serves (`reports.content.lint`).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Union

from pydantic import BeforeValidator, Field, model_validator

from reports.content.types import Identifier, Model, Text, metadata, repeated

DEFAULT_ANSWER_LINES = 4
"""Ruled lines under a discussion question when the content gives none: room for three or four sentences."""

_MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_LENGTH = re.compile(r"\s*(\d*[.,]?\d+)\s*(mm|cm|in|pt)?\s*", re.IGNORECASE)
"""`35 mm`, `3.5cm`, `3,5 cm` (a decimal comma, as Indonesian and most of Europe write it), `.5 in`, `35`."""
_SPACE_RANGE_MM = (7.0, 200.0)
"""From one ruled line to most of a page."""


def _millimetres(value: Any) -> Any:
    """`35 mm`, `3.5 cm`, `1.4 in` or `100 pt` as millimetres; a bare number is taken as millimetres."""
    if isinstance(value, bool):
        # a ValueError, not a TypeError: pydantic reports only the former as the field's error
        raise ValueError(f"{str(value).lower()} is not a length — write a number and a unit: `35 mm`")  # noqa: TRY004
    if not isinstance(value, (str, int, float)):
        return value  # the float type's own error
    if isinstance(value, str):
        match = _LENGTH.fullmatch(value)
        if match is None:
            raise ValueError(f"'{value}' is not a length — write a number and a unit: `35 mm`, `3.5 cm` or `1.4 in`")
        millimetres = float(match.group(1).replace(",", ".")) * _MM_PER_UNIT[(match.group(2) or "mm").lower()]
    else:
        try:
            millimetres = float(value)
        except OverflowError:  # an integer past any float: no length either
            millimetres = math.inf
    shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:24]}…"
    if not math.isfinite(millimetres):
        raise ValueError(f"{shown} is not a length — write a number and a unit: `35 mm`")
    low, high = _SPACE_RANGE_MM
    if not low <= millimetres <= high:
        raise ValueError(f"{shown} is {'too little' if millimetres < low else 'too much'} — answer space runs from "
                         f"{low:.0f} mm (one ruled line) to {high:.0f} mm (most of a page)")
    return millimetres


AnswerSpace = Annotated[float, BeforeValidator(_millimetres, json_schema_input_type=str | float)]


class Objective(Model):
    """A learning objective; its `id` lets questions and activities say they serve it."""

    id: Identifier | None = metadata(
        "Short name (`sorting`, `evidence`) that questions, the activity and the reading name under `objectives:`; "
        "`reports check` warns about an objective nothing serves.", default=None)
    text: Text = Field(description="What students will be able to do.")


def _objective_shorthand(value: Any) -> Any:
    """`- Students can …` is shorthand for `- {text: Students can …}`: earlier content files keep loading."""
    return {"text": value} if isinstance(value, str) else value


ObjectiveEntry = Annotated[Objective, BeforeValidator(_objective_shorthand,
                                                      json_schema_input_type=Union[str, Objective])]

ObjectiveLinks = list[Identifier]


def _links(description: str) -> Any:
    return metadata(description, default_factory=list)


class GlossaryEntry(Model):
    term: Text = Field(description="The term as students meet it in the text.")
    definition: Text = Field(description="A short definition in the document's language, for students.")


class Question(Model):
    question: Text = Field(description="A discussion question for students.")
    answer: Text = Field(description="A model answer; printed only in the teacher edition.")
    lines: int | None = metadata(
        "Ruled lines left for the answer on the student sheet (about 7 mm apart; the lines are drawn, the number is "
        f"not printed; {DEFAULT_ANSWER_LINES} when neither `lines` nor `space` is given); a question asking for two "
        "pieces of evidence wants more than one asking for a name.",
        default=None, ge=1, le=20)
    space: AnswerSpace | None = metadata(
        "Room for the answer as a height instead of a number of lines (`35 mm`, `3,5 cm`, `1.4 in`; a bare number is "
        "millimetres): filled with "
        "as many ruled lines as fit at the theme's line spacing, as LaTeX's exam class does with `\\fillwithlines`; "
        "give `lines` or `space`, not both.", default=None)
    marking: list[Text] = Field(
        default_factory=list,
        description="Marking guide: what a full answer contains, point by point; printed under the model answer in "
                    "the teacher edition.")
    objectives: ObjectiveLinks = _links("Ids of the learning objectives this question serves.")

    @model_validator(mode="after")
    def _one_measure_of_room(self) -> Question:
        # unset is None, not a default: a question dumped and read again (a Dask task, `check --template`) is
        # the same question, where a set-fields test would see the dumped default as given
        if self.space is not None and self.lines is not None:
            raise ValueError("gives both `lines` and `space` — keep one: `lines: 4` or `space: 30 mm`")
        return self

    @property
    def ruled_lines(self) -> int:
        """The ruled lines a question with no `space` gets: its `lines`, or the default."""
        return self.lines if self.lines is not None else DEFAULT_ANSWER_LINES


class TrueFalse(Model):
    statement: Text = Field(description="A statement students mark true or false.")
    answer: bool = Field(description="Whether the statement is true (`true`/`false`); teacher edition only.")
    explanation: Text | None = Field(default=None, description="Why, for the teacher edition.")
    paragraph: Text | None = Field(
        default=None, description="The number(s) of the reading's paragraph that decides it (`4`, `17–18`): the "
                                  "teacher edition writes it where students write theirs.")


MemberReference = Text
"""A member as the sorting activity names it: its ISO code (`TR`) or, for a body that is not a country, one of its
names (`European Union`)."""


class Activity(Model):
    title: Text = Field(description="Name of the activity.")
    instructions: Text = Field(description="What students do.")
    sort_members: bool | list[MemberReference] = metadata(
        default=True,
        description="The task 'sort these members into the membership categories': `true` for every member, `false` "
                    "for none, or the members it uses (ISO codes or names: `[TR, MN, KZ]`). The student sheet's "
                    "membership chart leaves out the names of the members the task uses; the teacher edition fills "
                    "in their categories.")
    member_label: Text | None = Field(
        default=None,
        description="Heading of the sorting table's member column (`Anggota`, `Member`); by default 'Country' when "
                    "every sorted member is a country and a neutral 'Member' when one is not.")
    true_false: list[TrueFalse] = Field(default_factory=list, description="True/false statements.")
    objectives: ObjectiveLinks = _links("Ids of the learning objectives the activity (sorting, true/false) serves.")


class Reading(Model):
    """The text students read: the whole essay, or the sections the teacher chooses, with numbered paragraphs."""

    sections: list[Text] = metadata(
        "Headings of the essay's sections to print (an excerpt), in the essay's order; every section when empty. A "
        "section brings its subsections (the sections print themselves).", default_factory=list)
    conclusion: bool = Field(default=True, description="Whether the reading ends with the essay's conclusion.")
    objectives: ObjectiveLinks = _links("Ids of the learning objectives the reading itself serves.")


class Classroom(Model):
    """Optional classroom material for handouts: written for this essay, validated like the rest."""

    level: Text | None = Field(default=None, description="Who the handout is for (e.g. 'SMA kelas XI').")
    duration: Text | None = Field(default=None, description="Lesson length (e.g. '2 × 45 menit').")
    objectives: list[ObjectiveEntry] = Field(
        min_length=1, description="Learning objectives: what students will be able to do (text, or `{id, text}` "
                                  "to link questions and activities to it).")
    glossary: list[GlossaryEntry] = Field(min_length=1, description="Key terms with short definitions.")
    questions: list[Question] = Field(min_length=1, description="Discussion questions with model answers.")
    activity: Activity = Field(description="A classroom activity.")
    reading: Reading = Field(
        default_factory=Reading,
        description="The reading printed with the handout (numbered paragraphs, so an answer can name one): the "
                    "whole essay unless `sections` chooses an excerpt.")

    @model_validator(mode="after")
    def _links_name_objectives(self) -> "Classroom":
        ids = [objective.id for objective in self.objectives if objective.id is not None]
        duplicates = repeated(ids)
        if duplicates:
            raise ValueError(f"objective id '{duplicates[0]}' is used twice — ids must be unique")
        linked = [*self.activity.objectives, *self.reading.objectives,
                  *(link for question in self.questions for link in question.objectives)]
        unknown = sorted(set(linked) - set(ids))
        if unknown:
            known = ", ".join(ids) if ids else "none yet: give objectives an `id`"
            raise ValueError(f"objectives {', '.join(unknown)} are linked but not defined — objective ids: {known}")
        return self

    def served_objectives(self) -> set[str]:
        """Ids of the objectives that a question, the activity or the reading says it serves."""
        return {*self.activity.objectives, *self.reading.objectives,
                *(link for question in self.questions for link in question.objectives)}
