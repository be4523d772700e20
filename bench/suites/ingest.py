"""1. Answer ingest: thousands of members react to one daily post at once.

The reactions are sent as fast as the emulator can deliver them, so the figure is the bot's capacity,
not the rate it was offered: answers stored per second from the first reaction to the last commit, and
the lag from the last reaction to the last commit. Every answer must be stored exactly once, and the
rate must be at least that of a bare loop of the same database inserting the same rows one transaction
each (aiosqlite with the bot's own SQLite settings; asyncpg for PostgreSQL), measured in the same run.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
from sqlalchemy.engine import make_url

from bench.child import BotProcess
from bench.core import Benchmark, Figure, Report
from bench.databases import LABELS, Probe, new_database
from bench.world import (
    is_question_post,
    pack_env,
    poll,
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

#: The connection settings the SQLite reference loop copies from the bot's own engine.
PRAGMAS = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
INSERT_ANSWER = "INSERT INTO answers (post_id, user_id, letters, locked, answered_at) VALUES "


@dataclass(frozen=True)
class IngestParams:
    members: int
    timeout: float = 180.0
    bar: float = 1.0  # the bot's rate over the bare loop's


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


async def reference_rate(url: str, rows: list[tuple[Any, ...]], pragmas: dict[str, Any]) -> float:
    """Rows per second of a bare loop on the bot's own database (the bot stopped, its answers removed):
    one INSERT and one COMMIT per row, with the bot's pragmas on SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        async with aiosqlite.connect(str(parsed.database)) as db:
            await db.execute("DELETE FROM answers")
            await db.commit()
            for name, value in pragmas.items():
                await db.execute(f"PRAGMA {name}={value}")
            started = time.perf_counter()
            for row in rows:
                await db.execute(INSERT_ANSWER + "(?, ?, ?, ?, ?)", row)
                await db.commit()
            elapsed = time.perf_counter() - started
            async with db.execute("SELECT count(*) FROM answers") as cursor:
                stored = await cursor.fetchone()
        assert stored is not None and stored[0] == len(rows)
        return len(rows) / elapsed
    connection = await asyncpg.connect(
        parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await connection.execute("DELETE FROM answers")
        started = time.perf_counter()
        for row in rows:  # outside a transaction block each statement commits on its own
            await connection.execute(INSERT_ANSWER + "($1, $2, $3, $4, $5)", *row)
        elapsed = time.perf_counter() - started
        stored = await connection.fetchval("SELECT count(*) FROM answers")
    finally:
        await connection.close()
    assert stored == len(rows)
    return len(rows) / elapsed


@dataclass(frozen=True)
class Kind:
    """Which kind of question the post asks, and how a member answers it."""

    label: str
    single_share: float
    reactions: int  # per member


SINGLE = Kind("a single-answer question: one reaction each", 1.0, 1)
PAIR = Kind("a choose-two question: two reactions each", 0.0, 2)


async def run(p: IngestParams, database: str) -> Report:
    report = Report(
        "ingest",
        "1. Answer ingest",
        scenario=(
            f"{p.members:,} members react to one daily post, all at once: the reactions go through the "
            "emulator's gateway as fast as it delivers them, letters spread over the options; first a "
            "single-answer question (one reaction each, the common case), then, in a fresh bot, a "
            "choose-two question (two reactions each). The bot runs in its own process, started as "
            f"`studybot run` starts it, on {LABELS[database]}; Discord's rate limits apply. Rate = answers "
            "/ (first reaction sent → last answer committed, polled from the database); lag = last "
            "reaction sent → last answer committed. Reference: a bare loop of the same database (INSERT + "
            "COMMIT per row) inserting the same rows into the bot's database once the bot has stopped. "
            "Then the post's reveal job is fired: every answer is graded (attempts, statistics, points, "
            "streaks) and the key posted."
        ),
    )
    for kind in (SINGLE, PAIR):
        await _scenario(p, kind, report, database)
    return report


async def _scenario(p: IngestParams, kind: Kind, report: Report, database: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        root = Path(tmp)
        slug = write_pack(root / "questions", 40, single_share=kind.single_share)
        pack = load_packs(root / "questions")[slug]
        async with (
            new_database(database, root) as url,
            Probe(url) as probe,
            DiscordEmulator(rate_limits=RateLimits.discord()) as emu,
        ):
            guild = emu.add_guild("Study Hall")
            channel = guild.add_text_channel("daily-question")
            admin = guild.add_member("admin", admin=True)
            members = [guild.add_member(f"member{i}") for i in range(p.members)]
            bot = BotProcess(emu, root, env=pack_env(root / "questions", slug), database_url=url)
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
                post_id = await probe.value("SELECT id FROM posts WHERE message_id = :m", m=post.id)
                letters = question.letters
                # Every possible answer in turn (the key among them), so some members are right.
                answers = ["".join(c) for c in itertools.combinations(letters, kind.reactions)]
                expected = {m.id: answers[i % len(answers)] for i, m in enumerate(members)}

                async def stored() -> bool:
                    sql = "SELECT count(*) FROM answers WHERE post_id = :p AND locked"
                    return bool(await probe.value(sql, p=post_id) >= p.members)

                started = time.monotonic()
                for member in members:
                    for letter in expected[member.id]:
                        await member.react(post, LETTER_EMOJI[letter])
                sent = time.monotonic() - started
                finished = await poll(stored, timeout=p.timeout, what="every answer to be stored")
                elapsed = finished - started
                lag = finished - (started + sent)
                await asyncio.sleep(0.5)  # anything stored twice or late would show up now

                # The reveal: every answer graded in one transaction, then the key posted.
                reveal_started = time.monotonic()
                fired = (await bot.command("fire", prefix=reveal_job_id(post_id)))["fired"]

                async def revealed() -> bool:
                    return bool(
                        await probe.value("SELECT state FROM posts WHERE id = :p", p=post_id) == "closed"
                    )

                reveal_elapsed = await poll(revealed, timeout=p.timeout, what="the reveal") - reveal_started
                graded = (
                    await probe.rows(
                        "SELECT count(*), sum(CASE WHEN correct THEN 1 ELSE 0 END), sum(points) FROM attempts"
                    )
                )[0]
                member_points = (await probe.rows("SELECT count(*), sum(points) FROM members"))[0]
            rows = await probe.rows(
                "SELECT post_id, user_id, letters, locked, answered_at FROM answers ORDER BY id"
            )
            pragmas = await bot_pragmas(url) if database == "sqlite" else {}
            await probe.close()
            reference = await reference_rate(url, rows, pragmas)

    short = "single" if kind is SINGLE else "choose-two"
    users = [row[1] for row in rows]
    report.check(
        f"{short}: every answer stored exactly once",
        len(rows) == p.members and len(set(users)) == p.members,
        f"{len(rows):,} rows for {len(set(users)):,} members ({p.members:,} reacted)",
    )
    wrong = [row for row in rows if row[2] != expected.get(row[1]) or not row[3]]
    bare = f"bare {'aiosqlite' if database == 'sqlite' else 'asyncpg'} loop"
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
            bare,
            f"≥ {p.bar:g}× reference",
            rate >= p.bar * reference,
        ),
        Figure(f"{short}: time to store every answer", elapsed, "s", p.members / reference, bare),
        Figure(f"{short}: lag, last reaction sent → last answer committed", lag, "s"),
        Figure(f"{short}: time to send every reaction (as fast as the emulator takes them)", sent, "s"),
        Figure(f"{short}: reveal, grade {p.members:,} answers and post the key", reveal_elapsed, "s"),
    ]
    if kind is SINGLE and pragmas:
        report.notes.append(
            "SQLite settings (read from the bot's engine, copied to the reference): "
            + ", ".join(f"{k}={v}" for k, v in pragmas.items())
        )


BENCHMARK = Benchmark(
    name="ingest",
    title="1. Answer ingest",
    order=1,
    full=IngestParams(members=5000),
    smoke=IngestParams(members=60, timeout=30.0, bar=0.0),
    run=run,
)
