"""/stats, /leaderboard, /readiness, /privacy and /scores as members and admins use them."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from bot.db.models import Schedule
from bot.scheduler import reveal_job_id
from tests.e2e.daily_helpers import (
    is_reveal,
    post_of,
    post_question,
    react_and_wait,
    right_and_wrong,
    run,
    run_job_now,
    schedule,
)
from tests.emulator import RateLimits

PNG = b"\x89PNG\r\n\x1a\n"


async def play_one_day(emulator, bot, channel, admin, answers):
    await schedule(admin, channel, time="09:00")
    post, question = await post_question(bot, emulator, admin, channel)
    right, wrong = right_and_wrong(question)
    for member, correct in answers:
        for emoji in right if correct else wrong:
            await react_and_wait(bot, member, post, emoji)
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    return question


def server(emulator):
    guild = emulator.add_guild("ML Study Group")
    channel = guild.add_text_channel("daily")
    admin = guild.add_member("admin", admin=True)
    return (
        guild,
        channel,
        admin,
        guild.add_member("alice"),
        guild.add_member("bob"),
        guild.add_member("carol"),
    )


async def test_stats_leaderboard_and_readiness(emulator, studybot) -> None:
    guild, channel, admin, alice, bob, carol = server(emulator)
    bot = await studybot.start()
    question = await play_one_day(emulator, bot, channel, admin, [(alice, True), (bob, False), (carol, True)])

    stats = await run(alice, "stats", channel)
    assert stats.ephemeral
    embed = stats.embeds[0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Points"] == "10" and fields["Streak"].startswith("0")  # a post-now is not a scheduled day
    assert f"{question.domain_id} " in fields["Accuracy by domain (blueprint weight)"]
    assert "100% of 1" in fields["Accuracy by domain (blueprint weight)"]
    (chart,) = stats.attachments
    assert chart.filename == "progress.png" and chart.data.startswith(PNG) and len(chart.data) > 10_000
    public = await run(alice, "stats", channel, member=bob, public=True)
    assert not public.ephemeral and public.embeds[0]["title"].startswith("bob")
    bob_fields = {f["name"]: f["value"] for f in public.embeds[0]["fields"]}
    assert bob_fields["Review queue"] == "1 due today · 1 learning · 0 learned", "bob's miss is queued"
    assert fields["Review queue"] == "0 due today · 0 learning · 0 learned"

    board = await run(bob, "leaderboard", channel)
    lines = board.embeds[0]["description"].splitlines()
    assert lines[0].startswith(f"🥇 <@{alice.id}> 10 pts") or lines[0].startswith(f"🥇 <@{carol.id}> 10 pts")
    assert any(f"<@{bob.id}> 0 pts" in line for line in lines)
    accuracy = await run(bob, "leaderboard", channel, by="accuracy", period="month")
    assert "Nobody has answered yet" in accuracy.embeds[0]["description"]
    you = {f["name"]: f["value"] for f in accuracy.embeds[0]["fields"]}["You"]
    assert you == "1 answered; 10 needed to be ranked"
    other_domain = next(d for d in ("1", "2", "3", "4") if d != question.domain_id)
    empty = await run(bob, "leaderboard", channel, domain=other_domain)
    assert "Nobody has answered yet" in empty.embeds[0]["description"]

    ready = await run(alice, "readiness", channel)
    assert ready.ephemeral and "Not enough answers yet" in ready.embeds[0]["description"]
    domain_field = next(f for f in ready.embeds[0]["fields"] if f["name"].startswith(question.domain_id))
    assert domain_field["value"].startswith("100% of 1") and "more to firm up" in domain_field["value"]

    # a fourth board within half a minute is refused, privately
    refused = await run(bob, "leaderboard", channel)
    assert refused.ephemeral and "try again in" in refused.content

    # members on a board were asked about once: a board soon after asks Discord nothing
    def member_checks() -> int:
        return sum(1 for r in emulator.requests if r.route == "/guilds/{guild_id}/members/{user_id}")

    asked = member_checks()
    assert asked == 3, "alice, bob and carol, each asked once"
    await run(alice, "leaderboard", channel)
    assert member_checks() == asked

    # a member who left the server disappears from the board once Discord is asked again
    guild.remove_member(carol)
    await studybot.restart()
    board = await run(admin, "leaderboard", channel)
    assert f"<@{carol.id}>" not in board.embeds[0]["description"]


async def test_export_delete_and_reset(emulator, studybot) -> None:
    _, channel, admin, alice, bob, _ = server(emulator)
    bot = await studybot.start()
    await play_one_day(emulator, bot, channel, admin, [(alice, True), (bob, True)])

    done = await run(alice, "privacy export", channel)
    assert done.ephemeral and "direct messages" in done.content
    dm = await emulator.wait_for_message(channel=alice.dm_channel, predicate=lambda m: bool(m.attachments))
    exported = json.loads(dm.attachments[0].data)
    assert exported["user_id"] == str(alice.id)
    assert [a["points"] for a in exported["tables"]["attempts"]] == [10]
    bob.dms_closed = True
    private = await run(bob, "privacy export", channel)
    assert private.ephemeral and private.attachments and "DMs are closed" in private.content

    ask = await run(alice, "privacy delete", channel)
    assert ask.ephemeral and "Sure?" in ask.content
    gone = await (await alice.click(ask, "Delete my data")).response()
    assert "gone" in gone.content
    board = await run(bob, "leaderboard", channel)
    assert f"<@{alice.id}>" not in board.embeds[0]["description"]

    with pytest.raises(AssertionError, match="permission"):  # Discord offers /scores to admins only
        await bob.run_command("scores reset", channel=channel)
    ask = await run(admin, "scores reset", channel)
    cleared = await (await admin.click(ask, "Reset scores")).response()
    assert "archived and reset 1 member" in cleared.content
    board = await run(bob, "leaderboard", channel, period="all")
    assert "A new season started <t:" in board.embeds[0]["description"]

    # the admin's export names the schedule they made; erasing them keeps the server's schedule
    await run(admin, "privacy export", channel)
    dm = await emulator.wait_for_message(channel=admin.dm_channel, predicate=lambda m: bool(m.attachments))
    assert [s["channel_id"] for s in json.loads(dm.attachments[0].data)["tables"]["schedules_created"]] == [
        channel.id
    ]
    ask = await run(admin, "privacy delete", channel)
    await (await admin.click(ask, "Delete my data")).response()
    async with bot.sessions() as session:
        (kept,) = (await session.scalars(select(Schedule))).all()
    assert kept.channel_id == channel.id and kept.created_by == 0


async def test_board_errors_are_private_and_domains_are_suggested(emulator, studybot) -> None:
    _, channel, _, alice, *_ = server(emulator)
    await studybot.start()
    before = len([m for m in emulator.messages if m.channel is channel])
    reply = await run(alice, "leaderboard", channel, domain="9")
    assert (
        reply.ephemeral and "Unknown domain `9`" in reply.content and "1 (Data Engineering)" in reply.content
    )
    assert len([m for m in emulator.messages if m.channel is channel and not m.ephemeral]) == before
    choices = await alice.autocomplete("leaderboard", channel=channel, focused="domain", value="model")
    assert [c["value"] for c in choices] == ["3"]


@pytest.mark.emulator(rate_limits=RateLimits.discord())
async def test_two_boards_at_once_stay_inside_discords_limits(emulator, studybot) -> None:
    guild, channel, admin, *_ = server(emulator)
    crowd = [guild.add_member(f"member{i}") for i in range(12)]
    bot = await studybot.start()
    await play_one_day(emulator, bot, channel, admin, [(m, i % 2 == 0) for i, m in enumerate(crowd)])
    first, second = await asyncio.gather(
        run(crowd[0], "leaderboard", channel), run(crowd[1], "leaderboard", channel)
    )
    for board in (first, second):
        assert len(board.embeds[0]["description"].splitlines()) == 10
    assert emulator.rate_limited == []
