"""Mock exams: starting, answering, finishing, history; and which questions the database uses."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import Executable

from bot.db import driver
from bot.db.dialects import Insert, PerDialect
from bot.db.driver import Step, Work
from bot.db.models import (
    Attempt,
    MockAnswer,
    MockSession,
    Post,
)
from bot.db.repo._core import execute_core

# --- mocks ----------------------------------------------------------------------------------------


# A mock belongs to the server it was started in (None: direct messages): resumed, listed and counted
# there only. IS NOT DISTINCT FROM, so that direct messages' None matches None.
async def running_mock(session: AsyncSession, user_id: int, guild_id: int | None) -> MockSession | None:
    """A member's unfinished mock in a server, if any (its deadline may have passed)."""
    query = select(MockSession).where(
        MockSession.user_id == user_id,
        MockSession.guild_id.is_not_distinct_from(guild_id),
        MockSession.finished_at.is_(None),
    )
    return await session.scalar(query.order_by(MockSession.id.desc()))


# Starting a mock (a crowd starts theirs within seconds) is two units of work: read what the draw needs,
# then store the new mock.
_RUNNING_MOCK_ID = (
    select(MockSession.id)
    .where(
        MockSession.user_id == bindparam("user_id"),
        MockSession.guild_id.is_not_distinct_from(bindparam("guild_id")),
        MockSession.finished_at.is_(None),
    )
    .order_by(MockSession.id.desc())
)
_LAST_SEEN = (
    select(Attempt.question_id, func.max(Attempt.answered_at))
    .where(Attempt.user_id == bindparam("user_id"), Attempt.pack == bindparam("pack"))
    .group_by(Attempt.question_id)
)
_CREATE_MOCK = (
    insert(MockSession)
    .values(
        guild_id=bindparam("guild_id"),
        user_id=bindparam("user_id"),
        pack=bindparam("pack"),
        question_ids=bindparam("question_ids"),
        position=bindparam("position"),
        started_at=bindparam("started_at"),
        deadline=bindparam("deadline"),
    )
    .returning(MockSession.id)
)


@dataclass(frozen=True)
class BeforeNewMock:
    running_id: int | None  # the member's unfinished mock (its deadline may have passed)
    last_seen: dict[str, dt.datetime]  # question id -> when the member last answered it


def _read_before_new_mock(member: tuple[int, int | None, str]) -> Work[BeforeNewMock]:
    user_id, guild_id, pack = member
    running = yield Step(_RUNNING_MOCK_ID, {"user_id": user_id, "guild_id": guild_id})
    seen = yield Step(_LAST_SEEN, {"user_id": user_id, "pack": pack})
    return BeforeNewMock(
        int(running[0][0]) if running else None,
        {str(question_id): driver.from_db(when) for question_id, when in seen},
    )


async def before_new_mock(
    sessions: async_sessionmaker[AsyncSession], user_id: int, guild_id: int | None, pack: str
) -> BeforeNewMock:
    """What starting a mock needs to know of the member: a mock still running in this server, and what
    they have seen."""
    return await driver.run(sessions, _read_before_new_mock, (user_id, guild_id, pack), write=False)


@dataclass(frozen=True)
class NewMock:
    guild_id: int | None
    user_id: int
    pack: str
    question_ids: tuple[str, ...]
    started_at: dt.datetime
    deadline: dt.datetime


def _insert_mock(mock: NewMock) -> Work[int]:
    created = yield Step(
        _CREATE_MOCK,
        {
            "guild_id": mock.guild_id,
            "user_id": mock.user_id,
            "pack": mock.pack,
            "question_ids": ",".join(mock.question_ids),
            "position": 0,
            "started_at": mock.started_at,
            "deadline": mock.deadline,
        },
    )
    return int(created[0][0])


async def create_mock(sessions: async_sessionmaker[AsyncSession], mock: NewMock) -> int:
    """Store a new mock at its first question; returns its id."""
    return await driver.run(sessions, _insert_mock, mock, write=True)


async def unfinished_mocks(session: AsyncSession) -> list[MockSession]:
    return list((await session.scalars(select(MockSession).where(MockSession.finished_at.is_(None)))).all())


async def mock_answers(session: AsyncSession, session_id: int) -> list[MockAnswer]:
    query = select(MockAnswer).where(MockAnswer.session_id == session_id).order_by(MockAnswer.position)
    return list((await session.scalars(query)).all())


MockPressRow = tuple[int, int, str | None, bool]  # mock id, position, letters (None: a move), flagged

# FOR SHARE (PostgreSQL): finishing a mock, which updates its row, waits for presses being written.
_MOCK_IS_OPEN = (
    select(MockSession.id)
    .where(MockSession.id == bindparam("mock_id"), MockSession.finished_at.is_(None))
    .with_for_update(read=True)
)


def _mock_answer_upsert(insert: Insert) -> Executable:
    statement = insert(MockAnswer).values(
        session_id=bindparam("mock_id"),
        position=bindparam("position"),
        letters=bindparam("letters"),
        flagged=bindparam("flagged"),
    )
    return statement.on_conflict_do_update(
        index_elements=["session_id", "position"],
        set_={"letters": statement.excluded.letters, "flagged": statement.excluded.flagged},
    )


_SAVE_MOCK_ANSWER = PerDialect(_mock_answer_upsert).by_dialect()
_MOVE_MOCK = (
    update(MockSession).where(MockSession.id == bindparam("mock_id")).values(position=bindparam("position"))
)


def _write_mock_presses(presses: Sequence[MockPressRow]) -> Work[list[bool]]:
    written = []
    for mock_id, position, letters, flagged in presses:
        still_open = bool((yield Step(_MOCK_IS_OPEN, {"mock_id": mock_id})))
        if still_open and letters is None:
            yield Step(_MOVE_MOCK, {"mock_id": mock_id, "position": position})
        elif still_open:
            yield Step(
                _SAVE_MOCK_ANSWER,
                {"mock_id": mock_id, "position": position, "letters": letters, "flagged": flagged},
            )
        written.append(still_open)
    return written


async def save_mock_presses(
    sessions: async_sessionmaker[AsyncSession], presses: Sequence[MockPressRow]
) -> list[bool]:
    """Write presses on running mocks in one transaction: an answer (letters, flag) to the question
    at a position, or (letters None) a move to it. False for a press on a mock that has finished."""
    return await driver.run(sessions, _write_mock_presses, presses, write=True)


_FINISH_MOCK = (
    update(MockSession)
    .where(MockSession.id == bindparam("mock_id"), MockSession.finished_at.is_(None))
    .values(
        finished_at=bindparam("finished_at"),
        correct=bindparam("correct"),
        scaled_score=bindparam("scaled_score"),
    )
)


async def finish_mock(
    session: AsyncSession, session_id: int, now: dt.datetime, correct: int, scaled_score: int
) -> bool:
    """Compare-and-set: only the first caller finishes (and grades) a mock."""
    values = {"mock_id": session_id, "finished_at": now, "correct": correct, "scaled_score": scaled_score}
    result = await execute_core(session, _FINISH_MOCK, values)
    return bool(getattr(result, "rowcount", 0))


async def questions_in_use(session: AsyncSession) -> dict[tuple[str, str], Counter[str]]:
    """Every (pack, question id) the database refers to, with how many attempts, posts and mocks do."""
    uses: dict[tuple[str, str], Counter[str]] = {}
    for what, query in (
        (
            "attempts",
            select(Attempt.pack, Attempt.question_id, func.count()).group_by(
                Attempt.pack, Attempt.question_id
            ),
        ),
        ("posts", select(Post.pack, Post.question_id, func.count()).group_by(Post.pack, Post.question_id)),
    ):
        for pack, question_id, count in await session.execute(query):
            uses.setdefault((pack, question_id), Counter())[what] += count
    for pack, question_ids in await session.execute(select(MockSession.pack, MockSession.question_ids)):
        for question_id in question_ids.split(","):
            uses.setdefault((pack, question_id), Counter())["mocks"] += 1
    return uses


async def withdraw_mock(session: AsyncSession, session_id: int, now: dt.datetime) -> bool:
    """Close a running mock without grading it (no score: it stays out of history and statistics)."""
    result = await session.execute(
        update(MockSession)
        .where(MockSession.id == session_id, MockSession.finished_at.is_(None))
        .values(finished_at=now, correct=None, scaled_score=None)
    )
    return bool(getattr(result, "rowcount", 0))


async def mock_history(
    session: AsyncSession, user_id: int, guild_id: int | None, pack: str, limit: int
) -> list[MockSession]:
    query = (
        select(MockSession)
        .where(
            MockSession.user_id == user_id,
            MockSession.pack == pack,
            MockSession.guild_id.is_not_distinct_from(guild_id),
            MockSession.scaled_score.is_not(None),  # not one closed ungraded
        )
        .order_by(MockSession.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
