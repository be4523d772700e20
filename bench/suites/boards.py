"""3. Leaderboards and statistics at scale: 50,000 members and 1,000,000 answers across a year.

Every `/leaderboard` (each period, each domain and all domains, by points and by accuracy) and `/stats`
is timed through the bot's own service layer, on SQLite and on PostgreSQL, at 100,000 and at 1,000,000
answers, so the growth between the two is measured in the same run. The answers are generated straight
into the database, with the maintained aggregates built from them as grading builds them.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bench.core import Benchmark, Figure, Report
from bench.databases import filled_database
from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.db.engine import create_engine, session_factory
from bot.services.guilds import GuildService
from bot.services.progress import ProgressService

GUILD = 1
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
STAMP = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class BoardsParams:
    members: int
    sizes: tuple[int, ...]  # answers in the database for each measured round; the last one is judged
    stats_samples: int
    bar_ms: float = 50.0


def fill(path: Path, members: int, answers: int) -> None:
    """Generate a year of answers for one server inside SQLite, then build the aggregates that
    grading maintains (the same columns, the same period boundaries in the server's timezone, UTC)."""
    pack = load_packs(SHIPPED_QUESTIONS)["mls-c01"]
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-200000")
        db.execute(
            "INSERT INTO guilds (id, pack, timezone, hide_answers, quiz_window_seconds, joined_at)"
            " VALUES (?, 'mls-c01', 'UTC', 0, 60, ?)",
            (GUILD, NOW.strftime(STAMP)),
        )
        db.execute("CREATE TEMP TABLE bank (n INTEGER PRIMARY KEY, qid TEXT, domain TEXT, task TEXT)")
        db.executemany(
            "INSERT INTO bank VALUES (?, ?, ?, ?)",
            [(i, q.id, q.domain_id, q.task_id) for i, q in enumerate(pack.active_questions)],
        )
        # Members answer unevenly, as in a real server: squaring a uniform draw makes a few very
        # active members and a long tail of occasional ones.
        db.execute(
            f"""
            INSERT INTO attempts (guild_id, user_id, pack, question_id, domain_id, task_id, source, correct,
                                  points, answered_at)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {answers}),
            draws AS (
                SELECT abs(random()) % 1000000 / 1000000.0 AS u, abs(random()) % {len(pack.active_questions)} AS q,
                       abs(random()) % 100 AS c, abs(random()) % 10 AS s, abs(random()) % {365 * 24 * 3600} AS t
                FROM n
            )
            SELECT {GUILD}, 10000 + CAST(u * u * {members} AS INTEGER), 'mls-c01', bank.qid, bank.domain,
                   bank.task, CASE WHEN s < 7 THEN 'daily' ELSE 'quiz' END, c < 65,
                   CASE WHEN c >= 65 THEN 0 WHEN s < 7 THEN 10 ELSE 5 END,
                   strftime('%Y-%m-%d %H:%M:%f000', '{NOW.strftime("%Y-%m-%d %H:%M:%S")}', '-' || t || ' seconds')
            FROM draws JOIN bank ON bank.n = draws.q
            """
        )
        db.execute(
            "INSERT INTO member_stats (guild_id, user_id, pack, task_id, domain_id, attempts, correct)"
            " SELECT guild_id, user_id, pack, task_id, domain_id, count(*), sum(correct) FROM attempts"
            " GROUP BY guild_id, user_id, pack, task_id"
        )
        db.execute(
            "INSERT INTO members (guild_id, user_id, points, streak, best_streak)"
            " SELECT guild_id, user_id, sum(points), 0, 0 FROM attempts GROUP BY guild_id, user_id"
        )
        for period, start in (
            ("week", "date(answered_at, '-6 days', 'weekday 1')"),
            ("month", "date(answered_at, 'start of month')"),
            ("all", "'1970-01-01'"),
        ):
            # The overall board, and each exam's domain boards ("<pack>:<domain>", as the bot keys them).
            for domain in ("''", "pack || ':' || domain_id"):
                db.execute(
                    "INSERT INTO period_stats (guild_id, user_id, period, period_start, domain_id, points,"
                    f" answered, correct, accuracy) SELECT guild_id, user_id, '{period}', {start}, {domain},"
                    " sum(points), count(*), sum(correct), sum(correct) * 1000000 / count(*) FROM attempts"
                    f" GROUP BY guild_id, user_id, {start}, {domain}"
                )
        db.commit()
        db.execute("ANALYZE")
    finally:
        db.close()


async def fill_postgres(url: str, members: int, answers: int) -> None:
    """`fill`, in PostgreSQL's SQL: the same draws, periods and aggregates."""
    pack = load_packs(SHIPPED_QUESTIONS)["mls-c01"]
    db = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await db.execute(
            "INSERT INTO guilds (id, pack, timezone, hide_answers, quiz_window_seconds, joined_at)"
            " VALUES ($1, 'mls-c01', 'UTC', false, 60, $2)",
            GUILD,
            NOW,
        )
        await db.execute("CREATE TEMP TABLE bank (n integer PRIMARY KEY, qid text, domain text, task text)")
        await db.executemany(
            "INSERT INTO bank VALUES ($1, $2, $3, $4)",
            [(i, q.id, q.domain_id, q.task_id) for i, q in enumerate(pack.active_questions)],
        )
        await db.execute(
            f"""
            INSERT INTO attempts (guild_id, user_id, pack, question_id, domain_id, task_id, source, correct,
                                  points, answered_at)
            SELECT {GUILD}, 10000 + floor(u * u * {members})::bigint, 'mls-c01', bank.qid, bank.domain,
                   bank.task, CASE WHEN s < 7 THEN 'daily' ELSE 'quiz' END, c < 65,
                   CASE WHEN c >= 65 THEN 0 WHEN s < 7 THEN 10 ELSE 5 END, $1::timestamptz - t * interval '1 second'
            FROM (
                SELECT random() AS u, floor(random() * {len(pack.active_questions)})::int AS q,
                       floor(random() * 100)::int AS c, floor(random() * 10)::int AS s,
                       floor(random() * {365 * 24 * 3600})::int AS t
                FROM generate_series(1, {answers})
            ) AS draws JOIN bank ON bank.n = draws.q
            """,
            NOW,
        )
        await db.execute(
            "INSERT INTO member_stats (guild_id, user_id, pack, task_id, domain_id, attempts, correct)"
            " SELECT guild_id, user_id, pack, task_id, min(domain_id), count(*), sum(correct::int) FROM attempts"
            " GROUP BY guild_id, user_id, pack, task_id"
        )
        await db.execute(
            "INSERT INTO members (guild_id, user_id, points, streak, best_streak)"
            " SELECT guild_id, user_id, sum(points), 0, 0 FROM attempts GROUP BY guild_id, user_id"
        )
        for period, start in (
            ("week", "date_trunc('week', answered_at AT TIME ZONE 'UTC')::date"),
            ("month", "date_trunc('month', answered_at AT TIME ZONE 'UTC')::date"),
            ("all", "DATE '1970-01-01'"),
        ):
            for domain in ("''", "pack || ':' || domain_id"):
                await db.execute(
                    "INSERT INTO period_stats (guild_id, user_id, period, period_start, domain_id, points,"
                    f" answered, correct, accuracy) SELECT guild_id, user_id, '{period}', {start}, {domain},"
                    " sum(points), count(*), sum(correct::int), sum(correct::int) * 1000000 / count(*)"
                    " FROM attempts GROUP BY guild_id, user_id, 4, 5"  # period start, domain
                )
        await db.execute("ANALYZE")
    finally:
        await db.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(url: str, params: BoardsParams) -> tuple[list[float], list[float]]:
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        guilds = GuildService(
            sessions, load_packs(SHIPPED_QUESTIONS), default_pack="mls-c01", default_timezone="UTC"
        )
        progress = ProgressService(sessions, guilds)
        rng = random.Random(2)
        callers = [10_000 + rng.randrange(params.members) for _ in range(200)]
        boards: list[float] = []
        for _ in range(2):  # the first round warms the page cache; only the second is kept
            boards.clear()
            for period in ("week", "month", "all"):
                for domain in (None, "1", "2", "3", "4"):
                    for by in ("points", "accuracy"):
                        started = time.perf_counter()
                        await progress.leaderboard(GUILD, rng.choice(callers), period, by, domain, NOW)
                        boards.append((time.perf_counter() - started) * 1000)
        stats = []
        for caller in callers[: params.stats_samples]:
            started = time.perf_counter()
            await progress.member_progress(GUILD, caller, NOW)
            stats.append((time.perf_counter() - started) * 1000)
        return boards, stats
    finally:
        await engine.dispose()


async def run(params: BoardsParams, database: str) -> Report:
    report = Report(
        "boards",
        "3. Leaderboards and statistics at scale",
        scenario=f"{params.members:,} members, answers spread over a year; every board (3 periods x 5 domain "
        "scopes x 2 rankings) and /stats for sampled members, timed through the bot's service layer.",
    )
    results: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in params.sizes:
            async with filled_database(
                database,
                Path(tmp) / str(size),
                functools.partial(fill, members=params.members, answers=size),
                functools.partial(fill_postgres, members=params.members, answers=size),
            ) as (url, seconds):
                report.notes.append(f"{size:,} answers generated and aggregated in {seconds:.0f} s")
                boards, stats = await measure(url, params)
            results[size] = (percentile(boards, 0.95), percentile(stats, 0.95))
            report.notes.append(
                f"at {size:,} answers: /leaderboard p95 {results[size][0]:.1f} ms (median "
                f"{statistics.median(boards):.1f}, max {max(boards):.1f}); /stats p95 {results[size][1]:.1f} ms"
            )
    small, large = params.sizes[0], params.sizes[-1]
    for index, command in enumerate(("/leaderboard", "/stats")):
        value, reference = results[large][index], results[small][index]
        report.figures.append(
            Figure(
                f"{command} p95 at {large:,} answers",
                value,
                "ms",
                reference,
                f"at {small:,} answers",
                f"< {params.bar_ms:.0f} ms",
                value < params.bar_ms,
            )
        )
    report.notes.append("Growth is the ratio column: the same command at 10x the answers.")
    return report


BENCHMARK = Benchmark(
    name="boards",
    title="3. Leaderboards and statistics at scale",
    order=3,
    full=BoardsParams(members=50_000, sizes=(100_000, 1_000_000), stats_samples=100),
    smoke=BoardsParams(members=300, sizes=(2_000, 6_000), stats_samples=10, bar_ms=1e9),
    run=run,
)
