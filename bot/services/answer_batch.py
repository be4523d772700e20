"""Group commit for members' reactions to a daily question or a quiz round.

When a whole server answers within a few seconds, reactions arriving while a write is in flight are
written together in the next one (see :mod:`bot.db.group_commit`): one read of those members' picks,
the reactions applied in the order they came, in memory, and one write of the picks that changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.db.group_commit import GroupCommit
from bot.domain.grading import Pick, add_pick, remove_pick
from bot.domain.pack import Question

#: Reactions per transaction.
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
    # Ordering and matching: the whole answer, submitted at once from the picker (locked unless the
    # member already has a locked answer).
    sequence: str | None = None


@dataclass(frozen=True)
class PickChange:
    before: Pick
    after: Pick
    answered: int = 0  # locked answers on the post once written (when asked for)


def _apply_picks(
    events: Sequence[PickEvent], open_posts: set[int], stored: dict[repo.PickKey, repo.StoredPick]
) -> tuple[list[tuple[Pick, Pick] | None], list[repo.PickWrite], set[int]]:
    """The reactions applied in the order they came: each one's pick before and after (None for one on
    a post no longer open), the picks to store, and the posts whose locked answers to count."""
    picks = {key: Pick(letters, locked) for key, (letters, locked) in stored.items()}
    changes: list[tuple[Pick, Pick] | None] = []
    writes: dict[repo.PickKey, repo.PickWrite] = {}
    for event in events:
        if event.post_id not in open_posts:
            changes.append(None)
            continue
        key = (event.post_id, event.user_id)
        before = picks.get(key, Pick())
        if event.sequence is not None:
            after = before if before.locked else Pick(event.sequence, locked=True)
        elif event.added:
            after = add_pick(event.question, before, event.letter)
        else:
            after = remove_pick(before, event.letter)
        if after != before:
            picks[key] = after
            writes[key] = repo.PickWrite(event.post_id, event.user_id, after.letters, after.locked, event.at)
        changes.append((before, after))
    count = {e.post_id for e in events if e.count_answered and e.post_id in open_posts}
    return changes, list(writes.values()), count


class PickBatcher:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        async def write(events: Sequence[PickEvent]) -> list[PickChange | None]:
            members: dict[int, set[int]] = {}
            for event in events:
                members.setdefault(event.post_id, set()).add(event.user_id)
            # Applied inside the transaction, in the database's thread: one hand-off per batch.
            changes, answered = await repo.pick_batch(sessions, members, partial(_apply_picks, events))
            return [
                None if change is None else PickChange(*change, answered.get(event.post_id, 0))
                for event, change in zip(events, changes, strict=True)
            ]

        self._writes = GroupCommit(write, max_batch=MAX_BATCH, name="pick-writer")

    async def apply(self, event: PickEvent) -> PickChange | None:
        """Apply one reaction once it is committed; None if the post is no longer open."""
        return await self._writes.submit(event)
