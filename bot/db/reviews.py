"""Repository functions for the spaced-review queue (one card per member, exam and question)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from fsrs import State
from sqlalchemy import case, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.db.dialects import Insert, PerDialect
from bot.db.models import ReviewCard, ReviewSession
from bot.db.timestamps import as_utc
from bot.domain.review import CardState

CardKey = tuple[int, str, str]  # member, pack, question id
#: Keys per lookup statement: a reveal grades thousands of answers at once.
KEYS_PER_STATEMENT = 500


def _state(row: ReviewCard) -> CardState:
    return CardState(
        as_utc(row.due),
        row.state,
        row.step,
        row.stability,
        row.difficulty,
        None if row.last_review is None else as_utc(row.last_review),
    )


async def cards(session: AsyncSession, keys: Iterable[CardKey]) -> dict[CardKey, CardState]:
    """The stored cards among ``keys``."""
    wanted = sorted(set(keys))
    found: dict[CardKey, CardState] = {}
    for start in range(0, len(wanted), KEYS_PER_STATEMENT):
        chunk = wanted[start : start + KEYS_PER_STATEMENT]
        rows = await session.scalars(
            select(ReviewCard).where(
                tuple_(ReviewCard.user_id, ReviewCard.pack, ReviewCard.question_id).in_(chunk)
            )
        )
        for row in rows:
            found[(row.user_id, row.pack, row.question_id)] = _state(row)
    return found


def _card_upsert(insert: Insert) -> Executable:
    statement = insert(ReviewCard)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["user_id", "pack", "question_id"],
        set_={
            "due": new.due,
            "state": new.state,
            "step": new.step,
            "stability": new.stability,
            "difficulty": new.difficulty,
            "last_review": new.last_review,
        },
    )


_SAVE_CARD = PerDialect(_card_upsert)


async def save_cards(session: AsyncSession, updated: Mapping[CardKey, CardState], now: dt.datetime) -> None:
    """Store cards (a new card's ``added_at`` is ``now``; an existing card keeps its own)."""
    if not updated:
        return
    rows = [
        {
            "user_id": user_id,
            "pack": pack,
            "question_id": question_id,
            "due": card.due,
            "state": card.state,
            "step": card.step,
            "stability": card.stability,
            "difficulty": card.difficulty,
            "last_review": card.last_review,
            "added_at": now,
        }
        for (user_id, pack, question_id), card in updated.items()
    ]
    await session.execute(_SAVE_CARD.on(session), rows)


async def queue(session: AsyncSession, user_id: int, pack: str) -> Sequence[CardState]:
    rows = await session.scalars(
        select(ReviewCard).where(ReviewCard.user_id == user_id, ReviewCard.pack == pack)
    )
    return [_state(row) for row in rows]


async def next_due(session: AsyncSession, user_id: int, pack: str) -> dt.datetime | None:
    when = await session.scalar(
        select(func.min(ReviewCard.due)).where(ReviewCard.user_id == user_id, ReviewCard.pack == pack)
    )
    return None if when is None else as_utc(when)


async def draw(session: AsyncSession, user_id: int, pack: str, now: dt.datetime, limit: int) -> list[str]:
    """What a /review session asks: cards due by ``now``, most overdue first, then new misses (cards
    still in their first learning steps, due within minutes)."""
    overdue_first = case((ReviewCard.due <= now, 0), else_=1)
    query = (
        select(ReviewCard.question_id)
        .where(
            ReviewCard.user_id == user_id,
            ReviewCard.pack == pack,
            or_(ReviewCard.due <= now, ReviewCard.state == State.Learning),
        )
        .order_by(overdue_first, ReviewCard.due, ReviewCard.question_id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def due_count(session: AsyncSession, user_id: int, pack: str, now: dt.datetime, most: int) -> int:
    """How many cards a /review would offer now (counted up to ``most``, the largest session)."""
    return len(await draw(session, user_id, pack, now, most))


async def create_session(
    session: AsyncSession,
    user_id: int,
    guild_id: int | None,
    pack: str,
    question_ids: Sequence[str],
    now: dt.datetime,
) -> int:
    row = ReviewSession(
        user_id=user_id, guild_id=guild_id, pack=pack, question_ids=",".join(question_ids), started_at=now
    )
    session.add(row)
    await session.flush()
    return row.id


async def get_session(session: AsyncSession, session_id: int) -> ReviewSession | None:
    return await session.get(ReviewSession, session_id)


async def save_session_answers(session: AsyncSession, session_id: int, document: str) -> None:
    row = await session.get(ReviewSession, session_id)
    if row is not None:
        row.answers = document
