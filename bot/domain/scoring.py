"""Points and streaks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Source = Literal["daily", "quiz", "mock"]

# The leaderboard rewards the shared daily work most; mock answers count in statistics only.
POINTS = {"daily": 10, "quiz": 5, "mock": 0}


def points_for(source: Source, correct: bool) -> int:
    return POINTS[source] if correct else 0


@dataclass(frozen=True)
class Streak:
    current: int = 0
    best: int = 0
    last_day: dt.date | None = None


def advance_streak(streak: Streak, day: dt.date, previous_day: dt.date | None, correct: bool) -> Streak:
    """Update a daily streak with the result for the scheduled `day`.

    A correct answer extends the streak if the member's last correct day was the previous scheduled
    day (otherwise a new streak of 1 starts); a wrong answer ends it. Grading the same day twice changes
    nothing, so a replayed reveal cannot inflate a streak.
    """
    if streak.last_day is not None and streak.last_day >= day:
        return streak
    if not correct:
        return Streak(0, streak.best, streak.last_day)
    current = streak.current + 1 if previous_day is not None and streak.last_day == previous_day else 1
    return Streak(current, max(streak.best, current), day)
