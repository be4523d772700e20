"""Near-duplicate questions are found even when reworded, and different questions are left alone."""

from __future__ import annotations

import dataclasses

import pytest

from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.domain.pack import Option
from bot.domain.similarity import NEAR_DUPLICATE, similar_pairs, words


@pytest.fixture(scope="module")
def questions():
    return load_packs(SHIPPED_QUESTIONS)["mls-c01"].active_questions


def test_words_drop_filler_and_share_roots() -> None:
    assert words("Which solution meets these requirements?") == []
    assert words("Streaming records streamed") == words("stream record stream")


def test_a_reworded_copy_is_flagged(questions) -> None:
    original = next(q for q in questions if q.id == "mls-3.3-002")
    # The same fact in other words: another organisation and numbers, sentences reordered, synonyms.
    copy = dataclasses.replace(
        original,
        id="copy-of-3.3-002",
        stem=(
            "Researchers at a clinic cannot decide between candidate classifiers for a rare adverse "
            "outcome: each fresh random 80/20 partition of their 5,000 patient records (100 positives) "
            "gives a validation recall between 0.4 and 0.8. Without gathering more records, which "
            "change gives a dependable comparison of the candidate models?"
        ),
        options=tuple(
            Option(o.letter, o.text.replace("Use stratified", "Apply stratified")) for o in original.options
        ),
    )
    others = [q for q in questions if q.id != original.id][:40]
    pairs = similar_pairs([original, copy, *others])
    assert [(p.first.id, p.second.id) for p in pairs][:1] == [(original.id, copy.id)]
    assert pairs[0].score >= NEAR_DUPLICATE


def test_questions_on_one_service_that_test_different_facts_are_not_flagged(questions) -> None:
    xgboost = [q for q in questions if "xgboost" in q.tags]
    assert len(xgboost) >= 10
    assert similar_pairs(xgboost) == []
