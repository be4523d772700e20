"""Reporting a problem with a question, as members and maintainers live it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

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
from tests.e2e.harness import StudyBotHarness
from tests.integration.test_cli import studybot as studybot_cli

REASON_MENU = "studybot:report:reason"


async def choose_reason(member, message, reason: str):
    menu = next(s["custom_id"] for s in message.selects if s["custom_id"].startswith(REASON_MENU))
    return await (await member.select(message, menu, [reason])).response()


async def test_reports_from_a_reveal_and_a_mock_review_reach_the_maintainer(
    emulator, studybot, database_url: str, tmp_path: Path
) -> None:
    _, channel, admin, alice, bob = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00")
    post, daily_question = await post_question(bot, emulator, admin, channel)
    for emoji in right_and_wrong(daily_question)[1]:
        await react_and_wait(bot, alice, post, emoji)
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)

    # From the reveal: a reason first (stored at once), then a comment in a form.
    menu = await press(alice, reveal, "Report a problem")
    assert menu.ephemeral and f"question `{daily_question.id}`" in menu.content
    thanks = await choose_reason(alice, menu, "two-right")
    assert "more than one answer is right" in thanks.content
    form = await (await alice.click(thanks, "Add a comment")).modal()
    done = await (await alice.submit_modal(form, {"comment": "C is right too, see the FAQ."})).response()
    assert "your comment" in done.content and not done.buttons
    # A second report on the same question replaces the first one's reason.
    again = await choose_reason(alice, await press(alice, reveal, "Report a problem"), "wrong-key")
    assert "the key is wrong" in again.content

    # From a mock's review page.
    card = await run(bob, "mock start", channel, questions=10)
    card = await press(bob, card, "Finish")
    result = await press(bob, card, "Finish now")
    review = await press(bob, result, "Review answers")
    review = await press(bob, review, "Next")
    report = review.button("Report a problem")["custom_id"]  # studybot:report:ask:mock:<mock>:<position>
    mock_id, position = map(int, report.split(":")[-2:])
    mock_question = (await bot.mock_service.get(mock_id, bob.id, dt.datetime.now(dt.UTC))).questions[position]
    assert position == 1
    assert (
        "outdated"
        in (await choose_reason(bob, await press(bob, review, "Report a problem"), "outdated")).content
    )

    # The pack maintainer's command lists both, with the reasons and the comment.
    listed = studybot_cli("questions", "reports", "--format", "json", cwd=tmp_path, DATABASE_URL=database_url)
    assert listed.returncode == 0, listed.stderr
    rows = {row["question"]: row for row in json.loads(listed.stdout)}
    assert rows[daily_question.id]["reasons"] == {"wrong-key": 1}
    assert rows[daily_question.id]["comments"] == ["C is right too, see the FAQ."]
    assert rows[mock_question.id]["reasons"] == {"outdated": 1}

    # The server's admins see their server's reports, privately, with the whole list as a file.
    listing = await run(admin, "questions reports", channel)
    assert listing.ephemeral and "2 questions reported" in listing.content
    assert "item analysis" not in listing.content, "figures it did not compute are not claimed missing"
    assert listing.attachments[0].filename == "question-reports.csv"
    assert daily_question.id in listing.attachments[0].text()


async def test_admins_see_their_own_servers_reports_and_owners_see_every_servers(
    emulator, database_url: str
) -> None:
    _, first_channel, first_admin, alice, _ = study_server(emulator)
    second_guild = emulator.add_guild("Second group")
    second_channel = second_guild.add_text_channel("daily")
    second_admin = second_guild.add_member("second-admin", admin=True)
    owner = second_guild.add_member("owner", admin=True)
    harness = StudyBotHarness(emulator, database_url, owner_ids=f"{owner.id}")
    try:
        bot = await harness.start()
        await schedule(first_admin, first_channel, time="09:00")
        post, question = await post_question(bot, emulator, first_admin, first_channel)
        run_job_now(bot, reveal_job_id(post_of(post)[1]))
        reveal = await emulator.wait_for_message(channel=first_channel, predicate=is_reveal)
        await choose_reason(alice, await press(alice, reveal, "Report a problem"), "typo")

        mine = await run(first_admin, "questions reports", first_channel)
        assert "1 question reported" in mine.content and question.id in mine.content
        elsewhere = await run(second_admin, "questions reports", second_channel)
        assert "No reports from this server yet" in elsewhere.content
        everywhere = await run(owner, "questions reports", second_channel)
        assert "every server (you are an owner of the bot)" in everywhere.content
        assert question.id in everywhere.content
    finally:
        await harness.stop()
