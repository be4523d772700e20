"""A server's first minutes with the bot: when to say hello, and what /setup asks for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

#: A server that removes and re-adds the bot within this long has already been greeted.
QUIET_REJOIN = dt.timedelta(days=1)

#: What /setup offers before "another timezone…": the zones most study groups are in.
COMMON_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
)
DAY_CHOICES = ("daily", "mon-fri", "weekends", "mon,wed,fri", "tue,thu")


def should_welcome(welcomed_at: dt.datetime | None, left_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Say hello on a server's first join, and on a rejoin more than a day after the bot was removed."""
    if welcomed_at is None:
        return True
    return left_at is not None and now - left_at >= QUIET_REJOIN


@dataclass(frozen=True)
class SetupChoices:
    """An admin's answers in /setup so far (validated one by one as they are given)."""

    exam: str
    timezone: str
    channel_id: int | None = None
    time_of_day: str = "09:00"
    days: str = "daily"
    answers: str = "reactions"

    def with_changes(self, **changes: object) -> SetupChoices:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def complete(self) -> bool:
        return self.channel_id is not None
