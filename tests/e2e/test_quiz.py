"""/quiz: rounds in the channel, reactions, a reveal after each round and a round-up at the end."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Member
from bot.scheduler import reveal_job_id
from tests.e2e.daily_helpers import (
    is_question_post,
    is_reveal,
    post_of,
    question_of,
    react_and_wait,
    right_and_wrong,
    run_job_now,
    wait_for_option_reactions,
)


def is_roundup(message) -> bool:
    return bool(message.embeds) and message.embeds[0].get("title", "").startswith("Quiz over")


async def play_round(emulator, bot, channel, after, answers):
    """Wait for the next round, have each member answer right or wrong, close it; return the reveal."""
    post = await emulator.wait_for_message(channel=channel, predicate=is_question_post, after=after)
    question = question_of(bot, post)
    await wait_for_option_reactions(emulator, post, question)
    right, wrong = right_and_wrong(question)
    for member, correct in answers:
        for emoji in right if correct else wrong:
            await react_and_wait(bot, member, post, emoji)
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    return post, await emulator.wait_for_message(channel=channel, predicate=is_reveal, after=post)


async def test_a_two_round_quiz_with_several_members(emulator, studybot) -> None:
    guild = emulator.add_guild("ML Study Group")
    channel = guild.add_text_channel("quiz")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    bot = await studybot.start()

    started = await (
        await alice.run_command("quiz", channel=channel, options={"rounds": 2, "domain": "3"})
    ).response()
    assert started.ephemeral and "Quiz started: 2 rounds" in started.content
    busy = await (await bob.run_command("quiz", channel=channel)).response()
    assert busy.ephemeral and "already running here; it ends <t:" in busy.content

    post1, reveal1 = await play_round(emulator, bot, channel, None, [(alice, True), (bob, False)])
    assert "Quiz · round 1 of 2" in post1.embeds[0]["title"]
    assert question_of(bot, post1).domain_id == "3"
    post2, reveal2 = await play_round(
        emulator, bot, channel, reveal1, [(alice, True), (bob, True), (carol, False)]
    )
    assert "Quiz · round 2 of 2" in post2.embeds[0]["title"]
    assert question_of(bot, post2).id != question_of(bot, post1).id

    roundup = await emulator.wait_for_message(channel=channel, predicate=is_roundup, after=reveal2)
    lines = roundup.embeds[0]["description"].splitlines()
    assert lines[0] == f"🥇 <@{alice.id}> 2/2 correct"
    assert lines[1] == f"🥈 <@{bob.id}> 1/2 correct"
    assert lines[2] == f"🥉 <@{carol.id}> 0/2 correct (1 answered)"
    async with bot.sessions() as session:
        points = {m.user_id: m.points for m in (await session.scalars(select(Member))).all()}
    assert points == {alice.id: 10, bob.id: 5, carol.id: 0}, "5 points per correct quiz answer"

    again = await (await bob.run_command("quiz", channel=channel)).response()
    assert "Quiz started" in again.content, "once a quiz is over, a new one can start"


async def test_domain_suggestions(emulator, studybot) -> None:
    guild = emulator.add_guild("ML Study Group")
    channel = guild.add_text_channel("quiz")
    alice = guild.add_member("alice")
    await studybot.start()
    for command in ("quiz", "mock start"):
        choices = await alice.autocomplete(command, channel=channel, focused="domain", value="model")
        assert [c["value"] for c in choices] == ["3"], command
