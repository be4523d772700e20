"""The first five minutes: the bot says hello once, /setup walks an admin to the first daily question,
and /help tells members what to do next."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.db.models import Guild, Schedule
from tests.e2e.daily_helpers import is_question_post, press, question_of, wait_for_post
from tests.emulator import Perm


async def joined(bot, guild) -> bool:
    """Wait until the bot has fully handled joining ``guild``; whether it said hello."""
    done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    async def on_guild_join_handled(guild_id: int, greeted: bool) -> None:
        if guild_id == guild.id and not done.done():
            done.set_result(greeted)

    bot.add_listener(on_guild_join_handled)
    return done


def messages_in(emulator, guild) -> list[Any]:
    return [m for m in emulator.messages if m.channel.guild is guild]


async def test_the_bot_says_hello_once_where_it_may_write(emulator, studybot) -> None:
    guild = emulator.add_guild("New study group")
    rules = guild.add_text_channel("rules", bot_deny=Perm.SEND_MESSAGES)
    lobby = guild.add_text_channel("lobby")
    guild.system_channel_id = lobby.id
    quiet = emulator.add_guild("Locked-down group", bot_permissions=Perm.VIEW_CHANNEL)
    quiet.add_text_channel("general", bot_deny=Perm.SEND_MESSAGES)
    emulator.remove_bot_from_guild(guild)
    emulator.remove_bot_from_guild(quiet)
    bot = await studybot.start()

    greeted = await joined(bot, guild)
    emulator.add_bot_to_guild(guild)
    assert await greeted
    (hello,) = messages_in(emulator, guild)
    assert hello.channel is lobby and "/setup" in hello.content and "/help" in hello.content
    assert rules.messages == [] and "@" not in hello.content, "no pings"

    # removed and invited back within the day: nothing more
    emulator.remove_bot_from_guild(guild)
    await emulator.wait_until(lambda: bot.get_guild(guild.id) is None, what="the removal")
    again = await joined(bot, guild)
    emulator.add_bot_to_guild(guild)
    assert not await again
    assert len(messages_in(emulator, guild)) == 1

    # a server where the bot can write nowhere: nothing sent, nothing retried
    silent = await joined(bot, quiet)
    emulator.add_bot_to_guild(quiet)
    assert not await silent
    assert messages_in(emulator, quiet) == []
    async with bot.sessions() as session:
        row = await session.get(Guild, quiet.id)
    assert row.welcomed_at is None, "it says hello once it can"


def study_group(emulator):
    guild = emulator.add_guild("GenAI study group")
    channel = guild.add_text_channel("daily-question")
    return guild, channel, guild.add_member("admin", admin=True), guild.add_member("alice")


async def choose(admin, message, menu, *values):
    return await (await admin.select(message, f"studybot:setup:{menu}", list(values))).response()


def step(message) -> str:
    return message.embeds[0]["title"]


async def test_an_admin_goes_from_setup_to_a_sample_question(emulator, studybot) -> None:
    guild, channel, admin, alice = study_group(emulator)
    bot = await studybot.start()
    refused = await (await alice.run_command("help", channel=channel)).response()
    assert "/setup" not in refused.embeds[0]["fields"][0]["value"], "members see member commands first"

    card = await (await admin.run_command("setup", channel=channel)).response()
    assert card.ephemeral and "step 1 of 5: Exam" in step(card)
    card = await choose(admin, card, "exam", "aip-c01")
    card = await press(admin, card, "Next")
    assert "step 2 of 5" in step(card)
    assert next(b for b in card.buttons if b.get("label") == "Next").get("disabled"), "a channel first"
    card = await choose(admin, card, "channel", channel)
    card = await press(admin, card, "Next")
    assert "step 3 of 5: Time" in step(card)

    bot = await studybot.restart()  # the draft and the message outlive a restart...
    emulator.advance_clock(16 * 60)  # ...and the /setup command's 15-minute token
    card = await choose(admin, card, "timezone", "Europe/London")
    form = await (await admin.click(card, "Another time or timezone…")).modal()
    card = await (await admin.submit_modal(form, {"time": "25:00", "timezone": "Europe/London"})).response()
    assert "is not a time of day" in card.embeds[0]["description"], "a bad time is said on the card"
    form = await (await admin.click(card, "Another time or timezone…")).modal()
    card = await (await admin.submit_modal(form, {"time": "18:30", "timezone": "Europe/London"})).response()
    card = await press(admin, card, "Next")
    card = await choose(admin, card, "days", "mon-fri")
    card = await press(admin, card, "Review")
    summary = card.embeds[0]["description"]
    assert (
        "AIP-C01" in summary and f"<#{channel.id}>" in summary and "18:30 Europe/London, mon-fri" in summary
    )

    done = await press(admin, card, "Create and post a sample now")
    post = await wait_for_post(emulator, channel)
    assert question_of(bot, post).id.startswith("aip-")
    await emulator.wait_until(lambda: "sample question is up" in done.content, what="the card's last word")
    async with bot.sessions() as session:
        (saved,) = (await session.scalars(select(Schedule))).all()
        server = await session.get(Guild, guild.id)
    assert (saved.channel_id, saved.time_of_day, saved.timezone, saved.pack) == (
        channel.id,
        "18:30",
        "Europe/London",
        "aip-c01",
    )
    assert server.pack == "aip-c01"

    # running it again replaces the channel's schedule rather than adding a second
    card = await (await admin.run_command("setup", channel=channel)).response()
    card = await press(admin, card, "Next")
    card = await choose(admin, card, "channel", channel)
    for label in ("Next", "Next", "Review", "Create"):
        card = await press(admin, card, label)
    assert "Done" in card.content
    async with bot.sessions() as session:
        assert len((await session.scalars(select(Schedule))).all()) == 1


async def test_setup_abandoned_half_way_or_cancelled_makes_nothing(emulator, studybot) -> None:
    guild, channel, admin, _ = study_group(emulator)
    locked = guild.add_text_channel("announcements", bot_deny=Perm.SEND_MESSAGES)
    bot = await studybot.start()
    card = await (await admin.run_command("setup", channel=channel)).response()
    card = await press(admin, card, "Next")
    card = await choose(admin, card, "channel", locked)
    assert "missing Send Messages" in card.embeds[0]["description"]
    assert next(b for b in card.buttons if b.get("label") == "Next").get("disabled")
    card = await choose(admin, card, "channel", channel)
    card = await press(admin, card, "Next")  # ...and the admin walks away here
    other = await (await admin.run_command("setup", channel=channel)).response()
    cancelled = await press(admin, other, "Cancel")
    assert "nothing was created" in cancelled.content
    async with bot.sessions() as session:
        assert (await session.scalars(select(Schedule))).all() == []
    assert not [m for m in channel.messages if is_question_post(m)]


async def test_help_shows_commands_and_each_members_next_step(emulator, studybot) -> None:
    _, channel, admin, alice = study_group(emulator)
    await studybot.start()
    reply = await (await alice.run_command("help", channel=channel)).response()
    assert reply.ephemeral
    fields = help_fields(reply)
    assert "`/mock start`" in fields["For everyone"] and "`/setup`" in fields["For admins (Manage Server)"]
    assert "/quiz" in fields["Your next step"]
    assert "This server's set-up" not in fields, "only admins see the set-up"
    admin_help = await (await admin.run_command("help", channel=channel)).response()
    fields = help_fields(admin_help)
    assert "No daily question yet: `/setup`" in fields["This server's set-up"]
    # Every command is listed whole, however many there are (a field holds 1,024 characters).
    listed = "\n".join(f["value"] for f in admin_help.embeds[0]["fields"] if f["name"].startswith("For "))
    for command in ("pack upload", "pack remove", "questions reports", "daily discuss", "privacy delete"):
        assert f"`/{command}` " in listed, command
    assert all(len(f["value"]) <= 1024 for f in admin_help.embeds[0]["fields"])
    one = await (
        await alice.run_command("help", channel=channel, options={"command": "mock start"})
    ).response()
    assert one.embeds[0]["title"] == "/mock start"
    assert {f["name"] for f in one.embeds[0]["fields"]} >= {"questions (optional)", "exam (optional)"}
    unknown = await (await alice.run_command("help", channel=channel, options={"command": "nope"})).response()
    assert unknown.ephemeral and "no command called /nope" in unknown.content


def help_fields(reply) -> dict[str, str]:
    """/help's fields by name, a list that runs over several fields joined into one."""
    fields: dict[str, str] = {}
    for field in reply.embeds[0]["fields"]:
        name = field["name"].removesuffix(", continued")
        fields[name] = f"{fields[name]}\n{field['value']}" if name in fields else field["value"]
    return fields


#: Options whose values come from a fixed set: Discord offers them as choices or as suggestions.
CHOICES = {"period", "by", "answers", "questions"}
SUGGESTED = {"domain", "domains", "exam", "timezone", "days", "command"}


def options_of(node: dict[str, Any], path: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for option in node.get("options") or []:
        where = f"{path} {option['name']}"
        found.append((where, option))
        if option["type"] in (1, 2):  # a subcommand or a group: its own options
            found.extend(options_of(option, where))
    return found


async def test_every_command_and_option_explains_itself(emulator, studybot) -> None:
    """What a member sees when typing `/`: a description everywhere, and fixed values offered."""
    emulator.add_guild("ML Study Group")
    await studybot.start()
    unclear = []
    for command in emulator.global_commands:
        if command["description"] in ("", "…"):
            unclear.append(f"/{command['name']}")
        for where, option in options_of(command, "/" + command["name"]):
            if option["description"] in ("", "…") or len(option["description"]) < 8:
                unclear.append(f"{where}: {option['description']!r}")
            if option["name"] in CHOICES and not option.get("choices"):
                unclear.append(f"{where} does not offer its values")
            if option["name"] in SUGGESTED and not option.get("autocomplete"):
                unclear.append(f"{where} does not suggest values as you type")
    assert unclear == []
