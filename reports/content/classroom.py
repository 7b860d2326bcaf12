"""Classroom material for the handout templates: objectives, glossary, questions and an activity, written for
the essay and validated like the rest of the content."""

from __future__ import annotations

from pydantic import Field

from reports.content.types import Model, Text


class GlossaryEntry(Model):
    term: Text = Field(description="The term as students meet it in the text.")
    definition: Text = Field(description="A short definition in the document's language, for students.")


class Question(Model):
    question: Text = Field(description="A discussion question for students.")
    answer: Text = Field(description="A model answer; printed only in the teacher edition.")


class TrueFalse(Model):
    statement: Text = Field(description="A statement students mark true or false.")
    answer: bool = Field(description="Whether the statement is true (`true`/`false`); teacher edition only.")
    explanation: Text | None = Field(default=None, description="Why, for the teacher edition.")


class Activity(Model):
    title: Text = Field(description="Name of the activity.")
    instructions: Text = Field(description="What students do.")
    sort_members: bool = Field(
        default=True,
        description="Include the task 'sort these countries into membership categories' (answers come from the membership lists).",
    )
    true_false: list[TrueFalse] = Field(default_factory=list, description="True/false statements.")


class Classroom(Model):
    """Optional classroom material for handouts: written for this essay, validated like the rest."""

    level: Text | None = Field(default=None, description="Who the handout is for (e.g. 'SMA kelas XI').")
    duration: Text | None = Field(default=None, description="Lesson length (e.g. '2 × 45 menit').")
    objectives: list[Text] = Field(min_length=1, description="Learning objectives: what students will be able to do.")
    glossary: list[GlossaryEntry] = Field(min_length=1, description="Key terms with short definitions.")
    questions: list[Question] = Field(min_length=1, description="Discussion questions with model answers.")
    activity: Activity = Field(description="A classroom activity.")
