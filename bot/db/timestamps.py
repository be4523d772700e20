"""SQLite keeps datetimes without their zone; everything the bot stores is UTC."""

from __future__ import annotations

import datetime as dt


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A datetime read back from the database, made aware again."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
