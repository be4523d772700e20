"""Running real discord.py clients against an emulator.

discord.py has two module-level addresses: ``Route.BASE`` for REST and
``DiscordWebSocket.DEFAULT_GATEWAY`` for the gateway.  :func:`pointed_at` swaps both for the
emulator's and always restores them, and :class:`ClientLauncher` starts clients as background
tasks, waits until they are ready (surfacing startup errors such as
``PrivilegedIntentsRequired`` instead of hanging), and closes them at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from types import TracebackType
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands

from .server import DiscordEmulator

ClientT = TypeVar("ClientT", bound=discord.Client)

#: ``guild_ready_timeout`` for test clients: on_ready fires this long after the last
#: GUILD_CREATE (discord.py's default of 2 s would dominate every test's run time).
READY_TIMEOUT = 0.05


class FastClient(discord.Client):
    """A ``discord.Client`` that re-identifies at once after an invalidated session.

    discord.py sleeps 5 s in ``before_identify_hook`` before every non-initial IDENTIFY to
    respect Discord's identify rate limit; against the emulator that is only dead time.
    """

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


class FastBot(commands.Bot):
    """``commands.Bot`` counterpart of :class:`FastClient`."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


def make_client(intents: discord.Intents | None = None, **options: object) -> FastClient:
    """A test client with default intents and a short ``guild_ready_timeout``."""
    options.setdefault("guild_ready_timeout", READY_TIMEOUT)
    return FastClient(intents=intents or discord.Intents.default(), **options)  # type: ignore[arg-type]


def make_bot(intents: discord.Intents | None = None, **options: object) -> FastBot:
    """A test ``commands.Bot`` (prefix ``!``) with default intents and a short ``guild_ready_timeout``."""
    options.setdefault("guild_ready_timeout", READY_TIMEOUT)
    options.setdefault("command_prefix", "!")
    return FastBot(intents=intents or discord.Intents.default(), **options)  # type: ignore[arg-type]


@contextlib.contextmanager
def pointed_at(emulator: DiscordEmulator) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at ``emulator`` for the duration."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emulator.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


class ClientLauncher:
    """Starts discord.py clients against one emulator and tears them all down afterwards.

    ``await launcher.start(client)`` returns once ``client`` is ready; ``await launcher.stop(client)``
    closes one early (e.g. to simulate a bot restart).
    """

    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emulator = emulator
        self._tasks: dict[discord.Client, asyncio.Task[None]] = {}
        self._patch: contextlib.ExitStack | None = None

    async def __aenter__(self) -> ClientLauncher:
        self._patch = contextlib.ExitStack()
        self._patch.enter_context(pointed_at(self.emulator))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            for client in list(self._tasks):
                await self.stop(client)
        finally:
            if self._patch is not None:
                self._patch.close()

    async def __call__(self, client: ClientT, *, timeout: float = 10.0) -> ClientT:
        return await self.start(client, timeout=timeout)

    async def start(self, client: ClientT, *, timeout: float = 10.0) -> ClientT:
        """Run ``client.start(token)`` in the background and wait for ``on_ready``.

        If the client dies during startup (bad token, privileged intents...), its exception is
        raised here.
        """
        task = asyncio.create_task(client.start(self.emulator.token), name=f"discord-client-{id(client)}")
        self._tasks[client] = task
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            return client
        ready.cancel()
        if task in done:
            self._tasks.pop(client, None)
            task.result()  # raises the startup error
            raise RuntimeError("the client stopped before becoming ready")
        raise TimeoutError(f"client not ready after {timeout:g}s")

    async def stop(self, client: discord.Client) -> None:
        """Close a client and wait for its task to finish."""
        task = self._tasks.pop(client, None)
        if not client.is_closed():
            await client.close()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
                await asyncio.wait_for(task, 5.0)
