"""Group commit: many small writes that arrive together share one transaction.

When a crowd acts at once (a whole server answering the daily question, hundreds of members pressing
mock buttons), one transaction per action makes the bot spend its time on transaction overhead and on
waiting for SQLite's single writer. Writes that arrive while a transaction is in flight are written
together in the next one; each caller still waits until its own write is committed, so nothing is
acknowledged before it is stored. With no crowd a batch is one write and nothing waits longer than it
would alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")

#: Writes one batch in one transaction and commits it; returns one result per item, in order.
BatchWriter = Callable[[Sequence[ItemT]], Awaitable[Sequence[ResultT]]]


class GroupCommit(Generic[ItemT, ResultT]):
    def __init__(self, write: BatchWriter[ItemT, ResultT], *, max_batch: int, name: str) -> None:
        self._write = write
        self._max_batch = max_batch
        self._name = name
        self._queue: list[tuple[ItemT, asyncio.Future[ResultT]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: ItemT) -> ResultT:
        """Write ``item`` with whatever else is waiting; returns its result once committed."""
        done: asyncio.Future[ResultT] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name=self._name)
        # A caller that gives up cancels only its own future: the writer is a task of its own, so the
        # batch is still written for everyone else (and a result for a cancelled future is dropped).
        return await done

    async def _write_all(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            try:
                results = await self._write([item for item, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"{self._name}: {len(results)} results for {len(batch)} writes")
            except Exception as exc:  # every waiter hears of the failure; none is left hanging
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
