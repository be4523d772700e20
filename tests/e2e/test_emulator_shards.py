"""Sharding as Discord does it: GET /gateway/bot says how many shards, each IDENTIFY names its shard,
and each session receives only its own servers' events (direct messages go to shard 0)."""

from __future__ import annotations

import discord
import pytest

from tests.emulator import DiscordEmulator
from tests.emulator.client import READY_TIMEOUT, ClientLauncher


class ShardedBot(discord.AutoShardedClient):
    def __init__(self, **options: object) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=READY_TIMEOUT, **options)  # type: ignore[arg-type]
        self.reactions: list[tuple[int | None, int | None]] = []

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        self.reactions.append(
            (event.guild_id, self.get_guild(event.guild_id).shard_id if event.guild_id else None)
        )


@pytest.mark.emulator(shard_count=2)
async def test_each_shard_sees_only_its_own_servers(
    emulator: DiscordEmulator, discord_client: ClientLauncher
) -> None:
    guilds = [emulator.add_guild(f"Study group {n}") for n in range(4)]
    assert sorted((g.id >> 22) % 2 for g in guilds) == [0, 0, 1, 1], "servers spread over both shards"
    channels = [g.add_text_channel("daily") for g in guilds]
    member = guilds[1].add_member("alice")

    whole = await discord_client(ShardedBot())  # asks /gateway/bot: 2 shards, both in this process
    assert whole.shard_count == 2 and {g.id for g in whole.guilds} == {g.id for g in guilds}
    assert sorted(r.shard for r in emulator.identifies) == [[0, 2], [1, 2]]

    # A process running shard 1 only gets shard 1's servers (the second and fourth), and their events.
    await discord_client.stop(whole)
    second = await discord_client(ShardedBot(shard_ids=[1], shard_count=2))
    assert {g.id for g in second.guilds} == {guilds[1].id, guilds[3].id}
    assert second.get_channel(channels[0].id) is None and second.get_channel(channels[2].id) is None
    await second.get_channel(channels[1].id).send("hello")
    stored = await emulator.wait_for_message(channel=channels[1])
    await member.react(stored, "🇦")
    await emulator.wait_until(lambda: second.reactions, what="the reaction on shard 1")
    assert second.reactions == [(guilds[1].id, 1)]


@pytest.mark.emulator(shard_count=2)
async def test_an_identify_without_its_shard_is_refused(
    emulator: DiscordEmulator, discord_client: ClientLauncher
) -> None:
    from tests.emulator.client import make_bot

    with pytest.raises(discord.ConnectionClosed) as refused:
        await discord_client(make_bot(), timeout=5)
    assert refused.value.code == 4011  # sharding required
