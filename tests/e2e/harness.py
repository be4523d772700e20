"""Run the real bot, built exactly as `studybot run` builds it, against the Discord emulator.

`studybot` fixture: a harness whose `start()` brings a bot up (migrations, bank, scheduler, gateway)
and returns once it is ready and has recovered; `restart()` stops that bot the way a killed process
stops and starts a new one on the same database (a SQLite file, or a PostgreSQL database).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import StudyBot
from bot.config import Settings
from bot.runner import runtime
from tests.emulator import DiscordEmulator
from tests.emulator.client import pointed_at


class StudyBotHarness:
    def __init__(self, emulator: DiscordEmulator, database_url: str, **settings: Any) -> None:
        self.emulator = emulator
        # The end-to-end tests were written against the MLS-C01 blueprint; test_exams chooses others.
        settings.setdefault("default_pack", "mls-c01")
        self.settings = Settings(
            discord_token=SecretStr(emulator.token),
            database_url=database_url,
            discord_api_base=emulator.api_base,
            discord_gateway_url=emulator.gateway_url,
            **settings,
        )
        self._stack: contextlib.AsyncExitStack | None = None
        self._task: asyncio.Task[None] | None = None
        self.bot: StudyBot | None = None
        self.starts = 0

    async def start(self, timeout: float = 15.0, **client_options: Any) -> StudyBot:
        """Start a bot; ``client_options`` override discord.py client options the bot sets itself."""
        assert self.bot is None, "already running"
        stack = contextlib.AsyncExitStack()
        stack.enter_context(pointed_at(self.emulator))
        rt = await stack.enter_async_context(runtime(self.settings))
        bot = rt.build_bot(**client_options)
        ready = asyncio.get_running_loop().create_future()

        async def on_studybot_ready() -> None:
            if not ready.done():
                ready.set_result(None)

        bot.add_listener(on_studybot_ready, "on_studybot_ready")
        task = asyncio.create_task(bot.start(self.emulator.token), name=f"studybot-{self.starts}")
        self._stack, self._task, self.bot = stack, task, bot
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            await self.stop()
            task.result()  # raises what made the bot stop during start-up
            raise AssertionError("the bot stopped during start-up")
        if ready not in done:
            await self.stop()
            raise AssertionError(f"the bot was not ready within {timeout} s")
        self.starts += 1
        return bot

    async def stop(self) -> None:
        """Stop like a killed process: close the client, drop the scheduler, dispose the engine."""
        bot, task, stack = self.bot, self._task, self._stack
        self.bot, self._task, self._stack = None, None, None
        if bot is not None:
            await bot.close()
        if task is not None:
            with contextlib.suppress(Exception):
                await task
        if stack is not None:
            await stack.aclose()

    async def restart(self) -> StudyBot:
        await self.stop()
        return await self.start()

    @property
    def running(self) -> StudyBot:
        assert self.bot is not None, "the bot is not running"
        return self.bot


@pytest.fixture
async def studybot(emulator: DiscordEmulator, database_url: str) -> AsyncIterator[StudyBotHarness]:
    """The bot on each database the tests run on (see tests.databases)."""
    harness = StudyBotHarness(emulator, database_url)
    try:
        yield harness
    finally:
        await harness.stop()
    assert not emulator.interaction_failures, [str(f) for f in emulator.interaction_failures]
