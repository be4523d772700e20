"""Hidden answers, button answers, and faults that pause a schedule instead of breaking the bot."""

from __future__ import annotations

import pytest

from bot.scheduler import daily_job_id, reveal_job_id
from tests.e2e.daily_helpers import (
    is_reveal,
    pack_of_one_type,
    post_of,
    question_of,
    react_and_wait,
    right_and_wrong,
    run_job_now,
    schedule,
    study_server,
    wait_for_option_reactions,
    wait_for_post,
)
from tests.e2e.harness import StudyBotHarness
from tests.emulator import Perm


async def post_now(admin, channel):
    return await (
        await admin.run_command("daily post-now", channel=channel, options={"channel": channel})
    ).response()


@pytest.mark.parametrize("question_type", ["single", "multiple"])
async def test_hidden_answers_are_recorded_then_removed(
    emulator, tmp_path, database_url, question_type
) -> None:
    _, channel, admin, alice, bob = study_server(emulator, bot_allow=Perm.MANAGE_MESSAGES)
    studybot = StudyBotHarness(
        emulator, database_url, questions_dir=pack_of_one_type(tmp_path / "q", question_type)
    )
    try:
        await hidden_answers_round(emulator, studybot, channel, admin, alice, bob)
    finally:
        await studybot.stop()


async def hidden_answers_round(emulator, studybot, channel, admin, alice, bob) -> None:
    bot = await studybot.start()
    hidden = await (
        await admin.run_command("daily hide-answers", channel=channel, options={"hide": True})
    ).response()
    assert "hidden" in hidden.content
    scheduled = await schedule(admin, channel, time="09:00")
    assert "Scheduled" in scheduled.content, scheduled.content
    posted = await post_now(admin, channel)
    assert "Posted in" in posted.content, posted.content
    post = await wait_for_post(emulator, channel)
    question = question_of(bot, post)
    await wait_for_option_reactions(emulator, post, question)
    assert any(f["name"] == "Answers so far" for f in post.embeds[0]["fields"])
    right, wrong = right_and_wrong(question)
    for emoji in right:
        await react_and_wait(bot, alice, post, emoji)
    for emoji in wrong:
        await react_and_wait(bot, bob, post, emoji)
    for emoji in right + wrong:
        assert alice.id not in post.reaction_users(emoji) and bob.id not in post.reaction_users(emoji)
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    fields = {f["name"]: f["value"] for f in reveal.embeds[0]["fields"]}
    assert fields["Got it right"].startswith("1 of 2")


async def test_hidden_answers_need_manage_messages(emulator, studybot) -> None:
    _, channel, admin, *_ = study_server(emulator, bot_deny=Perm.MANAGE_MESSAGES)
    await studybot.start()
    await (await admin.run_command("daily hide-answers", channel=channel, options={"hide": True})).response()
    reply = await schedule(admin, channel, time="09:00")
    assert reply.ephemeral and "Manage Messages" in reply.content


async def test_button_answers_confirm_privately(emulator, studybot) -> None:
    _, channel, admin, alice, _ = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00", answers="buttons")
    await post_now(admin, channel)
    post = await wait_for_post(emulator, channel)
    question = question_of(bot, post)
    letters = sorted(question.key)
    confirmation = None
    for letter in letters:
        confirmation = await (await alice.click(post, letter)).response()
    assert confirmation.ephemeral and confirmation.content.startswith("Locked in: " + ", ".join(letters))
    again = await (await alice.click(post, question.letters[-1])).response()
    assert "already locked in" in again.content
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    assert f"<@{alice.id}>" in {f["name"]: f["value"] for f in reveal.embeds[0]["fields"]}["Got it right"]
    assert not post.buttons, "the closed post has no buttons left to press"


async def test_a_deleted_channel_pauses_its_schedule_and_list_says_why(emulator, studybot) -> None:
    guild, channel, admin, *_ = study_server(emulator)
    other = guild.add_text_channel("general")
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00")
    (view,) = await bot.daily_service.list_schedules(guild.id)
    guild.delete_channel(channel)
    await emulator.wait_until(lambda: bot.jobs.scheduler.get_job(daily_job_id(view.id)) is None, what="pause")
    listing = await (await admin.run_command("daily list", channel=other)).response()
    assert "Paused: the channel was deleted" in listing.embeds[0]["description"]


async def test_a_removed_permission_pauses_the_schedule_on_the_next_post(emulator, studybot) -> None:
    guild, channel, admin, *_ = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00")
    (view,) = await bot.daily_service.list_schedules(guild.id)
    channel.set_overwrite(emulator.bot_user, deny=Perm.SEND_MESSAGES)
    await emulator.wait_until(
        lambda: not bot.get_channel(channel.id).permissions_for(bot.get_guild(guild.id).me).send_messages,
        what="the bot to see its permission removed",
    )
    run_job_now(bot, daily_job_id(view.id))
    await emulator.wait_until(lambda: bot.jobs.scheduler.get_job(daily_job_id(view.id)) is None, what="pause")
    (paused,) = await bot.daily_service.list_schedules(guild.id)
    assert paused.paused and "Send Messages" in (paused.pause_reason or "")
