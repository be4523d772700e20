"""Question packs servers uploaded."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Guild, MockSession, Post, Schedule, ServerPack

__all__ = [
    "live_server_packs",
    "packs_of_server",
    "questions_in_play",
    "server_pack",
    "server_pack_users",
]


async def live_server_packs(session: AsyncSession) -> list[ServerPack]:
    """Every server's packs that are not removed: loaded at each start."""
    return list(await session.scalars(select(ServerPack).where(ServerPack.removed_at.is_(None))))


async def packs_of_server(session: AsyncSession, guild_id: int) -> list[ServerPack]:
    query = (
        select(ServerPack)
        .where(ServerPack.guild_id == guild_id, ServerPack.removed_at.is_(None))
        .order_by(ServerPack.name)
    )
    return list(await session.scalars(query))


async def server_pack(session: AsyncSession, guild_id: int, name: str) -> ServerPack | None:
    query = select(ServerPack).where(
        ServerPack.guild_id == guild_id, ServerPack.name == name, ServerPack.removed_at.is_(None)
    )
    return (await session.scalars(query)).first()


async def questions_in_play(session: AsyncSession, slug: str) -> dict[str, str]:
    """Questions of a pack that a post not yet revealed or a running mock still asks: question id ->
    where (a channel mention, or "a running mock")."""
    posts = await session.execute(
        select(Post.question_id, Post.channel_id).where(
            Post.pack == slug, Post.state.in_(("posting", "open", "scored"))
        )
    )
    found = {question_id: f"<#{channel_id}>" for question_id, channel_id in posts}
    mocks = await session.scalars(
        select(MockSession.question_ids).where(MockSession.pack == slug, MockSession.finished_at.is_(None))
    )
    for question_ids in mocks:
        for question_id in question_ids.split(","):
            found.setdefault(question_id, "a running mock")
    return found


async def server_pack_users(session: AsyncSession, guild_id: int, slug: str) -> tuple[bool, list[int]]:
    """Whether the server studies the pack by default, and the channels whose schedules name it."""
    default = await session.scalar(select(func.count()).where(Guild.id == guild_id, Guild.pack == slug))
    channels = await session.scalars(
        select(Schedule.channel_id).where(Schedule.guild_id == guild_id, Schedule.pack == slug)
    )
    return bool(default), list(channels)
