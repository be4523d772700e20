"""Private mock exams, pressed through button by button as a member does."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.db.models import Attempt, Member
from bot.scheduler import mock_job_id
from tests.e2e.daily_helpers import press


def server(emulator):
    guild = emulator.add_guild("ML Study Group")
    channel = guild.add_text_channel("practice")
    return guild, channel, guild.add_member("alice"), guild.add_member("bob")


async def start(member, channel, **options):
    result = await member.run_command("mock start", channel=channel, options=options)
    return await result.response()


def card(message) -> dict:
    assert message.embeds, f"no card; the bot said: {message.content!r}"
    return message.embeds[0]


def progress(message) -> str:
    return next(f["value"] for f in card(message)["fields"] if f["name"] == "Progress")


def session_id(message) -> int:
    return int(message.buttons[0]["custom_id"].split(":")[2])


async def current_question(bot, member, message):
    state = await bot.mock_service.get(session_id(message), member.id, dt.datetime.now(dt.UTC))
    return state.current


async def answer_right(bot, member, message):
    question = await current_question(bot, member, message)
    for letter in sorted(question.key):
        message = await press(member, message, letter)
    return message


async def test_a_member_completes_a_mock(emulator, studybot) -> None:
    guild, channel, alice, _ = server(emulator)
    bot = await studybot.start()
    message = await start(alice, channel, questions=10)
    assert message.ephemeral
    assert progress(message).startswith("Question 1 of 10 · 0 answered · 0 flagged · time left <t:")
    assert {"Back", "Next", "Flag for review", "Finish"} <= {b.get("label") for b in message.buttons}
    assert "Answers and explanations are shown when you finish" in card(message)["footer"]["text"]

    message = await answer_right(bot, alice, message)
    assert " 1 answered" in progress(message)
    message = await press(alice, message, "Next")
    message = await press(alice, message, "Flag for review")
    assert "🚩" in card(message)["title"] and "1 flagged" in progress(message)
    message = await press(alice, message, "Back")
    assert progress(message).startswith("Question 1 of 10")

    message = await press(alice, message, "Finish")
    assert card(message)["title"] == "Finish the mock?"
    assert "9 unanswered" in card(message)["description"] and "1 flagged" in card(message)["description"]
    message = await press(alice, message, "Keep going")
    assert progress(message).startswith("Question 1 of 10")
    message = await press(alice, message, "Finish")
    report = await press(alice, message, "Finish now")
    assert card(report)["title"] == "Mock exam result: 1/10 (10%)"
    assert (
        "Estimated scaled score" in card(report)["description"]
        and "pass mark of 750" in card(report)["description"]
    )
    assert "estimate" in card(report)["description"]
    domain_fields = [f for f in card(report)["fields"] if f["name"].startswith("Domain")]
    assert len(domain_fields) == 4 and any("needs work" in f["value"] for f in domain_fields)

    review = await press(alice, report, "Review answers")
    assert card(review)["title"] == "Review 1 of 10: ✅ correct"
    names = [f["name"] for f in card(review)["fields"]]
    assert {"Your answer", "Key", "Why", "Read more"} <= set(names)
    review = await press(alice, review, "Next")
    assert card(review)["title"] == "Review 2 of 10: ❌ wrong"

    async with bot.sessions() as session:
        attempts = (await session.scalars(select(Attempt).where(Attempt.user_id == alice.id))).all()
        member = await session.get(Member, (guild.id, alice.id))
    assert len(attempts) == 10 and {a.source for a in attempts} == {"mock"}
    assert sum(a.correct for a in attempts) == 1
    assert member is None or member.points == 0, "mock answers earn no leaderboard points"

    history = await (await alice.run_command("mock history", channel=channel)).response()
    assert "1/10" in history.embeds[0]["description"]
    assert ":f> · 1/10" in history.embeds[0]["description"], "the day and the time of day"


async def test_one_active_mock_and_resume_after_a_restart(emulator, studybot) -> None:
    _, channel, alice, _ = server(emulator)
    bot = await studybot.start()
    message = await start(alice, channel, questions=20)
    message = await answer_right(bot, alice, message)
    message = await press(alice, message, "Next")
    message = await press(alice, message, "Flag for review")
    again = await (await alice.run_command("mock start", channel=channel)).response()
    assert again.ephemeral and "already have a mock running" in again.content

    bot = await studybot.restart()
    # a button on the old message still works after the restart, and nothing was lost
    message = await press(alice, message, "Next")
    assert progress(message).startswith("Question 3 of 20 · 1 answered · 1 flagged")
    resumed = await (await alice.run_command("mock resume", channel=channel)).response()
    assert resumed.ephemeral and progress(resumed).startswith("Question 3 of 20 · 1 answered · 1 flagged")
    assert bot.jobs.scheduler.get_job(mock_job_id(session_id(message))) is not None, (
        "the deadline is re-armed"
    )


async def test_the_deadline_finishes_the_mock(emulator, studybot) -> None:
    _, channel, alice, _ = server(emulator)
    bot = await studybot.start()
    message = await start(alice, channel, questions=10)
    state = await bot.mock_service.get(session_id(message), alice.id, dt.datetime.now(dt.UTC))
    assert state.deadline - state.started_at == dt.timedelta(seconds=round(180 * 60 * 10 / 65))
    job = bot.jobs.scheduler.get_job(mock_job_id(state.id))
    assert job.next_run_time == state.deadline
    # what the deadline job does when its time comes
    assert await bot.mock_service.expire(state.id, state.deadline)
    message = await press(alice, message, "A")
    assert "Time is up" in card(message)["description"]
    assert card(message)["title"] == "Mock exam result: 0/10 (0%)"


async def test_two_members_mock_at_once_and_an_expired_token_does_not_break_the_flow(
    emulator, studybot
) -> None:
    _, channel, alice, bob = server(emulator)
    bot = await studybot.start()
    alice_card = await start(alice, channel, questions=10)
    bob_card = await start(bob, channel, questions=10, domain="3")
    assert session_id(alice_card) != session_id(bob_card)
    alice_card = await press(alice, alice_card, "Next")
    bob_card = await answer_right(bot, bob, bob_card)
    emulator.advance_clock(16 * 60)  # both interaction tokens have expired
    alice_card = await press(alice, alice_card, "Next")
    bob_card = await press(bob, bob_card, "Next")
    assert progress(alice_card).startswith("Question 3 of 10 · 0 answered")
    assert progress(bob_card).startswith("Question 2 of 10 · 1 answered")
    state = await bot.mock_service.get(session_id(bob_card), bob.id, dt.datetime.now(dt.UTC))
    assert {q.domain_id for q in state.questions} == {"3"}


async def test_a_press_on_an_older_card_answers_the_question_that_card_shows(emulator, studybot) -> None:
    _, channel, alice, _ = server(emulator)
    bot = await studybot.start()
    first_card = await start(alice, channel, questions=10)
    first_card = await press(alice, first_card, "A")  # question 1
    first_card = await press(alice, first_card, "Next")  # the first card shows question 2
    second_card = await (await alice.run_command("mock resume", channel=channel)).response()
    second_card = await press(alice, second_card, "Back")  # the fresh card shows question 1
    assert progress(second_card).startswith("Question 1 of 10")

    first_card = await press(alice, first_card, "B")  # pressed on the card showing question 2
    assert progress(first_card).startswith("Question 2 of 10")
    first_card = await press(alice, first_card, "Flag for review")
    state = await bot.mock_service.get(session_id(first_card), alice.id, dt.datetime.now(dt.UTC))
    assert state.answers[:2] == ("A", "B"), "question 1 kept its answer"
    assert state.flagged[:2] == (False, True)
    assert "✅ 🇧" in card(first_card)["description"], "the chosen letter stays visible"

    bot = await studybot.restart()  # and what was pressed survives a restart
    state = await bot.mock_service.get(session_id(first_card), alice.id, dt.datetime.now(dt.UTC))
    assert state.answers[:2] == ("A", "B") and state.flagged[:2] == (False, True)


async def test_a_letter_on_a_card_from_before_letters_named_their_question_changes_nothing(
    emulator, studybot
) -> None:
    _, channel, alice, _ = server(emulator)
    bot = await studybot.start()
    message = await start(alice, channel, questions=10)
    # A card sent by an earlier version of the bot: its letter buttons did not say which question.
    for row in message.components:
        for button in row["components"]:
            button["custom_id"] = button["custom_id"].replace(":answer:0", ":pick:")
    message = await press(alice, message, "A")
    assert "out of date" in message.content and progress(message).startswith("Question 1 of 10 · 0 answered")
    state = await bot.mock_service.get(session_id(message), alice.id, dt.datetime.now(dt.UTC))
    assert state.answers[0] == ""
    message = await press(alice, message, "A")  # the card it shows now works
    state = await bot.mock_service.get(session_id(message), alice.id, dt.datetime.now(dt.UTC))
    assert state.answers[0] == "A"


async def test_a_press_after_privacy_delete_answers_privately(emulator, studybot) -> None:
    _, channel, alice, _ = server(emulator)
    await studybot.start()
    message = await start(alice, channel, questions=10)
    message = await press(alice, message, "A")
    ask = await (await alice.run_command("privacy delete", channel=channel)).response()
    await (await alice.click(ask, "Delete my data")).response()
    reply = await press(alice, message, "B")
    assert reply.ephemeral and "no longer exists" in reply.content
    reply = await press(alice, message, "Next")
    assert reply.ephemeral and "no longer exists" in reply.content


async def test_a_mock_belongs_to_the_server_it_started_in(emulator, studybot) -> None:
    _, channel, alice, _ = server(emulator)
    other = emulator.add_guild("Other Study Group")
    other_channel = other.add_text_channel("practice")
    other.add_member(alice)
    bot = await studybot.start()
    message = await start(alice, channel, questions=10)
    message = await press(alice, message, "Finish")
    message = await press(alice, message, "Finish now")
    running = await start(alice, channel, questions=10)

    elsewhere = await (await alice.run_command("mock resume", channel=other_channel)).response()
    assert elsewhere.ephemeral and "no mock running" in elsewhere.content
    history = await (await alice.run_command("mock history", channel=other_channel)).response()
    assert "No finished mocks yet" in history.embeds[0]["description"]
    second = await start(alice, other_channel, questions=10)
    assert session_id(second) != session_id(running), "one running mock per server"
    resumed = await (await alice.run_command("mock resume", channel=channel)).response()
    assert session_id(resumed) == session_id(running)
    history = await (await alice.run_command("mock history", channel=channel)).response()
    assert "0/10" in history.embeds[0]["description"]
    assert await bot.mock_service.active(alice.id, other.id, dt.datetime.now(dt.UTC)) is not None
