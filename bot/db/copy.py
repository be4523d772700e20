"""`studybot db copy SOURCE TARGET`: move every table of the bot's database to another database, e.g.
from the SQLite file to PostgreSQL when a group outgrows the file.

The source must be at this build's newest migration (run `studybot db upgrade` on it first) and is only
read. The target gets the schema from the migrations and must hold no data yet. Everything is copied in
one transaction on the target, so a copy cut off half-way leaves it empty; afterwards the row counts of
every table are compared, and PostgreSQL's id sequences are moved past the copied ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db import migrate
from bot.db.engine import create_engine, database_fault, masked
from bot.db.models import Base

log = logging.getLogger(__name__)

ROWS_PER_BATCH = 5_000


@dataclass(frozen=True)
class CopiedTable:
    name: str
    rows: int


async def _count(connection: AsyncConnection, table: Table) -> int:
    return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def _copy_table(source: AsyncConnection, target: AsyncConnection, table: Table) -> int:
    copied = 0
    result = await source.stream(select(table))
    async for rows in result.partitions(ROWS_PER_BATCH):
        await target.execute(insert(table), [dict(row._mapping) for row in rows])
        copied += len(rows)
    return copied


async def _move_sequences(target: AsyncConnection) -> None:
    """PostgreSQL hands out ids from a sequence: start it after the largest id copied."""
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is not None:
            # Names from the bot's own models, never from input.
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            next_id = func.coalesce(select(func.max(column)).scalar_subquery(), 0) + 1
            await target.execute(select(func.setval(sequence, next_id, False)))


async def _check_ready(source_engine: AsyncEngine, target_engine: AsyncEngine) -> None:
    state = await migrate.check_database(source_engine)
    if state != "head":
        raise database_fault(
            source_engine.url,
            "the source is not at this studybot's newest migration: run `studybot db upgrade` with "
            "DATABASE_URL set to it first (or it is a new, empty database: nothing to copy)",
        )
    if str(source_engine.url) == str(target_engine.url):
        raise database_fault(target_engine.url, "the target is the source: give two different databases")
    await migrate.upgrade(target_engine)
    async with target_engine.connect() as target:
        for table in Base.metadata.sorted_tables:
            if await _count(target, table):
                raise database_fault(
                    target_engine.url,
                    f"the target already holds data (table {table.name}): copy into a new, empty database",
                )


async def copy_database(
    source_url: str, target_url: str, progress: Callable[[CopiedTable], None] | None = None
) -> list[CopiedTable]:
    """Copy every table from ``source_url`` to ``target_url``; what was copied, table by table."""
    source_engine, target_engine = create_engine(source_url), create_engine(target_url)
    try:
        await _check_ready(source_engine, target_engine)
        copied: list[CopiedTable] = []
        async with source_engine.connect() as source, target_engine.begin() as target:
            for table in Base.metadata.sorted_tables:  # parents before the rows that refer to them
                rows = await _copy_table(source, target, table)
                in_target = await _count(target, table)
                if in_target != rows or in_target != await _count(source, table):
                    raise database_fault(
                        target_engine.url,
                        f"table {table.name}: {rows} rows read but {in_target} in the target; nothing was "
                        "kept (the copy is one transaction)",
                    )
                copied.append(CopiedTable(table.name, rows))
                if progress is not None:
                    progress(copied[-1])
            if target_engine.dialect.name == "postgresql":
                await _move_sequences(target)
        log.info("copied %s to %s", masked(source_url), masked(target_url))
        return copied
    finally:
        await source_engine.dispose()
        await target_engine.dispose()
