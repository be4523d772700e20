"""Alembic owns the schema: one head, upgrade from empty, models equal to the migrated schema, and a
downgrade/upgrade round trip."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.db import migrate
from bot.db.engine import create_engine
from bot.db.models import Base
from tests.databases import no_postgres


def url_for(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'bot.db'}"


def test_one_head_and_it_is_the_schema_head_checked_at_start() -> None:
    assert migrate.head_revisions() == (migrate.SCHEMA_HEAD,)


async def test_upgrade_from_empty_creates_the_file_and_reaches_head(tmp_path: Path) -> None:
    engine = create_engine(url_for(tmp_path))
    try:
        assert await migrate.current_revision(engine) is None
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revisions()[0]
        assert (tmp_path / "nested" / "bot.db").is_file()
        await migrate.upgrade(engine)  # a second start finds nothing to do
        assert await migrate.current_revision(engine) == migrate.head_revisions()[0]
    finally:
        await engine.dispose()


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_models_match_the_migrated_schema(tmp_path: Path) -> None:
    engine = create_engine(url_for(tmp_path))
    try:
        await migrate.upgrade(engine, create_fresh=False)
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()


def _sqlite_schema(connection: Connection) -> dict[str, object]:
    """Every table's columns, indexes (with their columns) and foreign keys, as SQLite reports them."""
    schema: dict[str, object] = {}
    tables = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
    for (table,) in tables.all():
        indexes = {}
        for row in connection.execute(text(f"PRAGMA index_list('{table}')")).all():
            name, unique = row[1], row[2]
            columns = [c[2] for c in connection.execute(text(f"PRAGMA index_info('{name}')")).all()]
            indexes[name if not name.startswith("sqlite_autoindex") else f"auto:{columns}"] = (
                unique,
                columns,
            )
        schema[table] = {
            "columns": [tuple(r) for r in connection.execute(text(f"PRAGMA table_info('{table}')")).all()],
            "indexes": indexes,
            "foreign_keys": sorted(
                tuple(r[2:]) for r in connection.execute(text(f"PRAGMA foreign_key_list('{table}')")).all()
            ),
        }
    return schema


async def test_a_new_database_created_from_the_models_equals_one_built_by_every_migration(
    tmp_path: Path,
) -> None:
    schemas = []
    for create_fresh in (True, False):
        engine = create_engine(url_for(tmp_path / str(create_fresh)))
        try:
            await migrate.upgrade(engine, create_fresh=create_fresh)
            assert await migrate.current_revision(engine) == migrate.SCHEMA_HEAD
            async with engine.connect() as connection:
                schemas.append(await connection.run_sync(_sqlite_schema))
        finally:
            await engine.dispose()
    fresh, migrated = schemas
    assert set(fresh) == set(migrated)
    for table in migrated:
        assert fresh[table] == migrated[table], table


async def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    engine = create_engine(url_for(tmp_path))
    try:
        await migrate.upgrade(engine)
        await migrate.downgrade(engine, "base")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert tables == ["alembic_version"]
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert set(Base.metadata.tables) <= tables
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(url_for(tmp_path))
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() >= 1000
    finally:
        await engine.dispose()


async def test_boards_stored_before_several_exams_stay_mls_c01_boards(tmp_path: Path) -> None:
    engine = create_engine(url_for(tmp_path))
    try:
        await migrate.upgrade(engine, "0004", create_fresh=False)
        async with engine.begin() as connection:
            for domain in ("", "3"):
                await connection.execute(
                    text(
                        "INSERT INTO period_stats (guild_id, user_id, period, period_start, domain_id,"
                        " points, answered, correct, accuracy)"
                        " VALUES (1, 2, 'all', '1970-01-01', :d, 10, 1, 1, 1000000)"
                    ),
                    {"d": domain},
                )
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            boards = (
                await connection.execute(text("SELECT domain_id FROM period_stats ORDER BY 1"))
            ).scalars()
            assert list(boards) == ["", "mls-c01:3"], "the overall board stays; the domain board is MLS-C01's"
            await connection.rollback()
        await migrate.downgrade(engine, "0004")
        async with engine.connect() as connection:
            boards = (
                await connection.execute(text("SELECT domain_id FROM period_stats ORDER BY 1"))
            ).scalars()
            assert list(boards) == ["", "3"]
    finally:
        await engine.dispose()


async def test_two_processes_starting_together_on_a_new_postgresql_database_both_start(
    postgres_server,
) -> None:
    """Shard processes start at once: one migrates, the other waits for it and finds the work done."""
    if postgres_server is None:
        no_postgres()
    name = await postgres_server.create_database()
    engines = [create_engine(postgres_server.url_of(name)) for _ in range(2)]
    try:
        await asyncio.gather(*(migrate.upgrade(engine) for engine in engines))
        assert {await migrate.current_revision(engine) for engine in engines} == {migrate.SCHEMA_HEAD}
    finally:
        for engine in engines:
            await engine.dispose()
        await postgres_server.drop_database(name)


@pytest.mark.databases("postgresql")
async def test_postgresql_connections_keep_sqlites_durability_promise(database_url: str) -> None:
    """Commits survive the bot dying at once; they do not wait for the server's disk flush, as SQLite in
    WAL mode with synchronous=NORMAL does not."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            setting = (await connection.execute(text("SHOW synchronous_commit"))).scalar()
    finally:
        await engine.dispose()
    assert setting == "off"
