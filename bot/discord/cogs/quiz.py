"""/quiz: quick questions for the whole channel, answered with reactions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.choices import domain_choices, exam_choices
from bot.discord.publisher import missing_permissions
from bot.discord.render import timestamp
from bot.domain.schedule import GRACE
from bot.services.daily import MAX_QUIZ_ROUNDS

if TYPE_CHECKING:
    from bot.app import StudyBot


class QuizCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="quiz", description="Quiz the channel: questions one after another, answer with reactions"
    )
    @app_commands.describe(
        domain="Only one domain (default: all)",
        rounds="How many questions (default 1)",
        exam="Which exam (default: this server's)",
    )
    @app_commands.guild_only()
    async def quiz(
        self,
        interaction: discord.Interaction[StudyBot],
        domain: str | None = None,
        rounds: app_commands.Range[int, 1, MAX_QUIZ_ROUNDS] = 1,
        exam: str | None = None,
    ) -> None:
        channel = interaction.channel
        if interaction.guild is None or not isinstance(channel, discord.TextChannel):
            await interaction.response.send_message("Quizzes run in a server's text channel.", ephemeral=True)
            return
        missing = missing_permissions(channel, interaction.guild.me, hide=False)
        if missing:
            await interaction.response.send_message(
                f"I need {', '.join(missing)} in this channel to run a quiz.", ephemeral=True
            )
            return
        ends = await self.bot.daily_service.running_quiz_end(channel.id)
        if ends is not None and ends > discord.utils.utcnow() - GRACE:
            await interaction.response.send_message(
                f"A quiz is already running here; it ends {timestamp(ends)}.", ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await self.bot.daily_runner.start_quiz(
            interaction.guild.id, channel.id, domain, rounds, discord.utils.utcnow(), exam
        )
        if plan is None:
            await interaction.followup.send("I could not post the quiz here.", ephemeral=True)
            return
        plural = "s" if rounds > 1 else ""
        text = f"Quiz started: {rounds} round{plural}, the first closes {timestamp(plan.closes_at)}."
        await interaction.followup.send(text, ephemeral=True)

    # Suggest the chosen exam's domains, and the exams, as the member types.
    _domains = quiz.autocomplete("domain")(domain_choices)
    _exams = quiz.autocomplete("exam")(exam_choices)
