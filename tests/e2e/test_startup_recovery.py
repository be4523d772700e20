"""Start-up recovers each post and mock on its own: one whose question left the bank is closed with a
note, and every server's schedules still fire."""

from __future__ import annotations

import datetime as dt
import shutil

import yaml
from sqlalchemy import select

from bot.config import SHIPPED_QUESTIONS
from bot.db.models import MockSession, Post
from bot.scheduler import daily_job_id, mock_job_id
from tests.e2e.daily_helpers import post_question, question_of, run_job_now, schedule
from tests.e2e.harness import StudyBotHarness


def withdraw(questions_dir, *question_ids: str) -> None:
    """Delete questions from the pack's files, as a maintainer who did not retire them would."""
    for path in (questions_dir / "mls-c01").glob("[0-9]*.yaml"):
        data = yaml.safe_load(path.read_text())
        kept = [q for q in data["questions"] if q["id"] not in question_ids]
        if len(kept) != len(data["questions"]):
            path.write_text(yaml.safe_dump({"questions": kept}, sort_keys=False))


async def test_a_post_and_a_mock_whose_questions_left_the_bank_stop_nothing_else(
    emulator, tmp_path, database_url
) -> None:
    questions_dir = tmp_path / "questions"
    shutil.copytree(SHIPPED_QUESTIONS / "mls-c01", questions_dir / "mls-c01")
    studybot = StudyBotHarness(emulator, database_url, questions_dir=questions_dir)
    first, second = emulator.add_guild("Study group A"), emulator.add_guild("Study group B")
    channel_a, channel_b = first.add_text_channel("daily"), second.add_text_channel("daily")
    admin_a, admin_b = first.add_member("admin", admin=True), second.add_member("admin", admin=True)
    alice = first.add_member("alice")
    try:
        bot = await studybot.start()
        await schedule(admin_a, channel_a, time="09:00")
        await schedule(admin_b, channel_b, time="09:00")
        post, asked = await post_question(bot, emulator, admin_a, channel_a)
        card = await (await alice.run_command("mock start", channel=channel_a, options={})).response()
        mock_id = int(card.buttons[0]["custom_id"].split(":")[2])
        state = await bot.mock_service.get(mock_id, alice.id, dt.datetime.now(dt.UTC))
        await studybot.stop()

        withdraw(questions_dir, asked.id, state.questions[3].id)
        bot = await studybot.start()  # raises if start-up failed

        note = await emulator.wait_for_message(
            channel=channel_a, predicate=lambda m: "withdrawn" in m.content
        )
        assert note.message_reference and int(note.message_reference["message_id"]) == post.id
        told = await emulator.wait_for_message(
            channel=alice.dm_channel, predicate=lambda m: "mock" in m.content
        )
        assert "without a score" in told.content
        async with bot.sessions() as session:
            stored = (await session.scalars(select(Post).where(Post.message_id == post.id))).one()
            mock = await session.get(MockSession, mock_id)
        assert stored.state == "closed" and stored.reveal_message_id is None
        assert mock.finished_at is not None and mock.scaled_score is None
        assert bot.jobs.scheduler.get_job(mock_job_id(mock_id)) is None
        history = await (await alice.run_command("mock history", channel=channel_a)).response()
        assert "No finished mocks yet" in history.embeds[0]["description"]

        views = {v.guild_id: v for g in (first, second) for v in await bot.daily_service.list_schedules(g.id)}
        assert bot.jobs.scheduler.running
        for guild, channel in ((second, channel_b), (first, channel_a)):
            run_job_now(bot, daily_job_id(views[guild.id].id))
            fresh = await emulator.wait_for_message(
                channel=channel,
                predicate=lambda m: m.id != post.id and bool(m.embeds) and "Question" in m.embeds[0]["title"],
            )
            assert question_of(bot, fresh).id != asked.id
    finally:
        await studybot.stop()
