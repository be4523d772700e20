"""/setup: an admin's answers, kept as a draft until they create the schedule (or walk away)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import SetupDraft
from bot.domain.onboarding import SetupChoices
from bot.domain.schedule import parse_time_of_day, parse_timezone, parse_weekdays
from bot.errors import UserError
from bot.services.daily import ANSWER_MODES, ScheduleRequest
from bot.services.guilds import GuildService


class SetupService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], guilds: GuildService) -> None:
        self._sessions = sessions
        self._guilds = guilds

    async def begin(self, guild_id: int, user_id: int, now: dt.datetime) -> SetupChoices:
        """A fresh draft (running /setup again starts over), filled with the server's current choices."""
        config = await self._guilds.config(guild_id, now)
        choices = SetupChoices(exam=config.pack, timezone=config.timezone)
        await self._save(guild_id, user_id, choices, now)
        return choices

    async def current(self, guild_id: int, user_id: int, now: dt.datetime) -> SetupChoices:
        """The draft a button or menu acts on; a fresh one if it is gone (say, the database was reset)."""
        async with self._sessions.begin() as session:
            row = await session.get(SetupDraft, (guild_id, user_id))
            stored = None if row is None else row.choices
        if stored is None:
            return await self.begin(guild_id, user_id, now)
        return SetupChoices(**json.loads(stored))

    async def change(
        self, guild_id: int, user_id: int, now: dt.datetime, **changes: str | int
    ) -> SetupChoices:
        """Record answers, each checked as `/daily schedule` checks it; nothing is saved if one is wrong."""
        checked: dict[str, object] = {}
        for name, value in changes.items():
            checked[name] = self._checked(guild_id, name, value)
        choices = (await self.current(guild_id, user_id, now)).with_changes(**checked)
        await self._save(guild_id, user_id, choices, now)
        return choices

    def _checked(self, guild_id: int, name: str, value: str | int) -> object:
        if name == "exam":
            return self._guilds.exam(str(value), guild_id).slug
        if name == "timezone":
            return parse_timezone(str(value)).key
        if name == "time_of_day":
            return parse_time_of_day(str(value)).strftime("%H:%M")
        if name == "days":
            parse_weekdays(str(value))
            return str(value)
        if name == "answers":
            if value not in ANSWER_MODES:
                raise UserError("Answers are taken by reactions or buttons.")
            return value
        if name == "channel_id":
            return int(value)
        raise ValueError(f"no such /setup answer: {name}")

    async def discard(self, guild_id: int, user_id: int) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(SetupDraft, (guild_id, user_id))
            if row is not None:
                await session.delete(row)

    @staticmethod
    def request(choices: SetupChoices) -> ScheduleRequest:
        """The schedule these answers describe, as `/daily schedule` would be asked for it."""
        if choices.channel_id is None:
            raise UserError("Pick the study channel first.")
        return ScheduleRequest(
            channel_id=choices.channel_id,
            time_of_day=choices.time_of_day,
            timezone=choices.timezone,
            days=choices.days,
            answer_mode=choices.answers,
            exam=choices.exam,
        )

    async def _save(self, guild_id: int, user_id: int, choices: SetupChoices, now: dt.datetime) -> None:
        text = json.dumps(dataclasses.asdict(choices))
        async with self._sessions.begin() as session:
            row = await session.get(SetupDraft, (guild_id, user_id))
            if row is None:
                session.add(SetupDraft(guild_id=guild_id, user_id=user_id, choices=text, updated_at=now))
            else:
                row.choices, row.updated_at = text, now
