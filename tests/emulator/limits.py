"""Rate limiting the way Discord describes it, plus the request log benchmarks read.

Buckets are keyed like Discord's (a per-route bucket plus the route's top-level resource:
``channel_id``, ``guild_id`` or ``webhook_id + webhook_token``, see the "Rate Limits" page),
every response carries the ``X-RateLimit-*`` headers, and an exceeded bucket answers 429 with
``retry_after``.  discord.py reads these headers to pace itself, so a bot that only ever hits
429s it could not have avoided is a correctly behaving bot; ``requests`` lets tests check that.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field

#: A window is treated as over this many seconds early.  discord.py sleeps exactly
#: ``X-RateLimit-Reset-After`` (which the emulator rounds up to the millisecond); timer jitter
#: must not turn that correct behaviour into a 429.
WINDOW_GRACE = 0.001


@dataclass(frozen=True)
class RouteLimit:
    """``limit`` requests per ``per`` seconds."""

    limit: int
    per: float


#: Bucket names used by the REST routes (see rest.py's route table).
MESSAGES = "messages"
MESSAGE_EDITS = "message_edits"
MESSAGE_DELETES = "message_deletes"
REACTIONS = "reactions"
INTERACTION_CALLBACK = "interaction_callback"
WEBHOOKS = "webhooks"
MEMBERS = "members"
#: Starting threads; Discord publishes no figure, so it shares the default limit unless a test sets one.
THREADS = "threads"
DEFAULT = "default"


@dataclass(frozen=True)
class RateLimits:
    """Rate-limit configuration.

    Use :meth:`discord` for Discord's commonly observed values and :meth:`relaxed` for ordinary
    tests; :meth:`with_bucket` / :meth:`with_global` derive variants (e.g. a tiny global limit
    to provoke a 429 quickly).
    """

    global_limit: RouteLimit
    buckets: dict[str, RouteLimit] = field(default_factory=dict)
    default: RouteLimit = RouteLimit(50, 1.0)

    @classmethod
    def discord(cls) -> RateLimits:
        """Commonly observed production values.

        Messages 5/5 s per channel, reactions 1/0.25 s per channel, message edits 5/5 s per
        channel, fetching one member 5/1 s per server (Discord publishes no figure; a conservative
        one), 50 requests/s globally.  Routes without a well-known value share a permissive 50/1 s
        default bucket per route and major parameter.
        """
        return cls(
            global_limit=RouteLimit(50, 1.0),
            buckets={
                MESSAGES: RouteLimit(5, 5.0),
                MESSAGE_EDITS: RouteLimit(5, 5.0),
                REACTIONS: RouteLimit(1, 0.25),
                MEMBERS: RouteLimit(5, 1.0),
            },
            default=RouteLimit(50, 1.0),
        )

    @classmethod
    def relaxed(cls) -> RateLimits:
        """Large enough never to slow a test, while still sending every header."""
        return cls(global_limit=RouteLimit(10_000, 1.0), buckets={}, default=RouteLimit(10_000, 1.0))

    def with_bucket(self, name: str, limit: int, per: float) -> RateLimits:
        """A copy with one bucket's limit replaced."""
        buckets = dict(self.buckets)
        buckets[name] = RouteLimit(limit, per)
        return dataclasses.replace(self, buckets=buckets)

    def with_global(self, limit: int, per: float = 1.0) -> RateLimits:
        """A copy with a different global limit."""
        return dataclasses.replace(self, global_limit=RouteLimit(limit, per))

    def for_bucket(self, name: str) -> RouteLimit:
        return self.buckets.get(name, self.default)


@dataclass
class _Window:
    """A fixed window: it starts with the first request and resets ``per`` seconds later."""

    limit: RouteLimit
    start: float | None = None
    used: int = 0

    def _roll(self, now: float) -> None:
        if self.start is None or now >= self.start + self.limit.per - WINDOW_GRACE:
            self.start = now
            self.used = 0

    def try_acquire(self, now: float) -> bool:
        self._roll(now)
        if self.used >= self.limit.limit:
            return False
        self.used += 1
        return True

    def remaining(self) -> int:
        return max(0, self.limit.limit - self.used)

    def reset_after(self, now: float) -> float:
        if self.start is None:
            return self.limit.per
        return max(0.0, self.start + self.limit.per - now)


@dataclass
class Decision:
    """The outcome of a rate-limit check and the headers to send with the response."""

    allowed: bool
    headers: dict[str, str]
    retry_after: float = 0.0
    is_global: bool = False
    scope: str | None = None


@dataclass
class RequestRecord:
    """One HTTP request as the emulator saw it."""

    at: float
    method: str
    route: str
    bucket: str
    major: str
    status: int = 0
    scope: str | None = None
    is_global: bool = False
    #: the rate-limit headers sent with the response
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def rate_limited(self) -> bool:
        return self.status == 429


def _ceil_ms(value: float) -> float:
    return math.ceil(value * 1000) / 1000


def bucket_hash(name: str, route_key: str) -> str:
    """An opaque, stable ``X-RateLimit-Bucket`` value (it must not include the major parameter)."""
    return hashlib.sha1(f"{name}:{route_key}".encode(), usedforsecurity=False).hexdigest()[:16]


class RateLimiter:
    """Per-bucket and global windows, checked before a request is handled."""

    def __init__(self, config: RateLimits) -> None:
        self.config = config
        self._windows: dict[tuple[str, str], _Window] = {}
        self._global = _Window(config.global_limit)

    def reset(self) -> None:
        """Forget all windows (used when tests swap the configuration)."""
        self._windows.clear()
        self._global = _Window(self.config.global_limit)

    def check(
        self,
        *,
        now: float,
        wall: float,
        bucket: str,
        route_key: str,
        major: str,
        exempt_from_global: bool,
    ) -> Decision:
        """Consume one request from the global and the route window, or refuse with 429."""
        if not exempt_from_global and not self._global.try_acquire(now):
            retry = _ceil_ms(self._global.reset_after(now))
            return Decision(
                allowed=False,
                retry_after=retry,
                is_global=True,
                scope="global",
                headers={
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                    "Retry-After": str(max(1, math.ceil(retry))),
                },
            )
        # Discord's route buckets are shared across routes that map to the same hash; a route
        # key that is not shared keeps its own window per major parameter.
        key = (bucket if bucket != DEFAULT else f"{DEFAULT}:{route_key}", major)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window(self.config.for_bucket(bucket))
        allowed = window.try_acquire(now)
        reset_after = _ceil_ms(window.reset_after(now))
        headers = {
            "X-RateLimit-Limit": str(window.limit.limit),
            "X-RateLimit-Remaining": str(window.remaining()),
            "X-RateLimit-Reset": f"{wall + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(key[0], route_key if bucket == DEFAULT else bucket),
        }
        if allowed:
            return Decision(allowed=True, headers=headers)
        headers["X-RateLimit-Scope"] = "user"
        headers["Retry-After"] = str(max(1, math.ceil(reset_after)))
        return Decision(allowed=False, headers=headers, retry_after=reset_after, scope="user")
