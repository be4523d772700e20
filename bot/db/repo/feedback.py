"""What members say about questions (reports) and how questions fare (the answers item analysis reads)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialects import dialect_of, insert_for
from bot.db.models import QuestionReport
from bot.db.timestamps import as_utc
from bot.domain.item_analysis import FirstAnswer
from bot.domain.reports import Report

__all__ = [
    "comment_on_report",
    "first_answers",
    "question_reports",
    "save_report",
]


async def save_report(
    session: AsyncSession,
    *,
    pack: str,
    question_id: str,
    guild_id: int | None,
    user_id: int,
    reason: str,
    source: str,
    now: dt.datetime,
) -> None:
    """One report per member and question: a second one replaces the reason (and keeps any comment)."""
    values = {
        "pack": pack,
        "question_id": question_id,
        "guild_id": guild_id,
        "user_id": user_id,
        "reason": reason,
        "source": source,
        "reported_at": now,
    }
    statement = insert_for(session)(QuestionReport).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "pack", "question_id"],
            set_={k: statement.excluded[k] for k in ("guild_id", "reason", "source", "reported_at")},
        )
    )


async def comment_on_report(
    session: AsyncSession, *, pack: str, question_id: str, user_id: int, comment: str
) -> bool:
    """Add the member's comment to their report; False if they have none (erased meanwhile)."""
    result = await session.execute(
        update(QuestionReport)
        .where(
            QuestionReport.user_id == user_id,
            QuestionReport.pack == pack,
            QuestionReport.question_id == question_id,
        )
        .values(comment=comment or None)
    )
    return bool(getattr(result, "rowcount", 0))


async def question_reports(
    session: AsyncSession, *, pack: str | None = None, guild_id: int | None = None
) -> list[Report]:
    """Reports of one pack (or all), of one server (or all), oldest first."""
    query = select(QuestionReport).order_by(QuestionReport.reported_at, QuestionReport.id)
    if pack is not None:
        query = query.where(QuestionReport.pack == pack)
    if guild_id is not None:
        query = query.where(QuestionReport.guild_id == guild_id)
    return [
        Report(
            r.pack,
            r.question_id,
            r.guild_id,
            r.user_id,
            r.reason,
            r.comment,
            r.source,
            as_utc(r.reported_at),
        )
        for r in await session.scalars(query)
    ]


#: Each member's first answer to each of a pack's questions, outside /review (a review answers a question
#: already seen) and not left blank; the earliest wins, the row id breaking ties. SQLite takes the other
#: columns from the row holding the min() (its "bare column" rule); PostgreSQL has DISTINCT ON.
_FIRST_ANSWERS = {
    "sqlite": text(
        "SELECT user_id, question_id, correct, letters, min(answered_at || printf('%012d', id))"
        " FROM attempts WHERE pack = :pack AND source != 'review' AND (letters IS NULL OR letters != '')"
        " GROUP BY user_id, question_id"
    ),
    "postgresql": text(
        "SELECT DISTINCT ON (user_id, question_id) user_id, question_id, correct, letters"
        " FROM attempts WHERE pack = :pack AND source <> 'review' AND (letters IS NULL OR letters <> '')"
        " ORDER BY user_id, question_id, answered_at, id"
    ),
}


async def first_answers(session: AsyncSession, pack: str) -> list[FirstAnswer]:
    """What item analysis reads: plain rows, not objects, for a large bot has millions."""
    result = await session.execute(_FIRST_ANSWERS[dialect_of(session)], {"pack": pack})
    return [FirstAnswer(row[0], row[1], bool(row[2]), row[3]) for row in result]
