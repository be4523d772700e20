"""State outlives bot processes: a restarted bot finds messages, reactions and commands."""

from __future__ import annotations

import discord

from tests.emulator import DiscordEmulator
from tests.emulator.client import ClientLauncher, FastBot, make_bot


def build_bot() -> FastBot:
    bot = make_bot()

    @bot.tree.command(name="ping", description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    return bot


async def test_second_session_sees_earlier_messages_and_reactions(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")

    first = await discord_client(build_bot())
    await first.tree.sync()
    sent = await first.get_channel(channel.id).send("Question of the day")
    await sent.add_reaction("🇦")
    stored = await emulator.wait_for_message(channel=channel)
    await alice.react(stored, "🇧")
    await discord_client.stop(first)

    await alice.react(stored, "🇦")  # while no bot is running

    second = await discord_client(build_bot())
    fetched = await second.get_channel(channel.id).fetch_message(sent.id)
    assert fetched.content == "Question of the day"
    assert {str(r.emoji): (r.count, r.me) for r in fetched.reactions} == {"🇦": (2, True), "🇧": (1, False)}
    voters = {u.id async for u in fetched.reactions[0].users()}
    assert voters == {alice.id, emulator.bot_user_id}
    assert [m.id async for m in second.get_channel(channel.id).history()] == [sent.id]
    assert {c.name for c in await second.tree.fetch_commands()} == {"ping"}

    reply = await (await alice.run_command("ping", channel=channel)).response()
    assert reply.content == "pong"
    assert len(emulator.identifies) == 2
    assert emulator.identifies[0].session_id != emulator.identifies[1].session_id
