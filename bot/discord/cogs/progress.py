"""/stats, /leaderboard, /readiness, /privacy and /scores: progress a member can see, and their data."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.charts import progress_chart
from bot.discord.choices import domain_choices, exam_choices
from bot.discord.render import EMBED_COLOUR, timestamp
from bot.discord.replies import reply_privately
from bot.services.progress import Board, BoardRow, MemberProgress

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)

PERIOD_NAMES = {"week": "this week", "month": "this month", "all": "all time"}
# Who is still in a server is asked of Discord (no event says who left without the privileged members
# intent). An answer is trusted this long, so boards spend the bot's shared request budget rarely.
MEMBERSHIP_TTL = 600.0
MEMBERSHIP_CACHE_SIZE = 50_000
# Boards and statistics are the commands that cost requests and queries: a few per member at a time.
BOARD_COOLDOWN = app_commands.checks.cooldown(3, 30.0, key=lambda i: (i.guild_id, i.user.id))


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"studybot:confirm:(?P<action>delete|reset|cancel):(?P<guild>\d+):(?P<user>\d+)",
):
    """Confirm or cancel a destructive action. The custom_id says what and for whom."""

    def __init__(
        self, action: str, guild_id: int, user_id: int, *, label: str, style: discord.ButtonStyle
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"studybot:confirm:{action}:{guild_id}:{user_id}"
            )
        )
        self.action, self.guild_id, self.user_id = action, guild_id, user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmButton:
        assert isinstance(item, discord.ui.Button)
        return cls(
            match["action"], int(match["guild"]), int(match["user"]), label=item.label or "", style=item.style
        )

    async def callback(self, interaction: discord.Interaction[StudyBot]) -> None:  # type: ignore[override]
        cog = interaction.client.get_cog(ProgressCog.__cog_name__)
        assert isinstance(cog, ProgressCog)
        await cog.confirmed(interaction, self.action, self.guild_id, self.user_id)


def _confirm_view(action: str, guild_id: int, user_id: int, label: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmButton(action, guild_id, user_id, label=label, style=discord.ButtonStyle.danger))
    view.add_item(
        ConfirmButton("cancel", guild_id, user_id, label="Cancel", style=discord.ButtonStyle.secondary)
    )
    return view


class ProgressCog(commands.Cog):
    privacy = app_commands.Group(name="privacy", description="Your data: export it or delete it")
    scores = app_commands.Group(
        name="scores",
        description="Server scores",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self._present: dict[tuple[int, int], float] = {}  # (guild, member) -> when Discord said so
        self._membership_checks: dict[tuple[int, int], asyncio.Task[bool]] = {}

    # --- /stats -------------------------------------------------------------------------------------

    @app_commands.command(
        name="stats", description="Accuracy by domain, streak, points, mocks and weak spots"
    )
    @app_commands.describe(
        member="Whose statistics (default: yours)",
        public="Post them in the channel",
        exam="Which exam (default: the one practised most recently)",
    )
    @app_commands.guild_only()
    @BOARD_COOLDOWN
    async def stats(
        self,
        interaction: discord.Interaction[StudyBot],
        member: discord.Member | None = None,
        public: bool = False,
        exam: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        subject = member or interaction.user
        if exam:
            self.bot.guild_service.exam(
                exam, interaction.guild.id
            )  # a wrong name is told privately, before anything is public
        await interaction.response.defer(ephemeral=not public, thinking=True)
        progress = await self.bot.progress_service.member_progress(
            interaction.guild.id, subject.id, discord.utils.utcnow(), exam
        )
        png = await asyncio.to_thread(self._chart, progress)
        embed = self._stats_embed(subject, progress)
        embed.set_image(url="attachment://progress.png")
        await interaction.followup.send(
            embed=embed, file=discord.File(io.BytesIO(png), filename="progress.png"), ephemeral=not public
        )

    @staticmethod
    def _chart(progress: MemberProgress) -> bytes:
        bp = progress.pack.blueprint
        domains = []
        for domain in bp.domains:
            _, attempts, correct = next(d for d in progress.domains if d[0] == domain.id)
            label = f"{domain.id} {domain.name.split()[0]}"
            domains.append((label, correct / attempts if attempts else None, domain.weight))
        weekly = [
            (week, correct / answered if answered else None) for week, answered, correct in progress.weekly
        ]
        return progress_chart(domains, bp.scale.pass_fraction, weekly)

    @staticmethod
    def _stats_embed(subject: discord.abc.User, progress: MemberProgress) -> discord.Embed:
        bp = progress.pack.blueprint
        embed = discord.Embed(title=f"{subject.display_name}: {bp.code} progress", colour=EMBED_COLOUR)
        lines = []
        for domain_id, attempts, correct in progress.domains:
            domain = bp.domain(domain_id)
            accuracy = f"{correct / attempts:.0%}" if attempts else "–"
            lines.append(
                f"**{domain_id} {domain.name if domain else ''}** ({domain.weight if domain else 0}%): "
                f"{accuracy} of {attempts}"
            )
        embed.add_field(
            name="Accuracy by domain (blueprint weight)", value="\n".join(lines)[:1024], inline=False
        )
        embed.add_field(name="Points", value=str(progress.points), inline=True)
        embed.add_field(name="Streak", value=f"{progress.streak} (best {progress.best_streak})", inline=True)
        best = "–" if progress.best_mock is None else f"best est. {progress.best_mock}"
        embed.add_field(name="Mocks", value=f"{progress.mocks_taken} taken, {best}", inline=True)
        queue = progress.review
        embed.add_field(
            name="Review queue",
            value=f"{queue.due_today} due today · {queue.learning} learning · {queue.learned} learned",
            inline=False,
        )
        if progress.weakest:
            weak = []
            for task in progress.weakest:
                line = f"**{task.task_id} {task.name}**: {task.correct}/{task.attempts}"
                if task.tags:
                    line += f"\nStudy: {', '.join(task.tags)}"
                if task.references:
                    line += "\n" + "\n".join(task.references)
                weak.append(line)
            embed.add_field(name="Weakest task statements", value="\n".join(weak)[:1024], inline=False)
        else:
            embed.add_field(
                name="Weakest task statements", value="Answer a few more questions to see them.", inline=False
            )
        return embed

    # --- /leaderboard --------------------------------------------------------------------------------

    @app_commands.command(name="leaderboard", description="The server's top 10, and where you stand")
    @app_commands.describe(
        period="Which period (default: this week)",
        domain="Only one domain of an exam",
        by="Rank by points or by accuracy",
        exam="The exam of the domain board (default: this server's)",
    )
    @app_commands.guild_only()
    @BOARD_COOLDOWN
    async def leaderboard(
        self,
        interaction: discord.Interaction[StudyBot],
        period: Literal["week", "month", "all"] = "week",
        domain: str | None = None,
        by: Literal["points", "accuracy"] = "points",
        exam: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        # Checked before the public "thinking…" message: once deferred publicly, a reply is public too.
        await self.bot.progress_service.check_board(
            interaction.guild.id, period, by, domain, discord.utils.utcnow(), exam
        )
        await interaction.response.defer(thinking=True)
        board = await self._board(interaction.guild, interaction.user.id, period, by, domain, exam)
        await interaction.followup.send(
            embed=self._board_embed(board), allowed_mentions=discord.AllowedMentions.none()
        )

    # Suggest the chosen exam's domains, and the exams, as the member types.
    _domains = leaderboard.autocomplete("domain")(domain_choices)
    _board_exams = leaderboard.autocomplete("exam")(exam_choices)

    async def _board(
        self, guild: discord.Guild, caller: int, period: str, by: str, domain: str | None, exam: str | None
    ) -> Board:
        """The board, with members who left the server (or deleted their account) taken off it first."""
        service = self.bot.progress_service
        for _ in range(3):
            now = discord.utils.utcnow()
            board = await service.leaderboard(guild.id, caller, period, by, domain, now, exam)
            departed = [r.user_id for r in board.rows if not await self._still_member(guild, r.user_id)]
            if not departed:
                return board
            await service.forget_departed(guild.id, departed, discord.utils.utcnow())
        return board

    async def _still_member(self, guild: discord.Guild, user_id: int) -> bool:
        """Whether a member is still in the server: remembered for a while, else asked of Discord one
        member at a time (a board's checks at once would run into Discord's per-route limit), and one
        question per member however many boards ask at the same moment."""
        key = (guild.id, user_id)
        checked = self._present.get(key)
        if checked is not None and time.monotonic() - checked < MEMBERSHIP_TTL:
            return True
        task = self._membership_checks.get(key)
        if task is None:
            task = asyncio.create_task(self._ask_discord(guild, user_id))
            self._membership_checks[key] = task
            task.add_done_callback(lambda _: self._membership_checks.pop(key, None))
        present = await asyncio.shield(task)
        if present:
            if len(self._present) >= MEMBERSHIP_CACHE_SIZE:
                self._present.clear()
            self._present[key] = time.monotonic()
        else:
            self._present.pop(key, None)
        return present

    @staticmethod
    async def _ask_discord(guild: discord.Guild, user_id: int) -> bool:
        try:
            await guild.fetch_member(user_id)
        except discord.NotFound:
            return False
        except discord.HTTPException as exc:
            log.info("could not check membership of %s: %s", user_id, exc)
        return True

    @staticmethod
    def _board_line(row: BoardRow, by: str) -> str:
        medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(row.rank, f"{row.rank}.")
        if by == "points":
            return f"{medal} <@{row.user_id}> {row.points} pts ({row.correct}/{row.answered})"
        return f"{medal} <@{row.user_id}> {row.accuracy:.0%} ({row.correct}/{row.answered})"

    def _board_embed(self, board: Board) -> discord.Embed:
        scope = f" · {board.exam_code} domain {board.domain_id}" if board.domain_id else ""
        embed = discord.Embed(
            title=f"Leaderboard · {PERIOD_NAMES[board.period]} · by {board.by}{scope}", colour=EMBED_COLOUR
        )
        lines = [self._board_line(r, board.by) for r in board.rows]
        if lines:
            embed.description = "\n".join(lines)
        elif board.season_started is not None and (
            board.period == "all" or board.season_started.date() >= board.period_start
        ):
            embed.description = (
                f"A new season started {timestamp(board.season_started, 'f')}; "
                "nobody has answered in it yet for this board."
            )
        else:
            embed.description = "Nobody has answered yet in this period."
        if board.caller is not None and board.caller.rank == 0:
            embed.add_field(
                name="You",
                value=f"{board.caller.answered} answered; {board.minimum} needed to be ranked",
                inline=False,
            )
        elif board.caller is not None and board.caller not in board.rows:
            embed.add_field(name="You", value=self._board_line(board.caller, board.by), inline=False)
        footer = "Daily answers earn 10 points, quiz answers 5."
        if board.minimum is not None:
            footer = f"Ranked: members with at least {board.minimum} answers in the period."
        since = "" if board.period == "all" else f" Since {board.period_start:%d %b %Y} (server time)."
        embed.set_footer(text=footer + since)
        return embed

    # --- /readiness ----------------------------------------------------------------------------------

    @app_commands.command(
        name="readiness", description="An estimate of your exam score from your recent answers"
    )
    @app_commands.describe(exam="Which exam (default: the one you practised most recently)")
    async def readiness(self, interaction: discord.Interaction[StudyBot], exam: str | None = None) -> None:
        pack, result = await self.bot.progress_service.readiness(
            interaction.guild_id, interaction.user.id, discord.utils.utcnow(), exam
        )
        bp = pack.blueprint
        embed = discord.Embed(title=f"Readiness for {bp.code}", colour=EMBED_COLOUR)
        if result.scaled is None:
            embed.description = (
                f"Not enough answers yet: answer at least one question in every domain "
                f"({result.answered} answers so far)."
            )
        else:
            verdict = "at or above" if result.scaled >= bp.scale.passing else "below"
            embed.description = (
                f"Estimated scaled score **{result.scaled}** "
                f"({bp.scale.minimum}–{bp.scale.maximum}), {verdict} "
                f"the pass mark of {bp.scale.passing}, from your last {result.answered} answers.\n"
                "This is an estimate: blueprint-weighted accuracy per domain mapped onto the score scale; "
                "it is not an official score."
            )
        for d in result.domains:
            domain = bp.domain(d.domain_id)
            accuracy = f"{d.accuracy:.0%} of {d.answered}" if d.answered else "no answers"
            more = f" · {d.more_needed} more to firm up" if d.more_needed else " · firm"
            flag = " · ⚠️ holding you back" if d in result.holding_back else ""
            embed.add_field(
                name=f"{d.domain_id} {domain.name if domain else ''}"[:256],
                value=f"{accuracy}{more}{flag}",
                inline=False,
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    _stats_exams = stats.autocomplete("exam")(exam_choices)
    _readiness_exams = readiness.autocomplete("exam")(exam_choices)

    # --- /privacy ------------------------------------------------------------------------------------

    @privacy.command(name="export", description="Get a JSON file of everything the bot stores about you")
    async def export(self, interaction: discord.Interaction[StudyBot]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.bot.progress_service.export(interaction.user.id)
        name = f"studybot-{interaction.user.id}.json"
        try:
            await interaction.user.send(
                "Everything I store about you:", file=discord.File(io.BytesIO(data), name)
            )
        except discord.Forbidden:
            await interaction.followup.send(
                "Your DMs are closed, so here it is privately:",
                file=discord.File(io.BytesIO(data), name),
                ephemeral=True,
            )
            return
        await interaction.followup.send("I sent the file to your direct messages.", ephemeral=True)

    @privacy.command(name="delete", description="Erase everything the bot stores about you, in every server")
    async def delete(self, interaction: discord.Interaction[StudyBot]) -> None:
        await interaction.response.send_message(
            "This erases your answers, statistics, points, streaks and mocks in every server, "
            "for good. Sure?",
            view=_confirm_view("delete", 0, interaction.user.id, "Delete my data"),
            ephemeral=True,
        )

    # --- /scores reset -------------------------------------------------------------------------------

    @scores.command(name="reset", description="Start a new season: archive and clear points and boards")
    @app_commands.describe(member="Only this member (default: everyone)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reset(
        self, interaction: discord.Interaction[StudyBot], member: discord.Member | None = None
    ) -> None:
        assert interaction.guild is not None
        who = member.mention if member else "everyone in this server"
        await interaction.response.send_message(
            f"Reset the points, streaks and leaderboards of {who}? The old standings are archived; answers "
            "and statistics stay.",
            view=_confirm_view("reset", interaction.guild.id, member.id if member else 0, "Reset scores"),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def confirmed(
        self, interaction: discord.Interaction[StudyBot], action: str, guild_id: int, user_id: int
    ) -> None:
        now = discord.utils.utcnow()
        if action == "cancel":
            await interaction.response.edit_message(content="Cancelled; nothing changed.", view=None)
        elif action == "delete":
            if interaction.user.id != user_id:
                await reply_privately(interaction, "Only the member who asked can confirm this.")
                return
            await self.bot.progress_service.delete_everything(user_id)
            self.bot.mock_service.forget_member(user_id)
            await interaction.response.edit_message(
                content="Done: everything I stored about you is gone.", view=None
            )
        elif action == "reset":
            if interaction.guild_id != guild_id or not interaction.permissions.manage_guild:
                await reply_privately(
                    interaction, "You need the Manage Server permission here to reset scores."
                )
                return
            count = await self.bot.progress_service.reset_scores(guild_id, user_id or None, now)
            await interaction.response.edit_message(
                content=f"New season started: archived and reset {count} member(s).", view=None
            )


__all__ = ["ConfirmButton", "ProgressCog"]
