"""Servers that study several exams: a default exam, a channel with its own, and statistics, mocks and
domain boards kept per exam."""

from __future__ import annotations

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


async def answer_right_and_reveal(emulator, bot, admin, channel, member):
    post, question = await post_question(bot, emulator, admin, channel)
    for emoji in right_and_wrong(question)[0]:
        await react_and_wait(bot, member, post, emoji)
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    return post, question


async def finish_a_mock(member, channel, exam):
    card = await run(member, "mock start", channel, exam=exam)
    card = await (await member.click(card, "Finish")).response()
    return await (await member.click(card, "Finish now")).response()


def field(message, name):
    return next(f["value"] for f in message.embeds[0]["fields"] if f["name"] == name)


async def test_one_server_two_exams(emulator, studybot) -> None:
    guild = emulator.add_guild("GenAI study group")
    genai, specialty = guild.add_text_channel("aip-daily"), guild.add_text_channel("mls-daily")
    admin, alice, bob = (
        guild.add_member("admin", admin=True),
        guild.add_member("alice"),
        guild.add_member("bob"),
    )
    bot = await studybot.start()

    refused = await run(alice, "exam use", genai, exam="aip-c01")
    assert refused.ephemeral and "You need the Manage Server permission" in refused.content
    chosen = await run(admin, "exam use", genai, exam="AIP-C01")
    assert "now studies AIP-C01" in chosen.content
    choices = await admin.autocomplete("daily schedule", channel=genai, focused="exam", value="mls")
    assert [c["value"] for c in choices] == ["mls-c01"] and "retired" in choices[0]["name"]

    await schedule(admin, genai, time="09:00")
    reply = await schedule(admin, specialty, time="09:00", exam="mls-c01", domains="3")
    assert "MLS-C01 domains 3" in reply.content
    bad = await schedule(admin, specialty, time="09:00", exam="mls-c01", domains="5")
    assert bad.ephemeral and "Unknown domain `5`" in bad.content, "MLS-C01 has four domains"

    aip_post, aip_question = await answer_right_and_reveal(emulator, bot, admin, genai, alice)
    mls_post, mls_question = await answer_right_and_reveal(emulator, bot, admin, specialty, bob)
    assert aip_post.embeds[0]["footer"]["text"].startswith("AIP-C01 ·")
    assert mls_post.embeds[0]["footer"]["text"].startswith("MLS-C01 ·") and mls_question.domain_id == "3"
    assert aip_question.id.startswith("aip-") and mls_question.id.startswith("mls-")

    # domain boards are per exam, even where both exams have a domain with the same number
    aip_board = await run(alice, "leaderboard", genai, domain=aip_question.domain_id, exam="aip-c01")
    assert f"<@{alice.id}>" in aip_board.embeds[0]["description"]
    assert f"<@{bob.id}>" not in aip_board.embeds[0]["description"]
    assert f"AIP-C01 domain {aip_question.domain_id}" in aip_board.embeds[0]["title"]
    mls_board = await run(bob, "leaderboard", genai, domain="3", exam="mls-c01")
    assert f"<@{bob.id}>" in mls_board.embeds[0]["description"]
    assert f"<@{alice.id}>" not in mls_board.embeds[0]["description"]
    overall = await run(bob, "leaderboard", genai)
    assert (
        f"<@{alice.id}>" in overall.embeds[0]["description"]
        and f"<@{bob.id}>" in overall.embeds[0]["description"]
    )

    # a mock in each exam counts in that exam's statistics only
    report = await finish_a_mock(alice, genai, "aip-c01")
    assert report.embeds[0]["title"].startswith("Mock exam result")
    aip_stats = await run(alice, "stats", genai)  # latest practice: the AIP-C01 mock
    assert aip_stats.embeds[0]["title"].endswith("AIP-C01 progress") and field(aip_stats, "Mocks").startswith(
        "1 taken"
    )
    mls_stats = await run(alice, "stats", genai, exam="mls-c01")
    assert field(mls_stats, "Mocks").startswith("0 taken")
    await finish_a_mock(alice, specialty, "mls-c01")
    mls_stats = await run(bob, "stats", genai, member=alice)  # now the MLS-C01 mock is alice's latest
    assert mls_stats.embeds[0]["title"].endswith("MLS-C01 progress") and field(mls_stats, "Mocks").startswith(
        "1 taken"
    )
    history = await run(alice, "mock history", genai, exam="aip-c01")
    assert history.embeds[0]["title"] == "Your AIP-C01 mock exams"
    assert len(history.embeds[0]["description"].splitlines()) == 1
    ready = await run(alice, "readiness", genai, exam="aip-c01")
    assert ready.embeds[0]["title"] == "Readiness for AIP-C01"
    assert len(ready.embeds[0]["fields"]) == 5, "AIP-C01 has five domains"
