"""/daily: schedule the question of the day; members answer with reactions (or buttons)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.choices import domain_choices, exam_choices, timezone_choices
from bot.discord.publisher import missing_permissions
from bot.discord.render import answer_text, picker_embed, schedule_line, timestamp
from bot.discord.scheduling import save_daily_schedule
from bot.discord.views import picker_view
from bot.discord.welcome import send_welcome
from bot.domain.grading import EMOJI_LETTER, extend_sequence, undo_sequence
from bot.errors import UserError
from bot.services.daily import PickOutcome, ScheduleRequest

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)

DAY_SUGGESTIONS = ["daily", "mon-fri", "weekends", "mon,wed,fri", "tue,thu"]


class DailyCog(commands.Cog):
    daily = app_commands.Group(
        name="daily",
        description="The question of the day",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    # --- admin commands ----------------------------------------------------------------------------

    @daily.command(name="schedule", description="Post a question every study day in a channel")
    @app_commands.describe(
        channel="Where to post",
        time="Time of day, 24-hour HH:MM (e.g. 09:00)",
        timezone="IANA timezone, e.g. Europe/London",
        days="Which days: daily, mon-fri, weekends, or a list like mon,wed,fri",
        window_hours="How long answers stay open (default: until the next post, at most 24 h)",
        domains="Only these domain ids, comma-separated (default: all)",
        answers="How members answer (default: reactions)",
        exam="The exam this channel studies (default: the server's, as it is at each post)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def schedule(
        self,
        interaction: discord.Interaction[StudyBot],
        channel: discord.TextChannel,
        time: str,
        timezone: str | None = None,
        days: str = "daily",
        window_hours: app_commands.Range[float, 0.1, 24.0] | None = None,
        domains: str | None = None,
        answers: Literal["reactions", "buttons"] = "reactions",
        exam: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        now = discord.utils.utcnow()
        config = await self.bot.guild_service.config(interaction.guild.id, now)
        request = ScheduleRequest(
            channel_id=channel.id,
            time_of_day=time,
            timezone=timezone or config.timezone,
            days=days,
            window_hours=window_hours,
            domains=domains,
            answer_mode=answers,
            exam=exam,
        )
        view, replaced = await save_daily_schedule(
            self.bot, interaction.guild, channel, request, interaction.user.id
        )
        verb = "Updated" if replaced else "Scheduled"
        await self._private(interaction, f"{verb} the question of the day:\n{schedule_line(view, now)}")

    _timezones = schedule.autocomplete("timezone")(timezone_choices)

    @schedule.autocomplete("days")
    async def _days(
        self, interaction: discord.Interaction[StudyBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=d, value=d) for d in DAY_SUGGESTIONS if current.lower() in d]

    # Suggest the chosen exam's domains, and the exams, as the admin types.
    _domains = schedule.autocomplete("domains")(domain_choices)
    _exams = schedule.autocomplete("exam")(exam_choices)

    @daily.command(name="list", description="Show this server's daily schedules")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def list_(self, interaction: discord.Interaction[StudyBot]) -> None:
        assert interaction.guild is not None
        views = await self.bot.daily_service.list_schedules(interaction.guild.id)
        if not views:
            await self._private(interaction, "No daily schedules yet. Create one with `/daily schedule`.")
            return
        now = discord.utils.utcnow()
        embed = discord.Embed(title="Daily schedules", colour=discord.Colour(0xFF9900))
        embed.description = "\n\n".join(schedule_line(v, now) for v in views)[:4096]
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @daily.command(name="pause", description="Stop posting in a channel until resumed")
    @app_commands.describe(channel="The channel with the daily schedule")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def pause(self, interaction: discord.Interaction[StudyBot], channel: discord.TextChannel) -> None:
        assert interaction.guild is not None
        view = await self.bot.daily_service.set_paused(
            interaction.guild.id, channel.id, True, discord.utils.utcnow(), "paused by an admin"
        )
        self.bot.jobs.disarm_schedule(view.id)
        await self._private(interaction, f"Paused the daily question in {channel.mention}.")

    @daily.command(name="resume", description="Resume a paused daily schedule")
    @app_commands.describe(channel="The channel with the daily schedule")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def resume(self, interaction: discord.Interaction[StudyBot], channel: discord.TextChannel) -> None:
        assert interaction.guild is not None
        config = await self.bot.guild_service.config(interaction.guild.id, discord.utils.utcnow())
        missing = missing_permissions(channel, interaction.guild.me, hide=config.hide_answers)
        if missing:
            await self._private(interaction, f"I still need {', '.join(missing)} in {channel.mention}.")
            return
        view = await self.bot.daily_service.set_paused(
            interaction.guild.id, channel.id, False, discord.utils.utcnow()
        )
        self.bot.jobs.arm_schedule(view)
        await self._private(interaction, f"Resumed:\n{schedule_line(view, discord.utils.utcnow())}")

    @daily.command(name="discuss", description="Open a thread on each reveal for members to discuss it")
    @app_commands.describe(
        channel="The channel with the daily schedule", on="True: open threads; False: stop"
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def discuss(
        self, interaction: discord.Interaction[StudyBot], channel: discord.TextChannel, on: bool
    ) -> None:
        assert interaction.guild is not None
        view = await self.bot.daily_service.set_discuss(interaction.guild.id, channel.id, on)
        if not on:
            await self._private(interaction, f"No more discussion threads in {channel.mention}.")
            return
        text = f"Each reveal in {channel.mention} opens a thread to discuss the question."
        perms = channel.permissions_for(interaction.guild.me)
        if not (perms.create_public_threads and perms.send_messages_in_threads):
            text += (
                f"\n⚠️ I need **Create Public Threads** and **Send Messages in Threads** in {channel.mention}"
                " to open them: grant them there (until then reveals come without a thread)."
            )
        await self._private(interaction, f"{text}\n{schedule_line(view, discord.utils.utcnow())}")

    @daily.command(name="remove", description="Delete a channel's daily schedule")
    @app_commands.describe(channel="The channel with the daily schedule")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def remove(self, interaction: discord.Interaction[StudyBot], channel: discord.TextChannel) -> None:
        assert interaction.guild is not None
        views = {v.channel_id: v for v in await self.bot.daily_service.list_schedules(interaction.guild.id)}
        await self.bot.daily_service.remove_schedule(interaction.guild.id, channel.id)
        if channel.id in views:
            self.bot.jobs.disarm_schedule(views[channel.id].id)
        await self._private(interaction, f"Removed the daily schedule of {channel.mention}. Scores are kept.")

    @daily.command(name="post-now", description="Post the next question right away (to try the setup)")
    @app_commands.describe(channel="The channel with the daily schedule")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def post_now(
        self, interaction: discord.Interaction[StudyBot], channel: discord.TextChannel
    ) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await self.bot.daily_runner.post_now(interaction.guild.id, channel.id, discord.utils.utcnow())
        if plan is None:
            views = await self.bot.daily_service.list_schedules(interaction.guild.id)
            reason = next((v.pause_reason for v in views if v.channel_id == channel.id), None)
            await interaction.followup.send(f"Could not post in {channel.mention}: {reason}.", ephemeral=True)
            return
        await interaction.followup.send(
            f"Posted in {channel.mention}; answers close {timestamp(plan.closes_at)}.", ephemeral=True
        )

    @daily.command(name="hide-answers", description="Hide members' reactions until the reveal")
    @app_commands.describe(hide="True: record and remove each reaction; False: reactions stay visible")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def hide_answers(self, interaction: discord.Interaction[StudyBot], hide: bool) -> None:
        assert interaction.guild is not None
        await self.bot.guild_service.set_hide_answers(interaction.guild.id, hide, discord.utils.utcnow())
        text = (
            "Answers are now hidden: I record each reaction and remove it (I need Manage Messages in the "
            "daily channels)."
            if hide
            else "Answers are visible again."
        )
        await self._private(interaction, text)

    @daily.command(name="quiz-window", description="How long each /quiz round stays open")
    @app_commands.describe(seconds="15 to 600 seconds (default 60)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def quiz_window(
        self, interaction: discord.Interaction[StudyBot], seconds: app_commands.Range[int, 15, 600]
    ) -> None:
        assert interaction.guild is not None
        await self.bot.daily_service.set_quiz_window(interaction.guild.id, seconds, discord.utils.utcnow())
        await self._private(interaction, f"Quiz rounds now stay open for {seconds} seconds.")

    @staticmethod
    async def _private(interaction: discord.Interaction[StudyBot], text: str) -> None:
        await interaction.response.send_message(
            text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    # --- answers -----------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=False)

    async def _reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        outcome = await self._record_reaction(payload, added=added) if self._counts(payload, added) else None
        # Lets anything listening (the tests, for one) know this reaction is fully handled.
        self.bot.dispatch(
            "answer_recorded", payload.message_id, payload.user_id, str(payload.emoji), added, outcome
        )

    def _counts(self, payload: discord.RawReactionActionEvent, added: bool) -> bool:
        """Only members' letter reactions in servers count: not the bot's own, nor other bots'."""
        if EMOJI_LETTER.get(str(payload.emoji)) is None or payload.guild_id is None:
            return False
        if self.bot.user is not None and payload.user_id == self.bot.user.id:
            return False
        return not (added and payload.member is not None and payload.member.bot)

    async def _record_reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> PickOutcome:
        letter = EMOJI_LETTER[str(payload.emoji)]
        outcome = await self.bot.daily_service.record_pick(
            payload.message_id, payload.user_id, letter, added, discord.utils.utcnow()
        )
        plan = outcome.post
        if plan is not None and plan.hide_answers:
            if added:
                await self.bot.publisher.hide_reaction(plan, payload.user_id, str(payload.emoji))
            if outcome.changed:
                self.bot.publisher.show_answer_count(plan, outcome.answered)
        return outcome

    async def answer_by_button(self, interaction: discord.Interaction[StudyBot], letter: str) -> None:
        if interaction.message is None:
            return
        outcome = await self.bot.daily_service.record_pick(
            interaction.message.id, interaction.user.id, letter, True, discord.utils.utcnow()
        )
        if outcome.post is None or outcome.pick is None:
            text = "This question is closed; the answer is in the reply below it."
        elif not outcome.changed and outcome.pick.locked:
            text = f"Your answer {', '.join(outcome.pick.letters)} is already locked in."
        elif outcome.pick.locked:
            letters = ", ".join(outcome.pick.letters)
            text = f"Locked in: {letters}. The answer is revealed when the question closes."
        else:
            left = outcome.post.question.choose - len(outcome.pick.letters)
            text = f"Picked {', '.join(outcome.pick.letters)}; pick {left} more."
        await interaction.response.send_message(text, ephemeral=True)

    async def picker(
        self, interaction: discord.Interaction[StudyBot], post_id: int, so_far: str, action: str, letter: str
    ) -> None:
        """The private picker of an ordering or matching post: open it, place an item, undo, submit."""
        plan = await self.bot.daily_service.open_plan(post_id)
        closed = "This question is closed; the answer is in the reply below it."
        if plan is None or not plan.question.kind.sequenced:
            if action == "open":
                await interaction.response.send_message(closed, ephemeral=True)
            else:
                await interaction.response.edit_message(content=closed, embed=None, view=None)
            return
        if action == "open":
            await interaction.response.send_message(
                embed=picker_embed(plan, ""), view=picker_view(plan, ""), ephemeral=True
            )
            return
        if action != "submit":
            question = plan.question
            built = undo_sequence(so_far) if action == "undo" else extend_sequence(question, so_far, letter)
            await interaction.response.edit_message(
                embed=picker_embed(plan, built), view=picker_view(plan, built)
            )
            return
        try:
            outcome = await self.bot.daily_service.submit_sequence(
                post_id, interaction.user.id, so_far, discord.utils.utcnow()
            )
        except UserError as error:
            await interaction.response.edit_message(embed=picker_embed(plan, so_far, done=error.message))
            return
        if outcome.pick is None:
            await interaction.response.edit_message(content=closed, embed=None, view=None)
            return
        given = answer_text(plan.question, outcome.pick.letters)
        if outcome.changed:
            done = f"Locked in: {given}. The answer is revealed when the question closes."
        else:
            done = f"Your answer {given} was already locked in; this one does not count."
        final = picker_embed(plan, outcome.pick.letters, done=done)
        await interaction.response.edit_message(embed=final, view=None)
        if outcome.changed and plan.hide_answers:
            self.bot.publisher.show_answer_count(plan, outcome.answered)

    # --- faults --------------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        view = await self.bot.daily_service.pause_for_fault(channel.id, "the channel was deleted")
        if view is not None:
            self.bot.jobs.disarm_schedule(view.id)
            log.info("paused schedule %s: channel %s deleted", view.id, channel.id)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.bot.guild_service.mark_left(guild.id, discord.utils.utcnow())
        await self.bot.jobs.rebuild()
        log.info("removed from guild %s; its schedules stop", guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        greet = await self.bot.guild_service.mark_joined(guild.id, discord.utils.utcnow())
        await self.bot.jobs.rebuild()
        greeted = greet and await send_welcome(guild)
        if greeted:
            await self.bot.guild_service.mark_welcomed(guild.id, discord.utils.utcnow())
        # Lets anything listening (the tests, for one) know the join is fully handled.
        self.bot.dispatch("guild_join_handled", guild.id, greeted)
