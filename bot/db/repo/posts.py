"""Schedules, posts (daily questions and quiz rounds) and the answers members give on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ARRAY,
    BigInteger,
    bindparam,
    column,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import Executable

from bot.db import driver
from bot.db.dialects import Insert, PerDialect, insert_for
from bot.db.driver import Step, Work
from bot.db.models import (
    Answer,
    Guild,
    Post,
    Schedule,
)
from bot.db.repo._core import ResultT

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
