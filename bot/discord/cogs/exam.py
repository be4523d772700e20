"""/exam: the exams the bot carries, and which one this server studies by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.choices import exam_choices
from bot.discord.render import exam_embed
from bot.errors import UserError

if TYPE_CHECKING:
    from bot.app import StudyBot


class ExamCog(commands.Cog):
    exam = app_commands.Group(name="exam", description="The exams this bot carries and the one you study")

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @exam.command(name="show", description="An exam's domains, weights, format and pass mark")
    @app_commands.describe(exam="Which exam (default: this server's)")
    async def show(self, interaction: discord.Interaction[StudyBot], exam: str | None = None) -> None:
        guilds = self.bot.guild_service
        chosen = await guilds.exam_for(interaction.guild_id, exam, discord.utils.utcnow())
        note = None
        if chosen.blueprint.retired_on is not None:
            note = f"{chosen.blueprint.code} is retired. {guilds.describe_packs(interaction.guild_id)}"
        await interaction.response.send_message(content=note, embed=exam_embed(chosen), ephemeral=True)

    @exam.command(name="use", description="Choose the exam this server studies by default")
    @app_commands.describe(exam="The exam for new daily posts, quizzes and mocks here")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def use(self, interaction: discord.Interaction[StudyBot], exam: str) -> None:
        if interaction.guild is None:
            raise UserError("A server's exam is chosen in that server.")
        guilds = self.bot.guild_service
        chosen = guilds.exam(exam, interaction.guild.id)
        await guilds.set_pack(interaction.guild.id, chosen.slug, discord.utils.utcnow())
        bp = chosen.blueprint
        text = (
            f"This server now studies {bp.code} ({bp.name}) by default. Schedules that name their own "
            "exam keep it; statistics stay with the exam they were earned in."
        )
        if bp.retired_on is not None:
            text += f"\nNote: AWS retired {bp.code} on {bp.retired_on.isoformat()}. "
            text += guilds.describe_packs(interaction.guild.id)
        await interaction.response.send_message(text, ephemeral=True)

    _show_exams = show.autocomplete("exam")(exam_choices)
    _use_exams = use.autocomplete("exam")(exam_choices)
