"""Orchestrates the daily post's life: publish, recover after restarts, reconcile reactions, reveal.

Discord is reached through the `Publisher` port, so this module stays free of discord.py; the
scheduler and the cogs call in here, never the other way round.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.db.claims import ClaimKind, Claims
from bot.domain.shards import ALL_SHARDS, ShardSet
from bot.services.daily import DailyService, PostPlan, Reveal, WithdrawnPost

log = logging.getLogger(__name__)


class PublishFault(Exception):
    """The bot cannot post in a channel any more (deleted, permission removed, bot removed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Publisher(Protocol):
    async def publish(self, plan: PostPlan, *, resumed: bool) -> int:
        """Post the question and return its message id. `resumed` when an earlier attempt may have
        been cut short after Discord accepted the message: then the one already posted is found."""

    async def decorate(self, plan: PostPlan, message_id: int, *, fresh: bool) -> None:
        """Add the option reactions; `fresh` when the message was just sent (none present yet)."""

    async def read_picks(self, plan: PostPlan) -> dict[int, set[str]]:
        """Members' letters as the message's reactions show them now."""

    async def reveal(self, reveal: Reveal, *, resumed: bool) -> int | None:
        """Post the key and explanation; return the reveal message id. `resumed` when an earlier
        attempt may have been cut short after Discord accepted the reveal: then that one is found."""

    def show_answer_count(self, plan: PostPlan, answered: int) -> None:
        """With hidden answers, show on the post how many members have answered."""

    async def tell_admins(self, guild_id: int, channel_id: int, reason: str) -> None:
        """Let the server's admins know a schedule stopped, where the bot still can."""

    async def quiz_roundup(self, plan: PostPlan, results: list[tuple[int, int, int]]) -> None:
        """Post the scores of a whole quiz after its last round."""

    async def withdrawn(self, post: WithdrawnPost) -> None:
        """Tell a post's channel it closed without a reveal: its question left the bank."""


RevealScheduler = Callable[[int, dt.datetime], None]
ScheduleDisarmer = Callable[[int], None]


class DailyRunner:
    def __init__(
        self,
        daily: DailyService,
        publisher: Publisher,
        schedule_reveal: RevealScheduler,
        disarm_schedule: ScheduleDisarmer,
        shards: ShardSet = ALL_SHARDS,
        claims: Claims | None = None,
    ) -> None:
        self.daily = daily
        self._claims = claims or Claims()
        self._shards = shards  # recover and catch up on this process's servers only
        self._publisher = publisher
        self._schedule_reveal = schedule_reveal
        self._disarm_schedule = disarm_schedule

    async def post_occurrence(self, schedule_id: int, day: dt.date, now: dt.datetime) -> PostPlan | None:
        plan = await self.daily.claim_occurrence(schedule_id, day, now)
        if plan is None:
            log.info("schedule %s: %s already posted (or paused); nothing to do", schedule_id, day)
            return None
        return await self.publish(plan)

    async def post_now(self, guild_id: int, channel_id: int, now: dt.datetime) -> PostPlan | None:
        return await self.publish(await self.daily.claim_now(guild_id, channel_id, now))

    async def publish(self, plan: PostPlan, *, resumed: bool = False) -> PostPlan | None:
        try:
            message_id = await self._publisher.publish(plan, resumed=resumed)
        except PublishFault as fault:
            await self._fault(plan, fault.reason)
            return None
        # Open first, so reactions made while the option reactions are being added already count.
        await self.daily.mark_open(plan, message_id)
        self._schedule_reveal(plan.post_id, plan.closes_at)
        try:
            await self._publisher.decorate(plan, message_id, fresh=not resumed)
        except PublishFault as fault:
            log.warning("post %s: could not add the option reactions: %s", plan.post_id, fault.reason)
        return plan

    async def _fault(self, plan: PostPlan, reason: str) -> None:
        log.warning(
            "post %s in channel %s failed: %s; pausing its schedule", plan.post_id, plan.channel_id, reason
        )
        await self.daily.abandon(plan.post_id)
        paused = await self.daily.pause_for_fault(plan.channel_id, reason)
        if paused is not None:
            self._disarm_schedule(paused.id)
            await self._publisher.tell_admins(plan.guild_id, plan.channel_id, reason)

    async def reveal(self, post_id: int, now: dt.datetime) -> Reveal | None:
        """Grade and reveal a post that has closed. Another process (or task) revealing it already
        is left to it: None."""
        async with self._claims.claim(ClaimKind.REVEAL, post_id) as mine:
            if not mine:
                log.info("post %s is being revealed elsewhere; leaving it", post_id)
                return None
            return await self._reveal(post_id, now)

    async def _reveal(self, post_id: int, now: dt.datetime) -> Reveal | None:
        open_plan = await self.daily.open_plan(post_id)
        if open_plan is not None:
            # Reactions made while the gateway was down never arrive as events once the post is closed:
            # read them from the message itself before grading, so every reaction there at the close counts.
            await self._catch_up(open_plan, now)
        result = await self.daily.score(post_id, now)
        if result is None or result.plan.state == "closed":
            return result
        try:
            message_id = await self._publisher.reveal(result, resumed=not result.first_time)
        except PublishFault as fault:
            log.warning("reveal of post %s failed: %s", post_id, fault.reason)
            message_id = None
        await self.daily.mark_revealed(post_id, message_id)
        if result.plan.kind == "quiz":
            await self._after_quiz_round(result.plan, now)
        return result

    async def start_quiz(
        self,
        guild_id: int,
        channel_id: int,
        domain_id: str | None,
        rounds: int,
        now: dt.datetime,
        exam: str | None = None,
    ) -> PostPlan | None:
        plan = await self.daily.start_quiz(guild_id, channel_id, domain_id, rounds, now, exam)
        return await self.publish(plan)

    async def _after_quiz_round(self, plan: PostPlan, now: dt.datetime) -> None:
        following = await self.daily.next_quiz_round(plan.post_id, now)
        if following is not None:
            await self.publish(following)
            return
        if plan.round >= plan.rounds and plan.series_id is not None:
            try:
                await self._publisher.quiz_roundup(plan, await self.daily.quiz_results(plan.series_id))
            except PublishFault as fault:
                log.warning("quiz round-up in channel %s failed: %s", plan.channel_id, fault.reason)

    async def reconcile_open_posts(self, now: dt.datetime) -> int:
        """Pick up reactions made while the bot was offline or disconnected."""
        changed = 0
        for plan in await self._plans("open"):
            changed += await self._catch_up(plan, now)
        return changed

    async def _plans(self, state: str) -> list[PostPlan]:
        """This process's posts in a state (all of them, unless the bot runs as several processes)."""
        return [p for p in await self.daily.plans_in_states(state) if self._shards.owns_server(p.guild_id)]

    async def _catch_up(self, plan: PostPlan, now: dt.datetime) -> int:
        """Bring one open post's answers in line with its reactions; how many answers changed."""
        try:
            picks = await self._publisher.read_picks(plan)
        except PublishFault as fault:
            log.warning("cannot read reactions of post %s: %s", plan.post_id, fault.reason)
            return 0
        changed, answered = await self.daily.reconcile(plan, picks, now)
        if changed and plan.hide_answers:
            self._publisher.show_answer_count(plan, answered)
        return changed

    async def recover(self, now: dt.datetime) -> None:
        """After a start: close posts whose question left the bank, finish posts interrupted
        mid-publish, catch up on reactions, reveal what closed while the bot was down, and re-arm the
        reveal of every open post. Each post is recovered on its own: one that fails is logged with
        its id and the others still are."""
        for post in await self.daily.close_withdrawn(now):
            log.warning("post %s closed without a reveal: %s", post.post_id, post.reason)
            await self._each(post.post_id, "telling its channel it closed", self._publisher.withdrawn(post))
        for plan in await self._plans("posting"):
            await self._each(plan.post_id, "finishing its publishing", self.publish(plan, resumed=True))
        for plan in await self._plans("open"):
            await self._each(plan.post_id, "reading its reactions", self._catch_up(plan, now))
        for plan in await self._plans("open"):
            await self._each(plan.post_id, "re-arming it", self._resume_open(plan, now))
        for plan in await self._plans("scored"):
            await self._each(plan.post_id, "revealing it", self.reveal(plan.post_id, now))

    async def _resume_open(self, plan: PostPlan, now: dt.datetime) -> None:
        if plan.message_id is not None and plan.closes_at > now:
            try:
                await self._publisher.decorate(plan, plan.message_id, fresh=False)
            except PublishFault as fault:
                log.warning("post %s: %s", plan.post_id, fault.reason)
        if plan.closes_at <= now:
            await self.reveal(plan.post_id, now)
        else:
            self._schedule_reveal(plan.post_id, plan.closes_at)

    @staticmethod
    async def _each(post_id: int, step: str, work: Awaitable[object]) -> None:
        try:
            await work
        except Exception:
            log.exception("recovering post %s failed while %s; the other posts go on", post_id, step)

    async def catch_up(self, now: dt.datetime) -> None:
        """Post occurrences missed while the bot was down, if still inside the grace window."""
        for view in await self.daily.active_schedules():
            if not self._shards.owns_server(view.guild_id):
                continue
            due = view.schedule.due(now, await self.daily.last_occurrence(view.id), view.changed_at)
            if due is not None:
                log.info("schedule %s: posting the %s occurrence missed while offline", view.id, due[0])
                try:
                    await self.post_occurrence(view.id, due[0], now)
                except Exception:
                    log.exception("schedule %s: the missed post failed; the other schedules go on", view.id)
