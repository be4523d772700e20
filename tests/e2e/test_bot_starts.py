"""The bot starts against Discord (the emulator), identifies with only what it needs, syncs its
commands on purpose, and answers /exam."""

from __future__ import annotations

import logging

from bot.app import bot_intents
from tests.emulator import Intent


async def test_start_identify_sync_and_exam(emulator, studybot, caplog) -> None:
    guild = emulator.add_guild("ML Study Group")
    general = guild.add_text_channel("general")
    alice = guild.add_member("alice")

    with caplog.at_level(logging.DEBUG):
        await studybot.start()

    identify = emulator.identifies[-1]
    assert identify.intents == bot_intents().value
    assert identify.intents & int(Intent.GUILDS)
    assert not identify.intents & int(Intent.MESSAGE_CONTENT | Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES)
    names = {c["name"] for c in emulator.global_commands}
    assert {"exam", "daily", "mock", "quiz"} <= names
    assert emulator.token not in caplog.text, "the token never reaches the logs, even at DEBUG"
    assert "invite: https://discord.com/oauth2/authorize" in caplog.text

    reply = await (await alice.run_command("exam show", channel=general)).response()
    assert reply.ephemeral
    assert "MLS-C01 is retired" in reply.content and "AIP-C01" in reply.content.split("Live exams:")[1]
    (embed,) = reply.embeds
    assert embed["title"] == "MLS-C01: AWS Certified Machine Learning – Specialty"
    assert "65 questions" in embed["description"] and "pass mark 750" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Domain 3: Modeling (36%)"].startswith("72 questions in the bank")
    assert (
        "1.2 Identify and implement a data ingestion solution" in fields["Domain 1: Data Engineering (20%)"]
    )


async def test_serving_starts_once_every_server_has_arrived_or_is_in_an_outage(emulator, studybot) -> None:
    """discord.py's own READY waits for a quiet period after the last server; the bot does not need
    to: READY listed every server, so once each has arrived (or is reported in an outage) it serves."""
    guild = emulator.add_guild("ML Study Group")
    general = guild.add_text_channel("general")
    alice = guild.add_member("alice")
    emulator.add_guild("Another group")
    emulator.add_guild("In an outage").arrives_late = True

    bot = await studybot.start(timeout=10, guild_ready_timeout=60)

    assert not bot.is_ready(), "discord.py's quiet period is still running"
    assert bot.jobs.scheduler.running, "recovered and scheduling"
    reply = await (await alice.run_command("exam show", channel=general)).response()
    assert reply.embeds[0]["title"].startswith("MLS-C01")


async def test_a_bot_in_no_server_yet_still_starts_serving(emulator, studybot) -> None:
    """Nothing arrives after READY: serving starts with discord.py's own READY."""
    bot = await studybot.start()
    assert bot.is_ready() and bot.jobs.scheduler.running
    assert not bot.guilds


async def test_commands_are_not_synced_again_when_nothing_changed(emulator, studybot) -> None:
    emulator.add_guild("ML Study Group")
    await studybot.start()
    syncs = [r for r in emulator.requests if r.method == "PUT" and "commands" in r.route]
    assert len(syncs) == 1
    await studybot.restart()
    syncs = [r for r in emulator.requests if r.method == "PUT" and "commands" in r.route]
    assert len(syncs) == 1, "a restart with the same commands does not sync again"


async def test_exam_with_an_unknown_pack_answers_privately(emulator, studybot) -> None:
    guild = emulator.add_guild("ML Study Group")
    general = guild.add_text_channel("general")
    alice = guild.add_member("alice")
    await studybot.start()
    reply = await (await alice.run_command("exam show", channel=general, options={"exam": "nope"})).response()
    assert reply.ephemeral
    assert "no exam called `nope`" in reply.content and "AIP-C01" in reply.content.split("Live exams:")[1]
    choices = await alice.autocomplete("exam show", channel=general, focused="exam", value="")
    names = [c["name"] for c in choices]
    assert "AIP-C01: AWS Certified Generative AI Developer – Professional" in names
    assert names[-1] == "MLS-C01: AWS Certified Machine Learning – Specialty (retired 2026-03-31)", (
        "live first"
    )
