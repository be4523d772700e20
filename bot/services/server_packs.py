"""A server's own question packs: uploaded by its admins, validated like the shipped ones, stored in the
database with the file itself, and offered in that server only."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bank import InvalidQuestionBank
from bot.bank.upload import parse_upload
from bot.db import repo
from bot.db.models import ServerPack
from bot.domain.pack import ExamPack
from bot.errors import UserError, echo
from bot.services.guilds import GuildService

log = logging.getLogger(__name__)

MAX_PACKS_PER_SERVER = 10
PACK_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,31}")


@dataclass(frozen=True)
class StoredPack:
    name: str
    slug: str
    code: str
    title: str
    filename: str
    questions: int
    uploaded_by: int
    uploaded_at: dt.datetime


@dataclass(frozen=True)
class Refused:
    """An upload that broke the rules: every problem, each saying where."""

    problems: list[str]


def slug_for(guild_id: int, name: str) -> str:
    """A server pack's slug: its name and its server, so two servers' packs never share one."""
    return f"{name}@{guild_id}"


def check_name(name: str) -> str:
    name = name.strip().casefold()
    if not PACK_NAME.fullmatch(name):
        raise UserError(
            f"{echo(name)} cannot name a pack: use 2 to 32 lowercase letters, digits and dashes, "
            "starting with a letter or digit (e.g. `team-ml`)."
        )
    return name


def _parse(filename: str, data: bytes, guild_id: int, name: str) -> ExamPack:
    """A server's pack file, as at its upload: a CSV pack's exam code and name come from the pack's name."""
    return parse_upload(filename, data, slug=slug_for(guild_id, name), code=name.upper(), name=name)


async def stored_packs(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, ExamPack]]:
    """Every server's live packs, parsed again from their files, with their servers. A pack the loader
    now refuses (its rules grew stricter) is named in the log and left out; its server keeps the rest."""
    async with sessions.begin() as session:
        rows = await repo.live_server_packs(session)
    packs = []
    for row in rows:
        try:
            pack = await asyncio.to_thread(_parse, row.filename, row.content, row.guild_id, row.name)
        except InvalidQuestionBank as exc:
            log.warning("server %s: pack %s no longer loads: %s", row.guild_id, row.name, exc)
            continue
        packs.append((row.guild_id, pack))
    return packs


class ServerPackService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], guilds: GuildService) -> None:
        self._sessions = sessions
        self._guilds = guilds

    async def load_all(self) -> int:
        """Offer every server's packs again (at each start)."""
        stored = await stored_packs(self._sessions)
        for guild_id, pack in stored:
            self._guilds.add_server_pack(guild_id, pack)
        return len(stored)

    async def upload(
        self, guild_id: int, user_id: int, name: str, filename: str, data: bytes, now: dt.datetime
    ) -> StoredPack | Refused:
        """Validate and store a pack; the same name replaces the server's earlier pack of that name.
        Nothing is stored unless the whole file is good."""
        name = check_name(name)
        slug = slug_for(guild_id, name)
        try:
            pack = await asyncio.to_thread(_parse, filename, data, guild_id, name)
        except InvalidQuestionBank as exc:
            return Refused([str(p) for p in exc.problems])
        async with self._sessions.begin() as session:
            existing = await repo.packs_of_server(session, guild_id)
            replaced = next((p for p in existing if p.name == name), None)
            dropped = await _still_asked(session, slug, {q.id for q in pack.questions})
            if dropped:
                raise UserError(
                    f"The new file leaves out questions still being asked: {dropped}. Upload it again after "
                    "their reveal (or the mock's end), or keep them in the file (`retired: true` in YAML)."
                )
            if replaced is None and len(existing) >= MAX_PACKS_PER_SERVER:
                raise UserError(
                    f"This server has {len(existing)} packs, the most it may keep: `/pack remove` one first."
                )
            # The same name replaces the earlier file (a removed one too: its statistics name the slug,
            # not the row, so they stay readable).
            await session.execute(delete(ServerPack).where(ServerPack.slug == slug))
            row = ServerPack(
                guild_id=guild_id,
                slug=slug,
                name=name,
                filename=filename[:128],
                content=data,
                questions=len(pack.questions),
                uploaded_by=user_id,
                uploaded_at=now,
            )
            session.add(row)
            await session.flush()
            stored = _stored(row, pack)
        self._guilds.add_server_pack(guild_id, pack)
        return stored

    async def list(self, guild_id: int) -> list[StoredPack]:
        async with self._sessions.begin() as session:
            rows = await repo.packs_of_server(session, guild_id)
        return [_stored(row, self._guilds.packs.get(row.slug)) for row in rows]

    async def download(self, guild_id: int, name: str) -> tuple[str, bytes]:
        async with self._sessions.begin() as session:
            row = await repo.server_pack(session, guild_id, check_name(name))
            if row is None:
                raise UserError(f"This server has no pack called {echo(name)}: `/pack list` shows its packs.")
            return row.filename, row.content

    async def remove(self, guild_id: int, name: str, now: dt.datetime) -> StoredPack:
        """Stop offering a pack. Refused while the server or a schedule studies it. Its statistics stay."""
        async with self._sessions.begin() as session:
            row = await repo.server_pack(session, guild_id, check_name(name))
            if row is None:
                raise UserError(f"This server has no pack called {echo(name)}: `/pack list` shows its packs.")
            default, channels = await repo.server_pack_users(session, guild_id, row.slug)
            if default:
                raise UserError("The server studies this pack by default: `/exam use` another one first.")
            if channels:
                where = ", ".join(f"<#{c}>" for c in channels)
                raise UserError(f"Daily schedules use this pack ({where}): give them another exam first.")
            asked = await _still_asked(session, row.slug, set())
            if asked:
                raise UserError(
                    f"Questions of this pack are still being asked: {asked}. Remove it after that."
                )
            row.removed_at = now
            stored = _stored(row, self._guilds.packs.get(row.slug))
        self._guilds.remove_server_pack(row.slug)
        return stored


async def _still_asked(session: AsyncSession, slug: str, kept: set[str]) -> str:
    """The questions of a pack that a post before its reveal or a running mock still asks, and that
    ``kept`` does not hold, with where (the first five); "" if none. Without them a reveal has no key."""
    in_play = await repo.questions_in_play(session, slug)
    lost = sorted(set(in_play) - kept)
    return ", ".join(f"{q} ({in_play[q]})" for q in lost[:5])


def _stored(row: ServerPack, pack: ExamPack | None) -> StoredPack:
    code = pack.blueprint.code if pack else row.name.upper()
    title = pack.blueprint.name if pack else row.name
    return StoredPack(
        row.name, row.slug, code, title, row.filename, row.questions, row.uploaded_by, row.uploaded_at
    )
