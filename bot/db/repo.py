"""Repository functions: each takes a session and never commits. Services own the transaction."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    bindparam,
    column,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import Executable, Select
from sqlalchemy.sql.selectable import ScalarSelect

from bot.db import driver
from bot.db.dialects import Insert, PerDialect, insert_for
from bot.db.driver import Step, Work
from bot.db.models import (
    Answer,
    Attempt,
    BotState,
    Guild,
    Member,
    MemberStat,
    MockAnswer,
    MockSession,
    PeriodStat,
    Post,
    ReviewCard,
    ReviewSession,
    Schedule,
    ScoreArchive,
    StudyPlan,
)
from bot.db.timestamps import as_utc

ResultT = TypeVar("ResultT")


async def _core(
    session: AsyncSession,
    statement: Executable,
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> CursorResult[Any]:
    """Run a statement on the session's connection as plain Core, with one row of parameters or many
    (an executemany): the hot paths need none of the ORM's bookkeeping, which costs more than the
    statement itself."""
    connection = await session.connection()
    return await connection.execute(statement, rows)


async def get_state(session: AsyncSession, key: str) -> str | None:
    row = await session.get(BotState, key)
    return None if row is None else row.value


async def set_state(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(BotState, key)
    if row is None:
        session.add(BotState(key=key, value=value))
    else:
        row.value = value


async def get_guild(session: AsyncSession, guild_id: int) -> Guild | None:
    return await session.get(Guild, guild_id)


async def ensure_guild(
    session: AsyncSession, guild_id: int, *, pack: str, timezone: str, now: dt.datetime
) -> Guild:
    guild = await session.get(Guild, guild_id)
    if guild is None:
        guild = Guild(
            id=guild_id,
            pack=pack,
            timezone=timezone,
            joined_at=now,
            hide_answers=False,
            quiz_window_seconds=60,
        )
        session.add(guild)
        await session.flush()
    return guild


async def ensure_guilds_present(
    session: AsyncSession, guild_ids: list[int], *, pack: str, timezone: str, now: dt.datetime
) -> None:
    """Record every server the bot is in, in two statements however many there are."""
    if not guild_ids:
        return
    rows = [
        {
            "id": gid,
            "pack": pack,
            "timezone": timezone,
            "joined_at": now,
            "hide_answers": False,
            "quiz_window_seconds": 60,
        }
        for gid in guild_ids
    ]
    await session.execute(insert_for(session)(Guild).on_conflict_do_nothing(), rows)
    await session.execute(
        update(Guild).where(Guild.id.in_(guild_ids), Guild.left_at.is_not(None)).values(left_at=None)
    )


async def known_guild_ids(session: AsyncSession) -> list[int]:
    return list((await session.scalars(select(Guild.id).where(Guild.left_at.is_(None)))).all())


# --- schedules and posts --------------------------------------------------------------------------


async def schedules_for_guild(session: AsyncSession, guild_id: int) -> list[Schedule]:
    query = select(Schedule).where(Schedule.guild_id == guild_id).order_by(Schedule.id)
    return list((await session.scalars(query)).all())


async def schedule_for_channel(session: AsyncSession, channel_id: int) -> Schedule | None:
    return await session.scalar(select(Schedule).where(Schedule.channel_id == channel_id))


async def active_schedules(session: AsyncSession) -> list[Schedule]:
    query = (
        select(Schedule)
        .join(Guild, Guild.id == Schedule.guild_id)
        .where(Schedule.paused.is_(False), Guild.left_at.is_(None))
        .order_by(Schedule.id)
    )
    return list((await session.scalars(query)).all())


async def asked_question_ids(session: AsyncSession, guild_id: int, pack: str) -> list[str]:
    query = select(Post.question_id).where(Post.guild_id == guild_id, Post.pack == pack).order_by(Post.id)
    return list((await session.scalars(query)).all())


async def last_occurrence(session: AsyncSession, schedule_id: int) -> dt.date | None:
    query = select(func.max(Post.occurrence)).where(Post.schedule_id == schedule_id)
    return await session.scalar(query)


async def claim_post(session: AsyncSession, values: dict[str, object]) -> int | None:
    """Insert a post unless one exists for the same schedule and occurrence; its id, or None."""
    statement = insert_for(session)(Post).values(**values).on_conflict_do_nothing().returning(Post.id)
    return (await session.execute(statement)).scalar_one_or_none()


async def post_by_message(session: AsyncSession, message_id: int) -> Post | None:
    return await session.scalar(select(Post).where(Post.message_id == message_id))


async def posts_in_states(session: AsyncSession, states: tuple[str, ...]) -> list[Post]:
    return list((await session.scalars(select(Post).where(Post.state.in_(states)).order_by(Post.id))).all())


async def move_post_state(session: AsyncSession, post_id: int, old: str, new: str, **values: object) -> bool:
    """Compare-and-set a post's state. Being the first write of its transaction, it also takes SQLite's
    write lock, so two workers can never both move the same post."""
    result = await session.execute(
        update(Post).where(Post.id == post_id, Post.state == old).values(state=new, **values)
    )
    return bool(getattr(result, "rowcount", 0))


# --- a crowd's reactions, on the driver path ---------------------------------------------------------

PickKey = tuple[int, int]  # post id, user id
StoredPick = tuple[str, bool]  # letters, locked


@dataclass(frozen=True)
class PickWrite:
    post_id: int
    user_id: int
    letters: str
    locked: bool
    at: dt.datetime


#: Given the posts still open and the members' stored picks, decides what to write: a result for the
#: caller, the picks to store, and the posts whose locked answers to count afterwards.
PickDecision = Callable[
    [set[int], dict[PickKey, StoredPick]], tuple[ResultT, Sequence[PickWrite], Collection[int]]
]

# Reading the post's state FOR SHARE (PostgreSQL; SQLite's write lock already serialises) makes a reveal,
# which moves the state first, wait for this batch: no pick is written after the reveal has read them.
_POST_STATE = select(Post.state).where(Post.id == bindparam("post_id")).with_for_update(read=True)
_PICKS = select(Answer.user_id, Answer.letters, Answer.locked).where(Answer.post_id == bindparam("post_id"))
# The members as one bound value however many there are: a JSON array on SQLite, an array on PostgreSQL.
_PICKS_OF_MEMBERS = {
    "sqlite": _PICKS.where(
        Answer.user_id.in_(select(column("value")).select_from(func.json_each(bindparam("user_ids"))))
    ),
    "postgresql": _PICKS.where(Answer.user_id == func.any(bindparam("user_ids", type_=ARRAY(BigInteger)))),
}


def _unlocked_pick_upsert(insert: Insert) -> Executable:
    statement = insert(Answer).values(
        post_id=bindparam("post_id"),
        user_id=bindparam("user_id"),
        letters=bindparam("letters"),
        locked=bindparam("locked"),
        answered_at=bindparam("answered_at"),
    )
    new = statement.excluded
    # A locked answer is final: never written over, whatever a batch decided.
    return statement.on_conflict_do_update(
        index_elements=["post_id", "user_id"],
        set_={"letters": new.letters, "locked": new.locked, "answered_at": new.answered_at},
        where=Answer.locked.is_(False),
    )


_SET_UNLOCKED_PICK = PerDialect(_unlocked_pick_upsert).by_dialect()
_COUNT_LOCKED = (
    select(func.count())
    .select_from(Answer)
    .where(Answer.post_id == bindparam("post_id"), Answer.locked.is_(True))
)


def _pick_batch(
    job: tuple[Mapping[int, Collection[int]], PickDecision[ResultT]],
) -> Work[tuple[ResultT, dict[int, int]]]:
    members_by_post, decide = job
    open_posts = set()
    for post_id in members_by_post:
        if (yield Step(_POST_STATE, {"post_id": post_id})) == [("open",)]:
            open_posts.add(post_id)
    stored: dict[PickKey, StoredPick] = {}
    for post_id in open_posts:
        members = sorted(members_by_post[post_id])
        rows = yield Step(_PICKS_OF_MEMBERS, {"post_id": post_id, "user_ids": members})
        for user_id, letters, locked in rows:
            stored[(post_id, int(user_id))] = (str(letters), bool(locked))
    result, writes, count_posts = decide(open_posts, stored)
    if writes:
        yield Step(
            _SET_UNLOCKED_PICK,
            [
                {
                    "post_id": w.post_id,
                    "user_id": w.user_id,
                    "letters": w.letters,
                    "locked": w.locked,
                    "answered_at": w.at,
                }
                for w in writes
            ],
        )
    counts = {}
    for post_id in count_posts:
        counts[post_id] = int((yield Step(_COUNT_LOCKED, {"post_id": post_id}))[0][0])
    return result, counts


async def pick_batch(
    sessions: async_sessionmaker[AsyncSession],
    members_by_post: Mapping[int, Collection[int]],
    decide: PickDecision[ResultT],
) -> tuple[ResultT, dict[int, int]]:
    """One transaction for members' reactions (live, or read back after a restart): read the picks of
    these members on these posts, let ``decide`` (run inside the transaction) say what to store, store
    it, and count the locked answers on the posts it names. Returns its result and those counts."""
    return await driver.run(sessions, _pick_batch, (members_by_post, decide), write=True)


async def members_with_partial_picks(session: AsyncSession, post_id: int) -> set[int]:
    """Members holding letters on a post without a complete (locked) answer yet."""
    rows = await session.scalars(
        select(Answer.user_id).where(
            Answer.post_id == post_id, Answer.locked.is_(False), Answer.letters != ""
        )
    )
    return set(rows.all())


async def answers_for_post(session: AsyncSession, post_id: int) -> list[Answer]:
    return list(
        (await session.scalars(select(Answer).where(Answer.post_id == post_id).order_by(Answer.id))).all()
    )


# --- statistics ---------------------------------------------------------------------------------


#: Where statistics of mocks taken in direct messages are counted.
DM_GUILD = 0


@dataclass(frozen=True)
class GradedAnswer:
    guild_id: int | None  # None: a mock taken in direct messages
    user_id: int
    pack: str
    question_id: str
    domain_id: str
    task_id: str
    source: str  # daily, quiz or mock
    correct: bool
    points: int
    answered_at: dt.datetime


def _member_stats_upsert(insert: Insert) -> Executable:
    statement = insert(MemberStat)
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "user_id", "pack", "task_id"],
        set_={
            "attempts": MemberStat.attempts + statement.excluded.attempts,
            "correct": MemberStat.correct + statement.excluded.correct,
        },
    )


_ADD_TO_MEMBER_STATS = PerDialect(_member_stats_upsert)
_ADD_ATTEMPT = insert(Attempt)


async def add_graded(session: AsyncSession, graded: Sequence[GradedAnswer]) -> None:
    """Record graded answers as attempts and count them in their members' per-task totals; one
    statement for each, however many answers."""
    if not graded:
        return
    await _core(session, _ADD_ATTEMPT, [vars(g) for g in graded])  # fields named as the columns
    stats = [
        {
            "guild_id": DM_GUILD if g.guild_id is None else g.guild_id,
            "user_id": g.user_id,
            "pack": g.pack,
            "domain_id": g.domain_id,
            "task_id": g.task_id,
            "attempts": 1,
            "correct": int(g.correct),
        }
        for g in graded
    ]
    await _core(session, _ADD_TO_MEMBER_STATS.on(session), stats)


async def member(session: AsyncSession, guild_id: int, user_id: int) -> Member:
    row = await session.get(Member, (guild_id, user_id))
    if row is None:
        row = Member(guild_id=guild_id, user_id=user_id, points=0, streak=0, best_streak=0)
        session.add(row)
        await session.flush()
    return row


#: current, best, the day of the last correct answer that counted
StoredStreak = tuple[int, int, dt.date | None]


async def answerer_streaks(session: AsyncSession, post_id: int, guild_id: int) -> dict[int, StoredStreak]:
    """The daily streaks of the members with a locked answer on a post (members not yet known are
    absent)."""
    query = (
        select(Member.user_id, Member.streak, Member.best_streak, Member.last_streak_day)
        .join(Answer, (Answer.user_id == Member.user_id) & (Answer.post_id == post_id))
        .where(Member.guild_id == guild_id, Answer.locked.is_(True))
    )
    return {int(u): (int(c), int(b), last) for u, c, b, last in (await session.execute(query)).all()}


def _member_scores_upsert(insert: Insert) -> Executable:
    statement = insert(Member)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "user_id"],
        set_={
            "points": Member.points + new.points,
            "streak": new.streak,
            "best_streak": new.best_streak,
            "last_streak_day": new.last_streak_day,
        },
    )


_ADD_MEMBER_SCORES = PerDialect(_member_scores_upsert)


async def add_member_scores(session: AsyncSession, scores: Sequence[Mapping[str, Any]]) -> None:
    """Add points to members and set their streaks (``guild_id``, ``user_id``, ``points`` to add,
    ``streak``, ``best_streak``, ``last_streak_day``), creating members not yet known; one statement."""
    if scores:
        await _core(session, _ADD_MEMBER_SCORES.on(session), scores)


# --- mocks ----------------------------------------------------------------------------------------


# A mock belongs to the server it was started in (None: direct messages): resumed, listed and counted
# there only. IS NOT DISTINCT FROM, so that direct messages' None matches None.
async def running_mock(session: AsyncSession, user_id: int, guild_id: int | None) -> MockSession | None:
    """A member's unfinished mock in a server, if any (its deadline may have passed)."""
    query = select(MockSession).where(
        MockSession.user_id == user_id,
        MockSession.guild_id.is_not_distinct_from(guild_id),
        MockSession.finished_at.is_(None),
    )
    return await session.scalar(query.order_by(MockSession.id.desc()))


# Starting a mock (a crowd starts theirs within seconds) is two units of work: read what the draw needs,
# then store the new mock.
_RUNNING_MOCK_ID = (
    select(MockSession.id)
    .where(
        MockSession.user_id == bindparam("user_id"),
        MockSession.guild_id.is_not_distinct_from(bindparam("guild_id")),
        MockSession.finished_at.is_(None),
    )
    .order_by(MockSession.id.desc())
)
_LAST_SEEN = (
    select(Attempt.question_id, func.max(Attempt.answered_at))
    .where(Attempt.user_id == bindparam("user_id"), Attempt.pack == bindparam("pack"))
    .group_by(Attempt.question_id)
)
_CREATE_MOCK = (
    insert(MockSession)
    .values(
        guild_id=bindparam("guild_id"),
        user_id=bindparam("user_id"),
        pack=bindparam("pack"),
        question_ids=bindparam("question_ids"),
        position=bindparam("position"),
        started_at=bindparam("started_at"),
        deadline=bindparam("deadline"),
    )
    .returning(MockSession.id)
)


@dataclass(frozen=True)
class BeforeNewMock:
    running_id: int | None  # the member's unfinished mock (its deadline may have passed)
    last_seen: dict[str, dt.datetime]  # question id -> when the member last answered it


def _read_before_new_mock(member: tuple[int, int | None, str]) -> Work[BeforeNewMock]:
    user_id, guild_id, pack = member
    running = yield Step(_RUNNING_MOCK_ID, {"user_id": user_id, "guild_id": guild_id})
    seen = yield Step(_LAST_SEEN, {"user_id": user_id, "pack": pack})
    return BeforeNewMock(
        int(running[0][0]) if running else None,
        {str(question_id): driver.from_db(when) for question_id, when in seen},
    )


async def before_new_mock(
    sessions: async_sessionmaker[AsyncSession], user_id: int, guild_id: int | None, pack: str
) -> BeforeNewMock:
    """What starting a mock needs to know of the member: a mock still running in this server, and what
    they have seen."""
    return await driver.run(sessions, _read_before_new_mock, (user_id, guild_id, pack), write=False)


@dataclass(frozen=True)
class NewMock:
    guild_id: int | None
    user_id: int
    pack: str
    question_ids: tuple[str, ...]
    started_at: dt.datetime
    deadline: dt.datetime


def _insert_mock(mock: NewMock) -> Work[int]:
    created = yield Step(
        _CREATE_MOCK,
        {
            "guild_id": mock.guild_id,
            "user_id": mock.user_id,
            "pack": mock.pack,
            "question_ids": ",".join(mock.question_ids),
            "position": 0,
            "started_at": mock.started_at,
            "deadline": mock.deadline,
        },
    )
    return int(created[0][0])


async def create_mock(sessions: async_sessionmaker[AsyncSession], mock: NewMock) -> int:
    """Store a new mock at its first question; returns its id."""
    return await driver.run(sessions, _insert_mock, mock, write=True)


async def unfinished_mocks(session: AsyncSession) -> list[MockSession]:
    return list((await session.scalars(select(MockSession).where(MockSession.finished_at.is_(None)))).all())


async def mock_answers(session: AsyncSession, session_id: int) -> list[MockAnswer]:
    query = select(MockAnswer).where(MockAnswer.session_id == session_id).order_by(MockAnswer.position)
    return list((await session.scalars(query)).all())


MockPressRow = tuple[int, int, str | None, bool]  # mock id, position, letters (None: a move), flagged

# FOR SHARE (PostgreSQL): finishing a mock, which updates its row, waits for presses being written.
_MOCK_IS_OPEN = (
    select(MockSession.id)
    .where(MockSession.id == bindparam("mock_id"), MockSession.finished_at.is_(None))
    .with_for_update(read=True)
)


def _mock_answer_upsert(insert: Insert) -> Executable:
    statement = insert(MockAnswer).values(
        session_id=bindparam("mock_id"),
        position=bindparam("position"),
        letters=bindparam("letters"),
        flagged=bindparam("flagged"),
    )
    return statement.on_conflict_do_update(
        index_elements=["session_id", "position"],
        set_={"letters": statement.excluded.letters, "flagged": statement.excluded.flagged},
    )


_SAVE_MOCK_ANSWER = PerDialect(_mock_answer_upsert).by_dialect()
_MOVE_MOCK = (
    update(MockSession).where(MockSession.id == bindparam("mock_id")).values(position=bindparam("position"))
)


def _write_mock_presses(presses: Sequence[MockPressRow]) -> Work[list[bool]]:
    written = []
    for mock_id, position, letters, flagged in presses:
        still_open = bool((yield Step(_MOCK_IS_OPEN, {"mock_id": mock_id})))
        if still_open and letters is None:
            yield Step(_MOVE_MOCK, {"mock_id": mock_id, "position": position})
        elif still_open:
            yield Step(
                _SAVE_MOCK_ANSWER,
                {"mock_id": mock_id, "position": position, "letters": letters, "flagged": flagged},
            )
        written.append(still_open)
    return written


async def save_mock_presses(
    sessions: async_sessionmaker[AsyncSession], presses: Sequence[MockPressRow]
) -> list[bool]:
    """Write presses on running mocks in one transaction: an answer (letters, flag) to the question
    at a position, or (letters None) a move to it. False for a press on a mock that has finished."""
    return await driver.run(sessions, _write_mock_presses, presses, write=True)


_FINISH_MOCK = (
    update(MockSession)
    .where(MockSession.id == bindparam("mock_id"), MockSession.finished_at.is_(None))
    .values(
        finished_at=bindparam("finished_at"),
        correct=bindparam("correct"),
        scaled_score=bindparam("scaled_score"),
    )
)


async def finish_mock(
    session: AsyncSession, session_id: int, now: dt.datetime, correct: int, scaled_score: int
) -> bool:
    """Compare-and-set: only the first caller finishes (and grades) a mock."""
    values = {"mock_id": session_id, "finished_at": now, "correct": correct, "scaled_score": scaled_score}
    result = await _core(session, _FINISH_MOCK, values)
    return bool(getattr(result, "rowcount", 0))


async def questions_in_use(session: AsyncSession) -> dict[tuple[str, str], Counter[str]]:
    """Every (pack, question id) the database refers to, with how many attempts, posts and mocks do."""
    uses: dict[tuple[str, str], Counter[str]] = {}
    for what, query in (
        (
            "attempts",
            select(Attempt.pack, Attempt.question_id, func.count()).group_by(
                Attempt.pack, Attempt.question_id
            ),
        ),
        ("posts", select(Post.pack, Post.question_id, func.count()).group_by(Post.pack, Post.question_id)),
    ):
        for pack, question_id, count in await session.execute(query):
            uses.setdefault((pack, question_id), Counter())[what] += count
    for pack, question_ids in await session.execute(select(MockSession.pack, MockSession.question_ids)):
        for question_id in question_ids.split(","):
            uses.setdefault((pack, question_id), Counter())["mocks"] += 1
    return uses


async def withdraw_mock(session: AsyncSession, session_id: int, now: dt.datetime) -> bool:
    """Close a running mock without grading it (no score: it stays out of history and statistics)."""
    result = await session.execute(
        update(MockSession)
        .where(MockSession.id == session_id, MockSession.finished_at.is_(None))
        .values(finished_at=now, correct=None, scaled_score=None)
    )
    return bool(getattr(result, "rowcount", 0))


async def mock_history(
    session: AsyncSession, user_id: int, guild_id: int | None, pack: str, limit: int
) -> list[MockSession]:
    query = (
        select(MockSession)
        .where(
            MockSession.user_id == user_id,
            MockSession.pack == pack,
            MockSession.guild_id.is_not_distinct_from(guild_id),
            MockSession.scaled_score.is_not(None),  # not one closed ungraded
        )
        .order_by(MockSession.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def running_quiz_round(session: AsyncSession, channel_id: int) -> Post | None:
    query = (
        select(Post)
        .where(
            Post.channel_id == channel_id, Post.kind == "quiz", Post.state.in_(("posting", "open", "scored"))
        )
        .order_by(Post.id.desc())
    )
    return await session.scalar(query)


async def series_answers(session: AsyncSession, series_id: int) -> list[tuple[int, str, str, str]]:
    """(member, letters, question id, pack) for every locked answer over every round of a quiz."""
    query = (
        select(Answer.user_id, Answer.letters, Post.question_id, Post.pack)
        .join(Post, Post.id == Answer.post_id)
        .where(Post.series_id == series_id, Answer.locked.is_(True))
    )
    return [
        (int(u), str(letters), str(q), str(p)) for u, letters, q, p in (await session.execute(query)).all()
    ]


# --- progress -------------------------------------------------------------------------------------


PPM = 1_000_000


#: server, member, domain, points earned, correct, the period starts the answer counts in
PeriodStatDelta = tuple[int, int, str, int, bool, Mapping[str, dt.date]]


def _period_stats_upsert(insert: Insert) -> Executable:
    statement = insert(PeriodStat)
    added = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["guild_id", "user_id", "period", "period_start", "domain_id"],
        set_={
            "points": PeriodStat.points + added.points,
            "answered": PeriodStat.answered + added.answered,
            "correct": PeriodStat.correct + added.correct,
            "accuracy": (PeriodStat.correct + added.correct) * PPM // (PeriodStat.answered + added.answered),
        },
    )


_ADD_TO_PERIOD_STATS = PerDialect(_period_stats_upsert)


async def add_to_period_stats(session: AsyncSession, deltas: Sequence[PeriodStatDelta]) -> None:
    """Count graded answers in their members' week, month and all-time totals, overall and per domain,
    one statement for them all."""
    rows = [
        {
            "guild_id": guild_id,
            "user_id": user_id,
            "period": period,
            "period_start": start,
            "domain_id": domain,
            "points": points,
            "answered": 1,
            "correct": int(correct),
            "accuracy": PPM * int(correct),
        }
        for guild_id, user_id, domain_id, points, correct, starts in deltas
        for period, start in starts.items()
        for domain in ("", domain_id)
    ]
    if rows:
        await _core(session, _ADD_TO_PERIOD_STATS.on(session), rows)


def _board(guild_id: int, period: str, start: dt.date, domain_id: str) -> list[ColumnElement[bool]]:
    return [
        PeriodStat.guild_id == guild_id,
        PeriodStat.period == period,
        PeriodStat.period_start == start,
        PeriodStat.domain_id == domain_id,
    ]


async def top_by_points(
    session: AsyncSession, guild_id: int, period: str, start: dt.date, domain_id: str, limit: int
) -> list[PeriodStat]:
    query = (
        select(PeriodStat)
        .where(*_board(guild_id, period, start, domain_id))
        .order_by(PeriodStat.points.desc(), PeriodStat.correct.desc(), PeriodStat.user_id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def top_by_accuracy(
    session: AsyncSession,
    guild_id: int,
    period: str,
    start: dt.date,
    domain_id: str,
    minimum: int,
    limit: int,
) -> list[PeriodStat]:
    query = (
        select(PeriodStat)
        .where(*_board(guild_id, period, start, domain_id), PeriodStat.answered >= minimum)
        .order_by(PeriodStat.accuracy.desc(), PeriodStat.answered.desc(), PeriodStat.user_id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def period_row(
    session: AsyncSession, guild_id: int, user_id: int, period: str, start: dt.date, domain_id: str
) -> PeriodStat | None:
    return await session.get(PeriodStat, (guild_id, user_id, period, start, domain_id))


def _rank(board: list[ColumnElement[bool]], mine: PeriodStat, first: str, second: str) -> Select[tuple[int]]:
    """1 + the rows ranked above ``mine`` on a board ordered by ``first``, then ``second``, both
    descending, then by user id (the boards' own order, so a rank always matches the listing). Counted
    as three ranges of the board's index rather than one OR over every row of the board."""
    a, b = getattr(PeriodStat, first), getattr(PeriodStat, second)
    mine_a, mine_b = getattr(mine, first), getattr(mine, second)

    def count(*where: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(func.count()).select_from(PeriodStat).where(*board, *where).scalar_subquery()

    ahead = (
        count(a > mine_a)
        + count(a == mine_a, b > mine_b)
        + count(a == mine_a, b == mine_b, PeriodStat.user_id < mine.user_id)
    )
    return select(ahead + 1)


async def rank_by_points(
    session: AsyncSession, guild_id: int, period: str, start: dt.date, domain_id: str, mine: PeriodStat
) -> int:
    query = _rank(_board(guild_id, period, start, domain_id), mine, "points", "correct")
    return int(await session.scalar(query) or 0)


async def rank_by_accuracy(
    session: AsyncSession,
    guild_id: int,
    period: str,
    start: dt.date,
    domain_id: str,
    minimum: int,
    mine: PeriodStat,
) -> int:
    board = [*_board(guild_id, period, start, domain_id), PeriodStat.answered >= minimum]
    return int(await session.scalar(_rank(board, mine, "accuracy", "answered")) or 0)


async def forget_in_guild(session: AsyncSession, guild_id: int, user_id: int, now: dt.datetime) -> None:
    """A member who left: off every board of that server at once."""
    await session.execute(
        delete(PeriodStat).where(PeriodStat.guild_id == guild_id, PeriodStat.user_id == user_id)
    )
    row = await member(session, guild_id, user_id)
    row.left_at = now


async def member_task_stats(
    session: AsyncSession, guild_id: int, user_id: int, pack: str
) -> list[MemberStat]:
    query = select(MemberStat).where(
        MemberStat.guild_id == guild_id, MemberStat.user_id == user_id, MemberStat.pack == pack
    )
    return list((await session.scalars(query)).all())


async def recent_attempts(session: AsyncSession, user_id: int, pack: str, limit: int) -> list[Attempt]:
    query = (
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.pack == pack)
        .order_by(Attempt.answered_at.desc(), Attempt.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def member_attempts_since(
    session: AsyncSession, guild_id: int, user_id: int, pack: str, since: dt.datetime
) -> list[Attempt]:
    query = select(Attempt).where(
        Attempt.guild_id == guild_id,
        Attempt.user_id == user_id,
        Attempt.answered_at >= since,
        Attempt.pack == pack,
    )
    return list((await session.scalars(query)).all())


async def member_task_totals(session: AsyncSession, user_id: int, pack: str) -> dict[str, tuple[int, int]]:
    """A member's attempts and right answers per task statement of one exam, in every server."""
    query = (
        select(MemberStat.task_id, func.sum(MemberStat.attempts), func.sum(MemberStat.correct))
        .where(MemberStat.user_id == user_id, MemberStat.pack == pack)
        .group_by(MemberStat.task_id)
    )
    return {str(task): (int(a or 0), int(c or 0)) for task, a, c in await session.execute(query)}


async def member_activity(session: AsyncSession, guild_id: int, user_id: int) -> tuple[int, int]:
    """A member's graded answers and finished mocks in a server."""
    answers = await session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.guild_id == guild_id, Attempt.user_id == user_id)
    )
    mocks = await session.scalar(
        select(func.count())
        .select_from(MockSession)
        .where(
            MockSession.guild_id == guild_id,
            MockSession.user_id == user_id,
            MockSession.scaled_score.is_not(None),
        )
    )
    return int(answers or 0), int(mocks or 0)


async def latest_practised_pack(session: AsyncSession, guild_id: int | None, user_id: int) -> str | None:
    """The exam of the member's latest answer in this server (any server, outside one)."""
    query = select(Attempt.pack).where(Attempt.user_id == user_id)
    if guild_id is not None:
        query = query.where(Attempt.guild_id == guild_id)
    return await session.scalar(query.order_by(Attempt.answered_at.desc(), Attempt.id.desc()).limit(1))


async def finished_mocks(
    session: AsyncSession, user_id: int, guild_id: int | None, pack: str
) -> list[MockSession]:
    query = select(MockSession).where(
        MockSession.user_id == user_id,
        MockSession.pack == pack,
        MockSession.guild_id.is_not_distinct_from(guild_id),
        MockSession.scaled_score.is_not(None),  # graded: not one closed ungraded
    )
    return list((await session.scalars(query)).all())


USER_TABLES = (
    Answer,
    Attempt,
    MemberStat,
    Member,
    PeriodStat,
    ScoreArchive,
    ReviewCard,
    ReviewSession,
    StudyPlan,
)


async def rows_of_user(session: AsyncSession, user_id: int) -> dict[str, list[dict[str, object]]]:
    """Everything stored about one person, table by table, as plain values."""
    out: dict[str, list[dict[str, object]]] = {}
    for model in (*USER_TABLES, MockSession):
        rows = (await session.scalars(select(model).where(model.user_id == user_id))).all()
        out[model.__tablename__] = [{c.key: getattr(r, c.key) for c in model.__table__.columns} for r in rows]
    session_ids = [int(r["id"]) for r in out[MockSession.__tablename__]]  # type: ignore[call-overload]
    answers = (await session.scalars(select(MockAnswer).where(MockAnswer.session_id.in_(session_ids)))).all()
    out[MockAnswer.__tablename__] = [
        {c.key: getattr(r, c.key) for c in MockAnswer.__table__.columns} for r in answers
    ]
    # Schedules are a server's, not the member's: only that this member created them.
    created = (await session.scalars(select(Schedule).where(Schedule.created_by == user_id))).all()
    out["schedules_created"] = [
        {"guild_id": s.guild_id, "channel_id": s.channel_id, "created_at": s.created_at} for s in created
    ]
    return out


async def delete_user(session: AsyncSession, user_id: int) -> None:
    for model in USER_TABLES:
        await session.execute(delete(model).where(model.user_id == user_id))
    await session.execute(delete(MockSession).where(MockSession.user_id == user_id))  # answers cascade
    # The server keeps its schedules; who made them is the member's to erase.
    await session.execute(update(Schedule).where(Schedule.created_by == user_id).values(created_by=0))


async def last_score_reset(session: AsyncSession, guild_id: int) -> dt.datetime | None:
    """When the server's scores were last archived and reset, if ever."""
    when = await session.scalar(
        select(func.max(ScoreArchive.archived_at)).where(ScoreArchive.guild_id == guild_id)
    )
    return None if when is None else as_utc(when)


async def clear_period_stats(session: AsyncSession, guild_id: int, user_id: int | None) -> None:
    statement = delete(PeriodStat).where(PeriodStat.guild_id == guild_id)
    if user_id is not None:
        statement = statement.where(PeriodStat.user_id == user_id)
    await session.execute(statement)
