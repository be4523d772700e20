"""APScheduler wiring. Jobs call services (through the daily runner), never cogs.

The database is the one source of truth: jobs are rebuilt from it on every start, and a job firing
twice is harmless because each occurrence can be claimed once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.domain.schedule import GRACE, WEEKDAY_NAMES
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.services.daily import ScheduleView
from bot.services.daily_runner import DailyRunner
from bot.services.mock import MockService

log = logging.getLogger(__name__)


def daily_job_id(schedule_id: int) -> str:
    return f"daily:{schedule_id}"


def reveal_job_id(post_id: int) -> str:
    return f"reveal:{post_id}"


REMINDER_JOB = "reminders"


def mock_job_id(session_id: int) -> str:
    return f"mock:{session_id}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DailyJobs:
    """The bot's jobs: daily posts (cron), reveals and mock deadlines (one-off dates)."""

    def __init__(
        self, scheduler: AsyncIOScheduler, mocks: MockService, shards: ShardSet = ALL_SHARDS
    ) -> None:
        self.scheduler = scheduler
        self.shards = shards  # arm only the jobs of this process's servers
        self.runner: DailyRunner | None = None
        self._mocks = mocks
        self._running: set[asyncio.Task[object]] = set()
        self._reminders: Callable[[dt.datetime], Awaitable[object]] | None = None

    @contextlib.asynccontextmanager
    async def _tracked(self) -> AsyncIterator[None]:
        """Remember a running job, so stop() can wait for it instead of cutting it off mid-write."""
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            yield
        finally:
            self._running.discard(task)

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop starting jobs, let running ones finish (a job cut off mid-transaction would leave its
        database connection hanging), then shut the scheduler down."""
        if self.scheduler.running:
            self.scheduler.pause()
        running = list(self._running)
        if running:
            _, late = await asyncio.wait(running, timeout=grace_seconds)
            for task in late:
                log.warning("a job did not finish within %s s of shutdown; cancelling it", grace_seconds)
                task.cancel()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def attach(self, runner: DailyRunner) -> None:
        self.runner = runner

    def attach_reminders(self, send: Callable[[dt.datetime], Awaitable[object]]) -> None:
        """What the reminder job runs each minute: claim and send the reminders due."""
        self._reminders = send

    async def _remind(self) -> None:
        async with self._tracked():
            try:
                if self._reminders is not None:
                    await self._reminders(utcnow())
            except Exception:
                log.exception("sending study reminders failed")

    def _runner(self) -> DailyRunner:
        assert self.runner is not None, "attach() the runner before scheduling jobs"
        return self.runner

    def arm_schedule(self, view: ScheduleView) -> None:
        """Add or replace the cron job of one schedule (removing it when paused)."""
        if view.paused:
            self.disarm_schedule(view.id)
            return
        s = view.schedule
        trigger = CronTrigger(
            day_of_week=",".join(WEEKDAY_NAMES[d] for d in sorted(s.weekdays)),
            hour=s.time_of_day.hour,
            minute=s.time_of_day.minute,
            timezone=s.zone,
        )
        self.scheduler.add_job(
            self._post,
            trigger,
            args=[view.id, s.timezone],
            id=daily_job_id(view.id),
            replace_existing=True,
            misfire_grace_time=int(GRACE.total_seconds()),
            coalesce=True,
            max_instances=1,
        )

    def disarm_schedule(self, schedule_id: int) -> None:
        if self.scheduler.get_job(daily_job_id(schedule_id)) is not None:
            self.scheduler.remove_job(daily_job_id(schedule_id))

    def arm_reveal(self, post_id: int, at: dt.datetime) -> None:
        self.scheduler.add_job(
            self._reveal,
            DateTrigger(run_date=at),
            args=[post_id],
            id=reveal_job_id(post_id),
            replace_existing=True,
            misfire_grace_time=None,
            max_instances=1,
        )

    def arm_mock_deadline(self, session_id: int, at: dt.datetime) -> None:
        self.scheduler.add_job(
            self._expire_mock,
            DateTrigger(run_date=at),
            args=[session_id],
            id=mock_job_id(session_id),
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _expire_mock(self, session_id: int) -> None:
        async with self._tracked():
            try:
                await self._mocks.expire(session_id, utcnow())
            except Exception:
                log.exception("finishing mock %s at its deadline failed", session_id)

    async def _post(self, schedule_id: int, timezone: str) -> None:
        now = utcnow()
        async with self._tracked():
            try:
                await self._runner().post_occurrence(
                    schedule_id, now.astimezone(ZoneInfo(timezone)).date(), now
                )
            except Exception:
                log.exception("daily post for schedule %s failed", schedule_id)

    async def _reveal(self, post_id: int) -> None:
        async with self._tracked():
            try:
                await self._runner().reveal(post_id, utcnow())
            except Exception:
                log.exception("reveal of post %s failed", post_id)

    async def rebuild(self) -> None:
        """Arm one job per active schedule, from the database."""
        for job in self.scheduler.get_jobs():
            if job.id.startswith("daily:"):
                job.remove()
        for view in await self._runner().daily.active_schedules():
            if self.shards.owns_server(view.guild_id):
                self.arm_schedule(view)
        for session_id, guild_id, deadline in await self._mocks.unfinished():
            if self.shards.owns_server(guild_id):
                self.arm_mock_deadline(session_id, deadline)
        # Every minute: each reminder is claimed in the database before it is sent (at most one a day).
        self.scheduler.add_job(
            self._remind,
            IntervalTrigger(minutes=1),
            id=REMINDER_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
