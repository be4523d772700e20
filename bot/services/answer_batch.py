"""Group commit for members' reactions to a daily question or a quiz round.

When a whole server answers within a few seconds, reactions arriving while a write is in flight are
written together in the next one (see :mod:`bot.db.group_commit`): one read of those members' picks,
the reactions applied in the order they came, in memory, and one write of the picks that changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.db.group_commit import GroupCommit
from bot.domain.grading import Pick, add_pick, remove_pick
from bot.domain.pack import Question

#: Reactions per transaction: the read binds one value per member, well inside SQLite's limit.
MAX_BATCH = 500


@dataclass(frozen=True)
class PickEvent:
    """A member added (or took back) one letter on an open post."""

    post_id: int
    user_id: int
    question: Question
    letter: str
    added: bool
    at: dt.datetime
    count_answered: bool = False  # also report how many members have a locked answer on the post


@dataclass(frozen=True)
class PickChange:
    before: Pick
    after: Pick
    answered: int = 0  # locked answers on the post once written (when asked for)


async def _apply_picks(session: AsyncSession, events: Sequence[PickEvent]) -> list[PickChange | None]:
    """Apply reactions in the order they arrived; None for one on a post that is no longer open."""
    open_posts = await repo.open_post_ids(session, {e.post_id for e in events})
    picks: dict[tuple[int, int], Pick] = {}
    for post_id in open_posts:
        users = {e.user_id for e in events if e.post_id == post_id}
        for user_id, (letters, locked) in (await repo.picks_on_post(session, post_id, users)).items():
            picks[(post_id, user_id)] = Pick(letters, locked)
    changes: list[tuple[PickEvent, Pick, Pick] | None] = []
    written: dict[tuple[int, int], dict[str, object]] = {}
    for event in events:
        if event.post_id not in open_posts:
            changes.append(None)
            continue
        key = (event.post_id, event.user_id)
        before = picks.get(key, Pick())
        after = (
            add_pick(event.question, before, event.letter)
            if event.added
            else remove_pick(before, event.letter)
        )
        if after != before:
            picks[key] = after
            written[key] = {
                "post_id": event.post_id,
                "user_id": event.user_id,
                "letters": after.letters,
                "locked": after.locked,
                "answered_at": event.at,
            }
        changes.append((event, before, after))
    await repo.set_unlocked_picks(session, list(written.values()))
    counted = {e.post_id for e in events if e.count_answered and e.post_id in open_posts}
    answered = {post_id: await repo.count_locked_answers(session, post_id) for post_id in counted}
    return [
        None if change is None else PickChange(change[1], change[2], answered.get(change[0].post_id, 0))
        for change in changes
    ]


class PickBatcher:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        async def write(events: Sequence[PickEvent]) -> list[PickChange | None]:
            async with sessions.begin() as session:
                return await _apply_picks(session, events)

        self._writes = GroupCommit(write, max_batch=MAX_BATCH, name="pick-writer")

    async def apply(self, event: PickEvent) -> PickChange | None:
        """Apply one reaction once it is committed; None if the post is no longer open."""
        return await self._writes.submit(event)
