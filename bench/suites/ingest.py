"""1. Answer ingest: thousands of members react to one daily post within a few seconds.

Every answer must be stored exactly once, and the bot's answers per second must be at least half of
what a bare aiosqlite loop achieves inserting the same rows, one transaction each, with the bot's
own SQLite settings, measured in the same run.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bench.child import BotProcess
from bench.core import Benchmark, Figure, Report
from bench.world import (
    is_question_post,
    pack_env,
    poll,
    query,
    question_id_of,
    question_ids_by_stem,
    schedule_daily,
    wait_for_option_reactions,
    write_pack,
)
from bot.bank import load_packs
from bot.db.engine import create_engine
from bot.domain.grading import LETTER_EMOJI
from bot.domain.scoring import points_for
from bot.scheduler import reveal_job_id
from tests.emulator import DiscordEmulator, RateLimits

#: The connection settings the reference loop copies from the bot's own engine.
PRAGMAS = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
TICK = 0.02


@dataclass(frozen=True)
class IngestParams:
    members: int
    spread_seconds: float  # reactions are sent evenly over this long
    timeout: float = 180.0
    bar: float = 0.5  # the bot's rate over the reference's


async def bot_pragmas(url: str) -> dict[str, Any]:
    """The SQLite settings every connection of the bot's engine gets (bot/db/engine.py)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            values = {}
            for name in PRAGMAS:
                values[name] = (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
            return values
    finally:
        await engine.dispose()


async def reference_rate(template: Path, rows: list[tuple[Any, ...]], pragmas: dict[str, Any]) -> float:
    """Rows per second of a bare aiosqlite loop: INSERT + COMMIT per row, the bot's pragmas, a copy of
    the bot's database (same schema, indexes and foreign keys) with its answers removed."""
    target = template.with_name("reference.db")
    shutil.copyfile(template, target)
    async with aiosqlite.connect(target) as db:
        await db.execute("DELETE FROM answers")
        await db.commit()
        for name, value in pragmas.items():
            await db.execute(f"PRAGMA {name}={value}")
        for name, value in pragmas.items():
            async with db.execute(f"PRAGMA {name}") as cursor:
                row = await cursor.fetchone()
            assert row is not None and str(row[0]) == str(value), (name, row, value)
        started = time.perf_counter()
        for row in rows:
            await db.execute(
                "INSERT INTO answers (post_id, user_id, letters, locked, answered_at) VALUES (?, ?, ?, ?, ?)",
                row,
            )
            await db.commit()
        elapsed = time.perf_counter() - started
        async with db.execute("SELECT count(*) FROM answers") as cursor:
            stored = await cursor.fetchone()
    assert stored is not None and stored[0] == len(rows)
    return len(rows) / elapsed


@dataclass(frozen=True)
class Kind:
    """Which kind of question the post asks, and how a member answers it."""

    label: str
    single_share: float
    reactions: int  # per member


SINGLE = Kind("a single-answer question: one reaction each", 1.0, 1)
PAIR = Kind("a choose-two question: two reactions each", 0.0, 2)


async def run(p: IngestParams) -> Report:
    report = Report(
        "ingest",
        "1. Answer ingest",
        scenario=(
            f"{p.members:,} members react to one daily post, sent evenly over {p.spread_seconds:g} s "
            "through the emulator's gateway, letters spread over the options; first a single-answer "
            "question (one reaction each, the common case), then, in a fresh bot, a choose-two question "
            "(two reactions each). The bot runs in its own process, started as `studybot run` starts "
            "it; Discord's rate limits apply. Rate = answers / (first reaction sent → last answer "
            "committed, polled from the database). Reference: a bare aiosqlite loop (INSERT + COMMIT "
            "per row) inserting the same rows into a copy of the bot's database with the pragmas read "
            "back from the bot's engine. Then the post's reveal job is fired: every answer is graded "
            "(attempts, statistics, points, streaks) and the key posted."
        ),
    )
    for kind in (SINGLE, PAIR):
        await _scenario(p, kind, report)
    return report


async def _scenario(p: IngestParams, kind: Kind, report: Report) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        root = Path(tmp)
        slug = write_pack(root / "questions", 40, single_share=kind.single_share)
        pack = load_packs(root / "questions")[slug]
        async with DiscordEmulator(rate_limits=RateLimits.discord()) as emu:
            guild = emu.add_guild("Study Hall")
            channel = guild.add_text_channel("daily-question")
            admin = guild.add_member("admin", admin=True)
            members = [guild.add_member(f"member{i}") for i in range(p.members)]
            bot = BotProcess(emu, root, env=pack_env(root / "questions", slug))
            async with bot:
                await bot.start()
                await schedule_daily(admin, channel, timezone="UTC")
                result = await admin.run_command(
                    "daily post-now", channel=channel, options={"channel": channel}
                )
                await result.response(timeout=15)
                post = await emu.wait_for_message(channel=channel, predicate=is_question_post, timeout=15)
                question = pack.question(question_id_of(post, question_ids_by_stem(pack.questions)))
                assert question is not None and len(question.key) == kind.reactions
                await wait_for_option_reactions(emu, post, question.letters)
                ((post_id,),) = query(bot.database, "SELECT id FROM posts WHERE message_id = ?", post.id)
                letters = question.letters
                # Every possible answer in turn (the key among them), so some members are right.
                answers = ["".join(c) for c in itertools.combinations(letters, kind.reactions)]
                expected = {m.id: answers[i % len(answers)] for i, m in enumerate(members)}

                def stored() -> bool:
                    count = query(
                        bot.database, "SELECT count(*) FROM answers WHERE post_id = ? AND locked", post_id
                    )[0][0]
                    return bool(count >= p.members)

                loop = asyncio.get_running_loop()
                started = time.monotonic()
                begin = loop.time()
                ticks = max(1, round(p.spread_seconds / TICK))
                for tick in range(ticks):
                    for member in members[tick * p.members // ticks : (tick + 1) * p.members // ticks]:
                        for letter in expected[member.id]:
                            await member.react(post, LETTER_EMOJI[letter])
                    await asyncio.sleep(max(0.0, begin + (tick + 1) * TICK - loop.time()))
                sent = time.monotonic() - started
                finished = await poll(stored, timeout=p.timeout, what="every answer to be stored")
                elapsed = finished - started
                await asyncio.sleep(0.5)  # anything stored twice or late would show up now

                # The reveal: every answer graded in one transaction, then the key posted.
                reveal_started = time.monotonic()
                fired = (await bot.command("fire", prefix=reveal_job_id(post_id)))["fired"]

                def revealed() -> bool:
                    state = query(bot.database, "SELECT state FROM posts WHERE id = ?", post_id)[0][0]
                    return bool(state == "closed")

                reveal_elapsed = await poll(revealed, timeout=p.timeout, what="the reveal") - reveal_started
                graded = query(bot.database, "SELECT count(*), sum(correct), sum(points) FROM attempts")[0]
                member_points = query(bot.database, "SELECT count(*), sum(points) FROM members")[0]
            rows = query(
                bot.database,
                "SELECT post_id, user_id, letters, locked, answered_at FROM answers ORDER BY id",
            )
        pragmas = await bot_pragmas(bot.database_url)
        reference = await reference_rate(bot.database, rows, pragmas)

    short = "single" if kind is SINGLE else "choose-two"
    users = [row[1] for row in rows]
    report.check(
        f"{short}: every answer stored exactly once",
        len(rows) == p.members and len(set(users)) == p.members,
        f"{len(rows):,} rows for {len(set(users)):,} members ({p.members:,} reacted)",
    )
    wrong = [row for row in rows if row[2] != expected.get(row[1]) or not row[3]]
    report.check(
        f"{short}: each stored answer is the member's letters, locked", not wrong, f"{len(wrong)} differ"
    )
    right = sum(1 for answer in expected.values() if frozenset(answer) == question.key)
    points = points_for("daily", True) * right
    report.check(
        f"{short}: the reveal graded every answer exactly once",
        fired == 1 and tuple(graded) == (p.members, right, points),
        f"{graded[0]:,} attempts, {graded[1]:,} right ({right:,} expected), {graded[2]:,} points",
    )
    report.check(
        f"{short}: every member's points added once",
        tuple(member_points) == (p.members, points),
        f"{member_points[0]:,} members, {member_points[1]:,} points",
    )
    rate = p.members / elapsed
    report.figures += [
        Figure(
            f"answers stored per second, {kind.label}",
            rate,
            "/s",
            reference,
            "bare aiosqlite loop",
            f"≥ {p.bar}× reference",
            rate >= p.bar * reference,
        ),
        Figure(
            f"{short}: time to store every answer", elapsed, "s", p.members / reference, "bare aiosqlite loop"
        ),
        Figure(f"{short}: time to send every reaction", sent, "s"),
        Figure(f"{short}: reveal, grade {p.members:,} answers and post the key", reveal_elapsed, "s"),
    ]
    if kind is SINGLE:
        report.notes.append(
            "SQLite settings (read from the bot's engine, copied to the reference): "
            + ", ".join(f"{k}={v}" for k, v in pragmas.items())
        )


BENCHMARK = Benchmark(
    name="ingest",
    title="1. Answer ingest",
    order=1,
    full=IngestParams(members=5000, spread_seconds=1.0),
    smoke=IngestParams(members=60, spread_seconds=0.1, timeout=30.0, bar=0.0),
    run=run,
)
