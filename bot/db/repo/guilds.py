"""Servers, and the bot's own small key-value state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.dialects import insert_for
from bot.db.models import (
    BotState,
    Guild,
)


async def get_state(session: AsyncSession, key: str) -> str | None:
    row = await session.get(BotState, key)
    return None if row is None else row.value


async def set_state(session: AsyncSession, key: str, value: str) -> None:
    # An upsert: two processes starting together (shards) may both write the same key.
    statement = insert_for(session)(BotState).values(key=key, value=value)
    await session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


async def get_guild(session: AsyncSession, guild_id: int) -> Guild | None:
    return await session.get(Guild, guild_id)


async def ensure_guild(
    session: AsyncSession, guild_id: int, *, pack: str, timezone: str, now: dt.datetime
) -> Guild:
    guild = await session.get(Guild, guild_id)
    if guild is None:
        guild = Guild(
            id=guild_id,
            pack=pack,
            timezone=timezone,
            joined_at=now,
            hide_answers=False,
            quiz_window_seconds=60,
        )
        session.add(guild)
        await session.flush()
    return guild


async def ensure_guilds_present(
    session: AsyncSession, guild_ids: list[int], *, pack: str, timezone: str, now: dt.datetime
) -> None:
    """Record every server the bot is in, in two statements however many there are."""
    if not guild_ids:
        return
    rows = [
        {
            "id": gid,
            "pack": pack,
            "timezone": timezone,
            "joined_at": now,
            "hide_answers": False,
            "quiz_window_seconds": 60,
        }
        for gid in guild_ids
    ]
    await session.execute(insert_for(session)(Guild).on_conflict_do_nothing(), rows)
    await session.execute(
        update(Guild).where(Guild.id.in_(guild_ids), Guild.left_at.is_not(None)).values(left_at=None)
    )


async def known_guild_ids(session: AsyncSession) -> list[int]:
    return list((await session.scalars(select(Guild.id).where(Guild.left_at.is_(None)))).all())
