"""Autocomplete choices shared by several commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.app import StudyBot


async def domain_choices(
    interaction: discord.Interaction[StudyBot], current: str
) -> list[app_commands.Choice[str]]:
    """The domains of the server's exam pack whose id or name contains what the member typed."""
    pack = await interaction.client.guild_service.pack_for(interaction.guild_id, discord.utils.utcnow())
    return [
        app_commands.Choice(name=f"{d.id}: {d.name}"[:100], value=d.id)
        for d in pack.blueprint.domains
        if current.casefold() in f"{d.id} {d.name}".casefold()
    ]
