"""The question of the day as a study group lives it: admins schedule, members react, the bot reveals."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.db.models import Answer, Member, Post
from bot.domain.grading import LETTER_EMOJI
from bot.scheduler import daily_job_id, reveal_job_id
from tests.e2e.daily_helpers import (
    is_reveal,
    post_of,
    question_of,
    react_and_wait,
    right_and_wrong,
    run_job_now,
    schedule,
    wait_for_option_reactions,
    wait_for_post,
)
from tests.emulator import Perm


def study_server(emulator):
    guild = emulator.add_guild("ML Study Group")
    channel = guild.add_text_channel("daily-question")
    admin = guild.add_member("admin", admin=True)
    members = [guild.add_member(name) for name in ("alice", "bob", "carol", "dave")]
    return guild, channel, admin, members


async def rows(bot, model, *where):
    async with bot.sessions() as session:
        return (await session.scalars(select(model).where(*where))).all()


async def test_admin_commands_and_their_errors(emulator, studybot) -> None:
    guild, channel, admin, _ = study_server(emulator)
    locked = guild.add_text_channel("locked", bot_deny=Perm.ADD_REACTIONS)
    await studybot.start()

    for options, words in [
        ({"time": "25:61"}, "not a time of day"),
        ({"time": "09:00", "timezone": "Europe/Atlantis"}, "not a timezone"),
        ({"time": "09:00", "days": "funday"}, "not a day"),
        ({"time": "09:00", "domains": "7"}, "Unknown domain `7`"),
    ]:
        reply = await schedule(admin, channel, **options)
        assert reply.ephemeral and words in reply.content, reply.content
    reply = await schedule(admin, locked, time="09:00")
    assert reply.ephemeral and "Add Reactions" in reply.content
    listing = await (await admin.run_command("daily list", channel=channel)).response()
    assert "No daily schedules yet" in listing.content, "nothing was saved half-way"

    reply = await schedule(admin, channel, time="09:00", timezone="Europe/London", days="mon-fri")
    assert "Scheduled the question of the day" in reply.content and "Mon–Fri" in reply.content
    (view,) = await studybot.running.daily_service.list_schedules(guild.id)
    assert studybot.running.jobs.scheduler.get_job(daily_job_id(view.id)) is not None

    choices = await admin.autocomplete(
        "daily schedule",
        channel=channel,
        focused="timezone",
        value="Europe/Lo",
        options={"channel": channel, "time": "09:00"},
    )
    assert choices[0]["value"] == "Europe/London"

    paused = await (
        await admin.run_command("daily pause", channel=channel, options={"channel": channel})
    ).response()
    assert "Paused" in paused.content
    assert studybot.running.jobs.scheduler.get_job(daily_job_id(view.id)) is None
    listing = await (await admin.run_command("daily list", channel=channel)).response()
    assert "Paused: paused by an admin" in listing.embeds[0]["description"]
    await (await admin.run_command("daily resume", channel=channel, options={"channel": channel})).response()
    assert studybot.running.jobs.scheduler.get_job(daily_job_id(view.id)) is not None
    removed = await (
        await admin.run_command("daily remove", channel=channel, options={"channel": channel})
    ).response()
    assert "Removed" in removed.content
    assert await studybot.running.daily_service.list_schedules(guild.id) == []


async def test_a_full_day(emulator, studybot) -> None:
    guild, channel, admin, (alice, bob, carol, dave) = study_server(emulator)
    other_bot = guild.add_member("quizzer", bot=True)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00", timezone="Europe/London")
    done = await (
        await admin.run_command("daily post-now", channel=channel, options={"channel": channel})
    ).response()
    assert done.ephemeral and "Posted in" in done.content

    post = await wait_for_post(emulator, channel)
    question = question_of(bot, post)
    await wait_for_option_reactions(emulator, post, question)
    embed = post.embeds[0]
    assert question.stem.split()[0] in embed["description"]
    assert ("Choose two" in embed["description"]) == (question.choose == 2)
    closes = next(f["value"] for f in embed["fields"] if f["name"] == "Closes")
    assert closes.startswith("<t:") and ":R>" in closes

    right, wrong = right_and_wrong(question)
    for emoji in right:  # alice: right on the first complete answer
        await react_and_wait(bot, alice, post, emoji)
    for emoji in wrong:  # bob: wrong first, then changes his mind: the first complete answer counts
        await react_and_wait(bot, bob, post, emoji)
    for emoji in right:
        await react_and_wait(bot, bob, post, emoji)
    await react_and_wait(bot, other_bot, post, right[0])  # other bots are ignored
    await react_and_wait(bot, carol, post, "👍")  # not an option
    if question.choose == 1:
        await react_and_wait(bot, carol, post, LETTER_EMOJI["F"])  # an option the question does not have

    _, post_id = post_of(post)
    run_job_now(bot, reveal_job_id(post_id))
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    await react_and_wait(bot, dave, post, right[0])  # after the close: ignored

    fields = {f["name"]: f["value"] for f in reveal.embeds[0]["fields"]}
    assert reveal.embeds[0]["title"].endswith(", ".join(sorted(question.key)))
    assert question.explanation[:40] in reveal.embeds[0]["description"]
    assert fields["Got it right"].startswith("1 of 2 (50%)")
    assert f"<@{alice.id}>" in fields["Got it right"] and f"<@{bob.id}>" not in fields["Got it right"]
    for letter in question.why_wrong:
        assert f"Why not {LETTER_EMOJI[letter]} {letter}" in fields
    assert question.references[0] in fields["Read more"]
    assert "<@" not in (reveal.content or ""), "mentions sit in the embed, where Discord never pings"

    answers = await rows(bot, Answer, Answer.post_id == post_id)
    assert sorted(a.user_id for a in answers if a.locked) == sorted([alice.id, bob.id])
    members = {m.user_id: m for m in await rows(bot, Member, Member.guild_id == guild.id)}
    assert members[alice.id].points == 10 and members[bob.id].points == 0
    (stored,) = await rows(bot, Post, Post.id == post_id)
    assert stored.state == "closed" and stored.reveal_message_id == reveal.id


async def test_restarts_at_each_step_post_once_and_count_every_answer_once(emulator, studybot) -> None:
    guild, channel, admin, (alice, bob, *_) = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00", timezone="Europe/London")
    (view,) = await bot.daily_service.list_schedules(guild.id)

    # the schedule's job fires; then the bot is killed and restarted twice: still one post that day
    run_job_now(bot, daily_job_id(view.id))
    post = await wait_for_post(emulator, channel)
    question = question_of(bot, post)
    await wait_for_option_reactions(emulator, post, question)
    bot = await studybot.restart()
    run_job_now(bot, daily_job_id(view.id))
    bot = await studybot.restart()
    right, wrong = right_and_wrong(question)
    for emoji in right:
        await react_and_wait(bot, alice, post, emoji)

    # reactions made while the bot is down are picked up on start
    await studybot.stop()
    for emoji in wrong:
        await bob.react(post, emoji)
    bot = await studybot.start()
    assert len([m for m in emulator.messages if m.channel is channel and m.embeds and post_of(m)]) == 1

    # reveal, killed right after scoring and before the reveal message: scored once, revealed once
    _, post_id = post_of(post)
    await bot.daily_service.score(post_id, dt.datetime.now(dt.UTC))
    bot = await studybot.restart()
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    fields = {f["name"]: f["value"] for f in reveal.embeds[0]["fields"]}
    assert fields["Got it right"].startswith("1 of 2")
    members = {m.user_id: m for m in await rows(bot, Member, Member.guild_id == guild.id)}
    assert members[alice.id].points == 10
    async with bot.sessions() as session:
        posts = await session.scalar(select(func.count()).select_from(Post))
    assert posts == 1
    assert len([m for m in emulator.messages if m.channel is channel and is_reveal(m)]) == 1


async def test_forced_resume_replays_reactions_exactly_once(emulator, studybot) -> None:
    _, channel, admin, (alice, *_) = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00", timezone="Europe/London")
    await (
        await admin.run_command("daily post-now", channel=channel, options={"channel": channel})
    ).response()
    post = await wait_for_post(emulator, channel)
    question = question_of(bot, post)
    await wait_for_option_reactions(emulator, post, question)
    right, _ = right_and_wrong(question)

    replayed: list[int] = []

    async def on_answer_recorded(message_id: int, user_id: int, emoji: str, added: bool, outcome) -> None:
        if message_id == post.id and user_id == alice.id:
            replayed.append(user_id)

    bot.add_listener(on_answer_recorded, "on_answer_recorded")
    async with emulator.offline():
        for emoji in right:
            await alice.react(post, emoji)
    await emulator.wait_for_ready()
    await emulator.wait_until(lambda: len(replayed) >= len(right), what="the replayed reactions")
    _, post_id = post_of(post)
    answers = await rows(bot, Answer, Answer.post_id == post_id)
    assert [(a.user_id, a.locked) for a in answers] == [(alice.id, True)]
    for emoji in right:  # the same reactions delivered again (a second replay) change nothing
        await react_and_wait(bot, alice, post, emoji, remove=True)
        await react_and_wait(bot, alice, post, emoji)
    answers = await rows(bot, Answer, Answer.post_id == post_id)
    assert [(a.user_id, a.locked, a.letters) for a in answers] == [
        (alice.id, True, "".join(sorted(question.key)))
    ]


async def test_a_restart_before_and_during_posting_still_posts_exactly_once(emulator, studybot) -> None:
    guild, channel, admin, _ = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00", timezone="Europe/London")
    (view,) = await bot.daily_service.list_schedules(guild.id)
    now = dt.datetime.now(dt.UTC)

    # killed after claiming the day's post, before sending it: the restart sends it
    plan = await bot.daily_service.claim_occurrence(view.id, dt.date(2026, 11, 23), now)
    await studybot.restart()
    first = await wait_for_post(emulator, channel)
    assert post_of(first)[1] == plan.post_id

    # killed after Discord accepted the message, before the bot recorded it: found again, not re-sent
    bot = studybot.running
    plan = await bot.daily_service.claim_occurrence(view.id, dt.date(2026, 11, 24), now)
    await bot.publisher.publish(plan, resumed=False)
    await studybot.restart()
    second = await emulator.wait_for_message(
        channel=channel, predicate=lambda m: m.id != first.id and bool(m.embeds)
    )
    assert post_of(second)[1] == plan.post_id
    bot = studybot.running
    await wait_for_option_reactions(emulator, second, question_of(bot, second))
    posts = [
        m
        for m in emulator.messages
        if m.channel is channel and m.embeds and "Question of the day" in m.embeds[0]["title"]
    ]
    assert len(posts) == 2
    (stored,) = await rows(bot, Post, Post.id == plan.post_id)
    assert stored.state == "open" and stored.message_id == second.id


async def scheduled_then_removed(emulator, studybot):
    """A server with a schedule, then the bot is removed from it (its daily job stops)."""
    guild, channel, admin, _ = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00", timezone="Europe/London")
    (view,) = await bot.daily_service.list_schedules(guild.id)
    emulator.remove_bot_from_guild(guild)
    await emulator.wait_until(lambda: bot.jobs.scheduler.get_job(daily_job_id(view.id)) is None, what="stop")
    return guild, view


async def test_removing_the_bot_from_a_server_stops_its_schedules(emulator, studybot) -> None:
    _, view = await scheduled_then_removed(emulator, studybot)
    await studybot.restart()
    assert studybot.running.jobs.scheduler.get_job(daily_job_id(view.id)) is None


async def test_a_server_that_invited_the_bot_back_gets_its_schedules_back_even_when_it_arrives_late(
    emulator, studybot
) -> None:
    """READY lists every server, also one in an outage whose GUILD_CREATE comes after the bot's short
    wait for the start-up burst: the bot knows it is back from READY alone."""
    guild, view = await scheduled_then_removed(emulator, studybot)
    await studybot.stop()
    emulator.add_bot_to_guild(guild)  # invited back while the bot was down...
    guild.arrives_late = True  # ...and the server is in an outage when the bot connects
    bot = await studybot.start()
    assert bot.get_guild(guild.id) is not None and bot.get_guild(guild.id).unavailable
    assert bot.jobs.scheduler.get_job(daily_job_id(view.id)) is not None
    emulator.guild_becomes_available(guild)
    await emulator.wait_until(lambda: not bot.get_guild(guild.id).unavailable, what="the server arrives")
    assert bot.jobs.scheduler.get_job(daily_job_id(view.id)) is not None


async def test_a_huge_option_value_gets_a_short_private_error(emulator, studybot) -> None:
    _, channel, admin, _ = study_server(emulator)
    await studybot.start()
    huge = "9" * 2100 + "`**@everyone**"
    reply = await schedule(admin, channel, time=huge)
    assert reply.ephemeral and "is not a time of day" in reply.content
    assert len(reply.content) < 300 and "@everyone" not in reply.content
    reply = await schedule(admin, channel, time="09:00", days="`" + "x" * 3000)
    assert reply.ephemeral and "is not a day" in reply.content and len(reply.content) < 400
