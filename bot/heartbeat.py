"""A file the bot touches while it is connected to Discord, so a container's health check can tell a bot
that is serving from one that is hung or cut off: `studybot health` (the image's HEALTHCHECK) exits 0
only while the file is fresh.

The file sits beside the SQLite database (``data/heartbeat`` by default, on the image's volume).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.db.engine import sqlite_folder

if TYPE_CHECKING:
    import discord

log = logging.getLogger(__name__)

FILE_NAME = "heartbeat"
#: How often the file is touched while the gateway connection is open.
INTERVAL = 30.0
#: How old the file may grow before the bot counts as unhealthy: several missed beats.
MAX_AGE = 120.0


def heartbeat_path(settings: Settings) -> Path:
    """Beside a file-backed SQLite database; under ``data/`` for any other database."""
    return (sqlite_folder(settings.database_url) or Path("data")) / FILE_NAME


class Heartbeat:
    """Touches ``path`` every ``interval`` seconds while ``client``'s gateway connection is open, from
    the moment the bot serves until it closes (when the file is removed)."""

    def __init__(self, client: discord.Client, path: Path, interval: float | None = None) -> None:
        self.client = client
        self.path = path
        self.interval = INTERVAL if interval is None else interval
        self._task: asyncio.Task[None] | None = None
        # A file left behind by an earlier process says nothing about this one.
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)

    def connected(self) -> bool:
        if self.client.is_closed():
            return False
        shards = getattr(self.client, "shards", None)  # an auto-sharded client: every shard must be up
        if shards is not None:
            return bool(shards) and not any(shard.is_closed() for shard in shards.values())
        ws = self.client.ws
        return ws is not None and ws.open

    def start(self) -> None:
        if self._task is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._task = asyncio.create_task(self._beat(), name="heartbeat")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(OSError):
            await asyncio.to_thread(self.path.unlink, missing_ok=True)

    async def _beat(self) -> None:
        while True:
            if self.connected():
                try:
                    await asyncio.to_thread(self.path.touch)
                except OSError as exc:
                    log.warning("could not touch the heartbeat file %s: %s", self.path, exc)
            await asyncio.sleep(self.interval)


def problem(path: Path, max_age: float = MAX_AGE) -> str | None:
    """None while ``path`` was touched within ``max_age`` seconds; otherwise what is wrong."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat at {path}: the bot is not (yet) connected to Discord"
    if age > max_age:
        return f"the heartbeat at {path} is {age:.0f} s old (over {max_age:g} s): not connected to Discord"
    return None


def health(settings: Settings, max_age: float | None = None) -> int:
    """`studybot health`: exit status 0 while the running bot is connected to Discord, 1 otherwise."""
    path = heartbeat_path(settings)
    found = problem(path, MAX_AGE if max_age is None else max_age)
    if found is not None:
        print(f"studybot: unhealthy: {found}", file=sys.stderr)
        return 1
    print(f"studybot: healthy: heartbeat at {path}")
    return 0
