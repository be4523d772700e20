"""The async engine, with the SQLite settings the bot relies on applied to every connection.

A DATABASE_URL the bot cannot use is refused here, before anything connects, with a
`ConfigurationError` that names the setting (password masked) and says what to do.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.errors import ConfigurationError

BUSY_TIMEOUT_MS = 10_000
EXAMPLE_URL = "sqlite+aiosqlite:///data/studybot.db"
#: Every SQLite file starts with these 16 bytes (https://sqlite.org/fileformat.html).
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_HEADER_SIZE = 100
WAL_FORMAT = 2  # header bytes 18 and 19: 1 for a rollback journal, 2 for write-ahead logging


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


def masked(url: str | URL) -> str:
    """The URL as it may be printed: any password replaced by ***."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return str(url)  # not a URL, so it has no password part to find
    secret = {k: "***" for k in parsed.query if "password" in k.lower()}
    return parsed.update_query_dict(secret).render_as_string(hide_password=True)


def _one_line(text: str) -> str:
    return text if text.isprintable() else repr(text)


def database_fault(url: str | URL, reason: str) -> ConfigurationError:
    """The error for a DATABASE_URL the bot cannot use: the setting, masked, then what to do."""
    password = url.password if isinstance(url, URL) else None
    if password:  # a driver's message could quote it
        reason = reason.replace(str(password), "***")
    return ConfigurationError(f"DATABASE_URL={_one_line(masked(url))}: {reason}")


def unreadable_database(url: URL, exc: Exception) -> ConfigurationError:
    """The error for a database that failed on its first read: what the driver said, and what to do."""
    return database_fault(url, _unreadable(str(getattr(exc, "orig", None) or exc)))


def _unreadable(said: str) -> str:
    said = " ".join(said.split())  # one line, whatever the driver wrote
    if "file is not a database" in said:
        return "not a SQLite database: point DATABASE_URL at the bot's database, or at a new file"
    if "malformed" in said:
        return (
            f"the database is damaged (SQLite: {said}): restore it from a backup (before each migration the "
            "bot copies it beside itself as <file>.before-*), or rescue what is left with sqlite3's .recover"
        )
    if "readonly" in said or "read-only" in said:
        return f"the database is read-only for this user ({said}): make it and its folder writable"
    return f"cannot open or read the database ({said}): check the address, the credentials and the file"


def not_studybots(tables: list[str]) -> str:
    """Why a database with these tables and no alembic_version table is refused. Adding the bot's
    tables to another application's database would mix the two for good."""
    from bot.db.models import Base

    if set(tables) <= set(Base.metadata.tables):
        return (
            "the database has some of studybot's tables but no alembic_version table, so its creation was "
            "cut off: delete the file (it holds nothing yet) and start again"
        )
    shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
    return (
        f"the database holds another application's tables ({shown}) and no alembic_version table: "
        "studybot will not add its own to it; give the bot a database file of its own"
    )


def _sqlite_file(parsed: URL) -> Path | None:
    database = parsed.database
    if not database or database == ":memory:" or parsed.query.get("uri") in {"true", "1"}:
        return None  # in memory, or a URI SQLite resolves itself
    return Path(database).expanduser()


def sqlite_folder(url: str) -> Path | None:
    """The folder of a file-backed SQLite database: the bot's own writable place."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # check_url says what is wrong with it
    path = _sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    return path.parent if path is not None else None


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a file-backed SQLite database, so a first run just works."""
    folder = sqlite_folder(url)
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise database_fault(url, f"cannot create the folder {folder}: {exc.strerror}") from exc


def check_url(url: str) -> None:
    """Refuse a DATABASE_URL the bot cannot use, without connecting: one it cannot parse, a driver that
    is unknown, missing or synchronous, or a SQLite file it could not create, write or read."""
    if not url.strip():
        raise database_fault(
            url, f"empty: unset it to use the default SQLite file, or set one, e.g. {EXAMPLE_URL}"
        )
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise database_fault(
            url, f"not a database URL: write it as driver://user:password@host/database, e.g. {EXAMPLE_URL}"
        ) from exc
    _check_driver(parsed)
    path = _sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    if path is not None:
        try:
            reason = _sqlite_path_fault(path)
        except OSError as exc:  # e.g. a folder on the way this user may not enter
            reason = f"cannot reach {exc.filename or path}: {exc.strerror}"
        if reason is not None:
            raise database_fault(parsed, reason)


def _check_driver(parsed: URL) -> None:
    try:
        dialect = parsed.get_dialect(_is_async=True)  # the class create_async_engine would pick
    except NoSuchModuleError as exc:
        raise database_fault(
            parsed,
            f"unknown database driver {parsed.drivername!r}: use an async driver SQLAlchemy knows, "
            f"e.g. {EXAMPLE_URL} or postgresql+asyncpg://user:password@host/database",
        ) from exc
    if not dialect.is_async:
        raise database_fault(parsed, _synchronous_driver(parsed))
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        module = exc.name or str(exc)
        raise database_fault(
            parsed,
            f"the driver's Python package {module!r} is not installed: install it into the bot's "
            f"environment (pip install {module}), or use {EXAMPLE_URL}",
        ) from exc


def _synchronous_driver(parsed: URL) -> str:
    if parsed.get_backend_name() == "sqlite":
        fixed = parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=True)
        return f"{parsed.drivername}:// is the synchronous sqlite3 driver; the bot needs async: write {fixed}"
    return (
        f"{parsed.drivername!r} is a synchronous driver and the bot needs an async one, "
        f"e.g. postgresql+asyncpg://, mysql+aiomysql:// or sqlite+aiosqlite://"
    )


def _sqlite_path_fault(path: Path) -> str | None:
    """Why SQLite could not keep the bot's database at ``path``, or None."""
    if path.is_dir():
        return f"{path} is a folder, not a database file: add a file name, e.g. {path / 'studybot.db'}"
    folder = path.parent
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        return f"{existing} is a file, not a folder, so no database can be kept under it: choose another path"
    if existing != folder:  # a first run: the folder is made, and a new database in it
        if not os.access(existing, os.W_OK | os.X_OK):
            return (
                f"the folder {folder} does not exist and {existing} is not writable by this user: create it"
            )
        return None
    # SQLite keeps its write-ahead log and lock files beside the database, and the bot its question cache.
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable by this user: make it writable, or choose another folder"
    if not path.exists():
        return None  # a new database, created on first use
    if not os.access(path, os.R_OK | os.W_OK):
        return f"{path} is read-only for this user: make it writable (chmod u+rw, or run as its owner)"
    return _sqlite_header_fault(path)


def _sqlite_header_fault(path: Path) -> str | None:
    """Why an existing file is not a usable SQLite database, read from its 100-byte header: cheap, and
    clearer than the error SQLite gives later, half-way through a start or a migration."""
    size = path.stat().st_size
    if size == 0:
        return None  # SQLite treats an empty file as a new database
    with path.open("rb") as file:
        header = file.read(SQLITE_HEADER_SIZE)
    restore = f"restore it from a backup (the bot copies it to {path.name}.before-* before each migration)"
    truncated = f"{path} is truncated ({size} bytes): {restore}"
    if not header.startswith(SQLITE_MAGIC):
        if SQLITE_MAGIC.startswith(header):
            return truncated
        return f"{path} is not a SQLite database: point DATABASE_URL at the bot's database, or at a new file"
    if len(header) < SQLITE_HEADER_SIZE:
        return truncated
    wal = path.with_name(path.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        return None  # pages not yet copied into the file are in the log; SQLite recovers them
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size  # how the header spells 64 KiB
    if page_size < 512 or page_size & (page_size - 1):  # SQLite's are powers of two from 512
        return f"{path} has a damaged header (no valid page size): {restore}"
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid when the change counter (24) matches "version valid for" (92).
    counted = header[24:28] == header[92:96] and pages > 0
    if size % page_size or (counted and pages * page_size > size):
        return truncated
    if header[18] != WAL_FORMAT:  # every file the bot opens is switched to WAL: not one of its own yet
        return _sqlite_tables_fault(path)
    return None


def _sqlite_tables_fault(path: Path) -> str | None:
    """Read a file's tables over a read-only connection of its own: the engine's would switch the file to
    WAL mode for good, and another application's database must be refused as it was found."""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as exc:
        return _unreadable(str(exc))
    tables = sorted(name for (name,) in rows if not name.startswith("sqlite_"))
    return not_studybots(tables) if tables and "alembic_version" not in tables else None


def create_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    check_url(url)
    ensure_sqlite_folder(url)
    if make_url(url).get_backend_name() == "sqlite":
        # SQLite has one writer at a time. Several pooled connections writing at once make all but
        # one sleep in SQLite's busy handler, whose back-off (up to 100 ms a try) is what members then
        # wait for; one connection queues transactions in order in the bot instead, without sleeping.
        options: dict[str, Any] = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
    else:
        # One connection beyond the pool: migrating holds a lock on one while it works on another.
        # Commits do not wait for the server's disk flush: the same promise as SQLite's WAL with
        # synchronous=NORMAL above (nothing is lost when the bot dies; the last moments may be if the
        # server loses power), and members do not wait on the disk's slowest flushes.
        # No ping before each use: it doubled the slowest presses under load (p99 26 ms without, 57 ms
        # with, in the latency benchmark). After a server restart the first statement on each old
        # connection fails once (a member is asked to press again; reactions are read back at the
        # reveal) and SQLAlchemy replaces the pool.
        options = {
            "pool_size": pool_size,
            "max_overflow": 1,
            "connect_args": {"server_settings": {"synchronous_commit": "off"}},
        }
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
