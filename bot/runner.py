"""Start-up in order: load the bank, migrate, open the engine, connect. Shared by `studybot run` and the
end-to-end tests, so the tested path is the shipped path."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import ShardedStudyBot, StudyBot
from bot.bank import load_packs
from bot.config import Settings
from bot.db import migrate
from bot.db.claims import Claims
from bot.db.engine import create_engine, session_factory, sqlite_folder
from bot.discord.endpoints import use_endpoints
from bot.domain.pack import ExamPack
from bot.errors import ConfigurationError, DiscordUnreachable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    packs: dict[str, ExamPack]

    def build_bot(self, **client_options: Any) -> StudyBot:
        # A fresh scheduler per bot: its jobs are rebuilt from the database when the bot is ready.
        shards = self.settings.shards()
        if shards.count is None:
            bot_class: type[StudyBot] = StudyBot
        else:
            bot_class = ShardedStudyBot
            client_options.setdefault("shard_count", shards.count)
            client_options.setdefault("shard_ids", None if shards.ids is None else list(shards.ids))
        return bot_class(
            settings=self.settings,
            sessions=self.sessions,
            packs=self.packs,
            scheduler=AsyncIOScheduler(timezone=dt.UTC),
            claims=Claims(self.engine),
            **client_options,
        )


#: Parsed question files, kept beside the database between starts (see bot.bank.cache).
BANK_CACHE = "question-cache.json"


@asynccontextmanager
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Everything the bot needs before it connects; closed again on the way out."""
    data_folder = sqlite_folder(settings.database_url)
    packs = load_packs(settings.questions_dir, data_folder / BANK_CACHE if data_folder else None)
    if settings.default_pack not in packs:
        raise ConfigurationError(
            f"DEFAULT_PACK={settings.default_pack!r} is not a pack under {settings.questions_dir} "
            f"(found: {', '.join(sorted(packs))})"
        )
    log.info(
        "loaded %s", ", ".join(f"{slug} ({len(p.active_questions)} questions)" for slug, p in packs.items())
    )
    use_endpoints(settings.discord_api_base, settings.discord_gateway_url)
    engine = create_engine(settings.database_url, settings.database_pool_size)
    try:
        await migrate.upgrade(engine)
        yield Runtime(settings, engine, session_factory(engine), packs)
    finally:
        await engine.dispose()


#: Faults that mean Discord (or the way to it) is unreachable for now, not that something is wrong here.
UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, no route, DNS
    aiohttp.ClientError,
    asyncio.TimeoutError,
    discord.GatewayNotFound,
    discord.ConnectionClosed,
    discord.DiscordServerError,
)
FIRST_RETRY_SECONDS, LONGEST_RETRY_SECONDS = 2.0, 300.0


def retry_delay(failures: int, rng: random.Random) -> float:
    """Capped exponential back-off with full jitter, so many bots do not come back in step."""
    ceiling = min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2.0 ** (failures - 1))
    return rng.uniform(0.5, 1.0) * ceiling


def _unreachable(bot: StudyBot, error: BaseException) -> bool:
    if isinstance(error, UNREACHABLE):
        return True
    # discord.py 2.7 retries a gateway that never answered by reading the session of a websocket it
    # never opened; that AttributeError is the same outage.
    return isinstance(error, AttributeError) and bot.ws is None


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


async def run(settings: Settings) -> None:
    """Connect and serve until SIGTERM or SIGINT. While Discord is unreachable, try again with back-off
    (one log line each time); give up (DiscordUnreachable) only after DISCORD_RETRY_LIMIT attempts."""
    token = settings.token()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _stop_on, signum, stop)
    rng = random.Random()  # noqa: S311 - jitter, not secrets
    try:
        async with runtime(settings) as rt:
            failures = 0
            while not stop.is_set():
                bot = rt.build_bot()
                async with bot:
                    error = await _serve_until_stopped(bot, token, stop)
                if error is None:
                    break
                failures = 1 if bot.has_served else failures + 1
                if settings.discord_retry_limit and failures >= settings.discord_retry_limit:
                    raise DiscordUnreachable(
                        f"Discord is unreachable ({_describe(error)}) after {failures} attempt(s); "
                        "giving up as DISCORD_RETRY_LIMIT says"
                    )
                delay = retry_delay(failures, rng)
                log.warning(
                    "Discord is unreachable (%s); attempt %d failed, trying again in %.0f s",
                    _describe(error),
                    failures,
                    delay,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    if stop.is_set():
        log.info("stopped cleanly: scheduler stopped, database closed")


def _stop_on(signum: int, stop: asyncio.Event) -> None:
    if not stop.is_set():
        log.info("stopping on %s", signal.Signals(signum).name)
        stop.set()


async def _serve_until_stopped(bot: StudyBot, token: str, stop: asyncio.Event) -> BaseException | None:
    """Run the bot until it stops or ``stop`` is set; the outage that stopped it, if that is what did."""
    serving = asyncio.create_task(bot.start(token), name="studybot")
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if serving not in done:
        await bot.close()
        with contextlib.suppress(Exception):
            await serving
        return None
    error = serving.exception()
    if error is None:
        return None
    if isinstance(error, discord.LoginFailure):
        raise ConfigurationError(
            "Discord rejected DISCORD_TOKEN. Reset the token in the Developer Portal (Bot > Reset Token) "
            "and set it again."
        ) from error
    if _unreachable(bot, error):
        return error
    raise error
