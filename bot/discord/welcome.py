"""The bot's hello when it joins a server: once, where it may write, never pinging anyone."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)

WELCOME = (
    "👋 Hi! I'm a study bot for AWS certification groups.\n"
    "I post a question of the day, run quick channel quizzes and private timed mock exams, and track "
    "everyone's progress by exam domain.\n"
    "An admin runs **`/setup`** next (two minutes); anyone can run `/help` to see what I do."
)


def greeting_channels(guild: discord.Guild) -> list[discord.TextChannel]:
    """Where a hello may go: the system channel first, then the text channels in their order, each only
    if the bot can see it and write there."""
    me = guild.me
    ordered = sorted(guild.text_channels, key=lambda c: (c.position, c.id))
    if guild.system_channel is not None:
        ordered = [guild.system_channel, *(c for c in ordered if c != guild.system_channel)]
    return [c for c in ordered if c.permissions_for(me).view_channel and c.permissions_for(me).send_messages]


async def send_welcome(guild: discord.Guild) -> bool:
    """Say hello in the first channel that takes it; False if the bot can write nowhere (it then says
    nothing and does not try again)."""
    for channel in greeting_channels(guild)[:3]:
        try:
            await channel.send(WELCOME, allowed_mentions=discord.AllowedMentions.none())
            return True
        except discord.HTTPException as exc:
            log.info("could not greet guild %s in #%s: %s", guild.id, channel.name, exc)
    log.info("guild %s: nowhere to say hello; staying quiet", guild.id)
    return False
