"""Keep the bot's REST requests under Discord's global rate limit before sending them.

discord.py paces each route bucket from the response headers, but it learns of the global limit (50
requests per second for a bot) only from a 429, which then stalls every request. When hundreds of
servers have their daily question at the same minute, that is the common case, so the bot spaces its
requests itself: at most `limit` in any `per` seconds, measured when each request is sent (aiohttp's
request-start hook runs after discord.py has waited for the route's bucket).
"""

from __future__ import annotations

import asyncio
import collections
import time
from types import SimpleNamespace

import aiohttp
from yarl import URL

#: Discord's global limit for a bot: 50 requests per second.
GLOBAL_LIMIT = 50
GLOBAL_PERIOD = 1.0
#: Requests reach Discord a little later than they leave, and not all equally late: a window this much
#: longer than Discord's keeps a burst that arrives closer together than it left within the limit.
ARRIVAL_SPREAD = 0.02


def counts_toward_global(url: URL) -> bool:
    """Interaction responses and follow-ups are exempt from the global limit; so is the gateway."""
    path = url.path
    if "/api/" not in path:
        return False
    return "/interactions/" not in path and "/webhooks/" not in path


class GlobalRequestPacer:
    def __init__(self, limit: int = GLOBAL_LIMIT, per: float = GLOBAL_PERIOD + ARRIVAL_SPREAD) -> None:
        self.limit = limit
        self.per = per
        self._sent: collections.deque[float] = collections.deque()
        # Waiters queue in order, so no request is overtaken indefinitely.
        self._turn = asyncio.Lock()
        self.waited = 0.0

    async def acquire(self) -> None:
        """Return when one more request can be sent without exceeding the limit."""
        async with self._turn:
            now = time.monotonic()
            if len(self._sent) >= self.limit:
                wait = self._sent[0] + self.per - now
                if wait > 0:
                    self.waited += wait
                    await asyncio.sleep(wait)
                    now = time.monotonic()
                self._sent.popleft()
            self._sent.append(now)

    def trace_config(self) -> aiohttp.TraceConfig:
        """An aiohttp trace that makes each counted request wait its turn (see `Client(http_trace=)`)."""

        async def on_request_start(
            session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceRequestStartParams
        ) -> None:
            if counts_toward_global(params.url):
                await self.acquire()

        config = aiohttp.TraceConfig()
        config.on_request_start.append(on_request_start)
        return config
