"""Group commit for members' complete answers.

When a whole server answers the daily question within a few seconds, one transaction per answer makes
the bot spend its time on transaction overhead and on connections queuing for SQLite's single writer.
Answers that arrive while a write is in flight are written together in the next one, as one statement;
each caller still waits until its own answer is committed, so nothing is acknowledged before it is
stored. With no crowd, a batch is a single answer and nothing waits longer than before.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo

#: Rows per statement: four bound values each, well inside SQLite's limit on bound parameters.
MAX_BATCH = 500

_Pending = tuple[repo.LockedAnswerRow, asyncio.Future[bool]]


class LockedAnswerBatcher:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._queue: list[_Pending] = []
        self._writer: asyncio.Task[None] | None = None

    async def insert(self, post_id: int, user_id: int, letters: str, now: dt.datetime) -> bool:
        """Store a member's complete answer unless they already have one or the post has closed.
        True when this call stored it."""
        stored: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append(((post_id, user_id, letters, now), stored))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="locked-answer-writer")
        return await asyncio.shield(stored)

    async def _write_all(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            # A member's second answer in the same batch (a double tap, a replayed event) loses to
            # the first, exactly as it would one transaction later.
            first: dict[tuple[int, int], repo.LockedAnswerRow] = {}
            for row, _ in batch:
                first.setdefault((row[0], row[1]), row)
            try:
                async with self._sessions.begin() as session:
                    stored = await repo.insert_locked_answers(session, list(first.values()))
            except Exception as exc:  # every waiter hears of the failure; none is left hanging
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for row, future in batch:
                if not future.done():
                    key = (row[0], row[1])
                    future.set_result(key in stored and first[key] is row)
