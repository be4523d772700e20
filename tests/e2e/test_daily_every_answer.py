"""Every answer counted as it was given: taken-back letters, outages across the close, crashes
around the reveal, schedules made after their time, and the hidden-answers counter."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Answer, Post
from bot.discord import publisher as publisher_module
from bot.domain.grading import LETTER_EMOJI
from bot.scheduler import reveal_job_id
from tests.e2e.daily_helpers import (
    is_question_post,
    is_reveal,
    pack_of_one_type,
    post_of,
    post_question,
    react_and_wait,
    right_and_wrong,
    run_job_now,
    schedule,
    study_server,
)
from tests.e2e.harness import StudyBotHarness
from tests.emulator import Perm


async def post_now(bot, emulator, admin, channel):
    await schedule(admin, channel, time="09:00")
    return await post_question(bot, emulator, admin, channel)


async def stored_answers(bot, post_id):
    async with bot.sessions() as session:
        rows = (await session.scalars(select(Answer).where(Answer.post_id == post_id))).all()
    return {a.user_id: (a.letters, a.locked) for a in rows}


def reveals_in(emulator, channel):
    return [m for m in emulator.messages if m.channel is channel and is_reveal(m)]


@pytest.fixture
def pairs_bot(emulator, tmp_path, database_url):
    """A bot whose bank holds only "choose two" questions."""
    return StudyBotHarness(emulator, database_url, questions_dir=pack_of_one_type(tmp_path / "q", "multiple"))


async def test_a_letter_taken_back_while_the_bot_was_down_stays_taken_back(emulator, pairs_bot) -> None:
    _, channel, admin, alice, _ = study_server(emulator)
    try:
        bot = await pairs_bot.start()
        post, question = await post_now(bot, emulator, admin, channel)
        first, _, third, fourth = question.letters[:4]
        await react_and_wait(bot, alice, post, LETTER_EMOJI[first])  # half an answer
        await pairs_bot.stop()
        await alice.unreact(post, LETTER_EMOJI[first])  # changed her mind while the bot was down
        await alice.react(post, LETTER_EMOJI[third])
        await alice.react(post, LETTER_EMOJI[fourth])
        bot = await pairs_bot.start()
        _, post_id = post_of(post)
        assert (await stored_answers(bot, post_id))[alice.id] == (third + fourth, True)
    finally:
        await pairs_bot.stop()


async def test_a_half_answer_taken_back_entirely_while_the_bot_was_down_is_dropped(
    emulator, pairs_bot
) -> None:
    _, channel, admin, alice, _ = study_server(emulator)
    try:
        bot = await pairs_bot.start()
        post, question = await post_now(bot, emulator, admin, channel)
        await react_and_wait(bot, alice, post, LETTER_EMOJI[question.letters[0]])
        await pairs_bot.stop()
        await alice.unreact(post, LETTER_EMOJI[question.letters[0]])
        bot = await pairs_bot.start()
        _, post_id = post_of(post)
        assert (await stored_answers(bot, post_id)).get(alice.id, ("", False)) == ("", False)
    finally:
        await pairs_bot.stop()


async def test_an_answer_made_while_the_gateway_is_down_across_the_close_counts(emulator, studybot) -> None:
    _, channel, admin, alice, _ = study_server(emulator)
    bot = await studybot.start()
    post, question = await post_now(bot, emulator, admin, channel)
    right, _ = right_and_wrong(question)
    _, post_id = post_of(post)
    async with emulator.offline():
        for emoji in right:
            await alice.react(post, emoji)
        run_job_now(bot, reveal_job_id(post_id))  # the post closes while the bot hears nothing
        reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    fields = {f["name"]: f["value"] for f in reveal.embeds[0]["fields"]}
    assert fields["Got it right"].startswith("1 of 1"), fields["Got it right"]
    await emulator.wait_for_ready()
    assert (await stored_answers(bot, post_id))[alice.id] == ("".join(sorted(question.key)), True)
    assert len(reveals_in(emulator, channel)) == 1


async def test_a_reveal_sent_just_before_a_crash_is_not_sent_again(emulator, studybot) -> None:
    _, channel, admin, alice, _ = study_server(emulator)
    bot = await studybot.start()
    post, question = await post_now(bot, emulator, admin, channel)
    for emoji in right_and_wrong(question)[0]:
        await react_and_wait(bot, alice, post, emoji)
    _, post_id = post_of(post)
    # Killed right after Discord accepted the reveal, before the bot recorded it.
    result = await bot.daily_service.score(post_id, dt.datetime.now(dt.UTC))
    await bot.publisher.reveal(result, resumed=False)
    bot = await studybot.restart()
    (reveal,) = reveals_in(emulator, channel)
    async with bot.sessions() as session:
        stored = await session.get(Post, post_id)
    assert stored.state == "closed" and stored.reveal_message_id == reveal.id


async def test_a_time_already_past_when_scheduled_is_not_posted_as_missed(emulator, studybot) -> None:
    guild, channel, admin, *_ = study_server(emulator)
    bot = await studybot.start()
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    reply = await schedule(admin, channel, time=f"{earlier:%H:%M}", timezone="UTC")
    (view,) = await bot.daily_service.list_schedules(guild.id)
    _, next_post = view.schedule.next_occurrence(dt.datetime.now(dt.UTC))
    assert next_post > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23), "the next post is tomorrow"
    assert f"<t:{int(next_post.timestamp())}:F>" in reply.content
    bot = await studybot.restart()  # start-up catches up on missed posts: this one was never missed
    assert not [m for m in emulator.messages if m.channel is channel and is_question_post(m)]
    assert await bot.daily_service.last_occurrence(view.id) is None


@pytest.fixture
def quick_counter(monkeypatch):
    """Hidden-answer counters edited within moments rather than seconds."""
    monkeypatch.setattr(publisher_module, "COUNTER_EDIT_INTERVAL", 0.2)


def counter_edits_pending() -> bool:
    return any(t.get_name().startswith("answer-counter:") for t in asyncio.all_tasks() if not t.done())


def shown_count(post) -> str | None:
    fields = {f["name"]: f["value"] for f in post.embeds[0]["fields"]}
    return fields.get("Answers so far")


async def test_with_hidden_answers_a_late_counter_edit_never_reopens_the_post(
    emulator, studybot, quick_counter
) -> None:
    _, channel, admin, alice, _ = study_server(emulator, bot_allow=Perm.MANAGE_MESSAGES)
    bot = await studybot.start()
    await (await admin.run_command("daily hide-answers", channel=channel, options={"hide": True})).response()
    post, question = await post_now(bot, emulator, admin, channel)
    for emoji in right_and_wrong(question)[0]:
        await react_and_wait(bot, alice, post, emoji)
    assert counter_edits_pending()  # the counter edit waits; the post closes meanwhile
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    await emulator.wait_until(lambda: not counter_edits_pending(), what="pending counter edits to end")
    names = [f["name"] for f in post.embeds[0]["fields"]]
    assert "Closed" in names and "Answers so far" not in names, names


async def test_with_hidden_answers_the_counter_counts_answers_read_back_after_a_restart(
    emulator, studybot, quick_counter
) -> None:
    _, channel, admin, alice, bob = study_server(emulator, bot_allow=Perm.MANAGE_MESSAGES)
    bot = await studybot.start()
    await (await admin.run_command("daily hide-answers", channel=channel, options={"hide": True})).response()
    post, question = await post_now(bot, emulator, admin, channel)
    right, wrong = right_and_wrong(question)
    for emoji in right:
        await react_and_wait(bot, alice, post, emoji)
    await emulator.wait_until(lambda: shown_count(post).startswith("1 "), what="the counter at 1")
    await studybot.stop()
    for emoji in wrong:
        await bob.react(post, emoji)
    await studybot.start()
    await emulator.wait_until(lambda: shown_count(post).startswith("2 "), what="the counter at 2")
    assert all(bob.id not in post.reaction_users(e) for e in wrong), "read back and hidden"
