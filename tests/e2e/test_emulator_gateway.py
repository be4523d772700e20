"""Gateway behaviour as discord.py users notice it: READY/GUILD_CREATE, intents, resume, reconnects."""

from __future__ import annotations

import asyncio
import json
import zlib

import aiohttp
import discord
import pytest

from tests.emulator import DiscordEmulator, Perm
from tests.emulator.client import ClientLauncher, make_client


async def test_ready_guilds_and_channel_permissions(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    helpers = guild.add_role("Helpers", Perm.MANAGE_MESSAGES)
    daily = guild.add_text_channel("daily", bot_deny=Perm.SEND_MESSAGES)
    mods = guild.add_text_channel(
        "mods", bot_allow=Perm.VIEW_CHANNEL | Perm.MANAGE_MESSAGES, everyone_deny=Perm.VIEW_CHANNEL
    )
    secret = guild.add_text_channel("secret", everyone_deny=Perm.VIEW_CHANNEL)
    alice = guild.add_member("alice", roles=[helpers])

    intents = discord.Intents.default()
    client = await discord_client(make_client(intents))

    assert emulator.identifies[-1].intents == intents.value
    assert [g.name for g in client.guilds] == ["Study Group"]
    dguild = client.get_guild(guild.id)
    assert dguild is not None and dguild.me is not None
    assert {c.name for c in dguild.text_channels} == {"daily", "mods", "secret"}
    assert dguild.get_role(helpers.id).permissions.manage_messages

    me = dguild.me
    voice_only = discord.Permissions.voice().value  # discord.py drops these in text channels
    for channel in (daily, mods, secret):
        seen = dguild.get_channel(channel.id).permissions_for(me)
        assert seen.value == channel.permissions_for(emulator.bot_user) & ~voice_only, channel.name
    assert not dguild.get_channel(daily.id).permissions_for(me).send_messages
    assert dguild.get_channel(daily.id).permissions_for(me).read_messages
    assert dguild.get_channel(mods.id).permissions_for(me).manage_messages
    assert not dguild.get_channel(secret.id).permissions_for(me).read_messages
    # Without the members intent the guild only carries the bot's own member.
    assert dguild.get_member(alice.id) is None


async def test_a_guild_in_an_outage_is_listed_in_ready_and_backfilled_as_unavailable(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    emulator.add_guild("Up")
    down = emulator.add_guild("Down")
    down.arrives_late = True
    client = make_client()
    reported: list[int] = []

    async def on_guild_unavailable(guild: discord.Guild) -> None:
        reported.append(guild.id)

    client.on_guild_unavailable = on_guild_unavailable  # type: ignore[attr-defined]
    await discord_client(client)
    seen = client.get_guild(down.id)
    assert seen is not None and seen.unavailable, "READY lists it"
    assert reported == [down.id], "the backfill reports it in an outage (GUILD_DELETE, unavailable)"
    assert [g.name for g in client.guilds if not g.unavailable] == ["Up"]

    emulator.guild_becomes_available(down)
    await emulator.wait_until(lambda: not client.get_guild(down.id).unavailable, what="GUILD_CREATE")
    assert client.get_guild(down.id).name == "Down"


async def test_privileged_intents_need_enabling(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    alice = guild.add_member("alice")
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await discord_client(make_client(discord.Intents.all()))

    emulator.enable_privileged_intents(members=True, presences=True, message_content=True)
    client = await discord_client(make_client(discord.Intents.all()))
    dguild = client.get_guild(guild.id)
    assert dguild.get_member(alice.id) is not None
    assert dguild.chunked


async def _raw_identify(emulator: DiscordEmulator, token: str) -> int | None:
    """IDENTIFY over a raw zlib-stream websocket; returns the close code."""
    inflator = zlib.decompressobj()
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(emulator.gateway_url + "?v=10&encoding=json&compress=zlib-stream") as ws,
    ):
        hello = await ws.receive()
        assert hello.type is aiohttp.WSMsgType.BINARY and hello.data.endswith(b"\x00\x00\xff\xff")
        payload = json.loads(inflator.decompress(hello.data))
        assert payload["op"] == 10 and payload["d"]["heartbeat_interval"] == 41250
        await ws.send_str(json.dumps({"op": 2, "d": {"token": token, "intents": 1, "properties": {}}}))
        closing = await ws.receive()
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        return ws.close_code


async def test_wrong_token_closes_4004(emulator: DiscordEmulator):
    assert await _raw_identify(emulator, "not-the-token") == 4004


async def test_wrong_token_fails_login(emulator: DiscordEmulator):
    client = make_client()
    with pytest.raises(discord.LoginFailure):
        async with ClientLauncher(emulator):
            await client.login("not-the-token")
    await client.close()


async def test_events_only_for_identified_intents(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    intents = discord.Intents.default()
    intents.reactions = False
    client = await discord_client(make_client(intents))
    reactions: list[discord.RawReactionActionEvent] = []

    async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
        reactions.append(payload)

    client.event(on_raw_reaction_add)

    sent = await client.get_channel(channel.id).send("react to me")
    message = await emulator.wait_for_message(channel=channel)
    waiter = asyncio.create_task(client.wait_for("message", check=lambda m: m.author.id == alice.id))
    await alice.react(message, "👍")
    await alice.send(channel, "done")  # a later event the bot does subscribe to: a barrier
    received = await asyncio.wait_for(waiter, 5)
    # Without MESSAGE_CONTENT the bot sees that a message arrived, but not its text.
    assert received.content == ""
    assert reactions == []
    assert message.reaction_count("👍") == 1
    assert sent.id == message.id


async def test_resume_replays_missed_events_exactly_once(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    client = await discord_client(make_client())
    seen: list[str] = []

    async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
        seen.append(str(payload.emoji))

    client.event(on_raw_reaction_add)

    await client.get_channel(channel.id).send("poll")
    message = await emulator.wait_for_message(channel=channel)
    resumed = asyncio.create_task(client.wait_for("resumed"))
    async with emulator.offline():
        await alice.react(message, "🇦")
        await alice.react(message, "🇧")
    await emulator.wait_for_ready()
    await asyncio.wait_for(resumed, 5)

    # A reaction after the resume is a barrier: once it arrived, any duplicate would have too.
    last = asyncio.create_task(client.wait_for("raw_reaction_add", check=lambda p: str(p.emoji) == "🇨"))
    await alice.react(message, "🇨")
    await asyncio.wait_for(last, 5)
    assert seen == ["🇦", "🇧", "🇨"]
    assert len(emulator.identifies) == 1


async def test_reconnect_request_resumes(emulator: DiscordEmulator, discord_client: ClientLauncher):
    emulator.add_guild("Study Group")
    client = await discord_client(make_client())
    resumed = asyncio.create_task(client.wait_for("resumed"))
    emulator.request_reconnect()
    await emulator.wait_for_ready()
    await asyncio.wait_for(resumed, 5)
    assert len(emulator.identifies) == 1


async def test_invalid_session_forces_new_identify(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    client = await discord_client(make_client())
    first_session = emulator.identifies[-1].session_id
    ready_again = asyncio.create_task(client.wait_for("ready"))
    emulator.invalidate_session(resumable=False)
    await emulator.wait_for_ready()
    await asyncio.wait_for(ready_again, 5)
    assert len(emulator.identifies) == 2
    assert emulator.identifies[-1].session_id != first_session
    assert client.get_guild(guild.id) is not None


async def test_resumable_invalid_session_resumes(emulator: DiscordEmulator, discord_client: ClientLauncher):
    emulator.add_guild("Study Group")
    client = await discord_client(make_client())
    resumed = asyncio.create_task(client.wait_for("resumed"))
    emulator.invalidate_session(resumable=True)
    await emulator.wait_for_ready()
    await asyncio.wait_for(resumed, 5)
    assert len(emulator.identifies) == 1


async def test_guild_and_channel_lifecycle_events(emulator: DiscordEmulator, discord_client: ClientLauncher):
    first = emulator.add_guild("Study Group")
    doomed = first.add_text_channel("old-news")
    client = await discord_client(make_client())

    deleted = asyncio.create_task(client.wait_for("guild_channel_delete"))
    first.delete_channel(doomed)
    assert (await asyncio.wait_for(deleted, 5)).id == doomed.id
    assert client.get_channel(doomed.id) is None

    joined = asyncio.create_task(client.wait_for("guild_join"))
    second = emulator.add_guild("Night Owls")
    assert (await asyncio.wait_for(joined, 5)).id == second.id

    removed = asyncio.create_task(client.wait_for("guild_remove"))
    emulator.remove_bot_from_guild(first)
    assert (await asyncio.wait_for(removed, 5)).id == first.id
    assert [g.id for g in client.guilds] == [second.id]

    with pytest.raises(discord.NotFound) as gone:
        await client.get_partial_messageable(doomed.id).send("hello?")
    assert gone.value.code == 10003


async def test_dropped_connection_resumes(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    client = await discord_client(make_client())
    resumed = asyncio.create_task(client.wait_for("resumed"))
    emulator.drop_connection()
    await emulator.wait_for_ready()
    await asyncio.wait_for(resumed, 5)
    heard = asyncio.create_task(client.wait_for("message"))
    await alice.send(channel, "still there?")
    assert (await asyncio.wait_for(heard, 5)).author.id == alice.id
    assert len(emulator.identifies) == 1
