"""`studybot questions analyse` and `questions reports` as a pack maintainer runs them, on answers and
reports stored the way the bot stores them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from bot.bank import load_pack
from bot.db import migrate, repo
from bot.db.engine import create_engine, session_factory
from bot.services.feedback import FeedbackService
from tests.integration.test_cli import studybot
from tests.packs import question, write_pack

T0 = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SOUND = [f"tst-1.1-{n:03d}" for n in range(1, 6)]
WRONG_KEY = "tst-1.1-009"  # the pack's key is A; the strong members know it is B


async def _seed(database_url: str, packs: Path) -> None:
    """40 members of spread ability answer five sound questions and one with a wrong key; two reports."""
    pack = load_pack(packs / "tst")
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    sessions = session_factory(engine)
    graded = []
    for user in range(1, 41):
        right_of_five = user % 6  # 0..5 of the sound questions right: abilities spread evenly
        for n, qid in enumerate(SOUND):
            correct = n < right_of_five
            graded.append(_graded(user, qid, "A" if correct else "C", correct, T0))
        strong = right_of_five >= 3
        graded.append(_graded(user, WRONG_KEY, "B" if strong else "A", not strong, T0))
        # A later review right answer must not count: only first answers do.
        graded.append(_graded(user, WRONG_KEY, "A", True, T0 + dt.timedelta(days=1), source="review"))
    async with sessions.begin() as session:
        await repo.add_graded(session, graded)
    feedback = FeedbackService(sessions)
    await feedback.report(
        pack, WRONG_KEY, guild_id=111, user_id=5, reason="wrong-key", source="daily", now=T0
    )
    await feedback.comment("tst", WRONG_KEY, 5, "B is right: the docs say so.")
    await feedback.report(
        pack, WRONG_KEY, guild_id=None, user_id=4, reason="two-right", source="mock", now=T0
    )
    await feedback.report(pack, SOUND[0], guild_id=222, user_id=9, reason="typo", source="review", now=T0)
    await engine.dispose()


def _graded(
    user: int, qid: str, letters: str, correct: bool, at: dt.datetime, source: str = "daily"
) -> repo.GradedAnswer:
    return repo.GradedAnswer(111, user, "tst", qid, "1", "1.1", source, correct, 0, at, letters)


def _write(tmp_path: Path) -> Path:
    packs = tmp_path / "packs"
    write_pack(packs, [question(qid, stem=f"Which storage fits case {qid}?") for qid in [*SOUND, WRONG_KEY]])
    return packs


async def test_analyse_flags_the_wrong_key_first_and_exports_csv_and_json(
    database_url: str, tmp_path: Path
) -> None:
    packs = _write(tmp_path)
    await _seed(database_url, packs)
    env = {"DATABASE_URL": database_url, "QUESTIONS_DIR": str(packs)}

    table = studybot("questions", "analyse", "tst", cwd=tmp_path, **env)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    # The wrong key, and the sound question only the strongest six get right.
    assert lines[0] == "tst: 6 questions with at least 30 first answers, 2 flagged"
    first_row = lines[3].split()
    assert first_row[:2] == [WRONG_KEY, "40"]  # the most troubling first; reviews not counted
    assert float(first_row[4]) < 0  # negative discrimination
    assert "negative discrimination" in lines[4]
    assert "the top group chose B more often than the key" in table.stdout
    assert (
        f"{SOUND[4]}               40  0.15" in table.stdout and "almost nobody gets it right" in table.stdout
    )

    exported = studybot("questions", "analyse", "tst", "--format", "csv", cwd=tmp_path, **env)
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert rows[0]["question"] == WRONG_KEY and len(rows) == 6
    assert json.loads(rows[0]["options"]) == {"A": 20, "B": 20}

    as_json = studybot("questions", "analyse", "tst", "--format", "json", cwd=tmp_path, **env)
    flagged = json.loads(as_json.stdout)[0]
    assert flagged["question"] == WRONG_KEY and flagged["difficulty"] == 0.5
    assert flagged["upper_options"] == {"B": 10} and flagged["lower_options"] == {"A": 10}

    too_few = studybot("questions", "analyse", "tst", "--min-answers", "41", cwd=tmp_path, **env)
    assert "no question has 41 first answers yet" in too_few.stdout


async def test_reports_are_listed_by_question_with_the_item_figures(
    database_url: str, tmp_path: Path
) -> None:
    packs = _write(tmp_path)
    await _seed(database_url, packs)
    env = {"DATABASE_URL": database_url, "QUESTIONS_DIR": str(packs)}

    listed = studybot("questions", "reports", cwd=tmp_path, **env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "2 questions reported, most reported first"
    assert lines[1].startswith(
        f"tst {WRONG_KEY}: 2 reports: the key is wrong (1), more than one answer is right (1);"
    )
    assert "40 answers, p 0.50" in lines[1]
    assert '"B is right: the docs say so."' in listed.stdout

    rows = json.loads(studybot("questions", "reports", "--format", "json", cwd=tmp_path, **env).stdout)
    assert [(r["question"], r["reports"], r["servers"]) for r in rows] == [
        (WRONG_KEY, 2, [111]),
        (SOUND[0], 1, [222]),
    ]


async def test_an_unknown_pack_is_named_with_the_packs_there_are(database_url: str, tmp_path: Path) -> None:
    packs = _write(tmp_path)
    await _seed(database_url, packs)
    env = {"DATABASE_URL": database_url, "QUESTIONS_DIR": str(packs)}
    result = studybot("questions", "analyse", "nope", cwd=tmp_path, **env)
    assert result.returncode == 2
    assert "no pack 'nope'" in result.stderr and "packs: tst" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_the_bot_never_used_is_named(tmp_path: Path) -> None:
    packs = _write(tmp_path)
    result = studybot("questions", "reports", cwd=tmp_path, QUESTIONS_DIR=str(packs))
    assert result.returncode == 2
    assert "DATABASE_URL=sqlite+aiosqlite:///data/studybot.db" in result.stderr
    assert "holds no answers yet" in result.stderr and "Traceback" not in result.stderr
