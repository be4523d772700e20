"""Group commit for members' complete answers to a daily question or a quiz round.

When a whole server answers within a few seconds, answers arriving while a write is in flight are
written together in the next one, as one statement (see :mod:`bot.db.group_commit`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.db.group_commit import GroupCommit

#: Rows per statement: four bound values each, well inside SQLite's limit on bound parameters.
MAX_BATCH = 500


async def _insert_first_answers(session: AsyncSession, rows: Sequence[repo.LockedAnswerRow]) -> list[bool]:
    # A member's second answer in the same batch (a double tap, a replayed event) loses to the first,
    # exactly as it would one transaction later.
    first: dict[tuple[int, int], repo.LockedAnswerRow] = {}
    for row in rows:
        first.setdefault((row[0], row[1]), row)
    stored = await repo.insert_locked_answers(session, list(first.values()))
    return [(row[0], row[1]) in stored and first[(row[0], row[1])] is row for row in rows]


class LockedAnswerBatcher:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        async def write(rows: Sequence[repo.LockedAnswerRow]) -> list[bool]:
            async with sessions.begin() as session:
                return await _insert_first_answers(session, rows)

        self._writes = GroupCommit(write, max_batch=MAX_BATCH, name="locked-answer-writer")

    async def insert(self, post_id: int, user_id: int, letters: str, now: dt.datetime) -> bool:
        """Store a member's complete answer unless they already have one or the post has closed.
        True when this call stored it."""
        return await self._writes.submit((post_id, user_id, letters, now))
