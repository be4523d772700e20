"""Slash commands, components and autocomplete through a real commands.Bot."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import discord
import pytest
from discord import app_commands

from tests.emulator import Channel, DiscordEmulator, Guild, User
from tests.emulator.client import ClientLauncher, FastBot, make_bot

ZONES = ["Europe/Lisbon", "Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]


class QuizView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary, custom_id="quiz:next")
    async def next_question(
        self, interaction: discord.Interaction, button: discord.ui.Button[QuizView]
    ) -> None:
        await interaction.response.edit_message(content="Question 2 of 10", view=self)

    @discord.ui.button(label="Hint", style=discord.ButtonStyle.secondary, custom_id="quiz:hint")
    async def hint(self, interaction: discord.Interaction, button: discord.ui.Button[QuizView]) -> None:
        await interaction.response.send_message("Think about overfitting.", ephemeral=True)

    @discord.ui.select(
        custom_id="quiz:answer",
        placeholder="Your answer",
        options=[discord.SelectOption(label=f"Option {c}", value=c.lower()) for c in "ABCD"],
    )
    async def answer(self, interaction: discord.Interaction, select: discord.ui.Select[QuizView]) -> None:
        await interaction.response.send_message(f"You answered {select.values[0]}", ephemeral=True)


def build_bot() -> FastBot:
    bot = make_bot()
    mock = app_commands.Group(
        name="mock", description="Mock exams", default_permissions=discord.Permissions(manage_guild=True)
    )

    @mock.command(name="start", description="Start a mock exam")
    @app_commands.choices(
        mode=[
            app_commands.Choice(name="Timed", value="timed"),
            app_commands.Choice(name="Practice", value="practice"),
        ]
    )
    async def start(
        interaction: discord.Interaction, questions: app_commands.Range[int, 1, 65], mode: str = "practice"
    ) -> None:
        await interaction.response.send_message(f"Mock exam: {questions} questions ({mode})", view=QuizView())

    bot.tree.add_command(mock)

    @bot.tree.command(name="daily", description="Daily question settings")
    async def daily(interaction: discord.Interaction, timezone: str) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.followup.send(f"Timezone set to {timezone}")

    @daily.autocomplete("timezone")
    async def zones(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in ZONES if z.lower().startswith(current.lower())]

    @bot.tree.command(name="stats", description="Your progress")
    async def stats(interaction: discord.Interaction, who: discord.Member | None = None) -> None:
        target = who or interaction.user
        await interaction.response.send_message(f"Stats for {target.display_name}", ephemeral=True)

    return bot


@dataclass
class World:
    guild: Guild
    channel: Channel
    alice: User
    bob: User


@pytest.fixture
async def world(emulator: DiscordEmulator, discord_client: ClientLauncher) -> World:
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice", admin=True)
    bob = guild.add_member("bob")
    bot = await discord_client(build_bot())
    synced = await bot.tree.sync()
    assert {c.name for c in synced} == {"mock", "daily", "stats"}
    assert all(c.id for c in synced)
    return World(guild, channel, alice, bob)


async def test_slash_command_buttons_and_ephemeral_reply(emulator: DiscordEmulator, world: World):
    channel, alice, bob = world.channel, world.alice, world.bob
    result = await alice.run_command("mock start", channel=channel, options={"questions": 10})
    reply = await result.response()
    assert reply.content == "Mock exam: 10 questions (practice)"
    assert not reply.ephemeral
    assert [b["label"] for b in reply.buttons] == ["Next", "Hint"]
    assert reply.is_visible_to(bob)

    clicked = await alice.click(reply, "Next")
    updated = await clicked.response()
    assert updated is reply and reply.content == "Question 2 of 10"

    hint = await (await bob.click(reply, custom_id="quiz:hint")).response()
    assert hint.ephemeral and hint.content == "Think about overfitting."
    assert hint.is_visible_to(bob) and not hint.is_visible_to(alice)
    assert emulator.interaction_failures == []


async def test_select_menu_reaches_the_callback(world: World):
    channel, alice, bob = world.channel, world.alice, world.bob
    reply = await (
        await alice.run_command("mock start", channel=channel, options={"questions": 5})
    ).response()
    answer = await (await bob.select(reply, "quiz:answer", ["c"])).response()
    assert answer.content == "You answered c" and answer.ephemeral
    with pytest.raises(AssertionError, match="not an option"):
        await bob.select(reply, "quiz:answer", ["z"])


async def test_deferred_reply_is_followed_to_its_followup(world: World):
    channel, bob = world.channel, world.bob
    result = await bob.run_command("daily", channel=channel, options={"timezone": "Europe/London"})
    reply = await result.response()
    assert reply.content == "Timezone set to Europe/London"
    assert reply.ephemeral and not reply.loading
    assert result.original is reply  # the follow-up edited the "thinking" message
    assert result.followups == []


async def test_autocomplete_offers_choices(world: World):
    channel, bob = world.channel, world.bob
    choices = await bob.autocomplete("daily", channel=channel, focused="timezone", value="Europe/L")
    assert [c["value"] for c in choices] == ["Europe/Lisbon", "Europe/London"]


async def test_user_option_is_resolved(world: World):
    channel, alice, bob = world.channel, world.alice, world.bob
    reply = await (await alice.run_command("stats", channel=channel, options={"who": bob})).response()
    assert reply.content == "Stats for bob"


async def test_run_command_refuses_what_the_client_would_not_send(world: World):
    channel, alice, bob = world.channel, world.alice, world.bob
    with pytest.raises(AssertionError, match="not a synced command"):
        await alice.run_command("nope", channel=channel)
    with pytest.raises(AssertionError, match="needs a subcommand"):
        await alice.run_command("mock", channel=channel)
    with pytest.raises(AssertionError, match="has no option"):
        await alice.run_command("mock start", channel=channel, options={"questions": 3, "colour": "red"})
    with pytest.raises(AssertionError, match="expects integer"):
        await alice.run_command("mock start", channel=channel, options={"questions": "ten"})
    with pytest.raises(AssertionError, match="must be <= 65"):
        await alice.run_command("mock start", channel=channel, options={"questions": 100})
    with pytest.raises(AssertionError, match="not one of the choices"):
        await alice.run_command("mock start", channel=channel, options={"questions": 3, "mode": "exam"})
    with pytest.raises(AssertionError, match="requires option 'questions'"):
        await alice.run_command("mock start", channel=channel)
    with pytest.raises(AssertionError, match="default_member_permissions"):
        await bob.run_command("mock start", channel=channel, options={"questions": 3})
    with pytest.raises(AssertionError, match="does not use autocomplete"):
        await alice.autocomplete("mock start", channel=channel, focused="mode", value="t")


async def test_guild_commands_take_precedence(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()

    @bot.tree.command(name="ping", description="Ping (global)")
    async def ping_global(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("global pong")

    @bot.tree.command(name="ping", description="Ping (this server)", guild=discord.Object(guild.id))
    async def ping_guild(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("guild pong")

    await discord_client(bot)
    await bot.tree.sync()
    await bot.tree.sync(guild=discord.Object(guild.id))
    assert [c["guild_id"] for c in emulator.guild_commands(guild)] == [str(guild.id)]

    in_guild = await (await alice.run_command("ping", channel=channel)).response()
    assert in_guild.content == "guild pong"
    in_dm = await (await alice.run_command("ping", channel=alice.dm_channel)).response()
    assert in_dm.content == "global pong"
    assert in_dm.channel_id == alice.dm_channel.id


async def test_modal_round_trip(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()

    class Feedback(discord.ui.Modal, title="Feedback"):
        comment: discord.ui.TextInput[Feedback] = discord.ui.TextInput(label="Comment", custom_id="comment")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"Thanks: {self.comment.value}", ephemeral=True)

    @bot.tree.command(name="feedback", description="Send feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    await discord_client(bot)
    await bot.tree.sync()
    opened = await alice.run_command("feedback", channel=channel)
    modal = await opened.modal()
    assert modal.title == "Feedback"
    thanks = await (await alice.submit_modal(modal, {"comment": "more SageMaker questions"})).response()
    assert thanks.content == "Thanks: more SageMaker questions" and thanks.ephemeral


async def test_original_response_and_followup_webhooks(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @bot.tree.command(name="quiz", description="A short quiz")
    async def quiz(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Question 1")
        original = await interaction.original_response()
        assert original.content == "Question 1"
        await interaction.edit_original_response(content="Question 1 (2 min left)")
        note = await interaction.followup.send("Private note", ephemeral=True, wait=True)
        await note.edit(content="Private note (edited)")
        extra = await interaction.followup.send("Scratch", wait=True)
        await extra.delete()
        done.set_result(None)

    await discord_client(bot)
    await bot.tree.sync()
    result = await alice.run_command("quiz", channel=channel)
    await asyncio.wait_for(done, 5)
    reply = await result.response()
    assert reply.content == "Question 1 (2 min left)" and reply.edited_at is not None
    [note] = result.followups
    assert note.content == "Private note (edited)" and note.ephemeral and note.is_visible_to(alice)
    assert [m.content for m in channel.messages] == ["Question 1 (2 min left)", "Private note (edited)"]


async def test_deferred_component_updates(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    alice = guild.add_member("alice")
    bot = make_bot()

    class Slow(discord.ui.View):
        @discord.ui.button(label="Grade", custom_id="slow:grade")
        async def grade(self, interaction: discord.Interaction, button: discord.ui.Button[Slow]) -> None:
            await interaction.response.defer()  # DEFERRED_UPDATE_MESSAGE
            await interaction.edit_original_response(content="Graded: 8/10", view=None)

        @discord.ui.button(label="Export", custom_id="slow:export")
        async def export(self, interaction: discord.Interaction, button: discord.ui.Button[Slow]) -> None:
            await interaction.response.defer()
            await interaction.followup.send("Your export is ready", ephemeral=True)

    @bot.tree.command(name="work", description="Slow work")
    async def work(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Working...", view=Slow())

    await discord_client(bot)
    await bot.tree.sync()
    card = await (await alice.run_command("work", channel=channel)).response()
    exported = await (await alice.click(card, "Export")).response()
    assert exported.content == "Your export is ready" and exported.ephemeral
    graded = await (await alice.click(card, "Grade")).response()
    assert graded is card and card.content == "Graded: 8/10" and card.buttons == []
