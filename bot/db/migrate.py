"""Run Alembic migrations from inside the bot, sharing its engine's connection.

Alembic is imported only when there is something to do: a database already at `SCHEMA_HEAD` (every
start but the first after an upgrade) is checked with one query, which keeps start-up quick. A new,
empty SQLite database is created from the models and stamped at `SCHEMA_HEAD`, which is what running
every migration would give (a test compares the two schemas) in a fraction of the time.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db.engine import database_fault, not_studybots, unreadable_database

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
#: The newest migration in migrations/versions (a test keeps the two in step).
SCHEMA_HEAD = "0014"


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    from alembic import command

    config.attributes["connection"] = connection
    if connection.dialect.name != "sqlite":
        command.upgrade(config, revision)
        return
    # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE, so each CREATE, DROP and
    # ALTER would commit on its own and a migration cut off half-way would leave its tables behind
    # with the revision unchanged. Taking over BEGIN makes the whole upgrade one transaction: it
    # lands entirely or not at all (the recipe in SQLAlchemy's SQLite dialect documentation).
    dbapi: Any = connection.connection.dbapi_connection
    previous = dbapi.isolation_level
    dbapi.isolation_level = None
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            command.upgrade(config, revision)
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
        connection.exec_driver_sql("COMMIT")
    finally:
        dbapi.isolation_level = previous


def _downgrade(connection: Connection, config: Config, revision: str) -> None:
    from alembic import command

    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def _schema_state(engine: AsyncEngine) -> str:
    """ "head" (nothing to do), "empty" (a new database), "behind", or "foreign" (a SQLite database
    holding tables but no alembic_version: not one the bot made)."""
    async with engine.connect() as connection:
        try:
            versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        # No version table (SQLite says OperationalError, PostgreSQL ProgrammingError): a new database,
        # unless it holds other tables.
        except (OperationalError, ProgrammingError):
            if engine.dialect.name != "sqlite":
                return "behind"
            return "foreign" if await _sqlite_tables(connection) else "empty"
    return "head" if [v for (v,) in versions] == [SCHEMA_HEAD] else "behind"


async def _sqlite_tables(connection: AsyncConnection) -> list[str]:
    """The tables in a SQLite database, leaving out SQLite's own (sqlite_sequence, sqlite_stat1)."""
    tables = await connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
    return sorted(name for (name,) in tables.all() if not name.startswith("sqlite_"))


async def check_database(engine: AsyncEngine) -> str:
    """The schema's state, once the database is known to be one the bot may use: readable, the bot's own
    (not another application's), and not migrated by a newer studybot past what this build knows."""
    try:
        state = await _schema_state(engine)
    except (DBAPIError, OSError) as exc:
        raise unreadable_database(engine.url, exc) from exc
    if state == "foreign":
        await _refuse_foreign(engine)
    if state == "behind":
        await _refuse_unknown_revision(engine)
    return state


async def _refuse_foreign(engine: AsyncEngine) -> None:
    # Most are refused before the engine opens them (bot.db.engine.check_url); this catches the rest.
    async with engine.connect() as connection:
        tables = await _sqlite_tables(connection)
    raise database_fault(engine.url, not_studybots(tables))


async def _refuse_unknown_revision(engine: AsyncEngine) -> None:
    """A revision this build does not know was written by a newer studybot: there is no path from it to
    this build's head, and this build's code would not match its schema."""
    async with engine.connect() as connection:
        try:
            versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        except DBAPIError:
            return  # no version table yet: nothing newer here
    unknown = sorted({v for (v,) in versions} - _known_revisions())
    if unknown:
        raise database_fault(
            engine.url,
            f"the database is at migration {', '.join(unknown)}, which this studybot does not have (its "
            f"newest is {SCHEMA_HEAD}): a newer studybot migrated it; run that version, or restore a backup "
            "taken before that upgrade",
        )


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


#: PostgreSQL advisory lock held while migrating: processes starting together (shards) take turns.
MIGRATION_LOCK = 0x5354_5544_5942_4F54  # "STUDYBOT"


async def upgrade(engine: AsyncEngine, revision: str = "head", *, create_fresh: bool = True) -> None:
    """Bring the schema to ``revision``; with ``create_fresh``, a new empty database to the head
    directly from the models. On PostgreSQL one process migrates at a time; the next finds it done."""
    if engine.dialect.name != "postgresql":
        await _upgrade_schema(engine, revision, create_fresh=create_fresh)
        return
    await check_database(engine)  # a server that cannot be reached is named before any lock is taken
    async with engine.connect() as lock:
        await lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            await _upgrade_schema(engine, revision, create_fresh=create_fresh)
        finally:
            await lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})


async def _upgrade_schema(engine: AsyncEngine, revision: str, *, create_fresh: bool) -> None:
    state = await check_database(engine) if revision == "head" else "behind"
    if state == "head":
        return
    if state == "empty" and create_fresh:
        from bot.db.models import Base

        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
            # Alembic's own version table, as its first upgrade would create it.
            await connection.execute(
                text(
                    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
                )
            )
            await connection.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": SCHEMA_HEAD}
            )
        return
    await _back_up(engine)
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade, alembic_config(), revision)


def _holds_data(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


async def _back_up(engine: AsyncEngine) -> Path | None:
    """Before migrating a SQLite database that holds data, copy it beside itself and say where."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    source = Path(database)
    if not _holds_data(source):
        return None
    async with engine.connect() as connection:
        revision = await connection.run_sync(_current)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        target = source.with_name(f"{source.name}.before-{revision or 'migrations'}-{stamp}")
        await connection.exec_driver_sql("VACUUM INTO ?", (str(target),))
    log.warning("copied the database to %s before migrating it; delete the copy once all is well", target)
    return target


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, alembic_config(), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def head_revisions() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
