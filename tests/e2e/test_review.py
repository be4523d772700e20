"""Spaced review as a member lives it: misses queue up, /review asks them again, the dates move."""

from __future__ import annotations

import datetime as dt

from bot.scheduler import reveal_job_id
from tests.e2e.daily_helpers import (
    is_reveal,
    post_of,
    post_question,
    press,
    react_and_wait,
    right_and_wrong,
    run,
    run_job_now,
    schedule,
    study_server,
)


async def answer(member, card, question, letters):
    """Press the letters; a multiple-response card is then checked."""
    for letter in letters:
        card = await press(member, card, letter)
    return await press(member, card, "Check") if question.choose > 1 else card


async def test_a_daily_miss_and_a_mock_miss_come_back_in_review(emulator, studybot) -> None:
    _, channel, admin, alice, bob = study_server(emulator)
    bot = await studybot.start()
    empty = await run(alice, "review", channel)
    assert empty.ephemeral and "Nothing to review" in empty.content

    await schedule(admin, channel, time="09:00")
    post, daily_question = await post_question(bot, emulator, admin, channel)
    for emoji in right_and_wrong(daily_question)[1]:
        await react_and_wait(bot, alice, post, emoji)
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    # bob did not answer, but wants this one back later: one press queues it, a second changes nothing
    added = await press(bob, reveal, "Review later")
    assert added.ephemeral and "Added to your review queue" in added.content
    again = await press(bob, reveal, "Review later")
    assert again.ephemeral and "already" in again.content
    assert await bot.review_service.due_count(bob.id, "mls-c01", dt.datetime.now(dt.UTC)) == 1
    card = await run(alice, "mock start", channel)
    card = await press(alice, card, "Finish")
    await press(alice, card, "Finish now")  # ten unanswered questions: ten misses

    helped = await run(alice, "help", channel)
    step = next(f["value"] for f in helped.embeds[0]["fields"] if f["name"] == "Your next step")
    assert "11 MLS-C01 review card(s) due" in step
    review = await run(alice, "review", channel, count=11)
    assert review.ephemeral and review.embeds[0]["title"].startswith("Review 1 of 11")
    run_id = int(review.buttons[0]["custom_id"].split(":")[2])
    drawn = await bot.review_service.get(run_id, alice.id)
    assert daily_question.id in {q.id for q in drawn.questions}, "the daily miss is in the review"

    # the first card right, the second wrong: the wrong one comes back sooner
    first, second = drawn.questions[:2]
    review = await answer(alice, review, first, sorted(first.key))
    assert "✅ right" in review.embeds[0]["title"] and "Back in" in review.embeds[0]["description"]
    review = await press(alice, review, "Next card")
    review = await answer(
        alice, review, second, [x for x in second.letters if x not in second.key][: second.choose]
    )
    assert "❌ wrong" in review.embeds[0]["title"]

    bot = await studybot.restart()  # the run and its answers outlive a restart
    # The card's result, from before the restart, still takes a report on the question it shows.
    menu = await press(alice, review, "Report a problem")
    assert f"question `{second.id}`" in menu.content
    menu_id = next(s["custom_id"] for s in menu.selects)
    thanks = await (await alice.select(menu, menu_id, ["unclear"])).response()
    assert "the question is unclear" in thanks.content
    (reported,) = await bot.feedback_service.reports()
    assert (reported.question_id, reported.reasons, reported.reports[0].source) == (
        second.id,
        {"unclear": 1},
        "review",
    )
    done = await bot.review_service.get(run_id, alice.id)
    assert sorted(done.answers) == [0, 1] and done.right == 1
    assert done.next_due[1] < done.next_due[0], "the miss comes back sooner than the right answer"
    stats = await run(alice, "stats", channel)
    queue = next(f["value"] for f in stats.embeds[0]["fields"] if f["name"] == "Review queue")
    assert queue.endswith("0 learned")
    assert (done.next_due[0] - dt.datetime.now(dt.UTC)) > dt.timedelta(minutes=5)
