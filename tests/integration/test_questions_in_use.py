"""`studybot questions check --database URL` names questions a database still refers to that the bank
no longer holds (they should be retired, not deleted)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.db import migrate
from bot.db.engine import create_engine, session_factory
from bot.db.models import Attempt


async def database_with(tmp_path: Path, *question_ids: str) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with session_factory(engine).begin() as session:
        for question_id in question_ids:
            session.add(
                Attempt(
                    guild_id=1,
                    user_id=2,
                    pack="mls-c01",
                    question_id=question_id,
                    domain_id="1",
                    task_id="1.1",
                    source="daily",
                    correct=True,
                    points=10,
                    answered_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                )
            )
    await engine.dispose()
    return url


@pytest.mark.parametrize("gone", [False, True])
async def test_questions_gone_from_the_bank_are_reported(tmp_path, capsys, gone) -> None:
    ids = ["mls-1.1-001", "mls-1.1-999"] if gone else ["mls-1.1-001"]
    url = await database_with(tmp_path, *ids)
    code = await asyncio_main(["questions", "check", "--database", url])
    err = capsys.readouterr().err
    if gone:
        assert code == 1
        assert "question mls-1.1-999 is gone from the bank" in err and "1 attempts" in err
        assert "mls-1.1-001" not in err
    else:
        assert (code, err) == (0, "")


async def asyncio_main(argv: list[str]) -> int:
    """The command line runs its own event loop: run it off this test's loop."""
    import asyncio

    return await asyncio.to_thread(main, argv)
