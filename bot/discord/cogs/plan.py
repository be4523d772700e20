"""/plan: a member's exam date, what to do today, and whether they are on track."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import review_ui
from bot.discord.choices import exam_choices, timezone_choices
from bot.discord.render import EMBED_COLOUR
from bot.discord.replies import component_id, reply_privately
from bot.domain.plan import MAX_DAILY_GOAL
from bot.errors import UserError
from bot.services.plans import OUTCOMES, PlanView
from bot.services.reviews import DEFAULT_REVIEW_CARDS

if TYPE_CHECKING:
    from bot.app import StudyBot

PREFIX = "studybot:plan:outcome:"
STOP_REMINDERS = "studybot:remind:stop"
REVIEW_NOW = "studybot:remind:review:"
OUTCOME_LABELS = {"passed": "I passed 🎉", "not-yet": "Not yet", "skip": "Skip"}


class OutcomeButtons(discord.ui.View):
    """Not dispatchable: presses are routed by custom_id (see ``PlanCog.on_interaction``)."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        return False


def plan_embed(view: PlanView) -> tuple[discord.Embed, discord.ui.View | None]:
    bp = view.pack.blueprint
    embed = discord.Embed(title=f"Your plan: {bp.code} on {view.exam_date:%d %b %Y}", colour=EMBED_COLOUR)
    buttons: discord.ui.View | None = None
    if view.past:
        embed.description = (
            "Your exam date has passed. How did it go? (Only you see this, and it stays in your own history.)"
            if view.outcome is None
            else f"Your exam date has passed; you said: **{OUTCOME_LABELS[view.outcome]}**. "
            "`/plan set` starts a new one."
        )
        if view.outcome is None:
            buttons = OutcomeButtons()
            for outcome in OUTCOMES:
                buttons.add_item(discord.ui.Button(label=OUTCOME_LABELS[outcome], custom_id=PREFIX + outcome))
        return embed, buttons
    embed.description = f"**{view.days_left} day{'s' if view.days_left != 1 else ''} to go.**"
    work = view.work
    names = {task.id: task.name for domain in bp.domains for task in domain.tasks}
    tasks = ", ".join(f"{t} {names.get(t, '')}" for t in work.focus) or "any"
    embed.add_field(
        name="Today",
        value=(
            f"{work.reviews} review card(s) due (`/review`)\n"
            f"{work.new_questions} new question(s) to reach your goal of {view.daily_goal} "
            f"(`/mock start`, `/quiz` or the daily question)\nFocus: {tasks}"
        )[:1024],
        inline=False,
    )
    projection = view.projection
    if projection.projected is None:
        trend = (
            "Not enough answers yet for a trend: answer a few questions in every domain on several days "
            "(the estimate needs all domains)."
        )
    else:
        latest = projection.estimates[-1][1]
        verdict = "on track" if projection.on_track else "not on track yet"
        trend = (
            f"Estimate today **{latest}**; at this pace about **{projection.projected}** on exam day, "
            f"{verdict} for the pass mark of {projection.passing}."
        )
    embed.add_field(name="On track?", value=trend, inline=False)
    reminder = f"at {view.reminder_time} {view.timezone}" if view.reminder_time else "no time set"
    embed.set_footer(
        text=f"An estimate, not a promise: the last 14 days' readiness trend, followed to the exam date. "
        f"Reminders: {'on' if view.reminders else 'off'} ({reminder})."
    )
    return embed, buttons


class PlanCog(commands.Cog):
    plan = app_commands.Group(
        name="plan", description="Your exam date, today's work, and whether you are on track"
    )

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @plan.command(name="set", description="Set the exam you are taking and its date")
    @app_commands.describe(
        exam="The exam you will sit",
        date="The exam date, YYYY-MM-DD",
        daily_goal=f"Questions a day to aim for (default 10, at most {MAX_DAILY_GOAL})",
        reminder_time="When a reminder would suit you, 24-hour HH:MM (reminders are opt-in)",
        timezone="Your IANA timezone, e.g. Europe/London (default: the server's)",
    )
    async def set_(
        self,
        interaction: discord.Interaction[StudyBot],
        exam: str,
        date: str,
        daily_goal: app_commands.Range[int, 1, MAX_DAILY_GOAL] = 10,
        reminder_time: str | None = None,
        timezone: str | None = None,
    ) -> None:
        now = discord.utils.utcnow()
        pack = self.bot.guild_service.exam(exam, interaction.guild_id)
        if timezone is None:
            guild_id = interaction.guild_id
            timezone = (
                "UTC" if guild_id is None else (await self.bot.guild_service.config(guild_id, now)).timezone
            )
        await self.bot.plan_service.set(
            interaction.user.id, pack, date, daily_goal, reminder_time, timezone, now
        )
        await self._show(interaction)

    @plan.command(name="show", description="Your countdown, today's work, and the trend")
    async def show(self, interaction: discord.Interaction[StudyBot]) -> None:
        await self._show(interaction)

    @plan.command(name="reminders", description="A daily direct message at your reminder time (opt-in)")
    @app_commands.describe(on="True: remind me each day at my reminder_time; False: no reminders")
    async def reminders(self, interaction: discord.Interaction[StudyBot], on: bool) -> None:
        await self.bot.plan_service.set_reminders(interaction.user.id, on)
        text = (
            "Reminders are on: a direct message each day at your reminder time, with what is due. "
            "Every reminder has a Stop button."
            if on
            else "Reminders are off."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @plan.command(name="clear", description="Forget your exam date and plan")
    async def clear(self, interaction: discord.Interaction[StudyBot]) -> None:
        cleared = await self.bot.plan_service.clear(interaction.user.id)
        text = "Your plan is cleared." if cleared else "You have no plan to clear."
        await interaction.response.send_message(text, ephemeral=True)

    _exams = set_.autocomplete("exam")(exam_choices)
    _timezones = set_.autocomplete("timezone")(timezone_choices)

    async def _show(self, interaction: discord.Interaction[StudyBot]) -> None:
        view = await self.bot.plan_service.show(interaction.user.id, discord.utils.utcnow())
        if view is None:
            raise UserError("You have no plan yet. `/plan set exam:<exam> date:<YYYY-MM-DD>` makes one.")
        embed, buttons = plan_embed(view)
        kwargs: dict[str, Any] = {"embed": embed, "ephemeral": True}
        if await self.bot.plan_service.dm_closed_notice(interaction.user.id):
            kwargs["content"] = (
                "Your direct messages refused your last reminder, so reminders are paused. Allow DMs from "
                "this server's members, then `/plan reminders on:True`."
            )
        if buttons is not None:
            kwargs["view"] = buttons
        await interaction.response.send_message(**kwargs)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[StudyBot]) -> None:
        custom = component_id(interaction)
        try:
            if custom.startswith(PREFIX):
                await self.bot.plan_service.record_outcome(interaction.user.id, custom[len(PREFIX) :])
                await interaction.response.edit_message(
                    content="Thanks, noted for your own history.", embed=None, view=None
                )
            elif custom == STOP_REMINDERS:
                await self.bot.plan_service.set_reminders(interaction.user.id, False)
                await interaction.response.edit_message(
                    content="Reminders are off. `/plan reminders on:True` turns them on again.", view=None
                )
            elif custom.startswith(REVIEW_NOW):
                await self._review_now(interaction, custom[len(REVIEW_NOW) :])
        except UserError as error:
            await reply_privately(interaction, error.message)

    async def _review_now(self, interaction: discord.Interaction[StudyBot], pack_slug: str) -> None:
        """The reminder's button: a /review session right here in direct messages."""
        pack = self.bot.guild_service.pack(pack_slug)
        run = await self.bot.review_service.start(
            interaction.user.id, None, pack, DEFAULT_REVIEW_CARDS, discord.utils.utcnow()
        )
        if run is None:
            await reply_privately(interaction, "Nothing is due right now. Well done.")
            return
        embed, view = review_ui.card(run, 0)
        await interaction.response.send_message(embed=embed, view=view)
