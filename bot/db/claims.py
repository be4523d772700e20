"""Work one process at a time may do, claimed for as long as it takes: revealing a post.

The database's states say what is done; a claim says who is doing it now. Without it two processes
that both hold a post's reveal job (while shards move between processes) would both find the post
scored and no reveal message yet, and both send one.

On PostgreSQL a claim is a session advisory lock taken on one connection the process keeps for its
claims: a process that dies loses its connection and with it its claims, so another process may take
over at once, with no lease to wait out. On SQLite the bot is one process, so a claim lives in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


class ClaimKind(enum.IntEnum):
    """The first key of the advisory lock (the second is the row's id), apart from the migration lock's
    single 64-bit key."""

    REVEAL = 0x5342_0001


class Claims:
    def __init__(self, engine: AsyncEngine | None = None) -> None:
        self._engine = engine if engine is not None and engine.dialect.name == "postgresql" else None
        self._held: set[tuple[ClaimKind, int]] = set()
        self._connection: AsyncConnection | None = None
        self._statement = asyncio.Lock()  # one statement at a time on the claims' connection

    @asynccontextmanager
    async def claim(self, kind: ClaimKind, key: int) -> AsyncIterator[bool]:
        """Yields whether this process now holds the claim; False while anyone else (here or in
        another process) does. The claim ends with the block."""
        if (kind, key) in self._held:
            yield False
            return
        self._held.add((kind, key))
        try:
            if not await self._lock("pg_try_advisory_lock", kind, key):
                yield False
                return
            try:
                yield True
            finally:
                try:
                    await self._lock("pg_advisory_unlock", kind, key)
                except Exception as exc:  # the claim went with the connection: nothing left to free
                    log.warning("could not release claim %s %s: %s", kind.name, key, exc)
        finally:
            self._held.discard((kind, key))

    async def _lock(self, function: str, kind: ClaimKind, key: int) -> bool:
        if self._engine is None:
            return True
        async with self._statement:
            if self._connection is None or self._connection.closed or self._connection.invalidated:
                # Autocommit: the connection sits idle between claims, never idle in a transaction.
                self._connection = await self._engine.connect()
                await self._connection.execution_options(isolation_level="AUTOCOMMIT")
            try:
                result = await self._connection.execute(
                    text(f"SELECT {function}(:kind, :key)"), {"kind": int(kind), "key": key}
                )
            except BaseException:
                # A connection that failed mid-statement may have lost its claims: start afresh.
                await self._discard()
                raise
            return bool(result.scalar())

    async def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Closing a broken connection can fail too; it is gone either way.
            with contextlib.suppress(Exception):
                await connection.close()

    async def close(self) -> None:
        async with self._statement:
            await self._discard()
