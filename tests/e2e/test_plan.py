"""/plan as a member uses it: a date, a countdown with today's work, and how it went afterwards."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from bot.db.models import StudyPlan
from tests.e2e.daily_helpers import press, run, study_server


def field(message, name) -> str:
    return next(f["value"] for f in message.embeds[0]["fields"] if f["name"] == name)


async def test_a_plan_from_date_to_outcome(emulator, studybot) -> None:
    _, channel, _, alice, _ = study_server(emulator)
    bot = await studybot.start()
    none = await run(alice, "plan show", channel)
    assert none.ephemeral and "no plan yet" in none.content

    for date, words in [("next week", "is not a date"), ("2020-01-01", "today or later")]:
        bad = await run(alice, "plan set", channel, exam="aip-c01", date=date)
        assert bad.ephemeral and words in bad.content
    in_30_days = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).date()
    shown = await run(
        alice, "plan set", channel, exam="aip-c01", date=in_30_days.isoformat(), daily_goal=15, timezone="UTC"
    )
    assert shown.ephemeral and shown.embeds[0]["title"].startswith("Your plan: AIP-C01")
    assert shown.embeds[0]["description"] == "**30 days to go.**"
    assert "0 review card(s) due" in field(shown, "Today") and "goal of 15" in field(shown, "Today")
    assert "Not enough answers yet" in field(shown, "On track?")

    # the date passes: the plan asks how it went, privately, and keeps the answer
    async with bot.sessions.begin() as session:
        (await session.get(StudyPlan, alice.id)).exam_date = in_30_days - dt.timedelta(days=40)
    asked = await run(alice, "plan show", channel)
    assert "How did it go?" in asked.embeds[0]["description"]
    thanks = await press(alice, asked, "I passed 🎉")
    assert "noted" in thanks.content
    await run(alice, "privacy export", channel)
    dm = await emulator.wait_for_message(channel=alice.dm_channel, predicate=lambda m: bool(m.attachments))
    assert json.loads(dm.attachments[0].data)["tables"]["study_plans"][0]["outcome"] == "passed"
    cleared = await run(alice, "plan clear", channel)
    assert "cleared" in cleared.content


async def test_reminders_come_once_a_day_and_closed_dms_are_told_once(emulator, studybot) -> None:
    from bot.scheduler import REMINDER_JOB
    from tests.e2e.daily_helpers import run_job_to_end

    guild, channel, _, alice, bob = study_server(emulator)
    carol = guild.add_member("carol")
    bot = await studybot.start()
    now = dt.datetime.now(dt.UTC)
    in_20_days = (now + dt.timedelta(days=20)).date().isoformat()
    for member in (alice, bob, carol):
        refused = await run(member, "plan reminders", channel, on=True)
        assert refused.ephemeral and "no plan yet" in refused.content
        await run(
            member,
            "plan set",
            channel,
            exam="aip-c01",
            date=in_20_days,
            reminder_time=f"{now:%H:%M}",
            timezone="UTC",
        )
        on = await run(member, "plan reminders", channel, on=True)
        assert "Reminders are on" in on.content
    bob.dms_closed = True
    guild.remove_member(carol)  # shares no server with the bot any more

    await run_job_to_end(bot, REMINDER_JOB)  # the scheduler's own job, as at the minute it runs
    reminder = next(m for m in alice.dm_channel.messages if m.embeds)
    assert "20 days to AIP-C01" in reminder.embeds[0]["description"]
    assert not carol.dm_channel.messages and not bob.dm_channel.messages
    async with bot.sessions() as session:
        rows = {r.user_id: r for r in (await session.scalars(select(StudyPlan))).all()}
    assert rows[carol.id].dm_closed and rows[bob.id].dm_closed and not rows[alice.id].dm_closed

    bot = await studybot.restart()  # the day's reminder was claimed in the database: never twice
    assert await bot.plan_service.send_due_reminders(bot.publisher, dt.datetime.now(dt.UTC)) == 0
    assert len([m for m in alice.dm_channel.messages if m.embeds]) == 1

    told = await run(bob, "plan show", channel)
    assert "refused your last reminder" in told.content
    again = await run(bob, "plan show", channel)
    assert not again.content, "told once"

    stopped = await press(alice, reminder, "Stop reminders")
    assert "Reminders are off" in stopped.content
