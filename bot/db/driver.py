"""The driver path: the busiest statements run on the SQLite connection itself, in aiosqlite's thread.

Through SQLAlchemy's async engine every statement is several hand-offs between the event loop and
aiosqlite's thread (open a cursor, execute, fetch, close), and each hand-off costs far more than a
small statement. When hundreds of members press mock buttons every second or two, that overhead is
what they wait for. Here a whole unit of work (a few statements, or a transaction) is one hand-off.
Statements are still built with SQLAlchemy, once, and compiled to SQLite's SQL; datetimes are
converted with SQLAlchemy's own SQLite conversions. The connection is the engine's own, checked out of
its pool, so SQLite still sees one writer.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import DateTime
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql import ClauseElement

InputT = TypeVar("InputT")
ResultT = TypeVar("ResultT")

DIALECT = sqlite_dialect(paramstyle="named")
_DATETIME = DateTime(timezone=True).dialect_impl(DIALECT)
_datetime_to_db = cast("Callable[[dt.datetime], str]", _DATETIME.bind_processor(DIALECT))
_datetime_from_db = cast("Callable[[str], dt.datetime]", _DATETIME.result_processor(DIALECT, None))


def compiled(statement: ClauseElement) -> str:
    """SQLite's SQL for a statement whose every parameter is a named ``bindparam``."""
    sql = statement.compile(dialect=DIALECT)
    fixed = {name for name, value in sql.params.items() if value is not None}
    if fixed:  # e.g. a .limit(1): its value would not be passed on this path
        raise ValueError(f"statement has literal parameters {sorted(fixed)}; use bindparam()")
    return str(sql)


def to_db(moment: dt.datetime) -> str:
    return _datetime_to_db(moment)


def from_db(stored: str) -> dt.datetime:
    """A stored datetime, made aware (everything the bot stores is UTC)."""
    return _datetime_from_db(stored).replace(tzinfo=dt.UTC)


async def run(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[[sqlite3.Connection, InputT], ResultT],
    arg: InputT,
    *,
    write: bool,
) -> ResultT:
    """``work(connection, arg)`` in aiosqlite's thread, in one hand-off. With ``write``, as one
    transaction that takes SQLite's write lock at once; otherwise as plain reads."""
    engine: AsyncEngine = sessions.kw["bind"]
    async with engine.connect() as connection:
        driver: Any = (await connection.get_raw_connection()).driver_connection  # aiosqlite.Connection
        # aiosqlite has no public way to run a function in its thread; _execute is how its own
        # methods do it.
        result: ResultT = await driver._execute(_transaction if write else _reads, driver._conn, work, arg)
        return result


def _reads(
    connection: sqlite3.Connection, work: Callable[[sqlite3.Connection, InputT], ResultT], arg: InputT
) -> ResultT:
    return work(connection, arg)


def _transaction(
    connection: sqlite3.Connection, work: Callable[[sqlite3.Connection, InputT], ResultT], arg: InputT
) -> ResultT:
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work(connection, arg)
    except BaseException:
        connection.rollback()
        raise
    connection.commit()
    return result
