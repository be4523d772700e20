from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.domain.mock import (
    MOCK_SIZES,
    domain_quotas,
    draw_mock,
    estimate_scaled,
    grade_mock,
    largest_remainder,
    time_allowed,
)
from bot.domain.pack import QuestionKind
from bot.errors import UserError


@pytest.fixture(scope="module")
def pack():
    return load_packs(SHIPPED_QUESTIONS)["mls-c01"]


def test_largest_remainder_adds_up_exactly() -> None:
    assert largest_remainder(10, {"1": 20, "2": 24, "3": 36, "4": 20}) == {"1": 2, "2": 2, "3": 4, "4": 2}
    for total in range(0, 70):
        assert sum(largest_remainder(total, {"a": 1, "b": 1, "c": 1}).values()) == total


@pytest.mark.parametrize("size", MOCK_SIZES)
def test_every_size_is_exact_and_every_domain_represented(pack, size: int) -> None:
    questions = draw_mock(pack, size, random.Random(size))
    assert len(questions) == size
    assert len({q.id for q in questions}) == size
    by_domain = Counter(q.domain_id for q in questions)
    assert set(by_domain) == {"1", "2", "3", "4"}
    for domain in pack.blueprint.domains:
        expected = size * domain.weight / 100
        assert abs(by_domain[domain.id] - expected) < 1, (size, domain.id, by_domain)


def test_ten_question_mock_matches_the_issue_example(pack) -> None:
    by_domain = Counter(q.domain_id for q in draw_mock(pack, 10, random.Random(1)))
    assert by_domain["1"] == 2 and by_domain["4"] == 2
    assert by_domain["2"] in (2, 3) and by_domain["3"] in (3, 4)


def test_quota_overflow_moves_to_other_domains(pack) -> None:
    quotas = domain_quotas(pack.blueprint, 10, {"1": 1, "2": 50, "3": 50, "4": 50})
    assert quotas["1"] == 1 and sum(quotas.values()) == 10


def test_single_and_multiple_follow_the_bank(pack) -> None:
    share = sum(q.kind is QuestionKind.MULTIPLE for q in pack.active_questions) / len(pack.active_questions)
    questions = draw_mock(pack, 65, random.Random(2))
    multi = sum(q.kind is QuestionKind.MULTIPLE for q in questions)
    assert abs(multi - 65 * share) <= 4


def test_recently_seen_questions_are_avoided(pack) -> None:
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    first = draw_mock(pack, 20, random.Random(5))
    seen = {q.id: now for q in first}
    second = draw_mock(pack, 20, random.Random(5), last_seen=seen)
    assert not {q.id for q in first} & {q.id for q in second}


def test_domain_filter_and_errors(pack) -> None:
    questions = draw_mock(pack, 10, random.Random(3), domain_id="3")
    assert {q.domain_id for q in questions} == {"3"}
    with pytest.raises(UserError, match="only"):
        draw_mock(pack, 65, random.Random(3), domain_id="1")


def test_time_allowed_follows_the_exam_pace(pack) -> None:
    assert time_allowed(pack.blueprint, 65) == dt.timedelta(minutes=180)
    assert time_allowed(pack.blueprint, 10) == dt.timedelta(seconds=round(180 * 60 * 10 / 65))


def test_scaled_score_estimate(pack) -> None:
    bp = pack.blueprint
    assert estimate_scaled(bp, {"1": 1.0, "2": 1.0, "3": 1.0, "4": 1.0}) == 1000
    assert estimate_scaled(bp, {"1": 0.0, "2": 0.0, "3": 0.0, "4": 0.0}) == 100
    # weighted accuracy 0.2*1 + 0.24*0.5 + 0.36*0.75 + 0.2*0.5 = 0.69 -> 100 + 0.69 * 900 = 721
    assert estimate_scaled(bp, {"1": 1.0, "2": 0.5, "3": 0.75, "4": 0.5}) == 721


def test_grading_counts_unanswered_as_wrong_and_multiple_all_or_nothing(pack) -> None:
    questions = draw_mock(pack, 10, random.Random(4))
    perfect = ["".join(sorted(q.key)) for q in questions]
    report = grade_mock(pack, questions, perfect)
    assert (report.correct, report.scaled, report.passed) == (10, 1000, True)
    blank = grade_mock(pack, questions, [""] * 10)
    assert (blank.correct, blank.scaled, blank.passed) == (0, 100, False)
    assert all(blank.needs_work(r) for r in blank.domains)
    multi = next(i for i, q in enumerate(questions) if q.kind is QuestionKind.MULTIPLE)
    partial = list(perfect)
    partial[multi] = partial[multi][0]
    assert grade_mock(pack, questions, partial).correct == 9
