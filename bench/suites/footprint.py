"""5. Footprint: memory and start-up time with many servers and a large question bank.

The bot starts in its own process, exactly as `studybot run` starts it, against an emulator with
1,000 servers of 5 text channels each and a bank of 1,000 questions. Start-up is from spawning the
process to the bot serving (migrated, bank loaded, connected, every server received, commands synced,
recovery done); memory is the process's resident set once it serves. Reference, in the same run: a
plain discord.py client (one slash command) connecting to the same servers.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.child import BotProcess
from bench.core import Benchmark, Figure, Report
from bench.databases import new_database
from bench.world import pack_env, write_pack
from tests.emulator import DiscordEmulator, RateLimits


@dataclass(frozen=True)
class FootprintParams:
    servers: int
    channels: int
    questions: int
    members: int = 3  # per server, besides the bot
    rss_bar_mb: float = 150.0
    startup_bar_s: float = 3.0


async def run(p: FootprintParams, database: str) -> Report:
    report = Report(
        "footprint",
        "5. Footprint",
        scenario=(
            f"{p.servers:,} servers of {p.channels} text channels and {p.members} members each; a bank of "
            f"{p.questions:,} questions. The bot process is spawned as `studybot run` would be; start-up is "
            "spawn → serving (migrations, bank, gateway, every server, command sync, recovery), measured on "
            "the first start (which creates the database) and on a restart. Memory: resident set of the "
            "process once serving. Reference: a plain discord.py client with one slash command connecting "
            "to the same servers."
        ),
    )
    with tempfile.TemporaryDirectory(prefix="bench-footprint-") as tmp:
        root = Path(tmp)
        slug = write_pack(root / "questions", p.questions)
        async with (
            new_database(database, root) as url,
            DiscordEmulator(rate_limits=RateLimits.discord()) as emu,
        ):
            for n in range(p.servers):
                guild = emu.add_guild(f"Study group {n}")
                for c in range(p.channels):
                    guild.add_text_channel(f"study-{c}")
                for m in range(p.members):
                    guild.add_member(f"member{m}", admin=m == 0)
            env = pack_env(root / "questions", slug)
            async with BotProcess(emu, root, env=env, database_url=url) as bot:
                first_startup = await bot.start(timeout=120)
                first_memory = bot.memory()
                first_steps = bot.steps
            # The everyday start: a restart on the database the first start created.
            async with BotProcess(emu, root, env=env, database_url=url) as bot:
                startup = await bot.start(timeout=120)
                memory = bot.memory()
                guilds = bot.ready.get("guilds")
                steps = bot.steps
            async with BotProcess(emu, root, mode="noop") as noop:
                reference_startup = await noop.start(timeout=120)
                reference = noop.memory()
                reference_guilds = noop.ready.get("guilds")

    report.check("the bot saw every server", guilds == p.servers, f"{guilds} of {p.servers}")
    report.check("the reference saw every server", reference_guilds == p.servers, f"{reference_guilds}")
    report.figures += [
        Figure(
            "resident memory once serving",
            memory.rss_mb,
            "MB",
            reference.rss_mb,
            "plain discord.py client",
            f"< {p.rss_bar_mb:g} MB",
            memory.rss_mb < p.rss_bar_mb,
        ),
        Figure("peak resident memory", memory.peak_mb, "MB", reference.peak_mb, "plain discord.py client"),
        Figure(
            "resident memory, first start",
            first_memory.rss_mb,
            "MB",
            reference.rss_mb,
            "plain discord.py client",
            f"< {p.rss_bar_mb:g} MB",
            first_memory.rss_mb < p.rss_bar_mb,
        ),
        Figure(
            "start-up to serving, first start (creates the database)",
            first_startup,
            "s",
            reference_startup,
            "plain discord.py client",
            f"< {p.startup_bar_s:g} s",
            first_startup < p.startup_bar_s,
        ),
        Figure(
            "start-up to serving, restart",
            startup,
            "s",
            reference_startup,
            "plain discord.py client",
            f"< {p.startup_bar_s:g} s",
            startup < p.startup_bar_s,
        ),
    ]
    if steps:
        order = sorted(steps.items(), key=lambda item: item[1])
        report.notes.append("restart steps (s from spawn): " + ", ".join(f"{k} {v:.2f}" for k, v in order))
    if first_steps:
        order = sorted(first_steps.items(), key=lambda kv: kv[1])
        report.notes.append(
            "first start steps (s from spawn): " + ", ".join(f"{k} {v:.2f}" for k, v in order)
        )
    return report


BENCHMARK = Benchmark(
    name="footprint",
    title="5. Footprint",
    order=5,
    full=FootprintParams(servers=1000, channels=5, questions=1000),
    smoke=FootprintParams(servers=5, channels=2, questions=30, rss_bar_mb=1e6, startup_bar_s=1e6),
    run=run,
)
