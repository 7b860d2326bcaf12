"""Every sentence of the seed essay is in data/sco-russia.yaml, verbatim apart from documented corrections.

The content file restructures the essay (headings, sections, summary), but its `body` must still hold the
whole essay. This test reads the seed, splits it into sentences, applies exactly the corrections listed in
CORRECTIONS (the same ones the content file marks with YAML comments) and checks that each sentence occurs
in the text of the validated content.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from essay import CONTENT, CORRECTIONS, normalise, seed_essay, sentences
from pydantic import BaseModel

from reports.content.validate import check_content


@pytest.fixture(scope="module")
def seed_text() -> str:
    return seed_essay()


def strings_in(value: Any) -> Iterator[str]:
    """Every string anywhere in a validated model (field values, list items, dict values)."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from strings_in(getattr(value, name))
    elif isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


@pytest.fixture(scope="module")
def checked():
    return check_content(CONTENT)


@pytest.fixture(scope="module")
def content_text(checked) -> str:
    return "\n".join(normalise(text) for text in strings_in(checked.content))


def test_seed_splits_into_many_sentences(seed_text: str) -> None:
    found = sentences(seed_text)
    assert len(found) >= 30, found  # the essay has 39; a broken splitter would give a handful
    assert "Kepentingan Ekonomi" in found  # "- a. Kepentingan Ekonomi" became a heading
    assert all(wrong not in sentence for sentence in found for wrong in CORRECTIONS)


def test_every_corrected_spelling_occurs_in_the_seed(seed_text: str) -> None:
    """A correction that matches nothing is stale: the map documents real differences only."""
    missing = [wrong for wrong in CORRECTIONS if wrong not in seed_text]
    assert not missing


def test_every_sentence_of_the_essay_is_in_the_content(seed_text: str, content_text: str) -> None:
    missing = [sentence for sentence in sentences(seed_text) if sentence not in content_text]
    assert not missing, "sentences of the essay missing from the content file:\n" + "\n".join(missing)


def test_a_changed_sentence_would_be_caught(seed_text: str, content_text: str) -> None:
    sentence = sentences(seed_text)[0]
    assert sentence in content_text
    assert sentence.replace("enam negara", "lima negara") not in content_text


def test_misspellings_do_not_survive_in_the_content(checked) -> None:
    text = "\n".join(strings_in(checked.content.body))
    for wrong in CORRECTIONS:
        assert wrong not in text


def test_content_has_no_warnings(checked) -> None:
    assert [warning.format() for warning in checked.warnings] == []
