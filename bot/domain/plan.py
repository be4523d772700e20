"""A member's plan towards an exam date: the countdown, today's work, and whether they are on track.

The projection is an estimate, not a promise: the readiness estimate (see ``progress.readiness``) is
taken at the end of each of the last ``TREND_DAYS`` days, a straight line is fitted through those
estimates (least squares), and the line is followed to the exam date, within the score scale.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.pack import Blueprint
from bot.domain.progress import RECENT_ANSWERS, readiness

TREND_DAYS = 14
MIN_TREND_POINTS = 3  # fewer estimates than this and there is no trend to speak of
MAX_DAILY_GOAL = 100
FOCUS_TASKS = 3


#: A reminder missed (the bot was down at its time) is still sent within this long, then skipped.
REMINDER_GRACE = dt.timedelta(hours=2)


def reminder_day(
    reminder_time: dt.time, timezone: str, reminded_on: dt.date | None, now: dt.datetime
) -> dt.date | None:
    """The member's local day whose reminder is due now, if any: its time has come (within the grace),
    and none was sent that day."""
    zone = zoneinfo.ZoneInfo(timezone)
    local = now.astimezone(zone)
    at = dt.datetime.combine(local.date(), reminder_time, tzinfo=zone)
    if not at <= local < at + REMINDER_GRACE:
        return None
    if reminded_on is not None and reminded_on >= local.date():
        return None
    return local.date()


def days_left(exam_date: dt.date, today: dt.date) -> int:
    return (exam_date - today).days


@dataclass(frozen=True)
class TodaysWork:
    reviews: int  # review cards due
    new_questions: int  # more answers to reach the daily goal
    focus: tuple[str, ...]  # task statement ids to practise first


def todays_work(
    blueprint: Blueprint,
    due_reviews: int,
    answered_today: int,
    daily_goal: int,
    task_scores: Mapping[str, tuple[int, int]],  # task id -> (attempts, correct)
) -> TodaysWork:
    """Reviews due, new questions to reach the goal, and the tasks to work on: those where the member
    is weakest relative to the blueprint (the domain's weight times how much of the task is missed; a
    task never practised counts as all missed)."""
    need: list[tuple[float, str]] = []
    for domain in blueprint.domains:
        for task in domain.tasks:
            attempts, correct = task_scores.get(task.id, (0, 0))
            missed = 1.0 - (correct / attempts if attempts else 0.0)
            need.append((domain.weight / len(domain.tasks) * missed, task.id))
    need.sort(key=lambda item: (-item[0], item[1]))
    focus = tuple(task_id for weight, task_id in need[:FOCUS_TASKS] if weight > 0)
    return TodaysWork(due_reviews, max(0, daily_goal - answered_today), focus)


@dataclass(frozen=True)
class Projection:
    estimates: tuple[tuple[dt.date, int], ...]  # day, estimated scaled score at its end
    projected: int | None  # on the exam date; None without enough estimates
    passing: int

    @property
    def on_track(self) -> bool | None:
        return None if self.projected is None else self.projected >= self.passing


def project(
    blueprint: Blueprint,
    answers: Sequence[tuple[dt.datetime, str, bool]],  # answered at, domain id, correct (any order)
    day_ends: Sequence[tuple[dt.date, dt.datetime]],  # the last TREND_DAYS local days and their ends
    exam_day_end: dt.datetime,
) -> Projection:
    """Readiness at the end of each day, and the straight-line trend through it to the exam date."""
    ordered = sorted(answers, key=lambda a: a[0])
    estimates = []
    for day, end in day_ends:
        upto = [a for a in ordered if a[0] <= end][-RECENT_ANSWERS:]
        scaled = readiness(blueprint, ((domain, correct) for _, domain, correct in upto)).scaled
        if scaled is not None:
            estimates.append((day, scaled, end))
    passing = blueprint.scale.passing
    if len(estimates) < MIN_TREND_POINTS:
        return Projection(tuple((d, s) for d, s, _ in estimates), None, passing)
    xs = [(end - estimates[0][2]).total_seconds() / 86400 for _, _, end in estimates]
    ys = [float(s) for _, s, _ in estimates]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = 0.0 if spread == 0 else covariance / spread
    at_exam = (exam_day_end - estimates[0][2]).total_seconds() / 86400
    projected = mean_y + slope * (at_exam - mean_x)
    clamped = round(min(blueprint.scale.maximum, max(blueprint.scale.minimum, projected)))
    return Projection(tuple((d, s) for d, s, _ in estimates), clamped, passing)
