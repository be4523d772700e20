"""A migration killed half-way (kill -9) over a large database leaves it as it was: the next
`studybot db upgrade` succeeds and nothing is lost. A copy is made beside the database first."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.db import migrate
from bot.db.engine import create_engine

ROWS = 300_000
BEFORE_BIG_INDEXES = "0002"  # 0003 rebuilds the board indexes of period_stats


async def build(path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(engine, BEFORE_BIG_INDEXES, create_fresh=False)
    finally:
        await engine.dispose()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO period_stats (guild_id, user_id, period, period_start, domain_id, points, answered,"
            " correct, accuracy) VALUES (1, ?, 'all', '1970-01-01', ?, ?, 10, ?, ?)",
            ((user, str(user % 4 + 1), user % 97, user % 11, (user % 11) * 100_000) for user in range(ROWS)),
        )


def upgrade_command(path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{path}"}
    env.pop("DISCORD_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def state(path: Path) -> tuple[str, int, set[str]]:
    with sqlite3.connect(path) as db:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        (rows,) = db.execute("SELECT count(*) FROM period_stats").fetchone()
        indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    return revision, rows, indexes


@pytest.mark.timeout(300)
def test_a_migration_killed_at_any_moment_is_rolled_back_and_runs_again(tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    asyncio.run(build(base))

    whole = tmp_path / "whole.db"
    shutil.copy(base, whole)
    started = time.monotonic()
    finished = upgrade_command(whole)
    _, err = finished.communicate(timeout=120)
    took = time.monotonic() - started
    assert finished.returncode == 0, err.decode()
    head, rows, head_indexes = state(whole)
    assert (head, rows) == (migrate.SCHEMA_HEAD, ROWS)
    assert "copied the database to" in err.decode()
    assert len(list(tmp_path.glob("whole.db.before-0002-*"))) == 1

    killed_part_way = 0
    for fraction in (0.6, 0.75, 0.88, 0.97):
        copy = tmp_path / f"killed-{fraction}.db"
        shutil.copy(base, copy)
        process = upgrade_command(copy)
        time.sleep(took * fraction)  # the moment to cut it off, not a wait for anything
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        revision, rows, _ = state(copy)
        killed_part_way += revision == BEFORE_BIG_INDEXES
        assert rows == ROWS, "nothing lost by the kill"
        again = upgrade_command(copy)
        _, err = again.communicate(timeout=120)
        assert again.returncode == 0, (fraction, err.decode())
        assert state(copy) == (head, ROWS, head_indexes), fraction
    assert killed_part_way, "at least one kill landed before the migration finished"
