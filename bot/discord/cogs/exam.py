"""/exam: what the server is studying for."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.render import exam_embed

if TYPE_CHECKING:
    from bot.app import StudyBot


class ExamCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="exam", description="Show the exam this server studies: domains, weights, format"
    )
    @app_commands.describe(pack="Another exam pack to show instead of this server's")
    async def exam(self, interaction: discord.Interaction[StudyBot], pack: str | None = None) -> None:
        guilds = self.bot.guild_service
        chosen = (
            guilds.pack(pack) if pack else await guilds.pack_for(interaction.guild_id, discord.utils.utcnow())
        )
        await interaction.response.send_message(embed=exam_embed(chosen), ephemeral=True)

    @exam.autocomplete("pack")
    async def _pack_choices(
        self, interaction: discord.Interaction[StudyBot], current: str
    ) -> list[app_commands.Choice[str]]:
        packs = self.bot.guild_service.packs
        return [
            app_commands.Choice(name=f"{p.blueprint.code}: {p.blueprint.name}"[:100], value=slug)
            for slug, p in sorted(packs.items())
            if current.casefold() in (slug + p.blueprint.code + p.blueprint.name).casefold()
        ][:25]
