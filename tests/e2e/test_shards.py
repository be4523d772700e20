"""Two bot processes, each with some of the shards, on one PostgreSQL database and one emulator: every
server's daily post is made once and revealed once, through a `kill -9` of one process and a restart in
which it believes, for a moment, that it owns every server (as during a deploy)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.child import BotProcess
from bench.world import SHIPPED_PACK, is_question_post, question_id_of, question_ids_by_stem, schedule_daily
from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.db.engine import create_engine
from bot.db.models import Attempt
from bot.domain.grading import LETTER_EMOJI
from bot.domain.pack import Question
from tests.e2e.daily_helpers import is_reveal
from tests.emulator import DiscordEmulator


def question_of(post: object) -> Question:
    pack = load_packs(SHIPPED_QUESTIONS)[SHIPPED_PACK]
    question = pack.question(question_id_of(post, question_ids_by_stem(pack.questions)))
    assert question is not None
    return question


def posts_in(emulator: DiscordEmulator, channel: object) -> list:
    return [m for m in emulator.messages if m.channel is channel and is_question_post(m)]


def reveals_in(emulator: DiscordEmulator, channel: object) -> list:
    return [m for m in emulator.messages if m.channel is channel and is_reveal(m)]


@pytest.mark.databases("postgresql")
@pytest.mark.emulator(shard_count=2)
async def test_two_processes_share_the_servers_and_each_post_happens_once(
    emulator: DiscordEmulator, database_url: str, tmp_path: Path
) -> None:
    guilds = [emulator.add_guild(f"Study group {n}") for n in range(4)]  # shards 0, 1, 0, 1
    channels = [g.add_text_channel("daily") for g in guilds]
    admins = [g.add_member("admin", admin=True) for g in guilds]
    alice = guilds[1].add_member("alice")
    shared = {"DATABASE_URL": database_url, "SHARD_COUNT": "2"}

    def process(name: str, shards: str) -> BotProcess:
        return BotProcess(emulator, tmp_path / name, env={**shared, "SHARD_IDS": shards})

    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(process("first", "0"))
        second = await stack.enter_async_context(process("second", "1"))
        await asyncio.gather(first.start(), second.start())
        assert sorted(r.shard for r in emulator.identifies) == [[0, 2], [1, 2]]

        for admin, channel in zip(admins, channels, strict=True):
            reply = await schedule_daily(admin, channel, timezone="UTC")
            assert "Scheduled" in reply.content
        # Each process armed its own servers' schedules only.
        assert [(await p.command("fire", prefix="daily:"))["fired"] for p in (first, second)] == [2, 2]
        await emulator.wait_until(
            lambda: all(posts_in(emulator, c) for c in channels), what="every server's question"
        )
        post = posts_in(emulator, channels[1])[0]
        question = question_of(post)
        for letter in sorted(question.key):  # a whole answer, whatever kind of question it is
            await alice.react(post, LETTER_EMOJI[letter])

        # The process with shard 1 dies without a word, and comes back with both shards in mind.
        assert second.process is not None
        second.process.kill()
        await second.process.wait()
        await second.stop()
        again = await stack.enter_async_context(process("second", "0-1"))
        await again.start()

        # Both now try every job they hold: the database lets each post and reveal happen once.
        for bot in (first, again):
            await bot.command("fire", prefix="daily:")
            await bot.command("fire", prefix="reveal:")
        await emulator.wait_until(
            lambda: all(reveals_in(emulator, c) for c in channels), what="every server's reveal"
        )
        # A second pass finds nothing left to do.
        for bot in (first, again):
            await bot.command("fire", prefix="daily:")
            await bot.command("ping")

    assert [len(posts_in(emulator, c)) for c in channels] == [1, 1, 1, 1]
    assert [len(reveals_in(emulator, c)) for c in channels] == [1, 1, 1, 1]
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            counted = await connection.scalar(
                select(func.count()).select_from(Attempt).where(Attempt.user_id == alice.id)
            )
    finally:
        await engine.dispose()
    assert counted == 1, "alice's answer, given before the crash, counted once"
