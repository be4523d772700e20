"""Schedule arithmetic with `now` passed in, across clock changes and timezones."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.schedule import (
    GRACE,
    DailySchedule,
    parse_time_of_day,
    parse_timezone,
    parse_weekdays,
)
from bot.errors import UserError

UTC = dt.UTC


def london(days: str = "daily", window: dt.timedelta | None = None) -> DailySchedule:
    return DailySchedule(dt.time(9, 0), "Europe/London", parse_weekdays(days), window)


@pytest.mark.parametrize("text", ["25:61", "24:00", "9", "09:60", "nine", ""])
def test_bad_times_are_explained(text: str) -> None:
    with pytest.raises(UserError, match="time of day"):
        parse_time_of_day(text)


def test_times_parse() -> None:
    assert parse_time_of_day("09:00") == dt.time(9)
    assert parse_time_of_day(" 7.30 ") == dt.time(7, 30)


def test_unknown_timezone_is_explained() -> None:
    with pytest.raises(UserError, match="IANA name"):
        parse_timezone("Europe/Atlantis")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("daily", set(range(7))),
        ("sat,sun", {5, 6}),
        ("fri-mon", {4, 5, 6, 0}),
        ("Monday Wednesday", {0, 2}),
        ("weekends", {5, 6}),
    ],
)
def test_weekdays(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == days


def test_bad_weekday() -> None:
    with pytest.raises(UserError, match="not a day"):
        parse_weekdays("mon,funday")


def test_09_london_posts_at_09_local_on_both_sides_of_the_spring_change() -> None:
    schedule = london()
    # Clocks go forward on Sunday 2026-03-29 at 01:00 UTC.
    before = schedule.next_occurrence(dt.datetime(2026, 3, 28, 0, 0, tzinfo=UTC))
    after = schedule.next_occurrence(dt.datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert before == (dt.date(2026, 3, 28), dt.datetime(2026, 3, 28, 9, 0, tzinfo=UTC))  # GMT
    assert after == (dt.date(2026, 3, 29), dt.datetime(2026, 3, 29, 8, 0, tzinfo=UTC))  # BST
    assert after[1].astimezone(schedule.zone).hour == 9


def test_09_london_posts_at_09_local_across_the_autumn_change() -> None:
    schedule = london()
    first = schedule.next_occurrence(dt.datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    second = schedule.next_occurrence(first[1])
    assert first[1] == dt.datetime(2026, 10, 25, 9, 0, tzinfo=UTC)  # clocks went back at 01:00 UTC
    assert second[1] == dt.datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert second[1] - first[1] == dt.timedelta(hours=24)


def test_a_time_skipped_by_the_clock_change_still_posts_once() -> None:
    schedule = DailySchedule(dt.time(1, 30), "Europe/London", parse_weekdays("daily"))
    day, when = schedule.next_occurrence(dt.datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert day == dt.date(2026, 3, 29)
    assert when.astimezone(schedule.zone).time() == dt.time(2, 30)


def test_weekday_filter_and_timezone_ahead_of_utc() -> None:
    schedule = DailySchedule(dt.time(8, 0), "Asia/Tokyo", parse_weekdays("mon-fri"))
    # Friday 2026-11-27 00:00 UTC is 09:00 Friday in Tokyo: the next post is Monday 08:00 JST.
    day, when = schedule.next_occurrence(dt.datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    assert day == dt.date(2026, 11, 30)
    assert when == dt.datetime(2026, 11, 29, 23, 0, tzinfo=UTC)


def test_window_defaults_to_the_next_post_capped_at_24h() -> None:
    weekdays = london("mon-fri")
    friday = weekdays.at(dt.date(2026, 11, 27))
    assert weekdays.closes_at(friday) - friday == dt.timedelta(hours=24)
    daily = london()
    monday = daily.at(dt.date(2026, 11, 23))
    assert daily.closes_at(monday) == daily.at(dt.date(2026, 11, 24))
    short = london(window=dt.timedelta(hours=2))
    assert short.closes_at(monday) - monday == dt.timedelta(hours=2)


def test_due_posts_a_missed_occurrence_only_within_the_grace_window() -> None:
    schedule = london()
    nine = schedule.at(dt.date(2026, 11, 23))
    assert schedule.due(nine + dt.timedelta(minutes=10), None) == (dt.date(2026, 11, 23), nine)
    assert schedule.due(nine + GRACE + dt.timedelta(seconds=1), None) is None
    assert schedule.due(nine + dt.timedelta(minutes=10), dt.date(2026, 11, 23)) is None
    assert schedule.due(nine - dt.timedelta(minutes=1), dt.date(2026, 11, 22)) is None


def test_previous_scheduled_day_skips_days_off() -> None:
    schedule = london("mon,wed,fri")
    assert schedule.previous_day(dt.date(2026, 11, 23)) == dt.date(2026, 11, 20)  # Monday -> Friday
    assert schedule.previous_day(dt.date(2026, 11, 25)) == dt.date(2026, 11, 23)
