"""Fixtures for end-to-end tests against the Discord emulator.

``emulator``: a fresh :class:`DiscordEmulator` on an ephemeral loopback port per test.  Options
can be given with ``@pytest.mark.emulator(interaction_deadline=0.3, ...)``.  At teardown it
fails the test if the emulator itself hit an internal error.

``discord_client``: starts real discord.py clients against that emulator
(``client = await discord_client(discord.Client(...))``) with ``Route.BASE`` and
``DEFAULT_GATEWAY`` pointed at it, and closes them and restores both afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.emulator import DiscordEmulator, RateLimits
from tests.emulator.client import ClientLauncher


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "emulator(**options): keyword arguments for DiscordEmulator")


@pytest.fixture
async def emulator(request: pytest.FixtureRequest) -> AsyncIterator[DiscordEmulator]:
    marker = request.node.get_closest_marker("emulator")
    options = dict(marker.kwargs) if marker else {}
    options.setdefault("rate_limits", RateLimits.relaxed())
    emu = DiscordEmulator(**options)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    assert not emu.internal_errors, "emulator internal errors:\n" + "\n".join(emu.internal_errors)


@pytest.fixture
async def discord_client(emulator: DiscordEmulator) -> AsyncIterator[ClientLauncher]:
    async with ClientLauncher(emulator) as launcher:
        yield launcher
