"""4. Fan-out: hundreds of servers have their daily question at the same minute.

Each server schedules its question through `/daily schedule`; then the bot's real scheduler runs every
daily job at once. Done means every server's channel holds its question with all its option reactions.
The emulator enforces Discord's limits (50 requests/s globally, 5 messages/5 s and 1 reaction/0.25 s
per channel). The reference is the least time those limits allow for the requests the posts need:
with a fixed 1-second global window, N requests need ceil(N / 50) windows, so (ceil(N / 50) - 1) s
from the first to the last, and never less than the slowest channel's own reaction pacing.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.child import BotProcess
from bench.core import Benchmark, Report
from bench.databases import new_database
from bench.world import (
    is_question_post,
    question_id_of,
    question_ids_by_stem,
    report_paced_requests,
    schedule_daily,
)
from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.domain.grading import LETTER_EMOJI
from tests.emulator import Channel, DiscordEmulator, Message, RateLimits, User
from tests.emulator.limits import MESSAGES, REACTIONS

PACK = "mls-c01"


@dataclass(frozen=True)
class FanoutParams:
    servers: int
    bar: float = 1.2  # elapsed over the minimum the rate limits allow
    timeout: float = 300.0
    setup_concurrency: int = 25


def minimum_seconds(requests: int, reactions_per_channel: int, limits: RateLimits) -> float:
    """The least time from the first to the last of ``requests`` requests under Discord's limits."""
    glob = limits.global_limit
    global_floor = (math.ceil(requests / glob.limit) - 1) * glob.per
    reaction = limits.for_bucket(REACTIONS)
    per_reaction = reaction.per / reaction.limit
    # One message, then the reactions one after another in the same channel's bucket.
    channel_floor = max(0, reactions_per_channel - 1) * per_reaction
    return max(global_floor, channel_floor)


def fully_posted(
    channel: Channel, bot_id: int, letters_of: dict[str, str], ids: Mapping[str, str]
) -> Message | None:
    for message in channel.messages:
        if is_question_post(message):
            letters = letters_of[question_id_of(message, ids)]
            if all(bot_id in message.reaction_users(LETTER_EMOJI[x]) for x in letters):
                return message
    return None


async def schedule_everywhere(servers: list[tuple[Channel, User]], concurrency: int) -> int:
    """Each server's admin schedules the daily question through `/daily schedule`; how many were accepted."""
    gate = asyncio.Semaphore(concurrency)

    async def schedule(channel: Channel, admin: User) -> str:
        async with gate:
            return (await schedule_daily(admin, channel, timezone="UTC")).content

    replies = await asyncio.gather(*(schedule(c, a) for c, a in servers))
    return sum("Scheduled" in r for r in replies)


def posted_everywhere(channels: list[Channel], bot_id: int) -> Callable[[], bool]:
    """Whether every channel holds its question with all its option reactions."""
    pack = load_packs(SHIPPED_QUESTIONS)[PACK]
    letters_of = {q.id: q.letters for q in pack.questions}
    ids = question_ids_by_stem(pack.questions)
    waiting = list(channels)

    def everywhere() -> bool:
        # Checked after every emulator change: a channel found complete is not looked at again, or the
        # check itself would slow the emulator it measures.
        while waiting and fully_posted(waiting[0], bot_id, letters_of, ids):
            waiting.pop(0)
        return not waiting

    return everywhere


async def judge_fan_out(
    report: Report,
    emu: DiscordEmulator,
    first: int,
    channels: list[Channel],
    *,
    bar: float,
    floor_name: str,
    timeout: float,
) -> None:
    """Wait for every channel's question with its reactions, then judge: each posted once, and the time
    from the first request (``emu.requests[first]``) to the last reaction against the least the limits
    allow for those requests."""
    await emu.wait_until(
        posted_everywhere(channels, emu.bot_user_id),
        timeout=timeout,
        what="every server's question with its reactions",
        poll=0.5,
    )
    requests, bot_id = emu.requests[first:], emu.bot_user_id
    pack = load_packs(SHIPPED_QUESTIONS)[PACK]
    letters_of = {q.id: q.letters for q in pack.questions}
    ids = question_ids_by_stem(pack.questions)
    posts = [fully_posted(c, bot_id, letters_of, ids) for c in channels]
    per_channel = Counter(sum(1 for m in c.messages if is_question_post(m)) for c in channels)
    report.check(
        "each server posted exactly once",
        per_channel == Counter({1: len(channels)}) and all(posts),
        ", ".join(f"{n} server(s) with {k} post(s)" for k, n in sorted(per_channel.items())),
    )
    sizes = [len(letters_of[question_id_of(m, ids)]) for m in posts if m is not None]
    required = len(sizes) + sum(sizes)
    needed = [r for r in requests if r.bucket in (MESSAGES, REACTIONS) and r.status < 300]
    report_paced_requests(
        report,
        requests,
        what="time to post everywhere",
        elapsed=max(r.at for r in needed) - min(r.at for r in requests),
        floor=minimum_seconds(required, max(sizes), emu.rate_limits),
        floor_name=floor_name,
        bar=bar,
        needed=required,
    )


async def run(p: FanoutParams, database: str) -> Report:
    limits = RateLimits.discord()
    report = Report(
        "fanout",
        "4. Fan-out",
        scenario=(
            f"{p.servers} servers, one daily question each, all scheduled for the same minute and fired "
            "together by the bot's real scheduler. The bot runs in its own process; the emulator enforces "
            "Discord's limits (50 requests/s global, 5 messages/5 s and 1 reaction/0.25 s per channel). "
            "Elapsed: the first request of the fan-out reaching the emulator → the last option reaction "
            "accepted. Reference: the least time those limits allow for the requests the posts need."
        ),
    )
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        async with new_database(database, Path(tmp)) as url, DiscordEmulator(rate_limits=limits) as emu:
            servers = []
            for n in range(p.servers):
                guild = emu.add_guild(f"Study group {n}")
                servers.append(
                    (guild.add_text_channel("daily-question"), guild.add_member("admin", admin=True))
                )
            async with BotProcess(emu, Path(tmp), database_url=url) as bot:
                await bot.start(timeout=120)
                scheduled = await schedule_everywhere(servers, p.setup_concurrency)
                report.check(
                    "every server's schedule accepted", scheduled == p.servers, f"{scheduled} of {p.servers}"
                )
                first = len(emu.requests)
                fired = (await bot.command("fire", prefix="daily:"))["fired"]
                report.check("one daily job per server fired", fired == p.servers, f"{fired} jobs")
                await judge_fan_out(
                    report,
                    emu,
                    first,
                    [c for c, _ in servers],
                    bar=p.bar,
                    floor_name="least time the rate limits allow",
                    timeout=p.timeout,
                )
    return report


BENCHMARK = Benchmark(
    name="fanout",
    title="4. Fan-out",
    order=4,
    full=FanoutParams(servers=500),
    smoke=FanoutParams(servers=4, bar=1e9, timeout=60.0),
    run=run,
)
