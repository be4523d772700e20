"""Point discord.py at a Discord-compatible endpoint (an HTTP proxy, or the test emulator)."""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def use_endpoints(api_base: str, gateway_url: str | None) -> None:
    # discord.py reads both from class attributes; there is no per-client setting.
    Route.BASE = api_base.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
