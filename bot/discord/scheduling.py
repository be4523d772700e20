"""Creating a daily schedule from Discord: one path for `/daily schedule` and `/setup`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.discord.publisher import missing_permissions
from bot.errors import UserError
from bot.services.daily import ScheduleRequest, ScheduleView

if TYPE_CHECKING:
    from bot.app import StudyBot


async def save_daily_schedule(
    bot: StudyBot, guild: discord.Guild, channel: discord.TextChannel, request: ScheduleRequest, user_id: int
) -> tuple[ScheduleView, bool]:
    """Check the bot can post in the channel, save the schedule (replacing the channel's), arm its job.
    Returns the schedule and whether it replaced one."""
    now = discord.utils.utcnow()
    config = await bot.guild_service.config(guild.id, now)
    missing = missing_permissions(channel, guild.me, hide=config.hide_answers)
    if missing:
        raise UserError(
            f"I need {', '.join(missing)} in {channel.mention} first. "
            "Grant them in the channel's settings, then try again."
        )
    view, replaced = await bot.daily_service.save_schedule(guild.id, request, user_id, now)
    bot.jobs.arm_schedule(view)
    return view, replaced
