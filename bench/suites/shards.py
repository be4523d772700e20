"""8. Shards: two bot processes share the servers and one PostgreSQL database.

Thousands of servers have their daily question at the same minute; the bot runs as two processes, each
connecting one of two shards, so each process arms and posts its own servers' questions. Discord's
global limit (50 requests/s) is per bot, shared by both processes: without coordination each keeps to
half. Done means every server's channel holds its question with all its option reactions, posted once.
The reference is the least time one global limit allows for the requests the posts need.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.child import BotProcess
from bench.core import Benchmark, Figure, Report
from bench.databases import new_database
from bench.suites.fanout import fully_posted, minimum_seconds
from bench.world import is_question_post, question_id_of, question_ids_by_stem, schedule_daily
from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from tests.emulator import Channel, DiscordEmulator, RateLimits
from tests.emulator.limits import MESSAGES, REACTIONS

PACK = "mls-c01"
SHARDS = 2


@dataclass(frozen=True)
class ShardParams:
    servers: int
    bar: float = 1.2  # elapsed over the least time one global limit allows
    timeout: float = 600.0
    setup_concurrency: int = 25


async def run(p: ShardParams, database: str) -> Report:
    limits = RateLimits.discord()
    report = Report(
        "shards",
        "8. Two shard processes",
        scenario=(
            f"{p.servers:,} servers, one daily question each, all at the same minute; the bot runs as "
            f"{SHARDS} processes, one shard each (SHARD_IDS=0 and 1 of SHARD_COUNT={SHARDS}), on one "
            "PostgreSQL database; each fires its own servers' daily jobs with its real scheduler. The "
            "emulator enforces Discord's limits with one global budget for the bot (50 requests/s), which "
            "each process keeps to half of. Elapsed: the first request of the fan-out → the last option "
            "reaction accepted. Reference: the least time one global limit allows for the requests."
        ),
    )
    pack = load_packs(SHIPPED_QUESTIONS)[PACK]
    letters_of = {q.id: q.letters for q in pack.questions}
    ids = question_ids_by_stem(pack.questions)
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        root = Path(tmp)
        async with (
            new_database(database, root) as url,
            DiscordEmulator(rate_limits=limits, shard_count=SHARDS) as emu,
        ):
            servers = []
            for n in range(p.servers):
                guild = emu.add_guild(f"Study group {n}")
                servers.append(
                    (guild.add_text_channel("daily-question"), guild.add_member("admin", admin=True))
                )
            processes = [
                BotProcess(
                    emu,
                    root / f"shard-{n}",
                    database_url=url,
                    env={"SHARD_IDS": str(n), "SHARD_COUNT": str(SHARDS)},
                    max_seconds=p.timeout + 600,
                )
                for n in range(SHARDS)
            ]
            async with processes[0], processes[1]:
                await asyncio.gather(*(bot.start(timeout=180) for bot in processes))
                gate = asyncio.Semaphore(p.setup_concurrency)

                async def schedule(channel: Channel, admin: object) -> str:
                    async with gate:
                        reply = await schedule_daily(admin, channel, timezone="UTC")  # type: ignore[arg-type]
                        return reply.content

                replies = await asyncio.gather(*(schedule(c, a) for c, a in servers))
                scheduled = sum("Scheduled" in r for r in replies)
                report.check(
                    "every server's schedule accepted", scheduled == p.servers, f"{scheduled} of {p.servers}"
                )
                first = len(emu.requests)
                fired = await asyncio.gather(*(bot.command("fire", prefix="daily:") for bot in processes))
                per_process = [f["fired"] for f in fired]
                report.check(
                    "each process fired its own servers' jobs, and together every server's",
                    sum(per_process) == p.servers and all(n > 0 for n in per_process),
                    " + ".join(str(n) for n in per_process) + f" of {p.servers}",
                )
                await emu.wait_until(
                    lambda: all(fully_posted(c, emu.bot_user_id, letters_of, ids) for c, _ in servers),
                    timeout=p.timeout,
                    what="every server's question with its reactions",
                    poll=0.5,
                )
                posts = [fully_posted(c, emu.bot_user_id, letters_of, ids) for c, _ in servers]
                question_posts = Counter(
                    sum(1 for m in c.messages if is_question_post(m)) for c, _ in servers
                )
                requests = emu.requests[first:]

    needed = [r for r in requests if r.bucket in (MESSAGES, REACTIONS) and r.status < 300]
    reactions = sum(len(letters_of[question_id_of(m, ids)]) for m in posts if m is not None)
    required = len(posts) + reactions
    elapsed = max(r.at for r in needed) - min(r.at for r in requests)
    floor = minimum_seconds(
        required, max(len(letters_of[question_id_of(m, ids)]) for m in posts if m), limits
    )
    throttled = [r for r in requests if r.rate_limited]
    report.check(
        "each server posted exactly once",
        question_posts == Counter({1: p.servers}),
        ", ".join(f"{n} server(s) with {k} post(s)" for k, n in sorted(question_posts.items())),
    )
    report.check(
        "no 429 the bot could have avoided",
        not throttled,
        f"{len(throttled)} requests answered 429"
        + (f" ({sum(r.is_global for r in throttled)} global)" if throttled else ""),
    )
    report.figures += [
        Figure(
            "time to post everywhere",
            elapsed,
            "s",
            floor,
            "least time one global limit allows",
            f"≤ {p.bar:g}× reference",
            elapsed <= p.bar * floor if floor > 0 else True,
        ),
        Figure("requests the posts need", required, ""),
        Figure("requests sent in the fan-out", len(requests), ""),
    ]
    return report


BENCHMARK = Benchmark(
    name="shards",
    title="8. Two shard processes",
    order=8,
    full=ShardParams(servers=2000),
    smoke=ShardParams(servers=4, bar=1e9, timeout=60.0),
    run=run,
    databases=("postgresql",),
)
