from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bank import load_pack
from bot.db import migrate
from bot.db.engine import create_engine, session_factory
from bot.services.guilds import GuildService
from tests.packs import multiple, question, write_pack


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def pack(tmp_path: Path):
    qs = [question(f"tst-1.1-{i:03d}", stem=f"Storage {i}?") for i in range(3)]
    qs += [multiple(f"tst-2.1-{i:03d}", stem=f"Model {i}?") for i in range(3)]
    return load_pack(write_pack(tmp_path / "packs", qs))


@pytest.fixture
def guilds(sessions, pack) -> GuildService:
    return GuildService(sessions, {"tst": pack}, default_pack="tst", default_timezone="Europe/London")
