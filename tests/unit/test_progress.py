from __future__ import annotations

import datetime as dt

import pytest

from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.domain.progress import TaskScore, period_start_instant, period_starts, readiness, weakest_tasks


@pytest.fixture(scope="module")
def blueprint():
    return load_packs(SHIPPED_QUESTIONS)["mls-c01"].blueprint


def test_periods_follow_the_servers_timezone_across_midnight() -> None:
    # Sunday 2026-11-29 23:30 UTC is already Monday 30 Nov in Tokyo, but still Sunday in New York.
    now = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)
    assert period_starts(now, "Asia/Tokyo")["week"] == dt.date(2026, 11, 30)
    assert period_starts(now, "America/New_York")["week"] == dt.date(2026, 11, 23)
    # 30 Nov 23:30 UTC is 1 Dec in Tokyo: a new month there, not in London
    month_end = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
    assert period_starts(month_end, "Asia/Tokyo")["month"] == dt.date(2026, 12, 1)
    assert period_starts(month_end, "Europe/London")["month"] == dt.date(2026, 11, 1)
    assert period_start_instant("week", now, "Asia/Tokyo") == dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)


def test_week_start_across_a_clock_change() -> None:
    now = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)  # Tuesday after the UK spring change
    assert period_start_instant("week", now, "Europe/London") == dt.datetime(
        2026, 3, 29, 23, 0, tzinfo=dt.UTC
    )


def test_weakest_tasks_need_enough_attempts() -> None:
    scores = [TaskScore("1.1", 2, 0), TaskScore("2.2", 10, 4), TaskScore("3.5", 4, 1), TaskScore("4.4", 5, 5)]
    assert [s.task_id for s in weakest_tasks(scores)] == ["3.5", "2.2", "4.4"]


def test_readiness_maths(blueprint) -> None:
    assert readiness(blueprint, []).scaled is None
    recent = (
        [("1", True)] * 13 + [("2", True)] * 8 + [("2", False)] * 8 + [("3", True)] * 18 + [("3", False)] * 6
    )
    recent += [("4", False)] * 5
    result = readiness(blueprint, recent)
    # 0.2*1 + 0.24*0.5 + 0.36*0.75 + 0.2*0 = 0.59 -> 100 + 0.59*900 = 631
    assert result.scaled == 631 and result.answered == 58
    assert [d.domain_id for d in result.holding_back] == ["2", "4"]
    targets = {d.domain_id: (d.target, d.more_needed) for d in result.domains}
    assert targets == {"1": (13, 0), "2": (16, 0), "3": (24, 0), "4": (13, 8)}
