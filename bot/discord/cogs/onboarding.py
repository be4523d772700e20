"""/setup and /help: from invite to the first daily question without leaving Discord."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import setup_ui
from bot.discord.publisher import missing_permissions
from bot.discord.render import EMBED_COLOUR, schedule_line, timestamp
from bot.discord.replies import component_id, reply_privately
from bot.discord.scheduling import save_daily_schedule
from bot.domain.onboarding import SetupChoices
from bot.errors import UserError
from bot.services.reviews import MAX_REVIEW_CARDS

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)

#: The step each /setup menu belongs to, so a change re-draws that step.
STEP_OF = {"exam": 1, "channel": 2, "timezone": 3, "hour": 3, "form": 3, "days": 4, "answers": 4}


class OnboardingCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    # --- /setup -------------------------------------------------------------------------------------

    @app_commands.command(name="setup", description="Set up the question of the day, step by step (admins)")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def setup(self, interaction: discord.Interaction[StudyBot]) -> None:
        assert interaction.guild is not None
        choices = await self.bot.setup_service.begin(
            interaction.guild.id, interaction.user.id, discord.utils.utcnow()
        )
        embed, view = setup_ui.render(1, choices, self.bot.guild_service.packs_for(interaction.guild.id))
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[StudyBot]) -> None:
        """/setup's buttons, menus and form, routed by custom_id (see ``setup_ui``)."""
        parsed = setup_ui.parse(component_id(interaction, forms=True))
        if parsed is None:
            return
        try:
            await self._setup_step(interaction, *parsed)
        except UserError as error:
            await reply_privately(interaction, error.message)
        except Exception:
            log.exception("/setup %s failed", parsed[0])
            await reply_privately(interaction, "Sorry, something went wrong on our side. Please try again.")

    async def _setup_step(self, interaction: discord.Interaction[StudyBot], action: str, arg: str) -> None:
        guild = interaction.guild
        if guild is None or not interaction.permissions.manage_guild:
            raise UserError("Only members with Manage Server can set up the daily question.")
        setup, user, now = self.bot.setup_service, interaction.user.id, discord.utils.utcnow()
        data: dict[str, Any] = dict(interaction.data or {})
        values = [str(v) for v in data.get("values", [])]
        notice: str | None = None
        if action == "cancel":
            await setup.discard(guild.id, user)
            await self._show_text(interaction, "Setup cancelled; nothing was created. `/setup` starts again.")
            return
        if action == "create":
            await self._create(
                interaction, guild, await setup.current(guild.id, user, now), sample=arg == "sample"
            )
            return
        if action == "form" and interaction.type is discord.InteractionType.component:
            await interaction.response.send_modal(setup_ui.TimeForm(await setup.current(guild.id, user, now)))
            return
        step = int(arg) if action == "goto" else STEP_OF.get(action, 1)
        try:
            choices = await self._apply(guild.id, user, action, values, data, now)
        except UserError as error:
            choices, notice = await setup.current(guild.id, user, now), error.message
        if action == "goto" and step >= 3 and choices.channel_id is None:
            step, notice = 2, "Choose the study channel first."
        if notice is None and step == 2 and choices.channel_id is not None:
            notice = self._cannot_post(guild, choices.channel_id)
        embed, view = setup_ui.render(step, choices, self.bot.guild_service.packs_for(guild.id), notice)
        await interaction.response.edit_message(content=None, embed=embed, view=view)

    async def _apply(
        self,
        guild_id: int,
        user_id: int,
        action: str,
        values: list[str],
        data: dict[str, Any],
        now: dt.datetime,
    ) -> SetupChoices:
        """Record what a menu or the form answered; the draft as it stands afterwards."""
        changes: dict[str, str | int] = {}
        if action in ("exam", "days", "answers", "timezone") and values:
            changes[action] = values[0]
        elif action == "hour" and values:
            changes["time_of_day"] = values[0]
        elif action == "channel" and values:
            changes["channel_id"] = int(values[0])
        elif action == "form":
            typed = {
                str(c.get("custom_id")): str(c.get("value", ""))
                for row in data.get("components", [])
                for c in row.get("components", [])
            }
            changes = {"time_of_day": typed.get("time", ""), "timezone": typed.get("timezone", "")}
        return await self.bot.setup_service.change(guild_id, user_id, now, **changes)

    def _cannot_post(self, guild: discord.Guild, channel_id: int) -> str | None:
        """Why the bot cannot post the daily question in a channel, or None if it can."""
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return "That is not a text channel I can see."
        config_hide = False  # the answer mode is chosen later; hidden answers are a server setting
        missing = missing_permissions(channel, guild.me, hide=config_hide)
        if missing:
            return (
                f"I am missing {', '.join(missing)} in {channel.mention}: grant them there, or pick another."
            )
        return None

    async def _create(
        self,
        interaction: discord.Interaction[StudyBot],
        guild: discord.Guild,
        choices: SetupChoices,
        *,
        sample: bool,
    ) -> None:
        """The same schedule `/daily schedule` would make; the server studies the chosen exam by default."""
        setup = self.bot.setup_service
        channel = None if choices.channel_id is None else guild.get_channel(choices.channel_id)
        if not isinstance(channel, discord.TextChannel):
            embed, view = setup_ui.render(
                2, choices, self.bot.guild_service.packs_for(guild.id), "Choose the study channel."
            )
            await interaction.response.edit_message(embed=embed, view=view)
            return
        try:
            scheduled, _ = await save_daily_schedule(
                self.bot, guild, channel, setup.request(choices), interaction.user.id
            )
        except UserError as error:
            embed, view = setup_ui.render(
                len(setup_ui.STEPS), choices, self.bot.guild_service.packs_for(guild.id), error.message
            )
            await interaction.response.edit_message(embed=embed, view=view)
            return
        now = discord.utils.utcnow()
        await self.bot.guild_service.set_pack(guild.id, choices.exam, now)
        await setup.discard(guild.id, interaction.user.id)
        text = f"Done: the question of the day is scheduled.\n{schedule_line(scheduled, now)}"
        if not sample:
            await self._show_text(interaction, text + "\n`/daily post-now` posts one at once to try it.")
            return
        await interaction.response.edit_message(
            content=text + "\nPosting a sample question…", embed=None, view=None
        )
        plan = await self.bot.daily_runner.post_now(guild.id, channel.id, now)
        after = (
            f"A sample question is up in {channel.mention}; it closes {timestamp(plan.closes_at)}."
            if plan is not None
            else f"I could not post the sample in {channel.mention}; `/daily list` says why."
        )
        await interaction.edit_original_response(content=f"{text}\n{after}")

    @staticmethod
    async def _show_text(interaction: discord.Interaction[StudyBot], text: str) -> None:
        await interaction.response.edit_message(content=text, embed=None, view=None)

    # --- /help --------------------------------------------------------------------------------------

    @app_commands.command(name="help", description="What this bot does, and your next step")
    @app_commands.describe(command="One command to explain in full (default: all of them)")
    async def help(self, interaction: discord.Interaction[StudyBot], command: str | None = None) -> None:
        if command:
            await interaction.response.send_message(embed=self._command_help(command), ephemeral=True)
            return
        embed = discord.Embed(title="What I can do", colour=EMBED_COLOUR)
        everyone, admins = self._command_lines()
        for name, lines in (("For everyone", everyone), ("For admins (Manage Server)", admins)):
            for part, value in enumerate(field_values(lines)):
                embed.add_field(name=name if part == 0 else f"{name}, continued", value=value, inline=False)
        guild = interaction.guild
        if guild is not None:
            now = discord.utils.utcnow()
            embed.add_field(
                name="Your next step",
                value=await self._next_step(guild, interaction.user.id, now),
                inline=False,
            )
            if interaction.permissions.manage_guild:
                embed.add_field(
                    name="This server's set-up", value=await self._setup_state(guild, now), inline=False
                )
        embed.set_footer(text="/help command:<name> explains one command and its options.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _top_commands(self) -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
        defined = self.bot.tree.get_commands(type=discord.AppCommandType.chat_input)
        return sorted(defined, key=lambda c: c.name)

    def _leaves(self) -> list[app_commands.Command[Any, ..., Any]]:
        leaves: list[app_commands.Command[Any, ..., Any]] = []
        for command in self._top_commands():
            if isinstance(command, app_commands.Group):
                leaves.extend(c for c in command.walk_commands() if isinstance(c, app_commands.Command))
            else:
                leaves.append(command)
        return leaves

    def _command_lines(self) -> tuple[list[str], list[str]]:
        everyone: list[str] = []
        admins: list[str] = []
        for command in self._leaves():
            root = command.root_parent or command
            admin_only = bool(root.default_permissions and root.default_permissions.manage_guild) or (
                command.qualified_name in ADMIN_ONLY
            )
            line = f"`/{command.qualified_name}` {command.description}"
            (admins if admin_only else everyone).append(line)
        return everyone, admins

    def _command_help(self, name: str) -> discord.Embed:
        wanted = name.strip().lstrip("/").casefold()
        command = next((c for c in self._leaves() if c.qualified_name.casefold() == wanted), None)
        if command is None:
            raise UserError(f"There is no command called /{wanted[:40]}. `/help` lists them all.")
        embed = discord.Embed(
            title=f"/{command.qualified_name}", description=command.description, colour=EMBED_COLOUR
        )
        for parameter in command.parameters:
            required = "required" if parameter.required else "optional"
            embed.add_field(
                name=f"{parameter.display_name} ({required})",
                value=parameter.description[:1024],
                inline=False,
            )
        return embed

    async def _next_step(self, guild: discord.Guild, user_id: int, now: dt.datetime) -> str:
        pack = await self.bot.progress_service.studied_exam(guild.id, user_id, None, now)
        due = await self.bot.review_service.due_count(user_id, pack.slug, now)
        if due:
            more = "+" if due >= MAX_REVIEW_CARDS else ""
            return (
                f"You have {due}{more} {pack.blueprint.code} review card(s) due: `/review` asks them again."
            )
        answered, mocks = await self.bot.progress_service.activity(guild.id, user_id)
        schedules = [v for v in await self.bot.daily_service.list_schedules(guild.id) if not v.paused]
        if not answered:
            if schedules:
                channel = f"<#{schedules[0].channel_id}>"
                return f"Answer today's question in {channel} with a reaction, or try `/quiz`."
            return "Try `/quiz` for a quick question here, or `/mock start` for a private timed mock."
        if not mocks:
            return f"You have {answered} answers. No mock yet: `/mock start` runs a private timed one."
        return "See where you stand with `/stats` and `/readiness`, or take another `/mock start`."

    async def _setup_state(self, guild: discord.Guild, now: dt.datetime) -> str:
        views = await self.bot.daily_service.list_schedules(guild.id)
        if not views:
            return "No daily question yet: `/setup` takes two minutes."
        config = await self.bot.guild_service.config(guild.id, now)
        lines = []
        for view in views:
            lines.append(schedule_line(view, now))
            channel = guild.get_channel(view.channel_id)
            if isinstance(channel, discord.TextChannel):
                missing = missing_permissions(channel, guild.me, hide=config.hide_answers)
                if missing:
                    lines.append(f"⚠️ I am missing {', '.join(missing)} there.")
        return "\n".join(lines)[:1024]

    @help.autocomplete("command")
    async def _command_names(
        self, interaction: discord.Interaction[StudyBot], current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.strip().lstrip("/").casefold()
        names = [c.qualified_name for c in self._leaves() if needle in c.qualified_name.casefold()]
        return [app_commands.Choice(name=f"/{n}", value=n) for n in names[:25]]


def field_values(lines: list[str], limit: int = 1024) -> list[str]:
    """Lines packed into as few embed field values as fit (a field holds 1,024 characters), never
    cutting a line (one longer than a field is shortened)."""
    values: list[str] = []
    current = ""
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and len(current) + 1 + len(line) > limit:
            values.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*values, current] if current else values


#: Commands inside a group everyone sees that still need Manage Server (checked when run).
ADMIN_ONLY = frozenset({"exam use"})
