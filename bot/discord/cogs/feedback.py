"""Report a problem with a question, and /questions reports for a server's admins (the bot's owners see
every server's)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import report_ui
from bot.discord.replies import MAX_CONTENT, component_id, reply_privately
from bot.domain.pack import ExamPack
from bot.errors import QuestionWithdrawn, UserError
from bot.reporting import as_csv, report_rows, reports_table

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)


class FeedbackCog(commands.Cog):
    questions = app_commands.Group(
        name="questions",
        description="The question bank",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @questions.command(name="reports", description="Problems members reported with questions")
    async def reports(self, interaction: discord.Interaction[StudyBot]) -> None:
        everywhere = interaction.user.id in self.bot.settings.owners()
        reported = await self.bot.feedback_service.reports(
            guild_id=None if everywhere else interaction.guild_id
        )
        if not reported:
            where = "any server" if everywhere else "this server"
            await reply_privately(
                interaction,
                f"No reports from {where} yet. Members report from the button under each key "
                "(a reveal, a mock's review, a /review card).",
            )
            return
        scope = "every server (you are an owner of the bot)" if everywhere else "this server"
        # Item figures take seconds to compute on a large bot: they are the command line's.
        shown = f"Reports from {scope}; all of them are in the file.\n"
        for line in reports_table(reported, None).splitlines():
            if len(shown) + len(line) + 10 > MAX_CONTENT:  # room for the code fence
                break
            shown += line + "\n"
        data = as_csv(report_rows(reported, {})).encode()
        await interaction.response.send_message(
            f"```\n{shown.rstrip()}\n```",
            file=discord.File(io.BytesIO(data), "question-reports.csv"),
            ephemeral=True,
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[StudyBot]) -> None:
        parsed = report_ui.parse(component_id(interaction, forms=True))
        if parsed is None:
            return
        step, target = parsed
        try:
            await self._step(interaction, step, target)
        except QuestionWithdrawn:
            await reply_privately(interaction, "That question was withdrawn from the bank.")
        except UserError as error:
            await reply_privately(interaction, error.message)
        except Exception:
            log.exception("report step %s failed", step)
            await reply_privately(interaction, "Sorry, something went wrong on our side. Please try again.")

    async def _step(
        self, interaction: discord.Interaction[StudyBot], step: str, target: report_ui.ReportTarget
    ) -> None:
        now = discord.utils.utcnow()
        pack, question_id, source, guild_id = await self._question(interaction, target, now)
        if step == "ask":
            text, view = report_ui.reason_menu(target, question_id)
            await interaction.response.send_message(text, view=view, ephemeral=True)
        elif step == "reason":
            data: dict[str, Any] = dict(interaction.data or {})
            reason = str((data.get("values") or [""])[0])
            await self.bot.feedback_service.report(
                pack,
                question_id,
                guild_id=guild_id,
                user_id=interaction.user.id,
                reason=reason,
                source=source,
                now=now,
            )
            text, view = report_ui.thanks(target, question_id, reason)
            await interaction.response.edit_message(content=text, view=view)
        elif step == "comment":
            await interaction.response.send_modal(report_ui.CommentForm(target, question_id))
        else:
            comment = report_ui.typed_comment(dict(interaction.data or {}))
            await self.bot.feedback_service.comment(pack.slug, question_id, interaction.user.id, comment)
            text = f"Thank you: your comment on question `{question_id}` is with the report."
            if interaction.message is not None:
                await interaction.response.edit_message(content=text, view=None)
            else:
                await reply_privately(interaction, text)

    async def _question(
        self, interaction: discord.Interaction[StudyBot], target: report_ui.ReportTarget, now: dt.datetime
    ) -> tuple[ExamPack, str, str, int | None]:
        """The pack and question shown where the button was, where that was (daily, quiz, mock,
        review), and its server."""
        bot, user = self.bot, interaction.user.id
        if target.kind == "post":
            slug, question_id, kind = await bot.daily_service.asked(target.source_id)
            return bot.guild_service.pack(slug), question_id, kind, interaction.guild_id
        position = target.position or 0
        if target.kind == "mock":
            state = await bot.mock_service.get(target.source_id, user, now)
            if position >= len(state.questions):
                raise UserError("That mock has no such question.")
            return state.pack, state.questions[position].id, "mock", state.guild_id
        run = await bot.review_service.get(target.source_id, user)
        if position >= len(run.questions):
            raise UserError("That review has no such card.")
        return run.pack, run.questions[position].id, "review", run.guild_id
