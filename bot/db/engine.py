"""The async engine, with the SQLite settings the bot relies on applied to every connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (leaderboards) run while a writer (answer ingest) commits; the busy timeout
    # makes a second writer wait instead of failing; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Erased data (/privacy delete) is overwritten in the file, not left in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def sqlite_folder(url: str) -> Path | None:
    """The folder of a file-backed SQLite database: the bot's own writable place."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return Path(parsed.database).expanduser().parent
    return None


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a file-backed SQLite database, so a first run just works."""
    folder = sqlite_folder(url)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)


def create_engine(url: str) -> AsyncEngine:
    ensure_sqlite_folder(url)
    options: dict[str, Any] = {}
    if make_url(url).get_backend_name() == "sqlite":
        # SQLite has one writer at a time. Several pooled connections writing at once make all but
        # one sleep in SQLite's busy handler, whose back-off (up to 100 ms a try) is what members then
        # wait for; one connection queues transactions in order in the bot instead, without sleeping.
        options.update(pool_size=1, max_overflow=0, pool_timeout=60)
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
