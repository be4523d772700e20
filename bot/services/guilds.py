"""Per-server configuration: which exam pack a server studies and its timezone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.db.timestamps import as_utc
from bot.domain.onboarding import should_welcome
from bot.domain.pack import ExamPack, Question
from bot.errors import QuestionWithdrawn, UserError, echo


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    pack: str
    timezone: str
    hide_answers: bool
    quiz_window_seconds: int


class GuildService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        packs: dict[str, ExamPack],
        *,
        default_pack: str,
        default_timezone: str,
    ) -> None:
        self._sessions = sessions
        self._packs = dict(packs)  # the shipped packs and every server's own
        # A server's own pack -> that server: it is offered there and nowhere else. Removed packs stay
        # in ``_packs`` while loaded, so what was asked from them still resolves.
        self._owners: dict[str, int] = {}
        self._removed: set[str] = set()
        self._default_pack = default_pack
        self._default_timezone = default_timezone
        # Nearly every command needs its server's settings and they rarely change; they change only
        # through this service, which forgets its copy when they do.
        self._configs: dict[int, GuildConfig] = {}
        self._changes = 0  # a read that overlapped a change is not kept

    async def config(self, guild_id: int, now: dt.datetime) -> GuildConfig:
        config = self._configs.get(guild_id)
        if config is None:
            changes = self._changes
            async with self._sessions.begin() as session:
                row = await repo.ensure_guild(
                    session, guild_id, pack=self._default_pack, timezone=self._default_timezone, now=now
                )
                config = GuildConfig(
                    row.id, row.pack, row.timezone, row.hide_answers, row.quiz_window_seconds
                )
            if changes == self._changes:
                self._configs[guild_id] = config
        return config

    def _forget(self, guild_id: int) -> None:
        self._changes += 1
        self._configs.pop(guild_id, None)

    async def pack_for(self, guild_id: int | None, now: dt.datetime) -> ExamPack:
        """The pack a server studies; outside a server, the default pack."""
        slug = self._default_pack if guild_id is None else (await self.config(guild_id, now)).pack
        return self.pack(slug)

    def question(self, slug: str, question_id: str) -> Question:
        """A question a post or mock stored; QuestionWithdrawn if it (or its pack) left the bank."""
        pack = self._packs.get(slug)
        question = None if pack is None else pack.question(question_id)
        if question is None:
            raise QuestionWithdrawn(f"question {question_id} of pack {slug} is no longer in the bank")
        return question

    def pack(self, slug: str) -> ExamPack:
        try:
            return self._packs[slug]
        except KeyError:
            known = ", ".join(sorted(self._packs))
            raise UserError(f"There is no exam pack called {echo(slug)}. Packs available: {known}.") from None

    @property
    def packs(self) -> dict[str, ExamPack]:
        """Every pack the bot has loaded, shipped or a server's (for what stored rows refer to)."""
        return dict(self._packs)

    def packs_for(self, guild_id: int | None) -> dict[str, ExamPack]:
        """The packs a server may choose from: the shipped ones and its own."""
        return {
            slug: pack
            for slug, pack in self._packs.items()
            if slug not in self._removed and self._owners.get(slug, guild_id) == guild_id
        }

    def add_server_pack(self, guild_id: int, pack: ExamPack) -> None:
        self._packs[pack.slug] = pack
        self._owners[pack.slug] = guild_id
        self._removed.discard(pack.slug)

    def remove_server_pack(self, slug: str) -> None:
        """No longer offered; questions already asked from it still resolve until the next start."""
        self._removed.add(slug)

    async def set_hide_answers(self, guild_id: int, hide: bool, now: dt.datetime) -> None:
        async with self._sessions.begin() as session:
            row = await repo.ensure_guild(
                session, guild_id, pack=self._default_pack, timezone=self._default_timezone, now=now
            )
            row.hide_answers = hide
        self._forget(guild_id)

    async def mark_left(self, guild_id: int, now: dt.datetime) -> None:
        async with self._sessions.begin() as session:
            row = await repo.get_guild(session, guild_id)
            if row is not None:
                row.left_at = now

    async def mark_present(self, guild_ids: list[int], now: dt.datetime) -> None:
        """The servers the bot is in at start-up: known, and not marked as left."""
        async with self._sessions.begin() as session:
            await repo.ensure_guilds_present(
                session, guild_ids, pack=self._default_pack, timezone=self._default_timezone, now=now
            )

    async def mark_joined(self, guild_id: int, now: dt.datetime) -> bool:
        """The bot was added to a server. True if it should say hello (see ``should_welcome``)."""
        async with self._sessions.begin() as session:
            row = await repo.ensure_guild(
                session, guild_id, pack=self._default_pack, timezone=self._default_timezone, now=now
            )
            left_at = None if row.left_at is None else as_utc(row.left_at)
            welcomed_at = None if row.welcomed_at is None else as_utc(row.welcomed_at)
            row.left_at = None
            return should_welcome(welcomed_at, left_at, now)

    async def mark_welcomed(self, guild_id: int, now: dt.datetime) -> None:
        async with self._sessions.begin() as session:
            row = await repo.get_guild(session, guild_id)
            if row is not None:
                row.welcomed_at = now

    def exam(self, text: str, guild_id: int | None = None) -> ExamPack:
        """The pack a member named, by folder name or exam code, in any case (``aip-c01``, ``AIP-C01``),
        among those their server may use (another server's own packs are not there to find)."""
        wanted = text.strip().casefold()
        offered = self.packs_for(guild_id)
        for slug, pack in offered.items():  # a server's own pack by its slug before any exam code
            if wanted == slug.casefold():
                return pack
        for pack in offered.values():
            if wanted == pack.blueprint.code.casefold():
                return pack
        raise UserError(f"There is no exam called {echo(text)}. {self.describe_packs(guild_id)}")

    def describe_packs(self, guild_id: int | None = None) -> str:
        """The packs a server may use, live ones first, for messages that offer a choice."""
        offered = self.packs_for(guild_id)
        live = [p.blueprint.code for p in self.live_packs(guild_id)]
        retired = [p.blueprint.code for p in offered.values() if p.blueprint.retired_on is not None]
        text = f"Live exams: {', '.join(live) or 'none'}."
        return text + (f" Retired: {', '.join(retired)}." if retired else "")

    def live_packs(self, guild_id: int | None = None) -> list[ExamPack]:
        offered = self.packs_for(guild_id)
        return [p for _, p in sorted(offered.items()) if p.blueprint.retired_on is None]

    async def set_pack(self, guild_id: int, slug: str, now: dt.datetime) -> None:
        """The exam a server studies by default (schedules without their own exam, quizzes, mocks)."""
        if slug not in self.packs_for(guild_id):
            self.exam(slug, guild_id)  # says which exams there are
        async with self._sessions.begin() as session:
            row = await repo.ensure_guild(
                session, guild_id, pack=self._default_pack, timezone=self._default_timezone, now=now
            )
            row.pack = slug
        self._forget(guild_id)

    async def exam_for(self, guild_id: int | None, exam: str | None, now: dt.datetime) -> ExamPack:
        """The exam a member named, or else the server's default exam."""
        return self.exam(exam, guild_id) if exam else await self.pack_for(guild_id, now)

    async def set_quiz_window(self, guild_id: int, seconds: int, now: dt.datetime) -> None:
        async with self._sessions.begin() as session:
            row = await repo.ensure_guild(
                session, guild_id, pack=self._default_pack, timezone=self._default_timezone, now=now
            )
            row.quiz_window_seconds = seconds
        self._forget(guild_id)
