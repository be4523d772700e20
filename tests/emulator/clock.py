"""The emulator's own notion of time, and the snowflake ids derived from it.

Discord enforces several deadlines (3 s to acknowledge an interaction, 15 min of token
validity, rate-limit windows).  Tests must be able to cross them without sleeping, so every
deadline in the emulator reads :class:`EmulatorClock`, which is the real monotonic clock plus
an offset that :meth:`EmulatorClock.advance` moves forward.
"""

from __future__ import annotations

import datetime
import itertools
import time

#: Discord's epoch (2015-01-01T00:00:00Z) in milliseconds, as documented in the API reference.
DISCORD_EPOCH_MS = 1_420_070_400_000


class EmulatorClock:
    """Monotonic time plus a test-controlled offset.

    ``now()`` drives deadlines and rate-limit windows; ``wall()`` is the matching Unix time
    used for timestamps, snowflakes and the ``X-RateLimit-Reset`` header.
    """

    def __init__(self) -> None:
        self._offset = 0.0

    @property
    def offset(self) -> float:
        """Seconds the clock has been advanced by tests."""
        return self._offset

    def now(self) -> float:
        """Monotonic seconds, including the offset."""
        return time.monotonic() + self._offset

    def wall(self) -> float:
        """Unix time in seconds, including the offset."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Jump forward; time never goes backwards, so negative values are refused."""
        if seconds < 0:
            raise ValueError("the emulator clock cannot go backwards")
        self._offset += seconds


class SnowflakeFactory:
    """Generates strictly increasing snowflakes whose timestamp follows the emulator clock.

    discord.py reads the creation time out of snowflakes (e.g. to choose the delete-message
    sub-bucket), so ids must carry a realistic timestamp, not just a counter.
    """

    def __init__(self, clock: EmulatorClock) -> None:
        self._clock = clock
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        """A new unique id."""
        millis = int(self._clock.wall() * 1000) - DISCORD_EPOCH_MS
        candidate = (millis << 22) | (1 << 17) | (next(self._counter) & 0xFFF)
        if candidate <= self._last:
            candidate = self._last + 1
        self._last = candidate
        return candidate

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A new unique id of a server that Discord's sharding rule, (id >> 22) % count, puts on
        ``shard_id``: a millisecond or a few later than `next` would give."""
        candidate = self.next()
        while (candidate >> 22) % shard_count != shard_id:
            candidate += 1 << 22
        self._last = candidate
        return candidate


def snowflake_time(snowflake: int) -> datetime.datetime:
    """The UTC creation time encoded in ``snowflake``."""
    millis = (snowflake >> 22) + DISCORD_EPOCH_MS
    return datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.UTC)


def iso_timestamp(when: float) -> str:
    """ISO-8601 text for a Unix time, in the format Discord uses."""
    return datetime.datetime.fromtimestamp(when, tz=datetime.UTC).isoformat()
