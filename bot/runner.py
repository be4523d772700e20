"""Start-up in order: load the bank, migrate, open the engine, connect. Shared by `studybot run` and the
end-to-end tests, so the tested path is the shipped path."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import StudyBot
from bot.bank import load_packs
from bot.config import Settings
from bot.db import migrate
from bot.db.engine import create_engine, session_factory, sqlite_folder
from bot.discord.endpoints import use_endpoints
from bot.domain.pack import ExamPack
from bot.errors import ConfigurationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    packs: dict[str, ExamPack]

    def build_bot(self, **client_options: Any) -> StudyBot:
        # A fresh scheduler per bot: its jobs are rebuilt from the database when the bot is ready.
        return StudyBot(
            settings=self.settings,
            sessions=self.sessions,
            packs=self.packs,
            scheduler=AsyncIOScheduler(timezone=dt.UTC),
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
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        yield Runtime(settings, engine, session_factory(engine), packs)
    finally:
        await engine.dispose()


async def run(settings: Settings) -> None:
    token = settings.token()
    async with runtime(settings) as rt, rt.build_bot() as bot:
        try:
            await bot.start(token)
        except discord.LoginFailure as exc:
            raise ConfigurationError(
                "Discord rejected DISCORD_TOKEN. Reset the token in the Developer Portal (Bot > Reset Token) "
                "and set it again."
            ) from exc
