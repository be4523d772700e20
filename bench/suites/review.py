"""6. What is due: a member's spaced-review queue among millions of cards.

A server of 50,000 members who each hold 100 review cards (5,000,000 in all), due at times spread over
the next months and the past few days, generated straight into the database. What `/review`,
`/help` and `/plan show` ask ("which of my cards are due now, most overdue first") is timed through the
bot's own repository function for sampled members, at a tenth of the cards and at all of them, so the
growth between the two is measured in the same run.
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
from bench.suites.boards import percentile
from bot.db import reviews
from bot.db.engine import create_engine, session_factory

PACK = "aip-c01"
NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)
STAMP = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class DueParams:
    members: int
    cards_per_member: tuple[int, ...]  # for each measured round; the last one is judged
    samples: int
    bar_ms: float = 10.0


def fill(path: Path, members: int, per_member: int) -> None:
    """``per_member`` cards for each member, due between 5 days ago and 120 days ahead."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-400000")
        start = (NOW - dt.timedelta(days=5)).strftime(STAMP)
        db.execute(
            f"""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {members * per_member - 1})
            INSERT INTO review_cards (user_id, pack, question_id, due, state, step, stability, difficulty,
                                      last_review, added_at)
            SELECT 10000 + i / {per_member}, '{PACK}', printf('aip-q-%04d', i % {per_member}),
                   strftime('%Y-%m-%d %H:%M:%f', '{start}', '+' || (abs(random()) % (125 * 86400)) || ' seconds'),
                   2, NULL, 10.0, 5.0, '{start}', '{start}'
            FROM n
            """
        )
        db.commit()
        db.execute("ANALYZE")
    finally:
        db.close()


async def fill_postgres(url: str, members: int, per_member: int) -> None:
    """`fill`, in PostgreSQL's SQL."""
    db = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        start = NOW - dt.timedelta(days=5)
        await db.execute(
            f"""
            INSERT INTO review_cards (user_id, pack, question_id, due, state, step, stability, difficulty,
                                      last_review, added_at)
            SELECT 10000 + i / {per_member}, '{PACK}', 'aip-q-' || lpad((i % {per_member})::text, 4, '0'),
                   $1::timestamptz + floor(random() * {125 * 86400}) * interval '1 second', 2, NULL, 10.0, 5.0, $1, $1
            FROM generate_series(0, {members * per_member - 1}) AS i
            """,
            start,
        )
        await db.execute("ANALYZE")
    finally:
        await db.close()


async def measure(url: str, params: DueParams) -> list[float]:
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        rng = random.Random(6)
        members = [10_000 + rng.randrange(params.members) for _ in range(params.samples)]
        timings: list[float] = []
        for _ in range(2):  # the first round warms the page cache; only the second is kept
            timings.clear()
            for member in members:
                started = time.perf_counter()
                async with sessions() as session:
                    await reviews.draw(session, member, PACK, NOW, 10)
                timings.append((time.perf_counter() - started) * 1000)
        return timings
    finally:
        await engine.dispose()


async def run(params: DueParams, database: str) -> Report:
    report = Report(
        "review",
        "6. What is due",
        scenario=f"{params.members:,} members of one server, each with up to {params.cards_per_member[-1]} "
        "review cards due over the next months; a member's due cards, most overdue first (what /review asks), "
        "timed through the bot's repository function.",
    )
    results: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for per_member in params.cards_per_member:
            async with filled_database(
                database,
                Path(tmp) / str(per_member),
                functools.partial(fill, members=params.members, per_member=per_member),
                functools.partial(fill_postgres, members=params.members, per_member=per_member),
            ) as (url, seconds):
                cards = params.members * per_member
                report.notes.append(f"{cards:,} cards generated in {seconds:.0f} s")
                timings = await measure(url, params)
            results[cards] = percentile(timings, 0.95)
            report.notes.append(
                f"at {cards:,} cards: p95 {results[cards]:.2f} ms (median {statistics.median(timings):.2f}, "
                f"max {max(timings):.2f})"
            )
    small, large = min(results), max(results)
    report.figures.append(
        Figure(
            f"what is due, p95 at {large:,} cards",
            results[large],
            "ms",
            results[small],
            f"at {small:,} cards",
            f"< {params.bar_ms:.0f} ms",
            results[large] < params.bar_ms,
        )
    )
    return report


BENCHMARK = Benchmark(
    name="review",
    title="6. What is due",
    order=6,
    full=DueParams(members=50_000, cards_per_member=(10, 100), samples=200),
    smoke=DueParams(members=200, cards_per_member=(5, 20), samples=20, bar_ms=1e9),
    run=run,
)
