"""Rate limits: headers discord.py paces itself by, and 429s it recovers from."""

from __future__ import annotations

import asyncio
import itertools

import aiohttp
import discord
import pytest

from tests.emulator import DiscordEmulator, RateLimits
from tests.emulator.client import ClientLauncher, make_bot, make_client


@pytest.mark.emulator(rate_limits=RateLimits.discord())
async def test_discord_limits_cause_no_avoidable_429(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    client = await discord_client(make_client())
    target = client.get_channel(channel.id)
    # Four of the five messages a window allows: the fifth would make discord.py wait 5 s.
    sent = [await target.send(f"question {i}") for i in range(4)]
    for emoji in ("🇦", "🇧", "🇨"):
        await sent[0].add_reaction(emoji)
    await sent[0].edit(content="question 0 (edited)")

    assert emulator.rate_limited == []
    posts = [r for r in emulator.requests if r.method == "POST" and r.route.endswith("/messages")]
    assert [r.headers["X-RateLimit-Remaining"] for r in posts] == ["4", "3", "2", "1"]
    reactions = [r for r in emulator.requests if r.bucket == "reactions"]
    assert {r.headers["X-RateLimit-Limit"] for r in reactions} == {"1"}
    assert len({r.headers["X-RateLimit-Bucket"] for r in reactions}) == 1
    # discord.py waited out each 0.25 s reaction window instead of hitting it.
    gaps = [b.at - a.at for a, b in itertools.pairwise(reactions)]
    assert all(gap >= 0.24 for gap in gaps)


@pytest.mark.emulator(rate_limits=RateLimits.discord().with_bucket("messages", 2, 0.5))
async def test_exceeded_route_limit_is_retried(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    client = await discord_client(make_client())
    # Another process with the same token has just used up this channel's message bucket.
    url = f"{emulator.api_base}/channels/{channel.id}/messages"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {emulator.token}"}) as http:
        for n in range(2):
            async with http.post(url, json={"content": f"other process {n}"}) as resp:
                assert resp.status == 200

    await client.get_channel(channel.id).send("after the limit")

    [limited] = emulator.rate_limited
    assert (limited.scope, limited.is_global, limited.bucket) == ("user", False, "messages")
    headers = limited.headers
    assert headers["X-RateLimit-Limit"] == "2" and headers["X-RateLimit-Remaining"] == "0"
    assert 0 < float(headers["X-RateLimit-Reset-After"]) <= 0.5
    assert headers["X-RateLimit-Scope"] == "user" and headers["Retry-After"] == "1"
    assert headers["X-RateLimit-Bucket"]
    assert [m.content for m in channel.messages][-1] == "after the limit"
    assert emulator.requests[-1].status == 200


async def test_global_limit_is_waited_out(emulator: DiscordEmulator, discord_client: ClientLauncher):
    guild = emulator.add_guild("Study Group")
    channels = [guild.add_text_channel(f"room-{i}") for i in range(8)]
    client = await discord_client(make_client())
    emulator.set_rate_limits(RateLimits.discord().with_global(5))
    await asyncio.gather(*(client.get_channel(c.id).send("hello") for c in channels))

    limited = emulator.rate_limited
    assert limited and all(r.is_global and r.scope == "global" for r in limited)
    assert limited[0].headers["X-RateLimit-Global"] == "true"
    assert all(len(c.messages) == 1 for c in channels)


async def test_interaction_callbacks_are_exempt_from_the_global_limit(
    emulator: DiscordEmulator, discord_client: ClientLauncher
):
    guild = emulator.add_guild("Study Group")
    channel = guild.add_text_channel("daily")
    members = [guild.add_member(f"student{i}") for i in range(4)]
    bot = make_bot()

    @bot.tree.command(name="ping", description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    await discord_client(bot)
    await bot.tree.sync()
    emulator.set_rate_limits(RateLimits.discord().with_global(1))
    results = [await m.run_command("ping", channel=channel) for m in members]
    replies = [await r.response() for r in results]
    assert [r.content for r in replies] == ["pong"] * 4
    assert [r for r in emulator.rate_limited if "interactions" in r.route] == []
