"""/mock: private, timed mini mock exams with a score report and a review."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import mock_ui
from bot.discord.choices import domain_choices, exam_choices
from bot.discord.replies import component_id, reply_privately
from bot.errors import UserError
from bot.services.mock import MockClosed, MockState

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)

TIME_UP = "⏰ Time is up: the mock finished on its own; unanswered questions count as wrong."


class MockCog(commands.Cog):
    mock = app_commands.Group(name="mock", description="Private, timed mock exams")

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @mock.command(name="start", description="Start a private mock exam at the real exam's pace")
    @app_commands.describe(
        questions="How many questions (default 10)",
        domain="Only one domain (default: all)",
        exam="Which exam (default: this server's)",
    )
    async def start(
        self,
        interaction: discord.Interaction[StudyBot],
        questions: Literal[10, 20, 30, 65] = 10,
        domain: str | None = None,
        exam: str | None = None,
    ) -> None:
        state = await self.bot.mock_service.start(
            interaction.user.id, interaction.guild_id, questions, domain, discord.utils.utcnow(), exam
        )
        self.bot.jobs.arm_mock_deadline(state.id, state.deadline)
        await interaction.response.send_message(
            content=f"Your {len(state.questions)}-question mock has started. Only you can see it.",
            embed=mock_ui.question_embed(state),
            view=mock_ui.question_view(state),
            ephemeral=True,
        )

    # Suggest the chosen exam's domains, and the exams, as the member types.
    _domains = start.autocomplete("domain")(domain_choices)
    _exams = start.autocomplete("exam")(exam_choices)

    @mock.command(name="resume", description="Bring back your running mock in a fresh message")
    async def resume(self, interaction: discord.Interaction[StudyBot]) -> None:
        state = await self.bot.mock_service.active(
            interaction.user.id, interaction.guild_id, discord.utils.utcnow()
        )
        if state is None:
            raise UserError(
                "You have no mock running. `/mock start` begins one; `/mock history` shows past ones."
            )
        await interaction.response.send_message(
            embed=mock_ui.question_embed(state), view=mock_ui.question_view(state), ephemeral=True
        )

    @mock.command(name="history", description="Your past mocks of one exam with their scores and trend")
    @app_commands.describe(exam="Which exam (default: the one you practised most recently)")
    async def history(self, interaction: discord.Interaction[StudyBot], exam: str | None = None) -> None:
        user, guild_id = interaction.user.id, interaction.guild_id
        pack = await self.bot.progress_service.studied_exam(guild_id, user, exam, discord.utils.utcnow())
        summaries = await self.bot.mock_service.history(user, guild_id, pack.slug)
        embed = mock_ui.history_embed(summaries, pack)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    _history_exams = history.autocomplete("exam")(exam_choices)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[StudyBot]) -> None:
        """Mock buttons, routed by their custom_id (see ``mock_ui.MockView``)."""
        button = mock_ui.parse_button(component_id(interaction))
        if button is not None:
            await self.press(interaction, *button)

    async def press(
        self, interaction: discord.Interaction[StudyBot], session_id: int, action: str, arg: str
    ) -> None:
        """Any mock button. Every press answers at once by updating the message it was pressed on."""
        service, user, now = self.bot.mock_service, interaction.user.id, discord.utils.utcnow()
        try:
            if action == "answer":
                position, letter = mock_ui.parse_answer(arg)
                state = await service.pick(session_id, user, position, letter, now)
            elif action == "mark":
                state = await service.flag(session_id, user, int(arg), now)
            elif action == "undo":
                state = await service.undo(session_id, user, int(arg), now)
            elif action == "goto":
                state = await service.move(session_id, user, int(arg), now)
            elif action in {"finish", "confirm"}:
                if action == "finish":
                    state = await service.running(session_id, user, now)
                    if state.unanswered or state.flagged_count:
                        await self._show(
                            interaction, mock_ui.confirm_embed(state), mock_ui.confirm_view(state)
                        )
                        return
                state = await service.finish(session_id, user, now)
            elif action in mock_ui.UNPLACED_ACTIONS:
                state = await service.running(session_id, user, now)
                note = "That card was out of date, so nothing changed. Here is where you are:"
                await self._show(
                    interaction, mock_ui.question_embed(state), mock_ui.question_view(state), content=note
                )
                return
            else:
                state = await service.get(session_id, user, now)
            await self._render(interaction, state, action, arg)
        except MockClosed as closed:
            await self._show_closed(interaction, session_id, closed)
        except UserError as error:
            await reply_privately(interaction, error.message)
        except Exception:
            log.exception("mock button %s on mock %s failed", action, session_id)
            await reply_privately(interaction, "Sorry, something went wrong on our side. Please press again.")

    async def _show_closed(
        self, interaction: discord.Interaction[StudyBot], session_id: int, closed: MockClosed
    ) -> None:
        """A press on a mock that is over shows its report (or says it is gone, once erased)."""
        try:
            state = await self.bot.mock_service.get(session_id, interaction.user.id, discord.utils.utcnow())
        except UserError as error:
            await reply_privately(interaction, error.message)
            return
        note = TIME_UP if closed.timed_out else None
        await self._show(interaction, mock_ui.report_embed(state, note=note), mock_ui.report_view(state))

    async def _render(
        self, interaction: discord.Interaction[StudyBot], state: MockState, action: str, arg: str
    ) -> None:
        if state.finished and action == "review":
            index = max(0, min(len(state.questions) - 1, int(arg or 0)))
            await self._show(
                interaction, mock_ui.review_embed(state, index), mock_ui.review_view(state, index)
            )
        elif state.finished:
            note = (
                TIME_UP
                if state.finished_at == state.deadline and action not in {"finish", "confirm"}
                else None
            )
            await self._show(interaction, mock_ui.report_embed(state, note=note), mock_ui.report_view(state))
        elif action == "review":
            raise UserError("The review opens when you finish the mock.")
        else:
            await self._show(interaction, mock_ui.question_embed(state), mock_ui.question_view(state))

    @staticmethod
    async def _show(
        interaction: discord.Interaction[StudyBot],
        embed: discord.Embed,
        view: discord.ui.View,
        *,
        content: str | None = None,
    ) -> None:
        await interaction.response.edit_message(content=content, embed=embed, view=view)
