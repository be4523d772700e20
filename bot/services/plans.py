"""A member's plan towards an exam date (see bot.domain.plan)."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo, reviews
from bot.db.models import Attempt, StudyPlan
from bot.db.timestamps import as_utc
from bot.domain.pack import ExamPack
from bot.domain.plan import (
    MAX_DAILY_GOAL,
    TREND_DAYS,
    Projection,
    TodaysWork,
    days_left,
    project,
    reminder_day,
    todays_work,
)
from bot.domain.schedule import parse_time_of_day, parse_timezone
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.errors import UserError, echo
from bot.services.guilds import GuildService
from bot.services.reviews import MAX_REVIEW_CARDS

#: The answers a projection reads: the last 14 days', and enough before them for the first estimate.
PROJECTION_ANSWERS = 2000
OUTCOMES = ("passed", "not-yet", "skip")
#: Reminders being sent at once (two requests each: open the DM, send).
REMINDERS_IN_FLIGHT = 25


@dataclass(frozen=True)
class PlanView:
    pack: ExamPack
    exam_date: dt.date
    days_left: int
    daily_goal: int
    timezone: str
    reminder_time: str | None
    reminders: bool
    work: TodaysWork
    projection: Projection
    outcome: str | None

    @property
    def past(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class Reminder:
    """One member's reminder for today, claimed (at most one a day, whatever restarts)."""

    user_id: int
    pack: ExamPack
    days_left: int
    due_reviews: int


_PLANS_WITH_REMINDERS = select(
    StudyPlan.user_id,
    StudyPlan.pack,
    StudyPlan.exam_date,
    StudyPlan.timezone,
    StudyPlan.reminder_time,
    StudyPlan.reminded_on,
).where(StudyPlan.reminders.is_(True), StudyPlan.dm_closed.is_(False), StudyPlan.reminder_time.is_not(None))
_CLAIM_REMINDER = (
    update(StudyPlan)
    .where(
        StudyPlan.user_id == bindparam("member"),
        or_(StudyPlan.reminded_on.is_(None), StudyPlan.reminded_on < bindparam("claim_day")),
    )
    .values(reminded_on=bindparam("claim_day"))
)


class Messenger(Protocol):
    async def remind(self, reminder: Reminder) -> bool:
        """Send the reminder by direct message; False if the member's DMs refuse it."""


class PlanService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], guilds: GuildService, shards: ShardSet = ALL_SHARDS
    ) -> None:
        self._shards = shards  # several processes: each sends the reminders of its share of members
        self._sessions = sessions
        self._guilds = guilds

    async def set(
        self,
        user_id: int,
        pack: ExamPack,
        date_text: str,
        daily_goal: int,
        reminder_time: str | None,
        timezone: str,
        now: dt.datetime,
    ) -> None:
        """Checks everything before writing anything."""
        zone = parse_timezone(timezone)
        try:
            exam_date = dt.date.fromisoformat(date_text.strip())
        except ValueError:
            raise UserError(
                f"{echo(date_text)} is not a date: write it as YYYY-MM-DD, e.g. 2027-02-15."
            ) from None
        today = now.astimezone(zone).date()
        if not today <= exam_date <= today + dt.timedelta(days=730):
            raise UserError("The exam date is today or later, and within two years.")
        if not 1 <= daily_goal <= MAX_DAILY_GOAL:
            raise UserError(f"The daily goal is 1 to {MAX_DAILY_GOAL} questions.")
        reminder = None if reminder_time is None else parse_time_of_day(reminder_time).strftime("%H:%M")
        async with self._sessions.begin() as session:
            row = await session.get(StudyPlan, user_id)
            if row is None:
                row = StudyPlan(user_id=user_id, created_at=now, reminders=False)
                session.add(row)
            row.pack, row.exam_date, row.daily_goal, row.timezone = pack.slug, exam_date, daily_goal, zone.key
            row.reminder_time, row.outcome = reminder, None

    async def set_reminders(self, user_id: int, on: bool) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(StudyPlan, user_id)
            if row is None:
                raise UserError("You have no plan yet. `/plan set` makes one, with a reminder_time.")
            if on and row.reminder_time is None:
                raise UserError("Set a reminder_time first: `/plan set ... reminder_time:07:30`.")
            row.reminders = on
            if on:
                row.dm_closed, row.dm_closed_told = False, False

    async def claim_reminders(self, now: dt.datetime) -> list[Reminder]:
        """Today's reminders whose local time has come, each claimed in the database first, so a
        restart (or a second process) never sends one twice."""
        claimed = []
        async with self._sessions.begin() as session:
            # Plain rows and Core statements: thousands of plans may be due in the same minute, and
            # ORM objects would make each claim compare itself against every plan loaded.
            connection = await session.connection()
            plans = (await connection.execute(_PLANS_WITH_REMINDERS)).all()
            for plan in plans:
                if not self._shards.owns_member(plan.user_id):
                    continue
                at = parse_time_of_day(plan.reminder_time)
                day = reminder_day(at, plan.timezone, plan.reminded_on, now)
                if day is None or plan.pack not in self._guilds.packs:
                    continue
                taken = await connection.execute(_CLAIM_REMINDER, {"member": plan.user_id, "claim_day": day})
                if getattr(taken, "rowcount", 0):
                    due = await reviews.due_count(session, plan.user_id, plan.pack, now, MAX_REVIEW_CARDS)
                    pack = self._guilds.pack(plan.pack)
                    claimed.append(Reminder(plan.user_id, pack, days_left(plan.exam_date, day), due))
        return claimed

    async def mark_dm_closed(self, user_id: int) -> None:
        """The member's DMs refused a reminder: stop sending them until they turn reminders on again."""
        async with self._sessions.begin() as session:
            row = await session.get(StudyPlan, user_id)
            if row is not None:
                row.dm_closed = True

    async def dm_closed_notice(self, user_id: int) -> bool:
        """True once after the member's DMs refused a reminder (so they are told once)."""
        async with self._sessions.begin() as session:
            row = await session.get(StudyPlan, user_id)
            if row is None or not row.dm_closed or row.dm_closed_told:
                return False
            row.dm_closed_told = True
            return True

    async def send_due_reminders(self, messenger: Messenger, now: dt.datetime) -> int:
        """The reminder job: claim today's due reminders and send each; how many were sent."""
        queue = collections.deque(await self.claim_reminders(now))
        sent = 0

        async def send_some() -> None:
            nonlocal sent
            while queue:
                reminder = queue.popleft()
                if await messenger.remind(reminder):
                    sent += 1
                else:
                    await self.mark_dm_closed(reminder.user_id)

        # Several at once, so each request's round trip overlaps the others'; the bot's request pacer
        # keeps the total under Discord's global limit, shared with every server's posts.
        await asyncio.gather(*(send_some() for _ in range(min(REMINDERS_IN_FLIGHT, len(queue)))))
        return sent

    async def clear(self, user_id: int) -> bool:
        async with self._sessions.begin() as session:
            row = await session.get(StudyPlan, user_id)
            if row is None:
                return False
            await session.delete(row)
            return True

    async def record_outcome(self, user_id: int, outcome: str) -> None:
        if outcome not in OUTCOMES:
            raise UserError("Passed, not yet, or skip.")
        async with self._sessions.begin() as session:
            row = await session.get(StudyPlan, user_id)
            if row is None:
                raise UserError("You have no plan. `/plan set` makes one.")
            row.outcome = outcome

    async def show(self, user_id: int, now: dt.datetime) -> PlanView | None:
        async with self._sessions.begin() as session:
            row = await session.get(StudyPlan, user_id)
            if row is None:
                return None
            pack = self._guilds.pack(row.pack)
            zone = zoneinfo.ZoneInfo(row.timezone)
            today = now.astimezone(zone).date()
            due = await reviews.due_count(session, user_id, pack.slug, now, MAX_REVIEW_CARDS)
            midnight = dt.datetime.combine(today, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
            answered_today = await session.scalar(
                select(func.count())
                .select_from(Attempt)
                .where(Attempt.user_id == user_id, Attempt.pack == pack.slug, Attempt.answered_at >= midnight)
            )
            tasks = await repo.member_task_totals(session, user_id, pack.slug)
            recent = await repo.recent_attempts(session, user_id, pack.slug, PROJECTION_ANSWERS)
            view = PlanView(
                pack,
                row.exam_date,
                days_left(row.exam_date, today),
                row.daily_goal,
                row.timezone,
                row.reminder_time,
                row.reminders,
                todays_work(pack.blueprint, due, int(answered_today or 0), row.daily_goal, tasks),
                project(
                    pack.blueprint,
                    [(as_utc(a.answered_at), a.domain_id, a.correct) for a in recent],
                    _day_ends(today, zone),
                    dt.datetime.combine(row.exam_date, dt.time(23, 59), tzinfo=zone).astimezone(dt.UTC),
                ),
                row.outcome,
            )
        return view


def _day_ends(today: dt.date, zone: zoneinfo.ZoneInfo) -> list[tuple[dt.date, dt.datetime]]:
    """The last TREND_DAYS local days (today included) and the UTC instant each ends."""
    days = [today - dt.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    return [
        (day, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC))
        for day in days
    ]


__all__ = ["OUTCOMES", "Messenger", "PlanService", "PlanView", "Reminder"]
