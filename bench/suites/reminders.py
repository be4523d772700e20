"""7. Reminders: thousands of members asked to be reminded at the same minute.

Every member has a plan with reminders on at the same local time. The bot's real reminder job claims
each day's reminder in the database, then sends each as a direct message through the same paced requests
as every server's posts: opening the DM channel, then the message, so two requests a member. The
emulator enforces Discord's 50 requests/s global limit; the reference is the least time it allows for
those requests, (ceil(2N / 50) - 1) s from the first to the last.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench.child import BotProcess
from bench.core import Benchmark, Report
from bench.databases import new_database
from bench.world import SHIPPED_PACK, report_paced_requests
from bot.db import migrate
from bot.db.engine import create_engine
from bot.db.models import StudyPlan
from bot.scheduler import REMINDER_JOB
from tests.emulator import DiscordEmulator, RateLimits
from tests.emulator.limits import MESSAGES

#: Requests one reminder needs: open the member's DM channel, send the message.
REQUESTS_PER_REMINDER = 2


@dataclass(frozen=True)
class ReminderParams:
    members: int
    bar: float = 1.2  # elapsed over the least time the global limit allows
    timeout: float = 900.0


def midday_zone(now: dt.datetime) -> ZoneInfo:
    """A fixed-offset zone where it is around midday now: reminders due this minute stay due for the
    minutes the run takes (the grace), far from a local midnight that would move them to the next day."""
    hours = max(-12, min(14, 12 - now.hour))
    # The Etc zones count the other way round: Etc/GMT-3 is three hours ahead of UTC.
    return ZoneInfo("Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}")


async def seed_plans(database_url: str, member_ids: list[int], now: dt.datetime) -> None:
    """A plan for each member: the exam in 30 days, reminders on at this minute, in a zone where it is
    around midday."""
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        zone = midday_zone(now)
        local = now.astimezone(zone)
        at = f"{local:%H:%M}"
        rows = [
            {
                "user_id": member,
                "pack": SHIPPED_PACK,
                "exam_date": (local + dt.timedelta(days=30)).date(),
                "daily_goal": 10,
                "timezone": zone.key,
                "reminder_time": at,
                "reminders": True,
                "created_at": now,
            }
            for member in member_ids
        ]
        async with engine.begin() as connection:
            for start in range(0, len(rows), 2000):
                await connection.execute(insert(StudyPlan), rows[start : start + 2000])
    finally:
        await engine.dispose()


def least_seconds(requests: int, limits: RateLimits) -> float:
    glob = limits.global_limit
    return (math.ceil(requests / glob.limit) - 1) * glob.per


async def run(p: ReminderParams, database: str) -> Report:
    limits = RateLimits.discord()
    report = Report(
        "reminders",
        "7. Reminders",
        scenario=(
            f"{p.members:,} members of one server, each with a plan and reminders on at the same minute. The "
            "bot runs in its own process; its real reminder job claims each reminder in the database and "
            "sends it by direct message (open the DM, send: two requests). The emulator enforces Discord's "
            "50 requests/s global limit. Elapsed: the job starting → the last reminder accepted. Reference: "
            "the least time that limit allows for the requests."
        ),
    )
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp:
        async with new_database(database, Path(tmp)) as url, DiscordEmulator(rate_limits=limits) as emu:
            guild = emu.add_guild("Study group")
            guild.add_text_channel("daily-question")
            members = [guild.add_member(f"member{n}") for n in range(p.members)]
            bot = BotProcess(emu, Path(tmp), max_seconds=p.timeout + 300, database_url=url)
            now = dt.datetime.now(dt.UTC)
            await seed_plans(bot.database_url, [m.id for m in members], now)
            async with bot:
                await bot.start(timeout=120)
                first = len(emu.requests)
                started = emu.clock.now()
                fired = (await bot.command("fire", prefix=REMINDER_JOB))["fired"]
                report.check("the reminder job ran", fired == 1, f"{fired} job")
                # The emulator re-checks this after every change: count new deliveries only, or the
                # check itself (10,000 members, each time) would slow the emulator it measures.
                seen = {"scanned": first, "delivered": 0}

                def all_delivered() -> bool:
                    new = emu.requests[seen["scanned"] :]
                    seen["scanned"] += len(new)
                    seen["delivered"] += sum(1 for r in new if r.bucket == MESSAGES and r.status < 300)
                    return seen["delivered"] >= p.members

                await emu.wait_until(
                    all_delivered, timeout=p.timeout, what="every member's reminder", poll=0.5
                )
                requests = emu.requests[first:]
                per_member = Counter(len([m for m in u.dm_channel.messages if m.embeds]) for u in members)

    delivered = [r for r in requests if r.bucket == MESSAGES and r.status < 300]
    elapsed = max(r.at for r in delivered) - started
    needed = REQUESTS_PER_REMINDER * p.members
    floor = least_seconds(needed, limits)
    report.check(
        "each member reminded exactly once",
        per_member == Counter({1: p.members}),
        ", ".join(f"{n} member(s) with {k}" for k, n in sorted(per_member.items())),
    )
    report_paced_requests(
        report,
        requests,
        what=f"time to remind {p.members:,} members",
        elapsed=elapsed,
        floor=floor,
        floor_name="least time the global limit allows",
        bar=p.bar,
        needed=needed,
    )
    return report


BENCHMARK = Benchmark(
    name="reminders",
    title="7. Reminders",
    order=7,
    full=ReminderParams(members=10_000),
    smoke=ReminderParams(members=6, bar=1e9, timeout=60.0),
    run=run,
)
