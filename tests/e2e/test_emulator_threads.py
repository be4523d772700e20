"""Public threads started from a message, as the real discord.py client creates and uses them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import discord
import pytest

from tests.emulator import Channel, DiscordEmulator, Perm, User
from tests.emulator.client import ClientLauncher, make_client
from tests.emulator.models import FLAG_HAS_THREAD, PUBLIC_THREAD


@dataclass
class Scene:
    channel: Channel
    alice: User
    client: discord.Client


@pytest.fixture
async def setup(emulator: DiscordEmulator, discord_client: ClientLauncher) -> Scene:
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    client = await discord_client(make_client())
    return Scene(channel, alice, client)


async def _post(scene: Scene, content: str = "Question 1: what is a VPC?") -> discord.Message:
    return await scene.client.get_channel(scene.channel.id).send(content)


async def test_create_thread_from_a_message(emulator: DiscordEmulator, setup: Scene):
    client = setup.client
    sent = await _post(setup)
    created = asyncio.create_task(client.wait_for("thread_create"))
    joined = asyncio.create_task(client.wait_for("thread_join"))
    edited = asyncio.create_task(client.wait_for("raw_message_edit", check=lambda e: e.message_id == sent.id))

    thread = await sent.create_thread(name="Discuss: question 1")

    assert isinstance(thread, discord.Thread)
    assert thread.id == sent.id, "a thread started from a message takes its id"
    assert thread.parent is not None and thread.parent.id == setup.channel.id
    assert thread.type is discord.ChannelType.public_thread
    assert (thread.name, thread.owner_id) == ("Discuss: question 1", emulator.bot_user_id)
    assert (thread.archived, thread.locked, thread.auto_archive_duration) == (False, False, 1440)
    assert (thread.message_count, thread.member_count) == (0, 1)

    heard = await asyncio.wait_for(created, 5)  # THREAD_CREATE with newly_created
    assert heard.id == thread.id and client.get_channel(thread.id) is heard
    assert (await asyncio.wait_for(joined, 5)).me is not None  # the starter joined it
    update = await asyncio.wait_for(edited, 5)  # the message now carries its thread
    assert update.data["thread"]["id"] == str(thread.id)
    assert update.data["flags"] & FLAG_HAS_THREAD

    stored = emulator.state.messages[sent.id]
    model = stored.thread
    assert model is not None and model is await emulator.wait_for_thread(stored)
    assert setup.channel.threads == [model] and model.parent is setup.channel
    assert (model.type, model.parent_id, model.owner_id) == (PUBLIC_THREAD, setup.channel.id, client.user.id)
    assert model.starter_message is stored
    assert model not in setup.channel.guild.channels, "listing channels leaves threads out"

    fetched = await client.get_channel(setup.channel.id).fetch_message(sent.id)
    assert fetched.flags.has_thread and fetched.thread is not None and fetched.thread.id == thread.id
    again = await client.fetch_channel(thread.id)  # GET /channels/{thread.id}
    assert isinstance(again, discord.Thread) and again.parent_id == setup.channel.id
    assert again.me is not None and again.me.id == client.user.id


async def test_messages_history_and_reactions_in_a_thread(emulator: DiscordEmulator, setup: Scene):
    client, alice = setup.client, setup.alice
    thread = await (await _post(setup)).create_thread(name="Discuss: question 1", auto_archive_duration=60)
    assert thread.auto_archive_duration == 60
    model = setup.channel.thread("Discuss: question 1")
    await emulator.wait_until(lambda: client.get_channel(thread.id), what="THREAD_CREATE")

    posted = await thread.send("The answer is B. Discuss here.")
    stored = await emulator.wait_for_message(channel=model)
    assert stored.id == posted.id and stored.channel is model
    assert setup.channel.last_message is not stored, "it is in the thread, not in the channel"

    answered = asyncio.create_task(client.wait_for("message", check=lambda m: m.author.id == alice.id))
    await alice.send(model, "Why not C?")
    received = await asyncio.wait_for(answered, 5)
    assert isinstance(received.channel, discord.Thread) and received.channel.id == thread.id

    assert [m.id async for m in thread.history(oldest_first=True)] == [posted.id, received.id]
    await posted.add_reaction("👍")
    await alice.react(stored, "👍")
    assert stored.reaction_users("👍") == [client.user.id, alice.id]

    assert [m.text for m in model.messages] == ["The answer is B. Discuss here.", "Why not C?"]
    assert (model.message_count, model.total_message_sent) == (2, 2)
    assert set(model.thread_members) == {client.user.id, alice.id}, "posting joins the thread"
    await posted.delete()
    assert (model.message_count, model.total_message_sent) == (1, 2)
    assert (await client.fetch_channel(thread.id)).message_count == 1


async def test_a_message_gets_only_one_thread(emulator: DiscordEmulator, setup: Scene):
    sent = await _post(setup)
    await sent.create_thread(name="Discuss: question 1")
    with pytest.raises(discord.HTTPException) as twice:
        await sent.create_thread(name="Discuss again")
    assert (twice.value.status, twice.value.code) == (400, 160004)
    assert [t.name for t in setup.channel.threads] == ["Discuss: question 1"]


async def test_starting_a_thread_needs_create_public_threads(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily", bot_deny=Perm.CREATE_PUBLIC_THREADS)
    client = await discord_client(make_client())
    sent = await client.get_channel(channel.id).send("Question 1")  # sending is still allowed
    with pytest.raises(discord.Forbidden) as denied:
        await sent.create_thread(name="Discuss: question 1")
    assert denied.value.code == 50013
    assert channel.threads == [] and emulator.state.messages[sent.id].thread is None


async def test_thread_names_and_durations_are_validated(emulator: DiscordEmulator, setup: Scene):
    sent = await _post(setup)
    with pytest.raises(discord.HTTPException) as too_long:
        await sent.create_thread(name="x" * 101)
    assert (too_long.value.status, too_long.value.code) == (400, 50035)
    assert "name" in str(too_long.value)
    with pytest.raises(discord.HTTPException) as duration:
        await setup.client.http.start_thread_with_message(
            setup.channel.id,
            sent.id,
            name="ok",
            auto_archive_duration=30,  # type: ignore[arg-type]
        )
    assert duration.value.code == 50035 and "auto_archive_duration" in str(duration.value)
    assert setup.channel.threads == []

    thread = await sent.create_thread(name="x" * 100)  # exactly at the limit is fine
    assert len(thread.name) == 100


async def test_no_thread_in_a_thread_in_a_dm_or_on_a_missing_message(emulator: DiscordEmulator, setup: Scene):
    client, http = setup.client, setup.client.http
    thread = await (await _post(setup)).create_thread(name="Discuss: question 1")
    inner = await thread.send("inside the thread")
    with pytest.raises(discord.HTTPException) as nested:
        await http.start_thread_with_message(thread.id, inner.id, name="nested", auto_archive_duration=60)
    assert (nested.value.status, nested.value.code) == (400, 50024)

    dm = await (await client.fetch_user(setup.alice.id)).send("Your daily question")
    with pytest.raises(discord.Forbidden) as in_dm:
        await http.start_thread_with_message(dm.channel.id, dm.id, name="dm", auto_archive_duration=60)
    assert in_dm.value.code == 50003

    with pytest.raises(discord.NotFound) as missing:
        await http.start_thread_with_message(setup.channel.id, 1234567890, name="x", auto_archive_duration=60)
    assert missing.value.code == 10008


async def test_posting_in_a_thread_needs_send_messages_in_threads(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    muted = guild.add_text_channel("no-threads", bot_deny=Perm.SEND_MESSAGES_IN_THREADS)
    readonly = guild.add_text_channel("announcements", bot_deny=Perm.SEND_MESSAGES)
    alice = guild.add_member("alice")
    client = await discord_client(make_client())

    # Send Messages does not carry over into threads...
    sent = await client.get_channel(muted.id).send("Question 1")
    thread = await sent.create_thread(name="Discuss: question 1")
    with pytest.raises(discord.Forbidden) as denied:
        await thread.send("hello")
    assert denied.value.code == 50013
    assert (await emulator.wait_for_thread(emulator.state.messages[sent.id])).messages == []

    # ...and Send Messages in Threads is enough without it: a thread alice starts in a read-only channel.
    created = asyncio.create_task(client.wait_for("thread_create"))
    post = await alice.send(readonly, "Can we talk about question 1?")
    model = await alice.start_thread(post, "Alice's question")
    heard = await asyncio.wait_for(created, 5)
    assert heard.id == model.id == post.id and heard.owner_id == alice.id
    await heard.send("Sure, ask away")
    assert [m.content for m in model.messages] == ["Sure, ask away"]
    with pytest.raises(discord.Forbidden):
        await client.get_channel(readonly.id).send("not here")


async def test_threads_follow_their_channel_on_the_gateway(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    open_channel = guild.add_text_channel("daily")
    hidden = guild.add_text_channel("staff", bot_deny=Perm.VIEW_CHANNEL)
    alice = guild.add_member("alice", admin=True)
    early = await alice.start_thread(await alice.send(open_channel, "Question 0"), "Before the bot")
    secret = await alice.start_thread(await alice.send(hidden, "Staff only"), "Staff thread")

    client = await discord_client(make_client())
    # GUILD_CREATE carries the active threads the bot can view.
    assert isinstance(client.get_channel(early.id), discord.Thread)
    assert client.get_channel(secret.id) is None
    assert [t.id for t in client.get_guild(guild.id).threads] == [early.id]

    created: list[int] = []

    async def on_thread_create(thread: discord.Thread) -> None:
        created.append(thread.id)

    client.event(on_thread_create)
    unseen = await alice.start_thread(await alice.send(hidden, "Staff again"), "Hidden")
    barrier = asyncio.create_task(client.wait_for("thread_create", check=lambda t: t.name == "Visible"))
    seen = await alice.start_thread(await alice.send(open_channel, "Question 1"), "Visible")
    await asyncio.wait_for(barrier, 5)  # events arrive in order: the hidden one would be here by now
    assert created == [seen.id] and unseen.id not in created

    deleted = asyncio.create_task(client.wait_for("thread_delete"))
    guild.delete_channel(seen)
    assert (await asyncio.wait_for(deleted, 5)).id == seen.id
    assert client.get_channel(seen.id) is None and seen.deleted and open_channel.threads == [early]
