"""Spaced review: a miss comes back sooner than a right answer, and intervals grow with each success."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from bot.domain.review import LEARNED_STABILITY_DAYS, describe_interval, review

NOW = dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.UTC)


def test_a_wrong_answer_comes_back_sooner_than_a_right_one() -> None:
    card = review(review(None, False, NOW), True, NOW + dt.timedelta(minutes=1))
    again = review(card, False, card.due)
    good = review(card, True, card.due)
    assert again.due < good.due
    assert again.due - card.due <= dt.timedelta(hours=1), "a miss is back within the hour"


def test_intervals_grow_on_repeated_right_answers_until_learned() -> None:
    card, when, gaps = review(None, False, NOW), NOW, []
    for _ in range(6):
        when = card.due
        card = review(card, True, when)
        gaps.append(card.due - when)
    assert gaps[2:] == sorted(gaps[2:]) and gaps[-1] > dt.timedelta(days=30)
    assert card.learned and card.stability is not None and card.stability >= LEARNED_STABILITY_DAYS


def test_dates_are_utc_whatever_zone_the_answer_came_from() -> None:
    local = NOW.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))
    card = review(None, False, local)
    assert card.due.tzinfo == dt.UTC and card.last_review == NOW


def test_intervals_read_as_a_member_reads_them() -> None:
    assert describe_interval(dt.timedelta(days=4, hours=2)) == "back in 4 days"
    assert describe_interval(dt.timedelta(minutes=1)) == "back in 1 minute"
    assert describe_interval(dt.timedelta(hours=5)) == "back in 5 hours"
