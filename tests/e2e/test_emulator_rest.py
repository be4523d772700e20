"""Plain REST round trips a bot relies on: fetches, edits, deletes and reaction bookkeeping."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from tests.emulator import DiscordEmulator, Perm
from tests.emulator.client import ClientLauncher, make_client


async def test_fetch_guild_channel_and_member(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily", topic="One question a day")
    helper = guild.add_member("helperbot", bot=True)
    client = await discord_client(make_client())

    fetched_guild = await client.fetch_guild(guild.id)
    assert fetched_guild.name == "Study Group"
    assert {c.name for c in await fetched_guild.fetch_channels()} == {"daily"}
    fetched_channel = await client.fetch_channel(channel.id)
    assert isinstance(fetched_channel, discord.TextChannel) and fetched_channel.topic == "One question a day"
    member = await fetched_guild.fetch_member(helper.id)
    assert member.bot and member.name == "helperbot"


async def test_edit_delete_and_reaction_events(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily", bot_allow=Perm.MANAGE_MESSAGES)
    alice = guild.add_member("alice")
    client = await discord_client(make_client())
    events: asyncio.Queue[tuple[str, int, str]] = asyncio.Queue()

    async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
        events.put_nowait(("add", payload.user_id, str(payload.emoji)))

    async def on_raw_reaction_remove(payload: discord.RawReactionActionEvent) -> None:
        events.put_nowait(("remove", payload.user_id, str(payload.emoji)))

    client.event(on_raw_reaction_add)
    client.event(on_raw_reaction_remove)

    sent = await client.get_channel(channel.id).send("Which option?")
    stored = await emulator.wait_for_message(channel=channel)
    await sent.add_reaction("🇦")  # the bot hears about its own reaction too
    await alice.react(stored, "🇦")
    await alice.unreact(stored, "🇦")
    await alice.react(stored, "🇧")
    await sent.remove_reaction("🇧", discord.Object(alice.id))  # allowed: Manage Messages
    await sent.remove_reaction("🇦", client.user)
    heard = [await asyncio.wait_for(events.get(), 5) for _ in range(6)]
    bot_id, alice_id = emulator.bot_user_id, alice.id
    assert heard == [
        ("add", bot_id, "🇦"),
        ("add", alice_id, "🇦"),
        ("remove", alice_id, "🇦"),
        ("add", alice_id, "🇧"),
        ("remove", alice_id, "🇧"),
        ("remove", bot_id, "🇦"),
    ]
    assert stored.reactions == {}

    edited = asyncio.create_task(client.wait_for("raw_message_edit"))
    await sent.edit(content="Which option? (closed)")
    assert (await asyncio.wait_for(edited, 5)).message_id == sent.id
    assert stored.content == "Which option? (closed)"

    await sent.delete()
    assert stored.deleted
    assert channel.messages == []


async def test_unknown_guild(emulator: DiscordEmulator, discord_client: ClientLauncher):
    emulator.add_guild("Study Group")
    client = await discord_client(make_client())
    with pytest.raises(discord.NotFound) as missing:
        await client.fetch_guild(123456789012345678)
    assert missing.value.code == 10004


async def test_gateway_discovery_and_application(emulator: DiscordEmulator, discord_client: ClientLauncher):
    client = await discord_client(make_client())
    shards, url, limits = await client.http.get_bot_gateway()
    assert (shards, url) == (1, emulator.gateway_url) and limits["max_concurrency"] == 1
    async with aiohttp.ClientSession() as http, http.get(f"{emulator.api_base}/gateway") as resp:
        assert (await resp.json()) == {"url": emulator.gateway_url}  # no token needed
    info = await client.application_info()
    assert info.id == emulator.application_id == client.application_id
    assert client.user.id == emulator.bot_user_id
