"""The emulator facade tests use: start/stop, world building, disruptions, and waiting.

One :class:`DiscordEmulator` is one fake Discord on an ephemeral loopback port: REST under
``/api/v10`` and the gateway websocket at ``/``.  Its state lives in memory for the lifetime of
the emulator, independent of bot connections, so a test can stop a bot, start a new one, and
find everything where the first one left it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from .api_apps import AppApi
from .api_channels import ChannelApi
from .clock import EmulatorClock
from .errors import InteractionFailed
from .gateway import Gateway, IdentifyRecord
from .intents import Intent
from .interactions import InteractionRecord, InteractionService
from .limits import RateLimiter, RateLimits, RequestRecord
from .models import Channel, Guild, Message
from .permissions import DEFAULT_EVERYONE, as_bits
from .rest import RestServer
from .state import EmulatorState
from .users import User

HOST = "127.0.0.1"
T = TypeVar("T")


class DiscordEmulator:
    """A local Discord API (REST + gateway) for the real discord.py client.

    Typical use::

        async with DiscordEmulator(rate_limits=RateLimits.relaxed()) as emu:
            guild = emu.add_guild("Study Group")
            channel = guild.add_text_channel("daily")
            alice = guild.add_member("alice")
            ...  # point discord.py at emu.api_base / emu.gateway_url and start the bot
    """

    def __init__(
        self,
        *,
        rate_limits: RateLimits | None = None,
        token: str | None = None,
        bot_name: str = "StudyBot",
        heartbeat_interval: int = 41250,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        privileged_intents: int = 0,
        shard_count: int = 1,
    ) -> None:
        self.clock = EmulatorClock()
        self.state = EmulatorState(self.clock, bot_name=bot_name)
        self.state.shard_count = shard_count
        self.token = token or f"emulator.{secrets.token_urlsafe(24)}"
        self.rate_limits = rate_limits or RateLimits.relaxed()
        self.privileged_intents = privileged_intents
        self._limiter = RateLimiter(self.rate_limits)
        self._interaction_deadline = interaction_deadline
        self._token_lifetime = token_lifetime
        self._heartbeat_interval = heartbeat_interval
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._interactions: InteractionService | None = None
        self._gateway: Gateway | None = None
        self._rest: RestServer | None = None
        self._app_api: AppApi | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        if self._runner is not None:
            return
        self._interactions = InteractionService(
            self.state, deadline=self._interaction_deadline, token_lifetime=self._token_lifetime
        )
        self.state.interaction_service = self._interactions
        self._gateway = Gateway(
            self.state,
            token=self.token,
            heartbeat_interval=self._heartbeat_interval,
            enabled_intents=lambda: self.privileged_intents,
        )
        self.state.sink = self._gateway
        self._rest = RestServer(self.state, self._limiter, token=self.token)
        self._app_api = AppApi(self.state, self._interactions, gateway_url="")
        app = web.Application()
        app.router.add_get("/", self._gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment)
        self._rest.install(app, ChannelApi(self.state).specs() + self._app_api.specs())
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])
        self.state.base_url = self.base_url
        self._gateway.url = self.gateway_url
        self._app_api.gateway_url = self.gateway_url

    async def stop(self) -> None:
        """Close every connection and stop serving (state is kept, but nothing can connect)."""
        if self._runner is None:
            return
        if self._gateway is not None:
            await self._gateway.close()
        if self._interactions is not None:
            self._interactions.close()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def _serve_attachment(self, request: web.Request) -> web.StreamResponse:
        ident = request.match_info["attachment_id"]
        attachment = self.state.uploads.get(int(ident)) if ident.isdigit() else None
        if attachment is None:
            raise web.HTTPNotFound()
        return web.Response(body=attachment.data, headers={"Content-Type": attachment.content_type})

    def _require(self, value: T | None, what: str) -> T:
        if value is None:
            raise RuntimeError(f"the emulator is not running ({what})")
        return value

    # -- addresses and identities -----------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self._port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://{HOST}:{self._port}/"

    @property
    def application_id(self) -> int:
        return self.state.application_id

    @property
    def bot_user_id(self) -> int:
        return self.state.bot.id

    @property
    def bot_user(self) -> User:
        return self.state.bot

    def enable_privileged_intents(
        self, *, members: bool = False, presences: bool = False, message_content: bool = False
    ) -> None:
        """Toggle the app's privileged intents (as in the Developer Portal); others close with 4014."""
        value = 0
        if members:
            value |= Intent.GUILD_MEMBERS
        if presences:
            value |= Intent.GUILD_PRESENCES
        if message_content:
            value |= Intent.MESSAGE_CONTENT
        self.privileged_intents = int(value)

    # -- building the world -----------------------------------------------------------------------

    def add_guild(
        self,
        name: str,
        *,
        bot_permissions: Any = 0,
        everyone_permissions: Any = DEFAULT_EVERYONE,
        owner: User | None = None,
    ) -> Guild:
        """Create a guild with an @everyone role and the bot as a member (GUILD_CREATE if connected)."""
        return self.state.create_guild(
            name,
            everyone_permissions=as_bits(everyone_permissions),
            bot_permissions=as_bits(bot_permissions),
            owner=owner,
        )

    def add_user(self, name: str, *, bot: bool = False) -> User:
        """A user who is not (yet) in any guild."""
        return self.state.new_user(name, bot=bot)

    def remove_bot_from_guild(self, guild: Guild) -> None:
        """Kick the bot (GUILD_DELETE)."""
        self.state.remove_bot(guild)

    def add_bot_to_guild(self, guild: Guild) -> None:
        """(Re-)invite the bot (GUILD_CREATE)."""
        self.state.add_bot(guild)

    def guild_becomes_available(self, guild: Guild) -> None:
        """A guild that was unavailable (``guild.arrives_late``) comes back (GUILD_CREATE)."""
        self.state.guild_available(guild)

    def set_rate_limits(self, rate_limits: RateLimits) -> None:
        """Swap the rate-limit configuration (all windows start afresh), e.g. after test setup."""
        self.rate_limits = rate_limits
        self._limiter.config = rate_limits
        self._limiter.reset()

    # -- time ------------------------------------------------------------------------------------

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward; interaction deadlines and token expiry follow it."""
        self.clock.advance(seconds)
        if self._interactions is not None:
            self._interactions.check_deadlines()
        self.state.notify()

    # -- gateway disruptions ----------------------------------------------------------------------

    @property
    def gateway(self) -> Gateway:
        return self._require(self._gateway, "gateway")

    def drop_connection(self, code: int | None = None) -> None:
        """Cut the bot's websocket (TCP abort, or a close frame with ``code``); it will resume."""
        self.gateway.drop_connection(code)

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT."""
        self.gateway.request_reconnect()

    def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (``resumable=False`` forces a new IDENTIFY and READY)."""
        self.gateway.invalidate_session(resumable=resumable)

    def offline(self, code: int | None = None) -> contextlib.AbstractAsyncContextManager[None]:
        """``async with emu.offline(): ...``: the bot is cut off and cannot reconnect inside the block."""
        return self.gateway.offline(code)

    async def wait_for_ready(self, timeout: float = 5.0) -> None:
        """Wait for a READY or RESUMED sent after the last disruption."""
        await self.gateway.wait_for_ready(timeout)

    @property
    def identifies(self) -> list[IdentifyRecord]:
        """Every accepted IDENTIFY (intents, properties...)."""
        return self.gateway.identifies

    # -- observation -------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Every REST request: time, method, route template, bucket, status."""
        return self._require(self._rest, "rest").requests

    @property
    def rate_limited(self) -> list[RequestRecord]:
        """The requests answered with 429."""
        return [r for r in self.requests if r.status == 429]

    @property
    def rate_limited_count(self) -> int:
        """How many requests were answered with 429."""
        return len(self.rate_limited)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of emulator bugs (answered with 501); tests should keep this empty."""
        return self._rest.internal_errors if self._rest is not None else []

    @property
    def interaction_failures(self) -> list[InteractionRecord]:
        """Interactions whose user saw "This interaction failed"."""
        return self._interactions.failures if self._interactions is not None else []

    @property
    def messages(self) -> list[Message]:
        """Every stored message, oldest first."""
        return [m for m in self.state.messages.values() if not m.deleted]

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        return self.state.global_commands

    def guild_commands(self, guild: Guild) -> list[dict[str, Any]]:
        return self.state.guild_commands.get(guild.id, [])

    async def wait_until(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,
        what: str = "condition",
        *,
        poll: float = 0.01,
    ) -> Any:
        """Wait until ``predicate()`` is truthy and return its value.

        It is re-checked after every emulator change and, because a predicate may also read the
        bot's in-process state (which never notifies the emulator), every ``poll`` seconds.
        """
        return await self.state.signal.wait_for(lambda: predicate() or None, timeout, what, poll=poll)

    async def wait_for_message(
        self,
        *,
        channel: Channel | None = None,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,
        visible_to: User | None = None,
        after: Message | None = None,
        author: User | None = None,
    ) -> Message:
        """The first message (existing or future) matching every given filter.

        ``after`` restricts to messages created after that one; ``author`` defaults to the bot.
        """
        author_id = (author or self.state.bot).id

        def probe() -> Message | None:
            for message in self.state.messages.values():
                if message.deleted or message.author_id != author_id:
                    continue
                if channel is not None and message.channel_id != channel.id:
                    continue
                if after is not None and message.id <= after.id:
                    continue
                if visible_to is not None and not message.is_visible_to(visible_to):
                    continue
                if message.loading:
                    continue
                if predicate is None or predicate(message):
                    return message
            return None

        where = f" in #{channel.name}" if channel is not None and channel.name else ""
        return await self.state.signal.wait_for(probe, timeout, f"a message{where}")

    async def wait_for_thread(self, message: Message, *, timeout: float = 5.0) -> Channel:
        """The thread started from ``message`` (existing or future), e.g. one the bot opens on it."""
        return await self.state.signal.wait_for(
            lambda: message.thread, timeout, f"a thread on message {message.id}"
        )


__all__ = ["DiscordEmulator", "InteractionFailed"]
