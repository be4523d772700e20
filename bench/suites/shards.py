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
from dataclasses import dataclass
from pathlib import Path

from bench.child import BotProcess
from bench.core import Benchmark, Report
from bench.databases import new_database
from bench.suites.fanout import judge_fan_out, schedule_everywhere
from tests.emulator import DiscordEmulator, RateLimits

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
                scheduled = await schedule_everywhere(servers, p.setup_concurrency)
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
                await judge_fan_out(
                    report,
                    emu,
                    first,
                    [c for c, _ in servers],
                    bar=p.bar,
                    floor_name="least time one global limit allows",
                    timeout=p.timeout,
                )
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
