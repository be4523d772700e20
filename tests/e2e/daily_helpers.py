"""Reading the daily question as a member sees it, and nudging the bot's scheduler."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent

from bot.app import StudyBot
from bot.config import SHIPPED_QUESTIONS
from bot.domain.grading import LETTER_EMOJI
from bot.domain.pack import Question
from tests.emulator import Channel, DiscordEmulator, Message, User

FOOTER = re.compile(r"(question|answer) #(?P<post>\d+)$")


def study_server(emulator: DiscordEmulator, **channel_options: Any) -> tuple[Any, Channel, User, User, User]:
    """A server with a daily channel, an admin, and two members (alice, bob)."""
    guild = emulator.add_guild("ML Study Group")
    channel = guild.add_text_channel("daily", **channel_options)
    admin = guild.add_member("admin", admin=True)
    return guild, channel, admin, guild.add_member("alice"), guild.add_member("bob")


def is_question_post(message: Message) -> bool:
    title = message.embeds[0].get("title", "") if message.embeds else ""
    return "Question of the day" in title or title.startswith("Quiz ·")


def is_reveal(message: Message) -> bool:
    return bool(message.embeds) and message.embeds[0].get("title", "").startswith("Answer")


def post_of(message: Message) -> tuple[str, int]:
    """The exam code and the post number a post's (or reveal's) footer shows."""
    footer = message.embeds[0]["footer"]["text"]
    match = FOOTER.search(footer)
    assert match, message.embeds[0]["footer"]
    return footer.split(" · ")[0], int(match["post"])


def question_of(bot: StudyBot, message: Message) -> Question:
    """The question a post asks, recognised by its scenario as a member reads it."""
    description = message.embeds[0]["description"]
    found = [
        q for p in bot.guild_service.packs.values() for q in p.questions if description.startswith(q.stem)
    ]
    assert len(found) == 1, [q.id for q in found]
    return found[0]


def right_and_wrong(question: Question) -> tuple[list[str], list[str]]:
    right = sorted(question.key)
    wrong = [x for x in question.letters if x not in question.key][: question.choose]
    return [LETTER_EMOJI[x] for x in right], [LETTER_EMOJI[x] for x in wrong]


async def wait_for_post(emulator: DiscordEmulator, channel: Channel) -> Message:
    return await emulator.wait_for_message(channel=channel, predicate=is_question_post)


async def wait_for_option_reactions(emulator: DiscordEmulator, message: Message, question: Question) -> None:
    emojis = [LETTER_EMOJI[x] for x in question.letters]
    await emulator.wait_until(
        lambda: all(emulator.bot_user_id in message.reaction_users(e) for e in emojis),
        what="option reactions",
    )


async def react_and_wait(
    bot: StudyBot, member: User, message: Message, emoji: str, *, remove: bool = False
) -> Any:
    """React as a member and wait until the bot has handled that reaction."""
    handled: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    async def on_answer_recorded(
        message_id: int, user_id: int, shown: str, added: bool, outcome: Any
    ) -> None:
        wanted = (message.id, member.id, emoji, not remove)
        if (message_id, user_id, shown, added) == wanted and not handled.done():
            handled.set_result(outcome)

    bot.add_listener(on_answer_recorded, "on_answer_recorded")
    try:
        if remove:
            await member.unreact(message, emoji)
        else:
            await member.react(message, emoji)
        return await asyncio.wait_for(handled, timeout=5)
    finally:
        bot.remove_listener(on_answer_recorded, "on_answer_recorded")


async def run(who: User, name: str, where: Channel, **options: Any) -> Any:
    """A member runs a slash command; what the bot answered."""
    return await (await who.run_command(name, channel=where, options=options)).response()


async def press(who: User, message: Message, label: str) -> Any:
    """A member presses a button; what the bot answered (usually the message, edited)."""
    return await (await who.click(message, label)).response()


def run_job_now(bot: StudyBot, job_id: str) -> None:
    """Make the real scheduler run a job now, as if its time had come."""
    bot.jobs.scheduler.modify_job(job_id, next_run_time=dt.datetime.now(dt.UTC))


async def run_job_to_end(bot: StudyBot, job_id: str, timeout: float = 10.0) -> None:
    """Run a job now, as `run_job_now`, and return once the scheduler reports it finished."""
    loop = asyncio.get_running_loop()
    finished: asyncio.Future[None] = loop.create_future()

    def listener(event: JobExecutionEvent) -> None:
        if event.job_id == job_id and not finished.done():
            loop.call_soon_threadsafe(finished.set_result, None)

    bot.jobs.scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    try:
        run_job_now(bot, job_id)
        await asyncio.wait_for(finished, timeout)
    finally:
        bot.jobs.scheduler.remove_listener(listener)


async def post_question(bot: StudyBot, emulator: DiscordEmulator, admin: User, channel: Channel) -> Any:
    """An admin posts a question at once (`/daily post-now`) in a scheduled channel; the post and its
    question, once the option reactions are on it."""
    await (
        await admin.run_command("daily post-now", channel=channel, options={"channel": channel})
    ).response()
    post = await wait_for_post(emulator, channel)
    question = question_of(bot, post)
    await wait_for_option_reactions(emulator, post, question)
    return post, question


async def schedule(admin: User, channel: Channel, **options: Any) -> Message:
    result = await admin.run_command(
        "daily schedule", channel=channel, options={"channel": channel, **options}
    )
    return await result.response()


def pack_of_one_type(root: Path, question_type: str) -> Path:
    """A copy of the shipped pack holding only single-answer or only multiple-response questions."""
    shipped = SHIPPED_QUESTIONS / "mls-c01"
    pack = root / "mls-c01"
    pack.mkdir(parents=True)
    shutil.copy(shipped / "pack.yaml", pack / "pack.yaml")
    for path in shipped.glob("[0-9]*.yaml"):
        questions = yaml.safe_load(path.read_text())["questions"]
        kept = [q for q in questions if q["type"] == question_type]
        (pack / path.name).write_text(yaml.safe_dump({"questions": kept}, sort_keys=False))
    return root
