"""When the bot says hello: on a first join, and on a return after more than a day away."""

from __future__ import annotations

import datetime as dt

from bot.domain.onboarding import QUIET_REJOIN, SetupChoices, should_welcome

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


def test_a_first_join_is_welcomed() -> None:
    assert should_welcome(None, None, NOW)


def test_a_quick_rejoin_is_quiet_and_a_late_one_is_welcomed_again() -> None:
    greeted = NOW - dt.timedelta(days=30)
    assert not should_welcome(greeted, NOW - dt.timedelta(hours=2), NOW)
    assert should_welcome(greeted, NOW - QUIET_REJOIN, NOW)
    assert not should_welcome(greeted, None, NOW), "never left: no second hello"


def test_setup_needs_a_channel_before_it_is_complete() -> None:
    choices = SetupChoices(exam="aip-c01", timezone="UTC")
    assert not choices.complete
    assert choices.with_changes(channel_id=42).complete
