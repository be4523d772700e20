"""Item analysis reads each member's first answer to each question, whatever the database."""

from __future__ import annotations

import datetime as dt

from bot.db import migrate, repo
from bot.db.engine import create_engine, session_factory
from bot.domain.item_analysis import FirstAnswer

T0 = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)


async def test_only_a_members_first_answer_outside_review_counts(database_url: str) -> None:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    sessions = session_factory(engine)

    def graded(user: int, qid: str, letters: str | None, correct: bool, hours: int, source: str = "daily"):
        at = T0 + dt.timedelta(hours=hours)
        return repo.GradedAnswer(1, user, "tst", qid, "1", "1.1", source, correct, 0, at, letters)

    async with sessions.begin() as session:
        await repo.add_graded(
            session,
            [
                graded(1, "Q", "A", True, 0, source="review"),  # a review, even the earliest: not counted
                graded(1, "Q", "C", False, 1),  # the first of two at the same moment: counted
                graded(1, "Q", "B", False, 1),
                graded(1, "Q", "A", True, 5, source="quiz"),  # a second try: not counted
                graded(2, "Q", "", False, 0, source="mock"),  # left blank when a mock's time ran out
                graded(2, "Q", "A", True, 3),
                graded(3, "Q", None, True, 0),  # graded before letters were kept: counted, letters unknown
                graded(3, "R", "D", False, 0),
            ],
        )
        other_pack = repo.GradedAnswer(1, 4, "other", "Q", "1", "1.1", "daily", True, 0, T0, "A")
        await repo.add_graded(session, [other_pack])
    async with sessions.begin() as session:
        found = sorted(await repo.first_answers(session, "tst"))
    await engine.dispose()
    assert found == [
        FirstAnswer(1, "Q", False, "C"),
        FirstAnswer(2, "Q", True, "A"),
        FirstAnswer(3, "Q", True, None),
        FirstAnswer(3, "R", False, "D"),
    ]
