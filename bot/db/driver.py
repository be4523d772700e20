"""Units of work for the busiest paths, written once and run the fastest way each database allows.

A unit of work is a generator: it yields the statements it needs (`Step`) and receives each one's
rows, then returns its result. On PostgreSQL it runs through SQLAlchemy's async connection, one round
trip per statement, in one transaction. On SQLite, the same generator runs on the SQLite connection
itself, inside aiosqlite's thread: through the async engine every statement is several hand-offs
between the event loop and that thread (open a cursor, execute, fetch, close), each costing far more
than a small statement, and when hundreds of members press buttons every second or two that overhead is
what they wait for. There a whole unit is one hand-off. The connection is the engine's own, checked
out of its pool, so SQLite still sees one writer.

Parameters are plain Python values. On SQLite datetimes are converted with SQLAlchemy's own SQLite
conversions and a list is sent as a JSON array (read back with ``json_each``); rows come back as the
driver gives them, so a unit reads datetimes with `from_db`.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import DateTime
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql import ClauseElement, Executable

InputT = TypeVar("InputT")
ResultT = TypeVar("ResultT")

Row = Sequence[Any]


@dataclass(frozen=True)
class Step:
    """One statement of a unit of work: with one set of parameters (its rows are sent back), or with a
    list of them (an executemany, no rows). ``statement`` may differ by dialect (name -> statement)."""

    statement: Executable | Mapping[str, Executable]
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]]

    def for_dialect(self, name: str) -> Executable:
        if isinstance(self.statement, Mapping):
            return self.statement[name]
        return self.statement


Work = Generator[Step, list[Row], ResultT]
UnitOfWork = Callable[[InputT], Work[ResultT]]

DIALECT = sqlite_dialect(paramstyle="named")
_DATETIME = DateTime(timezone=True).dialect_impl(DIALECT)
_datetime_to_db = cast("Callable[[dt.datetime], str]", _DATETIME.bind_processor(DIALECT))
_datetime_from_db = cast("Callable[[str], dt.datetime]", _DATETIME.result_processor(DIALECT, None))
_sqlite_sql: dict[int, str] = {}


def _compiled(statement: Executable) -> str:
    """SQLite's SQL for a statement whose every parameter is a named ``bindparam`` (cached)."""
    sql = _sqlite_sql.get(id(statement))
    if sql is None:
        compiled = cast("ClauseElement", statement).compile(dialect=DIALECT)
        fixed = {name for name, value in compiled.params.items() if value is not None}
        if fixed:  # e.g. a .limit(1): its value would not be passed on this path
            raise ValueError(f"statement has literal parameters {sorted(fixed)}; use bindparam()")
        sql = _sqlite_sql[id(statement)] = str(compiled)
    return sql


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _datetime_to_db(value)
    if isinstance(value, list | tuple):
        return json.dumps(list(value))
    return value


def _sqlite_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _sqlite_value(value) for name, value in params.items()}


def from_db(stored: str | dt.datetime) -> dt.datetime:
    """A datetime as a unit of work reads it (SQLite: text; PostgreSQL: a datetime), made aware in UTC
    (everything the bot stores is UTC)."""
    if isinstance(stored, dt.datetime):
        return stored.replace(tzinfo=dt.UTC) if stored.tzinfo is None else stored.astimezone(dt.UTC)
    return _datetime_from_db(stored).replace(tzinfo=dt.UTC)


async def run(
    sessions: async_sessionmaker[AsyncSession], work: UnitOfWork[InputT, ResultT], arg: InputT, *, write: bool
) -> ResultT:
    """``work(arg)`` as one transaction. On SQLite, with ``write``, it takes SQLite's write lock at once;
    otherwise as plain reads."""
    engine: AsyncEngine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        return await _run_async(engine, work(arg))
    async with engine.connect() as connection:
        driver: Any = (await connection.get_raw_connection()).driver_connection  # aiosqlite.Connection
        # aiosqlite has no public way to run a function in its thread; _execute is how its own
        # methods do it.
        runner = _sqlite_transaction if write else _sqlite_reads
        result: ResultT = await driver._execute(runner, driver._conn, work(arg))
        return result


async def _run_async(engine: AsyncEngine, work: Work[ResultT]) -> ResultT:
    async with engine.begin() as connection:
        try:
            step = next(work)
            while True:
                statement = step.for_dialect(engine.dialect.name)
                if isinstance(step.params, Mapping):
                    result = await connection.execute(statement, step.params)
                    rows: list[Row] = list(result.all()) if result.returns_rows else []
                else:
                    await connection.execute(statement, list(step.params))
                    rows = []
                step = work.send(rows)
        except StopIteration as done:
            return cast("ResultT", done.value)


def _sqlite_reads(connection: sqlite3.Connection, work: Work[ResultT]) -> ResultT:
    try:
        step = next(work)
        while True:
            sql = _compiled(step.for_dialect("sqlite"))
            if isinstance(step.params, Mapping):
                rows: list[Row] = connection.execute(sql, _sqlite_params(step.params)).fetchall()
            else:
                connection.executemany(sql, [_sqlite_params(p) for p in step.params])
                rows = []
            step = work.send(rows)
    except StopIteration as done:
        return cast("ResultT", done.value)


def _sqlite_transaction(connection: sqlite3.Connection, work: Work[ResultT]) -> ResultT:
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = _sqlite_reads(connection, work)
    except BaseException:
        connection.rollback()
        raise
    connection.commit()
    return result
