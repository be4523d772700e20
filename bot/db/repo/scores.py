"""Graded answers: attempts, per-task totals, members' points and streaks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.db.dialects import Insert, PerDialect
from bot.db.models import (
    Answer,
    Attempt,
    Member,
    MemberStat,
)
from bot.db.repo._core import execute_core

# --- statistics ---------------------------------------------------------------------------------


#: Where statistics of mocks taken in direct messages are counted.
DM_GUILD = 0


@dataclass(frozen=True)
class GradedAnswer:
    guild_id: int | None  # None: a mock taken in direct messages
    user_id: int
    pack: str
    question_id: str
    domain_id: str
    task_id: str
    source: str  # daily, quiz or mock
    correct: bool
    points: int
    answered_at: dt.datetime
    letters: str | None = None  # the answer given, for item analysis


def _member_stats_upsert(insert: Insert) -> Executable:
    statement = insert(MemberStat)
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "user_id", "pack", "task_id"],
        set_={
            "attempts": MemberStat.attempts + statement.excluded.attempts,
            "correct": MemberStat.correct + statement.excluded.correct,
        },
    )


_ADD_TO_MEMBER_STATS = PerDialect(_member_stats_upsert)
_ADD_ATTEMPT = insert(Attempt)


async def add_graded(session: AsyncSession, graded: Sequence[GradedAnswer]) -> None:
    """Record graded answers as attempts and count them in their members' per-task totals; one
    statement for each, however many answers."""
    if not graded:
        return
    await execute_core(session, _ADD_ATTEMPT, [vars(g) for g in graded])  # fields named as the columns
    stats = [
        {
            "guild_id": DM_GUILD if g.guild_id is None else g.guild_id,
            "user_id": g.user_id,
            "pack": g.pack,
            "domain_id": g.domain_id,
            "task_id": g.task_id,
            "attempts": 1,
            "correct": int(g.correct),
        }
        for g in graded
    ]
    await execute_core(session, _ADD_TO_MEMBER_STATS.on(session), stats)


async def member(session: AsyncSession, guild_id: int, user_id: int) -> Member:
    row = await session.get(Member, (guild_id, user_id))
    if row is None:
        row = Member(guild_id=guild_id, user_id=user_id, points=0, streak=0, best_streak=0)
        session.add(row)
        await session.flush()
    return row


#: current, best, the day of the last correct answer that counted
StoredStreak = tuple[int, int, dt.date | None]


async def answerer_streaks(session: AsyncSession, post_id: int, guild_id: int) -> dict[int, StoredStreak]:
    """The daily streaks of the members with a locked answer on a post (members not yet known are
    absent)."""
    query = (
        select(Member.user_id, Member.streak, Member.best_streak, Member.last_streak_day)
        .join(Answer, (Answer.user_id == Member.user_id) & (Answer.post_id == post_id))
        .where(Member.guild_id == guild_id, Answer.locked.is_(True))
    )
    return {int(u): (int(c), int(b), last) for u, c, b, last in (await session.execute(query)).all()}


def _member_scores_upsert(insert: Insert) -> Executable:
    statement = insert(Member)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "user_id"],
        set_={
            "points": Member.points + new.points,
            "streak": new.streak,
            "best_streak": new.best_streak,
            "last_streak_day": new.last_streak_day,
        },
    )


_ADD_MEMBER_SCORES = PerDialect(_member_scores_upsert)


async def add_member_scores(session: AsyncSession, scores: Sequence[Mapping[str, Any]]) -> None:
    """Add points to members and set their streaks (``guild_id``, ``user_id``, ``points`` to add,
    ``streak``, ``best_streak``, ``last_streak_day``), creating members not yet known; one statement."""
    if scores:
        await execute_core(session, _ADD_MEMBER_SCORES.on(session), scores)
