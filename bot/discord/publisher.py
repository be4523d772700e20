"""The Discord side of the daily runner's `Publisher` port: posting, reading reactions, revealing."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Literal

import discord

from bot.discord.render import (
    EMBED_COLOUR,
    closed_embed,
    discussion_name,
    post_markers,
    question_embed,
    reveal_embed,
    reveal_markers,
    roundup_embed,
)
from bot.discord.report_ui import ReportTarget, report_button
from bot.discord.review_ui import ReviewView, review_later_button
from bot.discord.views import answer_view, picker_open_view
from bot.domain.grading import EMOJI_LETTER, LETTER_EMOJI
from bot.services.daily import PostPlan, Reveal, WithdrawnPost
from bot.services.daily_runner import PublishFault
from bot.services.plans import Reminder

if TYPE_CHECKING:
    from bot.app import StudyBot

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
# Hidden-answer counters are edited at most this often per post, to stay well inside the edit limits.
COUNTER_EDIT_INTERVAL = 5.0
RECOVERY_HISTORY = 50
# Posts revealed lately, so a counter edit that was already waiting never reopens one (bounded memory).
REMEMBERED_REVEALS = 1000

NEEDED = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "add_reactions": "Add Reactions",
    "read_message_history": "Read Message History",
}


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member, *, hide: bool) -> list[str]:
    perms = channel.permissions_for(me)
    needed = dict(NEEDED)
    if hide:
        needed["manage_messages"] = "Manage Messages (to hide answers)"
    return [label for flag, label in needed.items() if not getattr(perms, flag)]


#: Discord's error code for a second thread on one message.
THREAD_EXISTS = 160004
#: A discussion thread hides itself after a day without messages (it reopens when someone posts).
DISCUSSION_ARCHIVE_MINUTES: Literal[1440] = 1440


class DiscordPublisher:
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self.counter_interval = COUNTER_EDIT_INTERVAL
        self._counters: dict[int, int] = {}
        self._counter_tasks: dict[int, asyncio.Task[None]] = {}
        self._edit_locks: dict[int, asyncio.Lock] = {}
        self._revealed: dict[int, None] = {}  # insertion-ordered set of post ids

    async def _channel(self, channel_id: int) -> discord.TextChannel:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                fetched = await self.bot.fetch_channel(channel_id)
            except discord.NotFound:
                raise PublishFault("the channel was deleted") from None
            except discord.Forbidden:
                raise PublishFault("I can no longer see the channel") from None
            channel = fetched
        if not isinstance(channel, discord.TextChannel):
            raise PublishFault("the channel is not a text channel")
        return channel

    async def publish(self, plan: PostPlan, *, resumed: bool) -> int:
        channel = await self._channel(plan.channel_id)
        missing = missing_permissions(channel, channel.guild.me, hide=plan.hide_answers)
        if missing:
            raise PublishFault(f"I am missing {', '.join(missing)} in #{channel.name}")
        try:
            existing = await self._find_posted(channel, plan) if resumed else None
            if existing is not None:
                return existing.id
            embed = question_embed(plan, answered=0 if plan.hide_answers else None)
            if plan.answer_mode == "buttons":
                message = await channel.send(embed=embed, view=answer_view(plan), allowed_mentions=NO_PINGS)
            elif plan.answer_mode == "picker":
                view = picker_open_view(plan)
                message = await channel.send(embed=embed, view=view, allowed_mentions=NO_PINGS)
            else:
                message = await channel.send(embed=embed, allowed_mentions=NO_PINGS)
            return message.id
        except discord.Forbidden as exc:
            raise PublishFault(f"Discord refused the post in #{channel.name}: {exc.text}") from exc
        except discord.NotFound:
            raise PublishFault("the channel was deleted") from None

    async def _find_posted(self, channel: discord.TextChannel, plan: PostPlan) -> discord.Message | None:
        """A post whose publishing was interrupted may already be in the channel: find it by its marker."""
        return await self._find_own(channel, post_markers(plan.post_id))

    async def _find_own(
        self, channel: discord.TextChannel, markers: tuple[str, ...]
    ) -> discord.Message | None:
        """The bot's own recent message whose embed footer ends with one of ``markers``."""
        me = self.bot.user
        async for message in channel.history(limit=RECOVERY_HISTORY):
            if me is None or message.author.id != me.id:
                continue
            footers = [e.footer.text or "" for e in message.embeds]
            if any(f.endswith(markers) for f in footers):
                log.info("found message %s (%s) already sent", message.id, markers[0])
                return message
        return None

    async def decorate(self, plan: PostPlan, message_id: int, *, fresh: bool) -> None:
        """Add the option reactions the bot has not added yet (after a restart, only the missing ones)."""
        if plan.answer_mode != "reactions":
            return
        channel = await self._channel(plan.channel_id)
        message = channel.get_partial_message(message_id)
        try:
            present: set[str] = set()
            if not fresh:
                full = await channel.fetch_message(message_id)
                present = {str(r.emoji) for r in full.reactions if r.me}
            for option in plan.question.options:
                emoji = LETTER_EMOJI[option.letter]
                if emoji not in present:
                    await message.add_reaction(emoji)
        except discord.HTTPException as exc:
            raise PublishFault(f"Discord refused a reaction: {exc.text}") from exc

    async def read_picks(self, plan: PostPlan) -> dict[int, set[str]]:
        if plan.message_id is None or plan.answer_mode != "reactions":
            return {}
        channel = await self._channel(plan.channel_id)
        try:
            message = await channel.fetch_message(plan.message_id)
        except discord.NotFound:
            raise PublishFault("the post was deleted") from None
        except discord.Forbidden as exc:
            raise PublishFault(exc.text) from exc
        picks: dict[int, set[str]] = defaultdict(set)
        for reaction in message.reactions:
            letter = EMOJI_LETTER.get(str(reaction.emoji))
            if letter is None:
                continue
            async for user in reaction.users(limit=None):
                if not user.bot:
                    picks[user.id].add(letter)
        if plan.hide_answers:
            for user_id, letters in picks.items():
                for letter in letters:
                    await self.hide_reaction(plan, user_id, LETTER_EMOJI[letter])
        return dict(picks)

    async def hide_reaction(self, plan: PostPlan, user_id: int, emoji: str) -> None:
        if plan.message_id is None:
            return
        channel = await self._channel(plan.channel_id)
        try:
            await channel.get_partial_message(plan.message_id).remove_reaction(emoji, discord.Object(user_id))
        except discord.HTTPException as exc:
            log.warning("could not hide a reaction on post %s: %s", plan.post_id, exc)

    def close(self) -> None:
        """Drop pending counter edits: the bot is shutting down (they are cosmetic)."""
        for task in self._counter_tasks.values():
            task.cancel()

    def _edit_lock(self, post_id: int) -> asyncio.Lock:
        return self._edit_locks.setdefault(post_id, asyncio.Lock())

    def show_answer_count(self, plan: PostPlan, answered: int) -> None:
        """Show how many have answered, batching edits: at most one per ``counter_interval`` per post."""
        if plan.post_id in self._revealed:
            return
        self._counters[plan.post_id] = answered
        if plan.post_id not in self._counter_tasks:
            self._counter_tasks[plan.post_id] = asyncio.create_task(
                self._edit_counter(plan), name=f"answer-counter:{plan.post_id}"
            )

    async def _edit_counter(self, plan: PostPlan) -> None:
        try:
            await asyncio.sleep(self.counter_interval)
            # The reveal takes the same lock: a counter edit never lands on a post after it closed.
            async with self._edit_lock(plan.post_id):
                if plan.post_id in self._revealed or plan.message_id is None:
                    return
                answered = self._counters[plan.post_id]
                channel = await self._channel(plan.channel_id)
                await channel.get_partial_message(plan.message_id).edit(
                    embed=question_embed(plan, answered=answered)
                )
        except (discord.HTTPException, PublishFault) as exc:
            log.warning("could not update the answer counter of post %s: %s", plan.post_id, exc)
        finally:
            self._counter_tasks.pop(plan.post_id, None)

    def _closing(self, post_id: int) -> None:
        """The post is being revealed: no counter edit may follow."""
        self._revealed[post_id] = None
        while len(self._revealed) > REMEMBERED_REVEALS:
            del self._revealed[next(iter(self._revealed))]
        self._counters.pop(post_id, None)
        task = self._counter_tasks.pop(post_id, None)
        if task is not None and not self._edit_lock(post_id).locked():
            task.cancel()  # still waiting; one already editing finishes before the reveal's edit

    async def reveal(self, reveal: Reveal, *, resumed: bool) -> int | None:
        plan = reveal.plan
        self._closing(plan.post_id)
        channel = await self._channel(plan.channel_id)
        if resumed:
            earlier = await self._find_own(channel, reveal_markers(plan.post_id))
            if earlier is not None:
                await self._open_discussion(plan, earlier)
                return earlier.id
        original = None if plan.message_id is None else channel.get_partial_message(plan.message_id)
        async with self._edit_lock(plan.post_id):
            if original is not None:
                try:
                    await original.edit(embed=closed_embed(plan), view=None)
                except discord.HTTPException as exc:
                    log.info("could not mark post %s closed: %s", plan.post_id, exc)
                    original = None
        self._edit_locks.pop(plan.post_id, None)
        try:
            later = ReviewView()
            later.add_item(review_later_button("post", plan.post_id))
            later.add_item(report_button(ReportTarget("post", plan.post_id)))
            if original is None:
                message = await channel.send(
                    embed=reveal_embed(reveal), view=later, allowed_mentions=NO_PINGS
                )
            else:
                message = await channel.send(
                    embed=reveal_embed(reveal),
                    view=later,
                    reference=original,
                    mention_author=False,
                    allowed_mentions=NO_PINGS,
                )
        except discord.HTTPException as exc:
            raise PublishFault(f"Discord refused the reveal: {exc.text}") from exc
        await self._open_discussion(plan, message)
        return message.id

    async def _open_discussion(self, plan: PostPlan, reveal: discord.Message) -> None:
        """A thread on the reveal, where the schedule asks for one. Opened once: after a restart
        Discord says the reveal has its thread already. Without the permission the reveal stands."""
        if not plan.discuss:
            return
        try:
            await reveal.create_thread(
                name=discussion_name(plan), auto_archive_duration=DISCUSSION_ARCHIVE_MINUTES
            )
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:
                log.warning("could not open the discussion of post %s: %s", plan.post_id, exc.text)

    async def tell_admins(self, guild_id: int, channel_id: int, reason: str) -> None:
        guild = self.bot.get_guild(guild_id)
        target = guild.system_channel if guild else None
        if guild is None or target is None or not target.permissions_for(guild.me).send_messages:
            return
        try:
            await target.send(
                f"The daily question in <#{channel_id}> is paused: {reason}. "
                "Fix it, then an admin can run `/daily resume`.",
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException as exc:
            log.info("could not tell the admins of guild %s: %s", guild_id, exc)

    async def withdrawn(self, post: WithdrawnPost) -> None:
        channel = await self._channel(post.channel_id)
        text = (
            "This question was withdrawn from the question bank, so it closes without a reveal and "
            "its answers are not scored."
        )
        try:
            if post.message_id is None:
                return  # never shown: nothing to explain
            await channel.send(
                text,
                reference=channel.get_partial_message(post.message_id),
                mention_author=False,
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException as exc:
            raise PublishFault(f"Discord refused the note: {exc.text}") from exc

    async def remind(self, reminder: Reminder) -> bool:
        """A member's daily reminder by direct message; False if their DMs refuse it."""
        code = reminder.pack.blueprint.code
        lines = [f"**{reminder.days_left} day{'s' if reminder.days_left != 1 else ''} to {code}.**"]
        if reminder.due_reviews:
            lines.append(f"{reminder.due_reviews} review card(s) are due.")
        lines.append("`/plan show` has today's work.")
        embed = discord.Embed(title="Your study reminder", description="\n".join(lines), colour=EMBED_COLOUR)
        buttons = ReviewView()
        buttons.add_item(
            discord.ui.Button(
                label="Review now", custom_id=f"studybot:remind:review:{reminder.pack.slug}"[:100]
            )
        )
        buttons.add_item(discord.ui.Button(label="Stop reminders", custom_id="studybot:remind:stop"))
        try:
            # The bot keeps no member list (no privileged intents): opening the DM by id costs one
            # request, where looking the user up first would cost two.
            channel = await self.bot.create_dm(discord.Object(reminder.user_id))
            await channel.send(embed=embed, view=buttons, allowed_mentions=NO_PINGS)
        except discord.Forbidden:
            return False  # DMs closed, or no server shared any more (Discord refuses both)
        except discord.HTTPException as exc:
            log.info("could not remind member %s: %s", reminder.user_id, exc)
        return True

    async def quiz_roundup(self, plan: PostPlan, results: list[tuple[int, int, int]]) -> None:
        channel = await self._channel(plan.channel_id)
        try:
            await channel.send(embed=roundup_embed(results, plan.rounds), allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            raise PublishFault(f"Discord refused the round-up: {exc.text}") from exc
