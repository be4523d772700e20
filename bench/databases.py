"""The databases every benchmark runs on, side by side: a SQLite file and a PostgreSQL database.

The PostgreSQL server is found as the tests find theirs (``TEST_POSTGRES_URL``, else 127.0.0.1:5432,
else a throwaway cluster when the binaries are installed); each run gets a new database, dropped after.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db import migrate
from bot.db.engine import create_engine
from tests.databases import PostgresServer, find_postgres

DATABASES = ("sqlite", "postgresql")
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

_server: PostgresServer | None = None


@contextlib.contextmanager
def use_server(server: PostgresServer | None) -> Iterator[None]:
    """Benchmarks run inside this block create their PostgreSQL databases on ``server``."""
    global _server
    _server = server
    try:
        yield
    finally:
        _server = None


@contextlib.contextmanager
def postgres_available() -> Iterator[bool]:
    """Find (or start) a PostgreSQL server for the benchmarks run inside this block."""
    with find_postgres() as server, use_server(server):
        yield server is not None


@contextlib.asynccontextmanager
async def new_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database of ``kind``: a file in ``folder``, or a PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'studybot.db'}"
        return
    if _server is None:
        raise RuntimeError("no PostgreSQL server: set TEST_POSTGRES_URL or run one on 127.0.0.1:5432")
    name = await _server.create_database()
    try:
        yield _server.url_of(name)
    finally:
        await _server.drop_database(name)


@contextlib.asynccontextmanager
async def filled_database(
    kind: str,
    folder: Path,
    fill_sqlite: Callable[[Path], None],
    fill_postgres: Callable[[str], Awaitable[None]],
) -> AsyncIterator[tuple[str, float]]:
    """A new database of ``kind`` with the bot's schema, filled by the function for its kind (straight
    into the database, much faster than through the bot); its URL and the seconds the fill took."""
    folder.mkdir(parents=True, exist_ok=True)
    async with new_database(kind, folder) as url:
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()
        started = time.perf_counter()
        if kind == "sqlite":
            await asyncio.to_thread(fill_sqlite, Path(str(make_url(url).database)))
        else:
            await fill_postgres(url)
        yield url, time.perf_counter() - started


class Probe:
    """Short queries on the bot's database from outside (``:name`` parameters), whatever its kind."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = create_engine(url)

    async def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        async with self._engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]

    async def value(self, sql: str, **params: Any) -> Any:
        return (await self.rows(sql, **params))[0][0]

    async def close(self) -> None:
        await self._engine.dispose()

    async def __aenter__(self) -> Probe:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
