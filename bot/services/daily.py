"""The question of the day: schedules, claiming each occurrence once, answers, and scoring once."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.db.models import Answer, Post, Schedule
from bot.db.timestamps import as_utc
from bot.domain.grading import (
    Pick,
    extend_sequence,
    is_complete,
    is_correct,
    most_common_wrong,
    pick_from_reactions,
)
from bot.domain.pack import ExamPack, Question
from bot.domain.progress import domain_board, period_starts
from bot.domain.schedule import (
    MAX_WINDOW,
    DailySchedule,
    describe_weekdays,
    mask_to_weekdays,
    parse_time_of_day,
    parse_timezone,
    parse_weekdays,
    weekdays_to_mask,
)
from bot.domain.scoring import Source, Streak, advance_streak, points_for
from bot.domain.selection import next_question
from bot.errors import NotFoundError, QuestionWithdrawn, UserError, echo
from bot.services.answer_batch import PickBatcher, PickEvent
from bot.services.guilds import GuildService
from bot.services.reviews import record_in_reviews

ANSWER_MODES = ("reactions", "buttons")
MAX_QUIZ_ROUNDS = 10
MIN_QUIZ_WINDOW, MAX_QUIZ_WINDOW = 15, 600


@dataclass(frozen=True)
class ScheduleRequest:
    channel_id: int
    time_of_day: str
    timezone: str
    days: str = "daily"
    window_hours: float | None = None
    domains: str | None = None
    answer_mode: str = "reactions"
    exam: str | None = None  # None: the server's default exam at each post


@dataclass(frozen=True)
class ScheduleView:
    id: int
    guild_id: int
    channel_id: int
    schedule: DailySchedule
    domains: tuple[str, ...]
    answer_mode: str
    paused: bool
    pause_reason: str | None
    changed_at: dt.datetime  # when its time, days or pause last changed
    pack: str | None = None  # the schedule's own exam; None: the server's default
    discuss: bool = False  # a discussion thread opens on each reveal

    @property
    def days_text(self) -> str:
        return describe_weekdays(self.schedule.weekdays)


@dataclass(frozen=True)
class PostPlan:
    """Everything the Discord layer needs to publish (or re-publish) a post."""

    post_id: int
    guild_id: int
    channel_id: int
    kind: str
    pack: ExamPack
    question: Question
    closes_at: dt.datetime
    answer_mode: str
    hide_answers: bool
    message_id: int | None
    state: str
    series_id: int | None = None
    round: int = 1
    rounds: int = 1
    discuss: bool = False  # open a discussion thread on the reveal


@dataclass(frozen=True)
class WithdrawnPost:
    """A post closed without a reveal because its question left the bank."""

    post_id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    reason: str


@dataclass(frozen=True)
class PickOutcome:
    """What a reaction did: nothing, a partial pick, or a locked answer."""

    post: PostPlan | None
    pick: Pick | None = None
    changed: bool = False
    answered: int = 0  # members with a locked answer, for the hidden-answers counter


@dataclass(frozen=True)
class Reveal:
    plan: PostPlan
    choices: dict[str, int]  # letter -> members who picked it
    correct_users: list[int]
    answered: int
    first_time: bool  # False when this reveal had already been scored before (a restart mid-reveal)
    points: dict[int, int] = field(default_factory=dict)
    common_wrong: tuple[str, int] | None = None  # the wrong answer given most, and how often

    @property
    def correct_share(self) -> float:
        return len(self.correct_users) / self.answered if self.answered else 0.0


def _view(row: Schedule) -> ScheduleView:
    window = None if row.window_minutes is None else dt.timedelta(minutes=row.window_minutes)
    hour, minute = (int(x) for x in row.time_of_day.split(":"))
    schedule = DailySchedule(dt.time(hour, minute), row.timezone, mask_to_weekdays(row.weekdays), window)
    domains = tuple(d for d in row.domains.split(",") if d)
    return ScheduleView(
        row.id,
        row.guild_id,
        row.channel_id,
        schedule,
        domains,
        row.answer_mode,
        row.paused,
        row.pause_reason,
        as_utc(row.changed_at),
        row.pack,
        row.discuss,
    )


class DailyService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        guilds: GuildService,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._guilds = guilds
        self._rng = rng or random.Random()  # noqa: S311 - picking quiz questions, not secrets
        self._open_posts: dict[int, PostPlan] = {}
        self._plan_lookups: dict[int, asyncio.Task[PostPlan | None]] = {}
        self._picks = PickBatcher(sessions)

    # --- admin commands --------------------------------------------------------------------------

    async def save_schedule(
        self, guild_id: int, request: ScheduleRequest, user_id: int, now: dt.datetime
    ) -> tuple[ScheduleView, bool]:
        """Create the channel's schedule, or replace it. Validates everything before writing anything."""
        time_of_day = parse_time_of_day(request.time_of_day)
        zone = parse_timezone(request.timezone)
        weekdays = parse_weekdays(request.days)
        if request.answer_mode not in ANSWER_MODES:
            raise UserError(
                f"Answers are taken by `reactions` or `buttons`, not {echo(request.answer_mode)}."
            )
        window_minutes = None
        if request.window_hours is not None:
            if not 0 < request.window_hours * 60 <= MAX_WINDOW.total_seconds() / 60:
                raise UserError("The answer window is between a few minutes and 24 hours, e.g. 2 or 0.5.")
            window_minutes = max(1, round(request.window_hours * 60))
            if window_minutes < 5:
                raise UserError("The answer window must be at least 5 minutes (0.09 hours).")
        pack = await self._guilds.exam_for(guild_id, request.exam, now)
        domains = self._parse_domains(pack, request.domains)

        async with self._sessions.begin() as session:
            row = await repo.schedule_for_channel(session, request.channel_id)
            replaced = row is not None
            if row is not None and row.guild_id != guild_id:
                raise UserError("That channel belongs to another server.")
            if row is None:
                row = Schedule(
                    channel_id=request.channel_id, guild_id=guild_id, created_by=user_id, created_at=now
                )
                session.add(row)
            row.time_of_day = time_of_day.strftime("%H:%M")
            row.timezone = zone.key
            row.weekdays = weekdays_to_mask(weekdays)
            row.window_minutes = window_minutes
            row.domains = ",".join(domains)
            row.answer_mode = request.answer_mode
            row.pack = pack.slug if request.exam else None
            row.paused, row.pause_reason = False, None
            row.changed_at = now
            await session.flush()
            return _view(row), replaced

    @staticmethod
    def _parse_domains(pack: ExamPack, text: str | None) -> tuple[str, ...]:
        if not text or text.strip().lower() in {"all", "*"}:
            return ()
        wanted = tuple(
            dict.fromkeys(part.strip() for part in text.replace(" ", ",").split(",") if part.strip())
        )
        known = {d.id for d in pack.blueprint.domains}
        unknown = [d for d in wanted if d not in known]
        if unknown:
            listing = ", ".join(f"{d.id} ({d.name})" for d in pack.blueprint.domains)
            raise UserError(
                f"Unknown domain {echo(', '.join(unknown))}. {pack.blueprint.code} has {listing}."
            )
        return wanted

    async def list_schedules(self, guild_id: int) -> list[ScheduleView]:
        async with self._sessions.begin() as session:
            return [_view(row) for row in await repo.schedules_for_guild(session, guild_id)]

    async def schedule(self, schedule_id: int) -> ScheduleView | None:
        async with self._sessions.begin() as session:
            row = await session.get(Schedule, schedule_id)
            return None if row is None else _view(row)

    async def _owned(self, session: AsyncSession, guild_id: int, channel_id: int) -> Schedule:
        row = await repo.schedule_for_channel(session, channel_id)
        if row is None or row.guild_id != guild_id:
            raise NotFoundError(
                "That channel has no daily schedule. `/daily list` shows the ones this server has."
            )
        return row

    async def set_paused(
        self, guild_id: int, channel_id: int, paused: bool, now: dt.datetime, reason: str | None = None
    ) -> ScheduleView:
        async with self._sessions.begin() as session:
            row = await self._owned(session, guild_id, channel_id)
            row.paused, row.pause_reason = paused, (reason if paused else None)
            row.changed_at = now
            return _view(row)

    async def set_discuss(self, guild_id: int, channel_id: int, discuss: bool) -> ScheduleView:
        async with self._sessions.begin() as session:
            row = await self._owned(session, guild_id, channel_id)
            row.discuss = discuss
            return _view(row)

    async def pause_for_fault(self, channel_id: int, reason: str) -> ScheduleView | None:
        """Pause a schedule the bot can no longer serve (channel gone, permission removed)."""
        async with self._sessions.begin() as session:
            row = await repo.schedule_for_channel(session, channel_id)
            if row is None:
                return None
            row.paused, row.pause_reason = True, reason
            return _view(row)

    async def remove_schedule(self, guild_id: int, channel_id: int) -> None:
        async with self._sessions.begin() as session:
            await session.delete(await self._owned(session, guild_id, channel_id))

    async def active_schedules(self) -> list[ScheduleView]:
        async with self._sessions.begin() as session:
            return [_view(row) for row in await repo.active_schedules(session)]

    async def last_occurrence(self, schedule_id: int) -> dt.date | None:
        async with self._sessions.begin() as session:
            return await repo.last_occurrence(session, schedule_id)

    # --- posting ---------------------------------------------------------------------------------

    async def claim_occurrence(self, schedule_id: int, day: dt.date, now: dt.datetime) -> PostPlan | None:
        """Reserve the post for one occurrence. The database allows one per schedule and day, so a
        second claim (a restart, a duplicate job) gets None."""
        view = await self.schedule(schedule_id)
        if view is None or view.paused:
            return None
        return await self._claim(view.guild_id, view.channel_id, view, day, now, "daily")

    async def claim_now(self, guild_id: int, channel_id: int, now: dt.datetime) -> PostPlan:
        """`/daily post-now`: an extra post in a scheduled channel, outside the rotation of days."""
        async with self._sessions.begin() as session:
            view = _view(await self._owned(session, guild_id, channel_id))
        plan = await self._claim(guild_id, channel_id, view, None, now, "daily")
        assert plan is not None  # no occurrence, so no conflict
        return plan

    async def _claim(
        self,
        guild_id: int,
        channel_id: int,
        view: ScheduleView,
        day: dt.date | None,
        now: dt.datetime,
        kind: str,
    ) -> PostPlan | None:
        return await self._insert_post(
            guild_id,
            channel_id,
            view.domains,
            now,
            view.schedule.closes_at(now),
            {"schedule_id": view.id, "occurrence": day, "kind": kind, "answer_mode": view.answer_mode},
            view.pack,
        )

    async def _insert_post(
        self,
        guild_id: int,
        channel_id: int,
        domains: tuple[str, ...],
        now: dt.datetime,
        closes_at: dt.datetime,
        values: dict[str, object],
        pack_slug: str | None = None,
    ) -> PostPlan | None:
        """Claim a post of ``pack_slug``'s exam (default: the server's) and choose its question."""
        pack = self._guilds.pack(pack_slug or (await self._guilds.config(guild_id, now)).pack)
        async with self._sessions.begin() as session:
            asked = await repo.asked_question_ids(session, guild_id, pack.slug)
            question = next_question(pack, asked, self._rng, domains or None)
            if question is None:
                raise UserError("No questions match those domains.")
            if question.kind.sequenced:  # an order or pairs cannot be given with reactions
                values = {**values, "answer_mode": "picker"}
            post_id = await repo.claim_post(
                session,
                {
                    "guild_id": guild_id,
                    "channel_id": channel_id,
                    "pack": pack.slug,
                    "question_id": question.id,
                    "state": "posting",
                    "opened_at": now,
                    "closes_at": closes_at,
                    "domains": ",".join(domains),
                    **values,
                },
            )
            if post_id is None:
                return None
            post = await session.get(Post, post_id)
            assert post is not None
            if post.kind == "quiz" and post.series_id is None:
                post.series_id = post_id
            return await self._plan(session, post)

    # --- channel quizzes -------------------------------------------------------------------------

    async def running_quiz_end(self, channel_id: int) -> dt.datetime | None:
        """When the quiz running in a channel will end, or None if none is running."""
        async with self._sessions.begin() as session:
            post = await repo.running_quiz_round(session, channel_id)
            if post is None:
                return None
            window = as_utc(post.closes_at) - as_utc(post.opened_at)
            return as_utc(post.closes_at) + window * (post.rounds - post.round)

    async def start_quiz(
        self,
        guild_id: int,
        channel_id: int,
        domain_id: str | None,
        rounds: int,
        now: dt.datetime,
        exam: str | None = None,
    ) -> PostPlan:
        if not 1 <= rounds <= MAX_QUIZ_ROUNDS:
            raise UserError(f"A quiz has 1 to {MAX_QUIZ_ROUNDS} rounds.")
        config = await self._guilds.config(guild_id, now)
        pack = await self._guilds.exam_for(guild_id, exam, now)
        domains = self._parse_domains(pack, domain_id)
        window = dt.timedelta(seconds=config.quiz_window_seconds)
        plan = await self._insert_post(
            guild_id,
            channel_id,
            domains,
            now,
            now + window,
            {"kind": "quiz", "round": 1, "rounds": rounds, "answer_mode": "reactions"},
            pack.slug,
        )
        assert plan is not None
        return plan

    async def next_quiz_round(self, post_id: int, now: dt.datetime) -> PostPlan | None:
        async with self._sessions.begin() as session:
            post = await session.get(Post, post_id)
            if post is None or post.kind != "quiz" or post.round >= post.rounds:
                return None
            window = as_utc(post.closes_at) - as_utc(post.opened_at)
            values: dict[str, object] = {
                "kind": "quiz",
                "series_id": post.series_id,
                "round": post.round + 1,
                "rounds": post.rounds,
                "answer_mode": "reactions",
            }
            domains = tuple(d for d in post.domains.split(",") if d)
            guild_id, channel_id, pack_slug = post.guild_id, post.channel_id, post.pack
        return await self._insert_post(guild_id, channel_id, domains, now, now + window, values, pack_slug)

    async def quiz_results(self, series_id: int) -> list[tuple[int, int, int]]:
        """(member, correct, answered) for a whole quiz, best first."""
        async with self._sessions.begin() as session:
            answers = await repo.series_answers(session, series_id)
        tally: dict[int, list[int]] = {}
        for user_id, letters, question_id, pack_slug in answers:
            question = self._guilds.pack(pack_slug).question(question_id)
            counts = tally.setdefault(user_id, [0, 0])
            counts[0] += int(question is not None and is_correct(question, letters))
            counts[1] += 1
        rows = [(user_id, correct, answered) for user_id, (correct, answered) in tally.items()]
        return sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))

    async def set_quiz_window(self, guild_id: int, seconds: int, now: dt.datetime) -> None:
        if not MIN_QUIZ_WINDOW <= seconds <= MAX_QUIZ_WINDOW:
            raise UserError(f"A quiz round lasts {MIN_QUIZ_WINDOW} to {MAX_QUIZ_WINDOW} seconds.")
        await self._guilds.set_quiz_window(guild_id, seconds, now)

    async def mark_open(self, plan: PostPlan, message_id: int) -> None:
        """The post is on Discord as ``message_id`` and takes answers. Its plan is cached at once: the
        first reactions follow within moments, often as a crowd."""
        async with self._sessions.begin() as session:
            opened = await repo.move_post_state(
                session, plan.post_id, "posting", "open", message_id=message_id
            )
        if opened:
            self._open_posts[message_id] = dataclasses.replace(plan, message_id=message_id, state="open")

    async def abandon(self, post_id: int) -> None:
        """A post that could not be published (the channel is gone): close it without scoring."""
        async with self._sessions.begin() as session:
            await repo.move_post_state(session, post_id, "posting", "closed")

    async def plans_in_states(self, *states: str) -> list[PostPlan]:
        """The posts in these states; a post whose question left the bank is closed on the way (see
        ``withdrawn_posts``) instead of stopping every other post's recovery."""
        plans = []
        async with self._sessions.begin() as session:
            for post in await repo.posts_in_states(session, states):
                try:
                    plans.append(await self._plan(session, post))
                except QuestionWithdrawn:
                    continue
        return plans

    async def close_withdrawn(self, now: dt.datetime) -> list[WithdrawnPost]:
        """Close, without a reveal or scores, every unfinished post whose question (or pack) left the
        bank. Its answers cannot be graded; they stay stored."""
        closed = []
        async with self._sessions.begin() as session:
            for post in await repo.posts_in_states(session, ("posting", "open", "scored")):
                try:
                    self._guilds.question(post.pack, post.question_id)
                except QuestionWithdrawn as gone:
                    if await repo.move_post_state(session, post.id, post.state, "closed", revealed_at=now):
                        closed.append(
                            WithdrawnPost(post.id, post.guild_id, post.channel_id, post.message_id, str(gone))
                        )
        for withdrawn in closed:
            self._forget_post(withdrawn.post_id)
        return closed

    async def asked(self, post_id: int) -> tuple[str, str, str]:
        """The pack and question a post asked, and its kind (daily or quiz)."""
        async with self._sessions.begin() as session:
            post = await session.get(Post, post_id)
            if post is None:
                raise NotFoundError("That question is no longer on record.")
            return post.pack, post.question_id, post.kind

    async def open_plan(self, post_id: int) -> PostPlan | None:
        """The post's plan while it takes answers; None once it is closed (or never opened)."""
        async with self._sessions.begin() as session:
            post = await session.get(Post, post_id)
            if post is None or post.state != "open":
                return None
            return await self._plan(session, post)

    async def _plan(self, session: AsyncSession, post: Post) -> PostPlan:
        config = await repo.get_guild(session, post.guild_id)
        question = self._guilds.question(post.pack, post.question_id)  # QuestionWithdrawn if gone
        pack = self._guilds.pack(post.pack)
        schedule = None if post.schedule_id is None else await session.get(Schedule, post.schedule_id)
        return PostPlan(
            post.id,
            post.guild_id,
            post.channel_id,
            post.kind,
            pack,
            question,
            as_utc(post.closes_at),
            post.answer_mode,
            bool(config and config.hide_answers) and post.kind == "daily",
            post.message_id,
            post.state,
            post.series_id,
            post.round,
            post.rounds,
            schedule is not None and schedule.discuss,
        )

    # --- answers ---------------------------------------------------------------------------------

    async def _open_plan(self, message_id: int) -> PostPlan | None:
        """The open post behind a message. Open posts are cached: every reaction needs one, and what
        a post asks never changes; scoring a post drops it from the cache first."""
        cached = self._open_posts.get(message_id)
        if cached is not None:
            return cached
        # A crowd reacting to a fresh post would otherwise look the same post up once per member.
        lookup = self._plan_lookups.get(message_id)
        if lookup is None:
            lookup = asyncio.create_task(self._load_open_plan(message_id))
            self._plan_lookups[message_id] = lookup
            lookup.add_done_callback(lambda _: self._plan_lookups.pop(message_id, None))
        return await asyncio.shield(lookup)

    async def _load_open_plan(self, message_id: int) -> PostPlan | None:
        async with self._sessions.begin() as session:
            post = await repo.post_by_message(session, message_id)
            if post is None or post.state != "open":
                return None
            plan = await self._plan(session, post)
        self._open_posts[message_id] = plan
        return plan

    def _forget_post(self, post_id: int) -> None:
        for message_id, plan in list(self._open_posts.items()):
            if plan.post_id == post_id:
                del self._open_posts[message_id]

    async def record_pick(
        self, message_id: int, user_id: int, letter: str, added: bool, now: dt.datetime
    ) -> PickOutcome:
        """A member added (or removed) a letter on a post. Reactions on other messages, on letters the
        question does not have, after the close, or after the member's answer locked change nothing."""
        plan = await self._open_plan(message_id)
        if plan is None:
            return PickOutcome(None)
        if letter not in plan.question.letters or now >= plan.closes_at:
            return PickOutcome(plan)
        if plan.hide_answers and not added:
            # With hidden answers the bot takes each reaction away itself once it is recorded, so a
            # removal is the bot hiding a letter, never a member changing their mind.
            return PickOutcome(plan)
        # Written in batches when a crowd answers at once (see PickBatcher).
        event = PickEvent(plan.post_id, user_id, plan.question, letter, added, now, plan.hide_answers)
        change = await self._picks.apply(event)
        if change is None:
            return PickOutcome(None)
        return PickOutcome(plan, change.after, change.after != change.before, change.answered)

    async def submit_sequence(
        self, post_id: int, user_id: int, letters: str, now: dt.datetime
    ) -> PickOutcome:
        """A member submitted an order (or pairs) from the picker. The first complete answer locks, as
        a first complete set of reactions does; after the close, or on another kind of post, nothing."""
        plan = await self.open_plan(post_id)
        if plan is None or now >= plan.closes_at:
            return PickOutcome(None)
        question = plan.question
        built = ""
        for letter in letters:
            built = extend_sequence(question, built, letter)
        if built != letters or not is_complete(question, letters):
            raise UserError("That answer is not complete: place every item (or answer every prompt) first.")
        event = PickEvent(post_id, user_id, question, "", True, now, plan.hide_answers, sequence=letters)
        change = await self._picks.apply(event)
        if change is None:
            return PickOutcome(None)
        return PickOutcome(plan, change.after, change.after != change.before, change.answered)

    async def reconcile(
        self, plan: PostPlan, reactions: dict[int, set[str]], now: dt.datetime
    ) -> tuple[int, int]:
        """Bring a post's answers in line with the reactions on its message, read after a restart, a
        resume, or at the close. Locked answers never change; a member with no locked answer gets the
        pick the reactions show now, so a letter taken back while the bot was away stays taken back.
        With hidden answers the bot removes each reaction once recorded, so the stored pick is the
        only record of the letters already given: there the reactions found are added to it.
        Returns how many members' answers changed and how many are locked on the post."""
        pending: set[int] = set()
        if not plan.hide_answers:
            async with self._sessions.begin() as session:
                pending = await repo.members_with_partial_picks(session, plan.post_id)
        members = set(reactions) | pending

        def rebuild(
            open_posts: set[int], stored: dict[repo.PickKey, repo.StoredPick]
        ) -> tuple[int, list[repo.PickWrite], set[int]]:
            if plan.post_id not in open_posts:
                return 0, [], set()
            writes = []
            for user_id in members:
                before, locked = stored.get((plan.post_id, user_id), ("", False))
                if locked:
                    continue
                shown = reactions.get(user_id, set())
                rebuilt = pick_from_reactions(
                    plan.question, shown | set(before) if plan.hide_answers else shown
                )
                if (rebuilt.letters, rebuilt.locked) != (before, locked):
                    writes.append(repo.PickWrite(plan.post_id, user_id, rebuilt.letters, rebuilt.locked, now))
            return len(writes), writes, {plan.post_id}

        # The same transaction as live reactions: read the members' picks, rebuild, write what changed.
        changed, answered = await repo.pick_batch(self._sessions, {plan.post_id: members}, rebuild)
        return changed, answered.get(plan.post_id, 0)

    # --- the reveal --------------------------------------------------------------------------------

    async def score(self, post_id: int, now: dt.datetime) -> Reveal | None:
        """Grade a closed post once, in one transaction: attempts, statistics, points and streaks.
        Called again after a restart it grades nothing and returns the same result to re-send."""
        self._forget_post(post_id)
        async with self._sessions.begin() as session:
            first_time = await repo.move_post_state(session, post_id, "open", "scored", revealed_at=now)
            post = await session.get(Post, post_id)
            if post is None or post.state not in {"scored", "closed"}:
                return None
            plan = await self._plan(session, post)
            answers = [a for a in await repo.answers_for_post(session, post_id) if a.locked]
            points = await self._grade(session, post, plan, answers) if first_time else {}
        choices: Counter[str] = Counter()
        for answer in answers:
            choices.update(answer.letters)
        correct = [a.user_id for a in answers if is_correct(plan.question, a.letters)]
        return Reveal(
            plan,
            {letter: choices[letter] for letter in plan.question.letters},
            correct,
            len(answers),
            first_time,
            points,
            most_common_wrong(plan.question, [a.letters for a in answers]),
        )

    async def _previous_day(self, session: AsyncSession, post: Post) -> dt.date | None:
        if post.occurrence is None or post.schedule_id is None:
            return None
        row = await session.get(Schedule, post.schedule_id)
        return None if row is None else _view(row).schedule.previous_day(post.occurrence)

    async def _grade(
        self, session: AsyncSession, post: Post, plan: PostPlan, answers: list[Answer]
    ) -> dict[int, int]:
        """Grade every locked answer in memory, then write attempts, statistics, points and streaks
        in one statement each (a popular post has thousands of answers, and the reveal holds the
        database's write lock while it grades). Returns each member's points."""
        question = plan.question
        source: Source = "quiz" if post.kind == "quiz" else "daily"
        guild = await repo.get_guild(session, post.guild_id)
        timezone = guild.timezone if guild else "UTC"
        previous_day = await self._previous_day(session, post)
        streaks = await repo.answerer_streaks(session, post.id, post.guild_id)
        points: dict[int, int] = {}
        graded: list[repo.GradedAnswer] = []
        period_deltas: list[repo.PeriodStatDelta] = []
        scores: list[dict[str, object]] = []
        for answer in answers:
            user_id, answered_at = answer.user_id, as_utc(answer.answered_at)
            correct = is_correct(question, answer.letters)
            earned = points[user_id] = points_for(source, correct)
            graded.append(
                repo.GradedAnswer(
                    post.guild_id,
                    user_id,
                    post.pack,
                    question.id,
                    question.domain_id,
                    question.task_id,
                    source,
                    correct,
                    earned,
                    answered_at,
                    answer.letters,
                )
            )
            starts = period_starts(answered_at, timezone)
            board = domain_board(post.pack, question.domain_id)
            period_deltas.append((post.guild_id, user_id, board, earned, correct, starts))
            streak = Streak(*streaks.get(user_id, (0, 0, None)))
            if post.occurrence is not None:
                streak = advance_streak(streak, post.occurrence, previous_day, correct)
            scores.append(
                {
                    "guild_id": post.guild_id,
                    "user_id": user_id,
                    "points": earned,
                    "streak": streak.current,
                    "best_streak": streak.best,
                    "last_streak_day": streak.last_day,
                }
            )
        await repo.add_graded(session, graded)
        await record_in_reviews(session, graded, plan.closes_at)
        await repo.add_to_period_stats(session, period_deltas)
        await repo.add_member_scores(session, scores)
        return points

    async def mark_revealed(self, post_id: int, reveal_message_id: int | None) -> None:
        async with self._sessions.begin() as session:
            await repo.move_post_state(
                session, post_id, "scored", "closed", reveal_message_id=reveal_message_id
            )


__all__ = [
    "DailyService",
    "PickOutcome",
    "PostPlan",
    "Reveal",
    "ScheduleRequest",
    "ScheduleView",
    "WithdrawnPost",
]
