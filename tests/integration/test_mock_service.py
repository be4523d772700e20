"""Mock exams on a real SQLite file: ownership, locking after the end, grading once, statistics."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from bot.bank import load_packs
from bot.config import SHIPPED_QUESTIONS
from bot.db.models import Attempt, MemberStat
from bot.errors import UserError
from bot.services.guilds import GuildService
from bot.services.mock import MockClosed, MockService

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
ALICE, BOB, GUILD = 1, 2, 99


@pytest.fixture
def mocks(sessions) -> MockService:
    packs = load_packs(SHIPPED_QUESTIONS)
    guilds = GuildService(sessions, packs, default_pack="mls-c01", default_timezone="UTC")
    return MockService(sessions, guilds, random.Random(1))


async def test_only_the_owner_can_press_and_one_mock_at_a_time(mocks) -> None:
    state = await mocks.start(ALICE, GUILD, 10, None, NOW)
    with pytest.raises(UserError, match="not your mock"):
        await mocks.pick(state.id, BOB, 0, "A", NOW)
    with pytest.raises(UserError, match="already have a mock running"):
        await mocks.start(ALICE, GUILD, 10, None, NOW)
    with pytest.raises(UserError, match="10, 20, 30, 65"):
        await mocks.start(BOB, GUILD, 12, None, NOW)
    with pytest.raises(UserError, match="Unknown domain"):
        await mocks.start(BOB, GUILD, 10, "9", NOW)


async def test_multiple_response_toggles_and_caps_at_choose(mocks) -> None:
    state = await mocks.start(ALICE, GUILD, 10, None, NOW)
    position = next(i for i, q in enumerate(state.questions) if q.choose == 2)
    state = await mocks.move(state.id, ALICE, position, NOW)
    a, b, c = state.current.letters[:3]
    state = await mocks.pick(state.id, ALICE, position, a, NOW)
    state = await mocks.pick(state.id, ALICE, position, b, NOW)
    with pytest.raises(UserError, match="take a letter back"):
        await mocks.pick(state.id, ALICE, position, c, NOW)
    state = await mocks.pick(state.id, ALICE, position, a, NOW)
    assert state.answers[position] == b


async def test_finishing_twice_grades_once_and_later_presses_are_refused(mocks, sessions) -> None:
    state = await mocks.start(ALICE, GUILD, 10, None, NOW)
    await mocks.pick(state.id, ALICE, 0, sorted(state.current.key)[0], NOW)
    results = await asyncio.gather(*(mocks.finish(state.id, ALICE, NOW) for _ in range(3)))
    assert all(r.finished for r in results)
    with pytest.raises(MockClosed) as closed:
        await mocks.pick(state.id, ALICE, 0, "A", NOW)
    assert not closed.value.timed_out
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Attempt)) == 10
        attempts = await session.scalar(
            select(func.sum(MemberStat.attempts)).where(MemberStat.user_id == ALICE)
        )
    assert attempts == 10


async def test_after_the_deadline_a_press_finishes_the_mock(mocks) -> None:
    state = await mocks.start(ALICE, GUILD, 10, None, NOW)
    late = state.deadline + dt.timedelta(seconds=1)
    with pytest.raises(MockClosed) as closed:
        await mocks.move(state.id, ALICE, 3, late)
    assert closed.value.timed_out
    finished = await mocks.get(state.id, ALICE, late)
    assert finished.finished_at == state.deadline and finished.report.correct == 0
    assert not await mocks.expire(state.id, late), "the deadline job finds nothing left to do"
    history = await mocks.history(ALICE, GUILD, "mls-c01")
    assert [(h.asked, h.correct, h.scaled) for h in history] == [(10, 0, 100)]


async def test_a_crowd_pressing_at_once_is_stored_press_for_press(mocks, sessions) -> None:
    """Presses of many members arriving together share transactions; after a restart (a new service
    reading the database) every mock stands exactly as its member last saw it, and grades the same."""
    members = range(100, 160)
    last_seen = {s.id: s for s in [await mocks.start(user, GUILD, 10, None, NOW) for user in members]}
    rng = random.Random(7)
    for _ in range(8):  # rounds: every member presses at the same moment, a pick or a move
        presses, picked = [], set()
        for state in last_seen.values():
            if rng.random() < 0.3:
                presses.append(mocks.move(state.id, state.user_id, rng.randrange(10), NOW))
            else:
                picked.add(state.id)
                presses.append(
                    mocks.pick(state.id, state.user_id, state.position, state.current.letters[0], NOW)
                )
        for result in await asyncio.gather(*presses):
            if result.id in picked and result.current.choose == 1:
                assert result.answers[result.position] == result.current.letters[0]
            last_seen[result.id] = result

    restarted = MockService(sessions, mocks._guilds, random.Random(2))
    for state in last_seen.values():
        reread = await restarted.get(state.id, state.user_id, NOW)
        assert (reread.answers, reread.position) == (state.answers, state.position)
    assert any(state.answered for state in last_seen.values())
    graded = await asyncio.gather(*(restarted.finish(s.id, s.user_id, NOW) for s in last_seen.values()))
    async with sessions() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.user_id.in_(list(members)))
        )
        correct = await session.scalar(
            select(func.sum(MemberStat.correct)).where(MemberStat.user_id.in_(list(members)))
        )
    assert stored == 10 * len(last_seen)
    assert correct == sum(g.report.correct for g in graded)


async def test_new_mocks_draw_unseen_questions_first_then_the_longest_unseen(mocks) -> None:
    domain = "1"  # 40 questions in the shipped pack: four 10-question mocks see them all
    drawn: list[set[str]] = []
    for hour in range(5):
        now = NOW + dt.timedelta(hours=hour)
        state = await mocks.start(ALICE, GUILD, 10, domain, now)
        drawn.append({q.id for q in state.questions})
        await mocks.finish(state.id, ALICE, now + dt.timedelta(minutes=5))
    first_three = set().union(*drawn[:3])
    assert len(first_three) == 30, "no question repeats while unseen ones remain"
    assert not drawn[4] & drawn[3], "once all were seen, those seen longest ago come back first"


async def test_starting_while_an_expired_mock_runs_finishes_it_first(mocks, sessions) -> None:
    old = await mocks.start(ALICE, GUILD, 10, None, NOW)
    for letter in sorted(old.current.key):
        await mocks.pick(old.id, ALICE, 0, letter, NOW)
    later = old.deadline + dt.timedelta(minutes=1)
    new = await mocks.start(ALICE, GUILD, 10, None, later)
    assert new.id != old.id and not new.finished
    finished = await mocks.get(old.id, ALICE, later)
    assert finished.finished_at == old.deadline and finished.report.correct == 1
    assert not {q.id for q in new.questions} & {q.id for q in old.questions}
