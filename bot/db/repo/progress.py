"""A member's history: per-task totals, recent attempts, activity, finished mocks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Attempt,
    MemberStat,
    MockSession,
    PeriodStat,
)
from bot.db.repo.scores import member


async def forget_in_guild(session: AsyncSession, guild_id: int, user_id: int, now: dt.datetime) -> None:
    """A member who left: off every board of that server at once."""
    await session.execute(
        delete(PeriodStat).where(PeriodStat.guild_id == guild_id, PeriodStat.user_id == user_id)
    )
    row = await member(session, guild_id, user_id)
    row.left_at = now


async def member_task_stats(
    session: AsyncSession, guild_id: int, user_id: int, pack: str
) -> list[MemberStat]:
    query = select(MemberStat).where(
        MemberStat.guild_id == guild_id, MemberStat.user_id == user_id, MemberStat.pack == pack
    )
    return list((await session.scalars(query)).all())


async def recent_attempts(session: AsyncSession, user_id: int, pack: str, limit: int) -> list[Attempt]:
    query = (
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.pack == pack)
        .order_by(Attempt.answered_at.desc(), Attempt.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def member_attempts_since(
    session: AsyncSession, guild_id: int, user_id: int, pack: str, since: dt.datetime
) -> list[Attempt]:
    query = select(Attempt).where(
        Attempt.guild_id == guild_id,
        Attempt.user_id == user_id,
        Attempt.answered_at >= since,
        Attempt.pack == pack,
    )
    return list((await session.scalars(query)).all())


async def member_task_totals(session: AsyncSession, user_id: int, pack: str) -> dict[str, tuple[int, int]]:
    """A member's attempts and right answers per task statement of one exam, in every server."""
    query = (
        select(MemberStat.task_id, func.sum(MemberStat.attempts), func.sum(MemberStat.correct))
        .where(MemberStat.user_id == user_id, MemberStat.pack == pack)
        .group_by(MemberStat.task_id)
    )
    return {str(task): (int(a or 0), int(c or 0)) for task, a, c in await session.execute(query)}


async def member_activity(session: AsyncSession, guild_id: int, user_id: int) -> tuple[int, int]:
    """A member's graded answers and finished mocks in a server."""
    answers = await session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.guild_id == guild_id, Attempt.user_id == user_id)
    )
    mocks = await session.scalar(
        select(func.count())
        .select_from(MockSession)
        .where(
            MockSession.guild_id == guild_id,
            MockSession.user_id == user_id,
            MockSession.scaled_score.is_not(None),
        )
    )
    return int(answers or 0), int(mocks or 0)


async def latest_practised_pack(session: AsyncSession, guild_id: int | None, user_id: int) -> str | None:
    """The exam of the member's latest answer in this server (any server, outside one)."""
    query = select(Attempt.pack).where(Attempt.user_id == user_id)
    if guild_id is not None:
        query = query.where(Attempt.guild_id == guild_id)
    return await session.scalar(query.order_by(Attempt.answered_at.desc(), Attempt.id.desc()).limit(1))


async def finished_mocks(
    session: AsyncSession, user_id: int, guild_id: int | None, pack: str
) -> list[MockSession]:
    query = select(MockSession).where(
        MockSession.user_id == user_id,
        MockSession.pack == pack,
        MockSession.guild_id.is_not_distinct_from(guild_id),
        MockSession.scaled_score.is_not(None),  # graded: not one closed ungraded
    )
    return list((await session.scalars(query)).all())
