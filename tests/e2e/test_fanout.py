"""Many servers' daily questions at the same minute stay under Discord's global rate limit."""

from __future__ import annotations

import pytest

from bot.scheduler import daily_job_id
from tests.e2e.daily_helpers import (
    question_of,
    run_job_now,
    schedule,
    wait_for_option_reactions,
    wait_for_post,
)
from tests.e2e.harness import StudyBotHarness
from tests.emulator import RateLimits

GLOBAL_PER_SECOND = 4
SERVERS = 3


@pytest.mark.emulator(rate_limits=RateLimits.discord().with_global(GLOBAL_PER_SECOND))
async def test_simultaneous_posts_never_meet_a_global_429(emulator, database_url) -> None:
    servers = []
    for n in range(SERVERS):
        guild = emulator.add_guild(f"Study group {n}")
        servers.append((guild, guild.add_text_channel("daily"), guild.add_member("admin", admin=True)))
    studybot = StudyBotHarness(emulator, database_url, discord_global_rate_limit=GLOBAL_PER_SECOND)
    try:
        bot = await studybot.start()
        for _, channel, admin in servers:
            reply = await schedule(admin, channel, time="09:00", timezone="UTC")
            assert "Scheduled" in reply.content, reply.content
        for guild, _, _ in servers:
            (view,) = await bot.daily_service.list_schedules(guild.id)
            run_job_now(bot, daily_job_id(view.id))
        # Each post is a message plus four or five reactions: several seconds' worth of requests at
        # this global limit, all asked for at the same moment.
        for _, channel, _ in servers:
            post = await wait_for_post(emulator, channel)
            await wait_for_option_reactions(emulator, post, question_of(bot, post))
    finally:
        await studybot.stop()
    assert emulator.rate_limited == []
