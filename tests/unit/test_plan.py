"""The plan: today's work leans to the weakest tasks; the projection follows the readiness trend."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.domain.plan import TREND_DAYS, days_left, project, todays_work

NOW = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def blueprint():
    return load_packs(SHIPPED_QUESTIONS)["aip-c01"].blueprint


def day_ends(now: dt.datetime) -> list[tuple[dt.date, dt.datetime]]:
    today = now.date()
    return [
        (
            today - dt.timedelta(days=n),
            dt.datetime.combine(today - dt.timedelta(days=n - 1), dt.time(0), dt.UTC),
        )
        for n in range(TREND_DAYS - 1, -1, -1)
    ]


def test_days_left_counts_calendar_days() -> None:
    assert days_left(dt.date(2026, 12, 24), dt.date(2026, 12, 4)) == 20


def test_todays_work_reaches_the_goal_and_leans_to_the_weakest_heavy_tasks(blueprint) -> None:
    scores = {t.id: (10, 9) for d in blueprint.domains for t in d.tasks}  # strong everywhere...
    scores["3.1"] = (10, 2)  # ...but weak in a task worth 20% / 4 tasks of the exam
    scores["4.1"] = (10, 2)  # and as weak in one worth 12% / 3 tasks
    work = todays_work(blueprint, due_reviews=3, answered_today=4, daily_goal=10, task_scores=scores)
    assert (work.reviews, work.new_questions) == (3, 6)
    assert work.focus[:2] == ("3.1", "4.1"), "the weakness that weighs more on the exam first"
    assert todays_work(blueprint, 0, 12, 10, scores).new_questions == 0


def answers_for(accuracy_by_day: list[float], now: dt.datetime) -> list[tuple[dt.datetime, str, bool]]:
    answers = []
    for n, accuracy in enumerate(accuracy_by_day):
        when = now - dt.timedelta(days=len(accuracy_by_day) - 1 - n, hours=1)
        for i in range(20):
            for domain in "12345":
                answers.append((when, domain, i < accuracy * 20))
    return answers


def test_a_rising_trend_is_projected_on_track_and_a_falling_one_is_not(blueprint) -> None:
    exam = dt.datetime(2027, 1, 4, tzinfo=dt.UTC)
    rising = project(blueprint, answers_for([0.5 + 0.02 * n for n in range(14)], NOW), day_ends(NOW), exam)
    falling = project(blueprint, answers_for([0.85 - 0.02 * n for n in range(14)], NOW), day_ends(NOW), exam)
    assert rising.on_track is True and rising.projected > rising.estimates[-1][1]
    assert falling.on_track is False and falling.projected < falling.estimates[-1][1]
    assert blueprint.scale.minimum <= falling.projected <= blueprint.scale.maximum


def test_without_enough_days_of_estimates_there_is_no_projection(blueprint) -> None:
    exam = dt.datetime(2027, 1, 4, tzinfo=dt.UTC)
    assert project(blueprint, answers_for([0.9], NOW), day_ends(NOW), exam).on_track is None


def test_a_reminder_is_due_once_a_day_at_its_local_time() -> None:
    from bot.domain.plan import REMINDER_GRACE, reminder_day

    at = dt.time(7, 30)
    # 07:30 in Kolkata is 02:00 UTC
    due = dt.datetime(2026, 12, 5, 2, 5, tzinfo=dt.UTC)
    assert reminder_day(at, "Asia/Kolkata", None, due) == dt.date(2026, 12, 5)
    assert reminder_day(at, "Asia/Kolkata", dt.date(2026, 12, 5), due) is None, "once a day"
    assert reminder_day(at, "Asia/Kolkata", dt.date(2026, 12, 4), due) == dt.date(2026, 12, 5)
    assert reminder_day(at, "Asia/Kolkata", None, due - dt.timedelta(minutes=10)) is None, "not before"
    assert reminder_day(at, "Asia/Kolkata", None, due + REMINDER_GRACE) is None, "too late: skipped"
