"""Discord's rules, proven by making the real client break them."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.emulator import Channel, DiscordEmulator, InteractionFailed, Perm, User
from tests.emulator.client import ClientLauncher, make_bot, make_client


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


async def test_message_and_embed_limits(setup: Scene):
    channel, client = setup.channel, setup.client
    target = client.get_channel(channel.id)
    with pytest.raises(discord.HTTPException) as too_long:
        await target.send(embed=discord.Embed(title="x" * 257))
    assert too_long.value.code == 50035 and too_long.value.status == 400
    assert "embeds.0.title" in str(too_long.value)

    # Exactly at the limits is fine (surrounding whitespace is not counted).
    await target.send(embed=discord.Embed(title="  " + "x" * 256 + "  ", description="d" * 4096))

    with pytest.raises(discord.HTTPException) as total:
        await target.send(
            embeds=[discord.Embed(description="a" * 4000), discord.Embed(description="b" * 2001)]
        )
    assert total.value.code == 50035

    fields = discord.Embed(title="fields")
    for i in range(26):
        fields.add_field(name=f"f{i}", value="v")
    with pytest.raises(discord.HTTPException) as many:
        await target.send(embed=fields)
    assert "embeds.0.fields" in str(many.value)

    with pytest.raises(discord.HTTPException) as content:
        await target.send("c" * 2001)
    assert "content" in str(content.value)
    await target.send("c" * 2000)


async def test_component_limits(setup: Scene):
    channel, client = setup.channel, setup.client
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
    row = {
        "type": 1,
        "components": [{"type": 2, "style": 1, "label": f"B{i}", "custom_id": f"b{i}"} for i in range(6)],
    }
    with pytest.raises(discord.HTTPException) as wide:
        await client.http.request(route, json={"content": "too wide", "components": [row]})
    assert wide.value.code == 50035

    duplicate = {
        "type": 1,
        "components": [{"type": 2, "style": 1, "label": "A", "custom_id": "same"} for _ in range(2)],
    }
    with pytest.raises(discord.HTTPException) as dup:
        await client.http.request(route, json={"content": "dup", "components": [duplicate]})
    assert "custom_id" in str(dup.value)

    rows = [
        {"type": 1, "components": [{"type": 2, "style": 2, "label": "x", "custom_id": f"r{i}"}]}
        for i in range(6)
    ]
    with pytest.raises(discord.HTTPException):
        await client.http.request(route, json={"content": "six rows", "components": rows})

    long_label = {"type": 1, "components": [{"type": 2, "style": 1, "label": "L" * 81, "custom_id": "ok"}]}
    with pytest.raises(discord.HTTPException):
        await client.http.request(route, json={"content": "label", "components": [long_label]})


async def test_command_definition_limits(emulator: DiscordEmulator, setup: Scene):
    client = setup.client
    app_id = emulator.application_id
    bad = [
        {"name": "Quiz", "description": "uppercase name", "type": 1},
        {"name": "quiz", "description": "d" * 101, "type": 1},
        {
            "name": "order",
            "description": "required after optional",
            "options": [
                {"type": 3, "name": "a", "description": "a", "required": False},
                {"type": 3, "name": "b", "description": "b", "required": True},
            ],
        },
        {
            "name": "choices",
            "description": "too many choices",
            "options": [
                {
                    "type": 3,
                    "name": "pick",
                    "description": "pick",
                    "choices": [{"name": f"c{i}", "value": f"c{i}"} for i in range(26)],
                }
            ],
        },
    ]
    for index, definition in enumerate(bad):
        with pytest.raises(discord.HTTPException) as refused:
            await client.http.bulk_upsert_global_commands(app_id, [definition])
        assert refused.value.code == 50035, index
    assert emulator.global_commands == []


async def test_reactions_need_add_reactions_unless_someone_reacted(emulator: DiscordEmulator, discord_client):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("quiz", bot_deny=Perm.ADD_REACTIONS)
    alice = guild.add_member("alice")
    client = await discord_client(make_client())
    sent = await client.get_channel(channel.id).send("Which service?")
    with pytest.raises(discord.Forbidden) as denied:
        await sent.add_reaction("🇦")
    assert denied.value.code == 50013

    await alice.react(emulator.state.messages[sent.id], "🇦")
    await sent.add_reaction("🇦")  # joining an existing reaction needs only Read Message History
    assert emulator.state.messages[sent.id].reaction_count("🇦") == 2

    with pytest.raises(discord.Forbidden) as remove:
        await sent.remove_reaction("🇦", discord.Object(alice.id))
    assert remove.value.code == 50013


async def test_channel_permissions_are_enforced(emulator: DiscordEmulator, discord_client):
    guild = emulator.add_guild("Study Group")
    hidden = guild.add_text_channel("staff", bot_deny=Perm.VIEW_CHANNEL)
    readonly = guild.add_text_channel("announcements", bot_deny=Perm.SEND_MESSAGES)
    plain = guild.add_text_channel("no-embeds", bot_deny=Perm.EMBED_LINKS | Perm.ATTACH_FILES)
    client = await discord_client(make_client())

    with pytest.raises(discord.Forbidden) as hidden_error:
        await client.get_channel(hidden.id).send("hello")
    assert hidden_error.value.code == 50001
    with pytest.raises(discord.Forbidden) as readonly_error:
        await client.get_channel(readonly.id).send("hello")
    assert readonly_error.value.code == 50013
    with pytest.raises(discord.Forbidden) as embed_error:
        await client.get_channel(plain.id).send(embed=discord.Embed(title="chart"))
    assert embed_error.value.code == 50013
    with pytest.raises(discord.Forbidden) as file_error:
        await client.get_channel(plain.id).send(file=discord.File(io.BytesIO(b"x"), "a.txt"))
    assert file_error.value.code == 50013
    await client.get_channel(plain.id).send("text is fine")

    with pytest.raises(discord.NotFound) as unknown:
        await client.get_channel(plain.id).fetch_message(1234567890)
    assert unknown.value.code == 10008


async def test_attachments_are_stored_as_sent(emulator: DiscordEmulator, setup: Scene):
    channel, client = setup.channel, setup.client
    png = b"\x89PNG\r\n\x1a\nfake"
    sent = await client.get_channel(channel.id).send(
        "your progress",
        files=[discord.File(io.BytesIO(png), "progress.png"), discord.File(io.BytesIO(b"a,b"), "x.csv")],
    )
    stored = await emulator.wait_for_message(channel=channel)
    assert [(a.filename, a.content_type, a.data) for a in stored.attachments] == [
        ("progress.png", "image/png", png),
        ("x.csv", "text/csv; charset=utf-8", b"a,b"),
    ]
    assert await sent.attachments[0].read() == png
    edited = await sent.edit(attachments=[sent.attachments[1]])
    assert [a.filename for a in edited.attachments] == ["x.csv"]
    assert [a.filename for a in stored.attachments] == ["x.csv"]


async def test_dms_and_closed_dms(emulator: DiscordEmulator, setup: Scene):
    alice, client = setup.alice, setup.client
    user = await client.fetch_user(alice.id)
    await user.send("Your daily question is ready")
    dm = await emulator.wait_for_message(channel=alice.dm_channel)
    assert dm.content == "Your daily question is ready"

    reacted = asyncio.create_task(client.wait_for("raw_reaction_add"))
    await alice.react(dm, "✅")
    payload = await asyncio.wait_for(reacted, 5)
    assert payload.guild_id is None and payload.member is None and payload.user_id == alice.id

    alice.dms_closed = True
    with pytest.raises(discord.Forbidden) as closed:
        await user.send("still there?")
    assert closed.value.code == 50007


@pytest.mark.emulator(interaction_deadline=0.3)
async def test_late_or_missing_responses_fail_the_interaction(emulator: DiscordEmulator, discord_client):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()
    gate = asyncio.Event()
    outcome: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()

    @bot.tree.command(name="slow", description="Answers too late")
    async def slow(interaction: discord.Interaction) -> None:
        await gate.wait()
        try:
            await interaction.response.send_message("finally")
        except discord.HTTPException as exc:
            outcome.set_result(exc)
        else:
            outcome.set_result(None)

    @bot.tree.command(name="silent", description="Never answers")
    async def silent(interaction: discord.Interaction) -> None:
        return None

    await discord_client(bot)
    await bot.tree.sync()

    late = await alice.run_command("slow", channel=channel)
    reason = await late.failure(timeout=2)
    assert "no response" in reason
    gate.set()
    error = await asyncio.wait_for(outcome, 5)
    assert isinstance(error, discord.NotFound) and error.code == 10062
    with pytest.raises(InteractionFailed):
        await late.response(timeout=1)

    quiet = await alice.run_command("silent", channel=channel)
    with pytest.raises(InteractionFailed, match="This interaction failed"):
        await quiet.response(timeout=2)
    assert [r.id for r in emulator.interaction_failures] == [late.id, quiet.id]


async def test_second_initial_response_is_rejected(emulator: DiscordEmulator, discord_client):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()

    @bot.tree.command(name="ping", description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    await discord_client(bot)
    await bot.tree.sync()
    result = await alice.run_command("ping", channel=channel)
    await result.response()
    url = f"{emulator.api_base}/interactions/{result.id}/{result.record.token}/callback"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json={"type": 4, "data": {"content": "again"}}) as resp,
    ):
        assert resp.status == 400
        assert (await resp.json())["code"] == 40060


async def test_expired_interaction_token(emulator: DiscordEmulator, discord_client):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()
    gate = asyncio.Event()
    outcome: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()

    @bot.tree.command(name="report", description="A long report")
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await gate.wait()
        try:
            await interaction.followup.send("here it is")
        except discord.HTTPException as exc:
            outcome.set_result(exc)
        else:
            outcome.set_result(None)

    await discord_client(bot)
    await bot.tree.sync()
    result = await alice.run_command("report", channel=channel)
    assert await result.acknowledged() == 5
    emulator.advance_clock(15 * 60 + 1)
    gate.set()
    error = await asyncio.wait_for(outcome, 5)
    assert isinstance(error, discord.HTTPException)
    assert (error.status, error.code) == (401, 50027)
    assert emulator.interaction_failures == []  # it was acknowledged in time


async def test_ephemeral_messages_cannot_be_reacted_to(emulator: DiscordEmulator, discord_client):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()
    outcome: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()

    @bot.tree.command(name="secret", description="Ephemeral")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("only you", ephemeral=True)
        message = await interaction.original_response()
        try:
            await message.add_reaction("👍")
        except discord.HTTPException as exc:
            outcome.set_result(exc)
        else:
            outcome.set_result(None)

    await discord_client(bot)
    await bot.tree.sync()
    reply = await (await alice.run_command("secret", channel=channel)).response()
    error = await asyncio.wait_for(outcome, 5)
    assert isinstance(error, discord.NotFound) and error.code == 10008
    with pytest.raises(AssertionError, match="ephemeral"):
        await alice.react(reply, "👍")


@pytest.mark.emulator(interaction_deadline=0.3)
async def test_too_many_autocomplete_choices(emulator: DiscordEmulator, discord_client):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()

    @bot.tree.command(name="topic", description="Pick a topic")
    async def topic(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    @topic.autocomplete("name")
    async def names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"topic {i}", value=str(i)) for i in range(26)]

    await discord_client(bot)
    await bot.tree.sync()
    with pytest.raises(InteractionFailed):
        await alice.autocomplete("topic", channel=channel, focused="name", value="t")
    assert any(r.status == 400 and r.route.endswith("/callback") for r in emulator.requests)
