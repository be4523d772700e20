"""9. Item analysis at 1,000,000 answers: `studybot questions analyse` as a pack maintainer runs it.

A year of first answers (and reviews, which the analysis must leave out) to the AIF-C01 pack's
single-answer questions, from 20,000 members of spread ability, is generated straight into the database.
One question carries a planted wrong key: the stronger members choose another option and are marked
wrong. The command is run as a separate process, at 100,000 and at 1,000,000 answers, and timed from
start to its last line of output; the planted question must come first, flagged.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench.core import Benchmark, Figure, Report
from bench.databases import filled_database
from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.domain.pack import Question, QuestionKind

PACK = "aif-c01"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
STAMP = "%Y-%m-%d %H:%M:%S.%f"
COLUMNS = (
    "guild_id",
    "user_id",
    "pack",
    "question_id",
    "domain_id",
    "task_id",
    "source",
    "correct",
    "points",
    "answered_at",
    "letters",
)


@dataclass(frozen=True)
class AnalysisParams:
    members: int
    sizes: tuple[int, ...]  # answers in the database at each measured run; the last one is judged
    bar_seconds: float = 10.0


def _questions() -> list[Question]:
    pack = load_packs(SHIPPED_QUESTIONS)[PACK]
    return [q for q in pack.active_questions if q.kind is QuestionKind.SINGLE]


#: An attempts row, in the order of COLUMNS.
AttemptRow = tuple[int, int, str, str, str, str, str, bool, int, dt.datetime, str]


def answers(members: int, count: int) -> Iterator[AttemptRow]:
    """Answer rows: each member's chance of being right grows with their ability; a tenth of the rows
    are /review answers. The first question's stored key is wrong: strong members miss it."""
    rng = random.Random(9)
    questions = _questions()
    planted = questions[0]
    for n in range(count):
        user = 10_000 + rng.randrange(members)
        ability = 0.25 + 0.6 * ((user * 7919) % members) / members
        question = rng.choice(questions)
        (key,) = question.key
        wrong = [letter for letter in question.letters if letter != key]
        # On the planted question the strong pick the real answer and are marked wrong.
        correct = rng.random() > ability if question is planted else rng.random() < ability
        letters = key if correct else rng.choice(wrong)
        source = "review" if n % 10 == 0 else ("daily" if n % 3 else "quiz")
        at = NOW - dt.timedelta(seconds=rng.randrange(365 * 24 * 3600))
        yield (
            1,
            user,
            PACK,
            question.id,
            question.domain_id,
            question.task_id,
            source,
            correct,
            0,
            at,
            letters,
        )


def fill(path: Path, members: int, count: int) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA synchronous=OFF")
        db.executemany(
            f"INSERT INTO attempts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            ((*row[:9], row[9].strftime(STAMP), row[10]) for row in answers(members, count)),
        )
        db.commit()
    finally:
        db.close()


async def fill_postgres(url: str, members: int, count: int) -> None:
    db = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await db.copy_records_to_table("attempts", records=answers(members, count), columns=COLUMNS)
        await db.execute("ANALYZE attempts")
    finally:
        await db.close()


def analyse(url: str, folder: Path) -> tuple[float, list[dict[str, Any]]]:
    """Run the command as a maintainer does; its wall time and what it printed."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("QUESTIONS_DIR", None)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "questions", "analyse", PACK, "--format", "json"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"questions analyse failed: {result.stderr[-2000:]}")
    return seconds, json.loads(result.stdout)


async def run(params: AnalysisParams, database: str) -> Report:
    report = Report(
        "analysis",
        "9. Item analysis at scale",
        scenario=f"{params.members:,} members' answers to the {PACK} pack's single-answer questions (a tenth "
        "of them /review answers, which do not count), one question with a planted wrong key; "
        "`studybot questions analyse` run as its own process and timed to its last line of output.",
    )
    planted = _questions()[0].id
    timings: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in params.sizes:
            folder = Path(tmp) / str(size)
            async with filled_database(
                database,
                folder,
                functools.partial(fill, members=params.members, count=size),
                functools.partial(fill_postgres, members=params.members, count=size),
            ) as (url, seconds):
                report.notes.append(f"{size:,} answers generated in {seconds:.0f} s")
                timings[size], items = analyse(url, folder)
            report.notes.append(
                f"at {size:,} answers: {len(items)} questions analysed in {timings[size]:.1f} s"
            )
        first = items[0] if items else {}
        report.check(
            "the planted wrong key comes first, flagged for negative discrimination",
            first.get("question") == planted and any("negative" in f for f in first.get("flags", [])),
            f"first: {first.get('question')} {first.get('flags')}",
        )
        others = [i for i in items[1:] if any("negative" in f for f in i["flags"])]
        report.check("no sound question is flagged for negative discrimination", not others, f"{len(others)}")
    small, large = params.sizes[0], params.sizes[-1]
    report.figures.append(
        Figure(
            f"questions analyse at {large:,} answers",
            timings[large],
            "s",
            timings[small],
            f"at {small:,} answers",
            f"< {params.bar_seconds:.0f} s",
            timings[large] < params.bar_seconds,
        )
    )
    return report


BENCHMARK = Benchmark(
    name="analysis",
    title="9. Item analysis at scale",
    order=9,
    full=AnalysisParams(members=20_000, sizes=(100_000, 1_000_000)),
    smoke=AnalysisParams(members=200, sizes=(10_000, 40_000), bar_seconds=1e9),
    run=run,
)
