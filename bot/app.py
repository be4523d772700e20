"""The Bot subclass: dependencies come in through the constructor; one place handles command errors."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db import repo
from bot.db.claims import Claims
from bot.discord.pacing import GlobalRequestPacer
from bot.discord.replies import reply_privately
from bot.domain.pack import ExamPack
from bot.errors import UserError, echo
from bot.heartbeat import Heartbeat, heartbeat_path
from bot.scheduler import DailyJobs, utcnow
from bot.services.daily import DailyService
from bot.services.daily_runner import DailyRunner
from bot.services.feedback import FeedbackService
from bot.services.guilds import GuildService
from bot.services.mock import MockService
from bot.services.plans import PlanService
from bot.services.progress import ProgressService
from bot.services.reviews import ReviewService
from bot.services.server_packs import ServerPackService
from bot.services.setup import SetupService

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side. It has been logged; please try again in a moment."

# Exactly what the bot uses: posting questions with embeds and charts, adding and (in hide mode)
# removing reactions, reading reactions made while it was offline, and (where a schedule asks for it)
# opening a discussion thread on a reveal.
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    manage_messages=True,
    create_public_threads=True,
    send_messages_in_threads=True,
)
OAUTH_SCOPES = ("bot", "applications.commands")


def bot_intents() -> discord.Intents:
    """Guilds (channels and permissions) and reactions in servers and DMs: no privileged intents."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    intents.dm_reactions = True
    return intents


#: Permissions as Discord's own settings name them (its API calls Manage Server "manage_guild").
PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_messages": "Manage Messages"}


#: How long closing waits for start-up recovery to finish the step it is in.
STARTUP_GRACE_SECONDS = 10.0


class StudyTree(app_commands.CommandTree["StudyBot"]):
    async def on_error(
        self, interaction: discord.Interaction[StudyBot], error: app_commands.AppCommandError
    ) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(original, UserError):
            message = original.message
        elif isinstance(error, app_commands.MissingPermissions):
            names = [PERMISSION_NAMES.get(p, p.replace("_", " ").title()) for p in error.missing_permissions]
            message = f"You need the {', '.join(names)} permission here."
        elif isinstance(error, app_commands.NoPrivateMessage):
            message = "This command works in a server, not in direct messages."
        elif isinstance(error, app_commands.CommandOnCooldown):
            message = f"You asked a moment ago: try again in {math.ceil(error.retry_after)} s."
        elif isinstance(error, app_commands.TransformerError):
            message = f"{echo(error.value)} is not a valid value here."
        elif isinstance(error, app_commands.CheckFailure):
            message = str(error) or "You cannot use this command here."
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=original)
            message = APOLOGY
        await reply_privately(interaction, message)


GUILD_BURST_WAIT = 0.25


class StudyBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        packs: dict[str, ExamPack],
        scheduler: AsyncIOScheduler,
        claims: Claims | None = None,
        **options: Any,
    ) -> None:
        self.shard_set = settings.shards()
        # Discord's global limit is per bot: each of several processes keeps to its share.
        self.pacer = GlobalRequestPacer(limit=self.shard_set.rate_share(settings.discord_global_rate_limit))
        # discord.py fires READY this long after the last GUILD_CREATE (2 s by default). The bot starts
        # serving as soon as every server READY listed has arrived (see _arrived), so this wait only
        # matters when one is in an outage: nothing needs every server cached first (schedules live in
        # the database; a server arriving later is handled as it arrives), so it is kept short.
        options.setdefault("guild_ready_timeout", GUILD_BURST_WAIT)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            tree_cls=StudyTree,
            help_command=None,
            http_trace=self.pacer.trace_config(),
            **options,
        )
        self.settings = settings
        self.sessions = sessions
        self.claims = claims or Claims()
        self.guild_service = GuildService(
            sessions, packs, default_pack=settings.default_pack, default_timezone=settings.default_timezone
        )
        self.daily_service = DailyService(sessions, self.guild_service)
        self.mock_service = MockService(sessions, self.guild_service)
        self.progress_service = ProgressService(sessions, self.guild_service)
        self.setup_service = SetupService(sessions, self.guild_service)
        self.review_service = ReviewService(sessions, self.guild_service)
        self.feedback_service = FeedbackService(sessions)
        self.server_pack_service = ServerPackService(sessions, self.guild_service)
        self.plan_service = PlanService(sessions, self.guild_service, self.shard_set)
        self.jobs = DailyJobs(scheduler, self.mock_service, self.shard_set)
        from bot.discord.publisher import DiscordPublisher

        self.publisher = DiscordPublisher(self)
        self.daily_runner = DailyRunner(
            self.daily_service,
            self.publisher,
            self.jobs.arm_reveal,
            self.jobs.disarm_schedule,
            self.shard_set,
            self.claims,
        )
        self.jobs.attach(self.daily_runner)
        self.jobs.attach_reminders(lambda now: self.plan_service.send_due_reminders(self.publisher, now))
        self.heartbeat = Heartbeat(self, heartbeat_path(settings))
        self._discord_ready_seen = False
        self._serving_started = False
        self.has_served = False  # reached serving at least once (an outage after that starts anew)
        self._starting: asyncio.Task[object] | None = None  # start-up recovery, while it runs
        # Servers READY listed that have not arrived yet (computed at the first arrival).
        self._awaited: set[int] | None = None

    async def setup_hook(self) -> None:
        from bot.discord.cogs.daily import DailyCog
        from bot.discord.cogs.exam import ExamCog
        from bot.discord.cogs.feedback import FeedbackCog
        from bot.discord.cogs.mock import MockCog
        from bot.discord.cogs.onboarding import OnboardingCog
        from bot.discord.cogs.packs import PackCog
        from bot.discord.cogs.plan import PlanCog
        from bot.discord.cogs.progress import ConfirmButton, ProgressCog
        from bot.discord.cogs.quiz import QuizCog
        from bot.discord.cogs.review import ReviewCog
        from bot.discord.views import PickButton, PickerButton

        await self.add_cog(ExamCog(self))
        await self.add_cog(DailyCog(self))
        await self.add_cog(MockCog(self))
        await self.add_cog(QuizCog(self))
        await self.add_cog(ProgressCog(self))
        await self.add_cog(OnboardingCog(self))
        await self.add_cog(ReviewCog(self))
        await self.add_cog(PlanCog(self))
        await self.add_cog(FeedbackCog(self))
        await self.add_cog(PackCog(self))
        # Servers' own packs before anything that may ask a question from one (recovery, schedules).
        loaded = await self.server_pack_service.load_all()
        if loaded:
            log.info("loaded %s server packs", loaded)
        self.add_dynamic_items(PickButton, PickerButton, ConfirmButton)
        await self.sync_commands()

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Sync slash commands when their definitions changed since the last sync (or when forced).

        Syncing on every start or reconnect burns a tightly rate-limited endpoint; the definitions'
        hash, kept in the database, tells whether Discord already has what this build defines.
        """
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"commands:{guild.id if guild else 'global'}:{self.application_id}"
        async with self.sessions.begin() as session:
            if not force and await repo.get_state(session, key) == digest:
                log.info("slash commands unchanged; not syncing")
                return False
        await self.tree.sync(guild=guild)
        async with self.sessions.begin() as session:
            await repo.set_state(session, key, digest)
        log.info("synced %d slash commands %s", len(payload), f"to guild {guild.id}" if guild else "globally")
        return True

    def invite_url(self) -> str:
        assert self.application_id is not None
        return discord.utils.oauth_url(self.application_id, permissions=BOT_PERMISSIONS, scopes=OAUTH_SCOPES)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._arrived(guild.id)

    async def on_guild_unavailable(self, guild: discord.Guild) -> None:
        # A server in an outage is reported with GUILD_DELETE: it will not arrive with the burst.
        await self._arrived(guild.id)

    async def _arrived(self, guild_id: int) -> None:
        """Serve as soon as every server READY listed has arrived (or is reported in an outage),
        rather than after discord.py's quiet period that follows the last one."""
        if self._serving_started:
            return
        if self._awaited is None:
            self._awaited = {g.id for g in self.guilds if g.unavailable}
        self._awaited.discard(guild_id)
        if not self._awaited:
            await self._start_serving()

    async def on_ready(self) -> None:
        """discord.py's READY (its quiet period after the last server passed): serving starts here at the
        latest. A later one (a new session after a non-resumable disconnect) only catches up on missed
        reactions."""
        if self._discord_ready_seen:
            await self.daily_runner.reconcile_open_posts(utcnow())
            return
        self._discord_ready_seen = True
        await self._start_serving()

    async def _start_serving(self) -> None:
        """Once per process: recover what a restart interrupted and start the scheduler."""
        if self._serving_started:
            return
        self._serving_started = True
        self.has_served = True
        log.info("ready as %s in %d servers; invite: %s", self.user, len(self.guilds), self.invite_url())
        # Each step on its own: whatever one of them hits, the scheduler still starts, or no server
        # would get its posts, reveals or mock deadlines.
        self._starting = asyncio.current_task()
        steps: tuple[tuple[str, Callable[[], Awaitable[object]]], ...] = (
            (
                "marking the servers present",
                lambda: self.guild_service.mark_present([g.id for g in self.guilds], utcnow()),
            ),
            ("recovering posts", lambda: self.daily_runner.recover(utcnow())),
            ("closing mocks whose questions left the bank", self._close_withdrawn_mocks),
            ("catching up on missed posts", lambda: self.daily_runner.catch_up(utcnow())),
            ("arming the schedules", self.jobs.rebuild),
        )
        for step, work in steps:
            if self.is_closed():
                return
            try:
                await work()
            except Exception:
                log.exception("start-up: %s failed; serving anyway", step)
        if not self.jobs.scheduler.running:
            self.jobs.scheduler.start()
        self.heartbeat.start()
        # What start-up built (the question bank, every server's cache, the ORM's mappings) lives
        # as long as the bot: leave it out of garbage collection, whose full passes over it otherwise
        # stall every member's interaction for tens of milliseconds each.
        gc.freeze()
        self.dispatch("studybot_ready")

    async def _close_withdrawn_mocks(self) -> None:
        """Running mocks that ask a question no longer in the bank are closed; their members are told."""
        for mock_id, user_id in await self.mock_service.close_withdrawn(utcnow()):
            log.warning("mock %s closed ungraded: one of its questions left the bank", mock_id)
            try:
                user = self.get_user(user_id) or await self.fetch_user(user_id)
                await user.send(
                    "Your running mock exam was closed without a score: one of its questions was "
                    "withdrawn from the question bank. `/mock start` begins a new one."
                )
            except discord.HTTPException as exc:
                log.info("could not tell member %s about mock %s: %s", user_id, mock_id, exc)

    async def on_resumed(self) -> None:
        await self.daily_runner.reconcile_open_posts(utcnow())

    async def close(self) -> None:
        # Serving may start before discord.py's own quiet period after the burst ends (see _arrived):
        # stop that wait too, or it fires READY into a closed client.
        ready_wait = self._connection._ready_task
        if ready_wait is not None:
            ready_wait.cancel()
        # Start-up recovery cut off mid-transaction would leave its database connection behind: let
        # it finish the step it is in (it starts no other once the bot is closing).
        starting, self._starting = self._starting, None
        if starting is not None and starting is not asyncio.current_task() and not starting.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(starting), STARTUP_GRACE_SECONDS)
        await self.heartbeat.stop()
        self.publisher.close()
        await self.jobs.stop()
        await self.claims.close()
        await super().close()


class ShardedStudyBot(StudyBot, commands.AutoShardedBot):
    """The bot with the shards SHARD_IDS / SHARD_COUNT name, through discord.py's auto-sharded client: one
    process of several, or one process connecting several shards."""

    async def _arrived(self, guild_id: int) -> None:
        # Each shard's READY lists only its own servers, each at its own time: serving starts at
        # discord.py's READY, which comes once every shard of this process has had its servers.
        return
