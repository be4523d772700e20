"""Discussion threads at the reveal, as a study group uses them."""

from __future__ import annotations

from bot.scheduler import reveal_job_id
from tests.e2e.daily_helpers import (
    is_reveal,
    post_of,
    post_question,
    run,
    run_job_now,
    run_job_to_end,
    schedule,
    study_server,
)
from tests.emulator import Perm


async def test_a_thread_opens_on_the_reveal_for_members_to_discuss(emulator, studybot) -> None:
    _, channel, admin, alice, _ = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00")
    turned_on = await run(admin, "daily discuss", channel, channel=channel, on=True)
    assert turned_on.ephemeral and "opens a thread" in turned_on.content
    assert "I need" not in turned_on.content  # the bot has what it needs here

    post, question = await post_question(bot, emulator, admin, channel)
    run_job_now(bot, reveal_job_id(post_of(post)[1]))
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    thread = await emulator.wait_for_thread(reveal)
    assert thread.name.startswith("Discuss: ") and len(thread.name) <= 100
    assert " ".join(question.stem.split()).startswith(thread.name.removeprefix("Discuss: ").rstrip("…"))
    said = await alice.send(thread, "Why not B? The FAQ says it scales too.")
    assert said in thread.messages


async def test_without_the_thread_permission_the_admin_is_told_and_the_reveal_still_comes(
    emulator, studybot
) -> None:
    _, channel, admin, _, _ = study_server(emulator, bot_deny=Perm.CREATE_PUBLIC_THREADS)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00")
    turned_on = await run(admin, "daily discuss", channel, channel=channel, on=True)
    assert "I need **Create Public Threads**" in turned_on.content

    post, _ = await post_question(bot, emulator, admin, channel)
    await run_job_to_end(bot, reveal_job_id(post_of(post)[1]))  # the reveal, and any thread, done
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    assert reveal.thread is None and not channel.threads


async def test_without_discussion_turned_on_no_thread_opens(emulator, studybot) -> None:
    _, channel, admin, _, _ = study_server(emulator)
    bot = await studybot.start()
    await schedule(admin, channel, time="09:00")
    post, _ = await post_question(bot, emulator, admin, channel)
    await run_job_to_end(bot, reveal_job_id(post_of(post)[1]))
    reveal = await emulator.wait_for_message(channel=channel, predicate=is_reveal)
    assert reveal.thread is None
