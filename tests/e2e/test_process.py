"""`studybot run` as a process: SIGTERM (what `docker stop` sends) stops it cleanly, and an unreachable
Discord is retried, one log line an attempt, with exit code 75 only once told to give up."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.emulator import DiscordEmulator


def environment(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'studybot.db'}", **values)
    return env


async def read_until(stream: asyncio.StreamReader, needle: str, seen: list[str], timeout: float = 30) -> None:
    async def scan() -> None:
        while True:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError(f"the bot stopped before {needle!r}:\n{''.join(seen)}")
            seen.append(line)
            if needle in line:
                return

    await asyncio.wait_for(scan(), timeout)


async def test_sigterm_stops_the_bot_cleanly(emulator: DiscordEmulator, tmp_path: Path) -> None:
    emulator.add_guild("ML Study Group").add_text_channel("general")
    env = environment(
        tmp_path,
        DISCORD_TOKEN=emulator.token,
        DISCORD_API_BASE=emulator.api_base,
        DISCORD_GATEWAY_URL=emulator.gateway_url,
    )
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    assert bot.stderr is not None
    lines: list[str] = []
    await read_until(bot.stderr, "ready as", lines)
    bot.send_signal(signal.SIGTERM)
    rest = (await asyncio.wait_for(bot.stderr.read(), 30)).decode()
    code = await bot.wait()
    log = "".join(lines) + rest
    assert code == 0, log
    assert "stopping on SIGTERM" in rest and "stopped cleanly" in rest
    assert "Traceback" not in log
    wal = tmp_path / "data" / "studybot.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0, (
        f"the write-ahead log was merged: {wal.stat().st_size}\n{rest}"
    )


@pytest.mark.timeout(60)
async def test_an_unreachable_discord_is_retried_then_given_up_with_exit_75(tmp_path: Path) -> None:
    nowhere = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused
    env = environment(
        tmp_path,
        DISCORD_TOKEN="x" * 59,
        DISCORD_API_BASE=f"{nowhere}/api/v10",
        DISCORD_GATEWAY_URL="ws://127.0.0.1:9",
        DISCORD_RETRY_LIMIT="2",
    )
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(bot.communicate(), 50)
    log = err.decode()
    assert bot.returncode == 75, log
    assert log.count("Discord is unreachable") == 2, log  # one line for the retry, one for giving up
    assert "attempt 1 failed, trying again in" in log
    assert "Traceback" not in log
