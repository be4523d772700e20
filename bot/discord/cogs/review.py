"""/review: a private session of the questions a member missed, on a spaced schedule."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import review_ui
from bot.discord.choices import exam_choices
from bot.discord.render import timestamp
from bot.discord.replies import component_id, reply_privately
from bot.errors import QuestionWithdrawn, UserError
from bot.services.reviews import DEFAULT_REVIEW_CARDS, MAX_REVIEW_CARDS

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)


class ReviewCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(name="review", description="Review the questions you missed, when they are due")
    @app_commands.describe(
        exam="Which exam (default: the one you practised most recently)",
        count=f"How many cards (default {DEFAULT_REVIEW_CARDS}, at most {MAX_REVIEW_CARDS})",
    )
    async def review(
        self,
        interaction: discord.Interaction[StudyBot],
        exam: str | None = None,
        count: app_commands.Range[int, 1, MAX_REVIEW_CARDS] = DEFAULT_REVIEW_CARDS,
    ) -> None:
        now, user = discord.utils.utcnow(), interaction.user.id
        pack = await self.bot.progress_service.studied_exam(interaction.guild_id, user, exam, now)
        run = await self.bot.review_service.start(user, interaction.guild_id, pack, count, now)
        if run is None:
            due = await self.bot.review_service.next_due(user, pack.slug)
            when = f" The next card is due {timestamp(due)}." if due is not None else ""
            await interaction.response.send_message(
                f"Nothing to review in {pack.blueprint.code} right now.{when} Every question you miss "
                "(daily, quiz or mock) joins your queue.",
                ephemeral=True,
            )
            return
        embed, view = review_ui.card(run, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    _exams = review.autocomplete("exam")(exam_choices)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[StudyBot]) -> None:
        custom = component_id(interaction)
        later = review_ui.parse_later(custom)
        if later is not None:
            await self._review_later(interaction, *later)
            return
        button = review_ui.parse_button(custom)
        if button is None:
            return
        try:
            await self._press(interaction, *button)
        except UserError as error:
            await reply_privately(interaction, error.message)
        except Exception:
            log.exception("review button %s failed", button[1])
            await reply_privately(interaction, "Sorry, something went wrong on our side. Please press again.")

    async def _review_later(
        self, interaction: discord.Interaction[StudyBot], kind: str, source_id: int, position: int | None
    ) -> None:
        """Queue the question of a reveal or of a mock's review page for the member who pressed."""
        user, now = interaction.user.id, discord.utils.utcnow()
        try:
            if kind == "post":
                pack, question_id, _ = await self.bot.daily_service.asked(source_id)
            else:
                state = await self.bot.mock_service.get(source_id, user, now)
                pack, question_id = state.pack.slug, state.questions[position or 0].id
            added = await self.bot.review_service.add_by_hand(user, pack, question_id, now)
        except UserError as error:
            await reply_privately(interaction, error.message)
            return
        except QuestionWithdrawn:
            await reply_privately(interaction, "That question was withdrawn from the bank.")
            return
        text = (
            "Added to your review queue: `/review` asks it again."
            if added
            else "It is in your review queue already."
        )
        await reply_privately(interaction, text)

    async def _press(
        self, interaction: discord.Interaction[StudyBot], run_id: int, action: str, arg: str
    ) -> None:
        service, user, now = self.bot.review_service, interaction.user.id, discord.utils.utcnow()
        if action == "answer":
            run = await service.answer(run_id, user, int(arg[:-1]), arg[-1], now)
            embed, view = review_ui.result(run, int(arg[:-1]), now)
        elif action == "toggle":
            run = await service.toggle(run_id, user, int(arg[:-1]), arg[-1])
            embed, view = review_ui.card(run, int(arg[:-1]))
        elif action == "check":
            run = await service.answer(run_id, user, int(arg), None, now)
            embed, view = review_ui.result(run, int(arg), now)
        elif action == "goto":
            run = await service.get(run_id, user)
            embed, view = review_ui.card(run, min(int(arg), len(run.questions) - 1))
        else:
            run = await service.get(run_id, user)
            summary = await service.summary(run, now)
            await interaction.response.edit_message(embed=review_ui.summary_embed(run, summary), view=None)
            return
        await interaction.response.edit_message(embed=embed, view=view)
