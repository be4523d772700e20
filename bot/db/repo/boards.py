"""Week, month and all-time totals per member and domain: the leaderboards and ranks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import (
    ColumnElement,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable, Select
from sqlalchemy.sql.selectable import ScalarSelect

from bot.db.dialects import Insert, PerDialect
from bot.db.models import (
    PeriodStat,
    ScoreArchive,
)
from bot.db.repo._core import execute_core
from bot.db.timestamps import as_utc

# --- progress -------------------------------------------------------------------------------------


PPM = 1_000_000


#: server, member, domain, points earned, correct, the period starts the answer counts in
PeriodStatDelta = tuple[int, int, str, int, bool, Mapping[str, dt.date]]


def _period_stats_upsert(insert: Insert) -> Executable:
    statement = insert(PeriodStat)
    added = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "user_id", "period", "period_start", "domain_id"],
        set_={
            "points": PeriodStat.points + added.points,
            "answered": PeriodStat.answered + added.answered,
            "correct": PeriodStat.correct + added.correct,
            "accuracy": (PeriodStat.correct + added.correct) * PPM // (PeriodStat.answered + added.answered),
        },
    )


_ADD_TO_PERIOD_STATS = PerDialect(_period_stats_upsert)


async def add_to_period_stats(session: AsyncSession, deltas: Sequence[PeriodStatDelta]) -> None:
    """Count graded answers in their members' week, month and all-time totals, overall and per domain,
    one statement for them all."""
    rows = [
        {
            "guild_id": guild_id,
            "user_id": user_id,
            "period": period,
            "period_start": start,
            "domain_id": domain,
            "points": points,
            "answered": 1,
            "correct": int(correct),
            "accuracy": PPM * int(correct),
        }
        for guild_id, user_id, domain_id, points, correct, starts in deltas
        for period, start in starts.items()
        for domain in ("", domain_id)
    ]
    if rows:
        await execute_core(session, _ADD_TO_PERIOD_STATS.on(session), rows)


def _board(guild_id: int, period: str, start: dt.date, domain_id: str) -> list[ColumnElement[bool]]:
    return [
        PeriodStat.guild_id == guild_id,
        PeriodStat.period == period,
        PeriodStat.period_start == start,
        PeriodStat.domain_id == domain_id,
    ]


async def top_by_points(
    session: AsyncSession, guild_id: int, period: str, start: dt.date, domain_id: str, limit: int
) -> list[PeriodStat]:
    query = (
        select(PeriodStat)
        .where(*_board(guild_id, period, start, domain_id))
        .order_by(PeriodStat.points.desc(), PeriodStat.correct.desc(), PeriodStat.user_id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def top_by_accuracy(
    session: AsyncSession,
    guild_id: int,
    period: str,
    start: dt.date,
    domain_id: str,
    minimum: int,
    limit: int,
) -> list[PeriodStat]:
    query = (
        select(PeriodStat)
        .where(*_board(guild_id, period, start, domain_id), PeriodStat.answered >= minimum)
        .order_by(PeriodStat.accuracy.desc(), PeriodStat.answered.desc(), PeriodStat.user_id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def period_row(
    session: AsyncSession, guild_id: int, user_id: int, period: str, start: dt.date, domain_id: str
) -> PeriodStat | None:
    return await session.get(PeriodStat, (guild_id, user_id, period, start, domain_id))


def _rank(board: list[ColumnElement[bool]], mine: PeriodStat, first: str, second: str) -> Select[tuple[int]]:
    """1 + the rows ranked above ``mine`` on a board ordered by ``first``, then ``second``, both
    descending, then by user id (the boards' own order, so a rank always matches the listing). Counted
    as three ranges of the board's index rather than one OR over every row of the board."""
    a, b = getattr(PeriodStat, first), getattr(PeriodStat, second)
    mine_a, mine_b = getattr(mine, first), getattr(mine, second)

    def count(*where: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(func.count()).select_from(PeriodStat).where(*board, *where).scalar_subquery()

    ahead = (
        count(a > mine_a)
        + count(a == mine_a, b > mine_b)
        + count(a == mine_a, b == mine_b, PeriodStat.user_id < mine.user_id)
    )
    return select(ahead + 1)


async def rank_by_points(
    session: AsyncSession, guild_id: int, period: str, start: dt.date, domain_id: str, mine: PeriodStat
) -> int:
    query = _rank(_board(guild_id, period, start, domain_id), mine, "points", "correct")
    return int(await session.scalar(query) or 0)


async def rank_by_accuracy(
    session: AsyncSession,
    guild_id: int,
    period: str,
    start: dt.date,
    domain_id: str,
    minimum: int,
    mine: PeriodStat,
) -> int:
    board = [*_board(guild_id, period, start, domain_id), PeriodStat.answered >= minimum]
    return int(await session.scalar(_rank(board, mine, "accuracy", "answered")) or 0)


async def last_score_reset(session: AsyncSession, guild_id: int) -> dt.datetime | None:
    """When the server's scores were last archived and reset, if ever."""
    when = await session.scalar(
        select(func.max(ScoreArchive.archived_at)).where(ScoreArchive.guild_id == guild_id)
    )
    return None if when is None else as_utc(when)


async def clear_period_stats(session: AsyncSession, guild_id: int, user_id: int | None) -> None:
    statement = delete(PeriodStat).where(PeriodStat.guild_id == guild_id)
    if user_id is not None:
        statement = statement.where(PeriodStat.user_id == user_id)
    await session.execute(statement)
