"""Progress arithmetic: leaderboard periods, weak spots and the readiness estimate."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from bot.domain.mock import estimate_scaled
from bot.domain.pack import Blueprint

Period = Literal["week", "month", "all"]
PERIODS: tuple[Period, ...] = ("week", "month", "all")
ALL_TIME_START = dt.date(1970, 1, 1)
# An accuracy board ranks only members with at least this many answers in the period.
MIN_ANSWERS: dict[Period, int] = {"week": 5, "month": 10, "all": 20}
RECENT_ANSWERS = 200  # readiness looks at this many of the member's latest answers
WEAK_TASK_MIN_ATTEMPTS = 3


#: The overall board: points and accuracy across every exam the server studies.
OVERALL_BOARD = ""


def domain_board(pack: str, domain_id: str) -> str:
    """The key of one exam's domain board: exams number their domains independently."""
    return f"{pack}:{domain_id}"


def period_starts(now: dt.datetime, timezone: str) -> dict[str, dt.date]:
    """The first local day of the current week (Monday), month and all time, in the server's zone."""
    today = now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    return {
        "week": today - dt.timedelta(days=today.weekday()),
        "month": today.replace(day=1),
        "all": ALL_TIME_START,
    }


def end_of_day(now: dt.datetime, timezone: str) -> dt.datetime:
    """The end of ``now``'s local day (the next local midnight), in UTC."""
    zone = zoneinfo.ZoneInfo(timezone)
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def period_start_instant(period: Period, now: dt.datetime, timezone: str) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(timezone)
    start = period_starts(now, timezone)[period]
    return dt.datetime.combine(start, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class TaskScore:
    task_id: str
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


def weakest_tasks(scores: Iterable[TaskScore], count: int = 3) -> list[TaskScore]:
    """The task statements with the lowest accuracy among those with enough attempts to tell."""
    enough = [s for s in scores if s.attempts >= WEAK_TASK_MIN_ATTEMPTS]
    return sorted(enough, key=lambda s: (s.accuracy, -s.attempts, s.task_id))[:count]


@dataclass(frozen=True)
class DomainReadiness:
    domain_id: str
    answered: int
    correct: int
    target: int  # answers that make this domain's share of the estimate firm

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0

    @property
    def more_needed(self) -> int:
        return max(0, self.target - self.answered)


@dataclass(frozen=True)
class Readiness:
    scaled: int | None  # None until every domain has at least one answer
    answered: int
    domains: tuple[DomainReadiness, ...]
    pass_fraction: float
    passing: int

    @property
    def holding_back(self) -> list[DomainReadiness]:
        return [d for d in self.domains if d.answered and d.accuracy < self.pass_fraction]


def readiness(blueprint: Blueprint, recent: Iterable[tuple[str, bool]]) -> Readiness:
    """Estimate the scaled score from recent answers (domain id, correct), weighted by the blueprint.

    A domain's estimate is firm once it rests on as many answers as the real exam asks in that domain
    (its weight times the exam's question count).
    """
    answered: dict[str, int] = {d.id: 0 for d in blueprint.domains}
    correct: dict[str, int] = {d.id: 0 for d in blueprint.domains}
    for domain_id, is_right in recent:
        if domain_id in answered:
            answered[domain_id] += 1
            correct[domain_id] += int(is_right)
    domains = tuple(
        DomainReadiness(d.id, answered[d.id], correct[d.id], math.ceil(blueprint.questions * d.weight / 100))
        for d in blueprint.domains
    )
    complete = all(d.answered for d in domains)
    accuracy: Mapping[str, float] = {d.domain_id: d.accuracy for d in domains}
    return Readiness(
        estimate_scaled(blueprint, accuracy) if complete else None,
        sum(answered.values()),
        domains,
        blueprint.scale.pass_fraction,
        blueprint.scale.passing,
    )
