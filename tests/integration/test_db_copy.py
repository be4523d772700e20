"""`studybot db copy`: a group that outgrows its SQLite file moves everything to PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.__main__ import main
from bot.db import migrate
from bot.db.engine import create_engine, session_factory
from bot.db.models import Answer, Attempt, Base, Guild, MockAnswer, MockSession, Post, ReviewCard, StudyPlan

NOW = dt.datetime(2026, 12, 4, 18, 30, 15, 123456, tzinfo=dt.UTC)


async def fill(url: str) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with session_factory(engine).begin() as session:
        session.add(
            Guild(id=1 << 60, pack="aip-c01", timezone="Asia/Tokyo", hide_answers=True, joined_at=NOW)
        )
        await session.flush()
        for n in range(1, 4):
            post = Post(
                guild_id=1 << 60,
                channel_id=7,
                kind="daily",
                pack="aip-c01",
                question_id=f"aip-1.1-00{n}",
                state="closed",
                opened_at=NOW,
                closes_at=NOW + dt.timedelta(hours=n),
            )
            session.add(post)
            await session.flush()
            session.add(Answer(post_id=post.id, user_id=42, letters="AC", locked=True, answered_at=NOW))
        mock = MockSession(user_id=42, pack="aip-c01", question_ids="a,b", started_at=NOW, deadline=NOW)
        session.add(mock)
        await session.flush()
        session.add(MockAnswer(session_id=mock.id, position=1, letters="B", flagged=True))
        session.add(
            Attempt(
                guild_id=1 << 60,
                user_id=42,
                pack="aip-c01",
                question_id="aip-1.1-001",
                domain_id="1",
                task_id="1.1",
                source="mock",
                correct=False,
                points=0,
                answered_at=NOW,
            )
        )
        session.add(
            ReviewCard(
                user_id=42,
                pack="aip-c01",
                question_id="aip-1.1-001",
                due=NOW,
                state=1,
                step=0,
                stability=None,
                difficulty=None,
                last_review=None,
                added_at=NOW,
            )
        )
        session.add(
            StudyPlan(user_id=42, pack="aip-c01", exam_date=NOW.date(), timezone="UTC", created_at=NOW)
        )
    await engine.dispose()


async def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        found = {
            t.name: await connection.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
    await engine.dispose()
    return found


async def test_copy_from_sqlite_to_postgresql_keeps_every_row(
    tmp_path: Path, postgres_server, capsys
) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server")
    source = f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}"
    await fill(source)
    target_name = await postgres_server.create_database()
    target = postgres_server.url_of(target_name)
    try:
        assert await asyncio.to_thread(main, ["db", "copy", source, target]) == 0
        assert "row counts match" in capsys.readouterr().out
        assert await counts(target) == await counts(source)

        engine = create_engine(target)
        async with session_factory(engine).begin() as session:
            guild = await session.get(Guild, 1 << 60)
            assert guild is not None and guild.hide_answers is True and guild.joined_at == NOW
            answer = (await session.scalars(select(Answer))).first()
            assert answer is not None and answer.locked is True and answer.answered_at == NOW
            # New rows get new ids: the id sequences start after the copied ones.
            post = Post(
                guild_id=1 << 60,
                channel_id=7,
                kind="quiz",
                pack="aip-c01",
                question_id="x",
                state="open",
                opened_at=NOW,
                closes_at=NOW,
            )
            session.add(post)
            await session.flush()
            assert post.id == 4
        await engine.dispose()

        # A second copy into the same database would mix two servers' data: refused, nothing changed.
        assert await asyncio.to_thread(main, ["db", "copy", source, target]) == 2
        err = capsys.readouterr().err
        assert "already holds data" in err and "Traceback" not in err
    finally:
        await postgres_server.drop_database(target_name)


def test_copy_from_a_database_not_yet_migrated_is_refused(tmp_path: Path, capsys) -> None:
    empty = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    assert main(["db", "copy", empty, f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"]) == 2
    err = capsys.readouterr().err
    assert "studybot db upgrade" in err and "Traceback" not in err
