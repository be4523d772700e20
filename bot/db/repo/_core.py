"""What every repository module shares: running a statement as plain Core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

ResultT = TypeVar("ResultT")


async def execute_core(
    session: AsyncSession,
    statement: Executable,
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> CursorResult[Any]:
    """Run a statement on the session's connection as plain Core, with one row of parameters or many
    (an executemany): the hot paths need none of the ORM's bookkeeping, which costs more than the
    statement itself."""
    connection = await session.connection()
    return await connection.execute(statement, rows)
