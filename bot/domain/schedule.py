"""Schedule arithmetic: when a daily question is due, in the schedule's own timezone.

All functions take `now` (an aware UTC datetime); nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from bot.errors import UserError, echo

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = frozenset(range(7))
MAX_WINDOW = dt.timedelta(hours=24)
# A post missed while the bot was down is still made if the bot is back within this long.
GRACE = dt.timedelta(hours=1)

_TIME = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


def parse_time_of_day(text: str) -> dt.time:
    match = _TIME.match(text)
    if not match:
        raise UserError(f"{echo(text)} is not a time of day. Use 24-hour HH:MM, for example 09:00 or 18:30.")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise UserError(
            f"{echo(text)} is not a time of day: hours go from 00 to 23 and minutes from 00 to 59."
        )
    return dt.time(hour, minute)


def parse_timezone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"{echo(name)} is not a timezone I know. Use an IANA name such as Europe/London, "
            "America/New_York or Asia/Kolkata (the option suggests names as you type)."
        ) from None


def parse_weekdays(text: str) -> frozenset[int]:
    """'mon-fri', 'mon,wed,fri', 'daily', 'weekdays', 'weekends' -> weekday numbers (Monday = 0)."""
    words = text.strip().lower()
    named = {
        "daily": ALL_DAYS,
        "every day": ALL_DAYS,
        "weekdays": frozenset(range(5)),
        "weekends": frozenset({5, 6}),
    }
    if words in named:
        return named[words]
    days: set[int] = set()
    for part in re.split(r"[,\s]+", words):
        if not part:
            continue
        bounds = part.split("-")
        try:
            numbers = [WEEKDAY_NAMES.index(b[:3]) for b in bounds]
        except ValueError:
            raise UserError(
                f"{echo(part)} is not a day. Use mon, tue, wed, thu, fri, sat, sun, ranges like mon-fri, "
                "or one of daily, weekdays, weekends."
            ) from None
        if len(numbers) == 1:
            days.add(numbers[0])
        elif len(numbers) == 2:
            start, end = numbers
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
            days.update(span)
        else:
            raise UserError(f"{echo(part)} is not a day range; write it like mon-fri.")
    if not days:
        raise UserError("Pick at least one day, for example mon-fri or daily.")
    return frozenset(days)


def weekdays_to_mask(days: frozenset[int]) -> int:
    return sum(1 << d for d in days)


def mask_to_weekdays(mask: int) -> frozenset[int]:
    return frozenset(d for d in range(7) if mask >> d & 1)


def describe_weekdays(days: frozenset[int]) -> str:
    if days == ALL_DAYS:
        return "every day"
    if days == frozenset(range(5)):
        return "Mon–Fri"
    return ", ".join(WEEKDAY_NAMES[d].capitalize() for d in sorted(days))


@dataclass(frozen=True)
class DailySchedule:
    time_of_day: dt.time
    timezone: str
    weekdays: frozenset[int]
    window: dt.timedelta | None = None  # None: open until the next post (at most 24 h)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def at(self, day: dt.date) -> dt.datetime:
        """The UTC instant of the post on a local calendar day. A time that a clock change skips is
        posted at the same wall-clock reading shifted by the change (e.g. 02:30 becomes 03:30)."""
        local = dt.datetime.combine(day, self.time_of_day, tzinfo=self.zone)
        return local.astimezone(dt.UTC)

    def days_from(self, day: dt.date, *, step: int = 1) -> Iterator[dt.date]:
        for offset in range(8):
            candidate = day + dt.timedelta(days=offset * step)
            if candidate.weekday() in self.weekdays:
                yield candidate

    def next_occurrence(self, after: dt.datetime) -> tuple[dt.date, dt.datetime]:
        """The first occurrence strictly after `after`: its local date and its UTC instant."""
        local_today = after.astimezone(self.zone).date()
        for start in (local_today, local_today + dt.timedelta(days=8)):
            for day in self.days_from(start - dt.timedelta(days=1)):
                when = self.at(day)
                if when > after:
                    return day, when
        raise ValueError(
            "a schedule has at least one weekday"
        )  # pragma: no cover - parse_weekdays ensures it

    def latest_occurrence(self, at_or_before: dt.datetime) -> tuple[dt.date, dt.datetime] | None:
        local_today = at_or_before.astimezone(self.zone).date()
        for day in self.days_from(local_today + dt.timedelta(days=1), step=-1):
            when = self.at(day)
            if when <= at_or_before:
                return day, when
        return None

    def previous_day(self, day: dt.date) -> dt.date:
        """The scheduled day before `day` (for streaks)."""
        return next(self.days_from(day - dt.timedelta(days=1), step=-1))

    def closes_at(self, opened: dt.datetime) -> dt.datetime:
        if self.window is not None:
            return opened + min(self.window, MAX_WINDOW)
        _, following = self.next_occurrence(opened)
        return min(following, opened + MAX_WINDOW)

    def due(
        self, now: dt.datetime, last_posted: dt.date | None, since: dt.datetime | None = None
    ) -> tuple[dt.date, dt.datetime] | None:
        """The occurrence to post now, if one is due and not yet posted: the latest one at or before
        `now`, provided it is within the grace window (missed posts older than that are skipped) and
        not before `since`, when the schedule took its present form (an occurrence before a schedule
        existed, or before it was changed or resumed, was never missed)."""
        latest = self.latest_occurrence(now)
        if latest is None:
            return None
        day, when = latest
        if last_posted is not None and last_posted >= day:
            return None
        if now - when > GRACE or (since is not None and when < since):
            return None
        return latest
