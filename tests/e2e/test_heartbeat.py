"""The heartbeat the image's health check reads: touched while the bot is connected to Discord, left to
go stale while the gateway is cut off, touched again after the reconnect, removed when the bot stops."""

from __future__ import annotations

import asyncio
import os

import pytest

from bot.__main__ import main
from bot.heartbeat import MAX_AGE, problem

BEAT = 0.05


@pytest.mark.databases("sqlite")  # the file sits beside the SQLite database
async def test_heartbeat_is_touched_only_while_connected(emulator, studybot, tmp_path, monkeypatch, capsys):
    path = tmp_path / "heartbeat"
    path.touch()
    os.utime(path, (0, 0))  # left behind by an earlier process, long ago
    monkeypatch.setattr("bot.heartbeat.INTERVAL", BEAT)

    bot = await studybot.start()

    assert bot.heartbeat.path == path, "the heartbeat sits beside the SQLite database"
    await emulator.wait_until(lambda: problem(path) is None, what="the first heartbeat", poll=BEAT)
    monkeypatch.setenv("DATABASE_URL", studybot.settings.database_url)
    assert main(["health"]) == 0
    assert "healthy" in capsys.readouterr().out

    first = path.stat().st_mtime_ns
    await emulator.wait_until(lambda: path.stat().st_mtime_ns > first, what="the next heartbeat", poll=BEAT)

    async with emulator.offline():
        await emulator.wait_until(lambda: not bot.heartbeat.connected(), what="the bot to notice", poll=BEAT)
        await asyncio.sleep(10 * BEAT)  # a beat already under way lands
        cut_off = path.stat().st_mtime_ns
        await asyncio.sleep(6 * BEAT)
        assert path.stat().st_mtime_ns == cut_off, "not touched while the gateway is down"
        assert problem(path, max_age=4 * BEAT) is not None
        assert main(["health", "--max-age", str(4 * BEAT)]) == 1
        assert "not connected to Discord" in capsys.readouterr().err

    await emulator.wait_for_ready()
    await emulator.wait_until(lambda: path.stat().st_mtime_ns > cut_off, what="a beat after the reconnect")
    assert problem(path, max_age=MAX_AGE) is None

    await studybot.stop()
    assert not path.exists(), "a stopped bot is not healthy"
    assert main(["health"]) == 1
