"""The daily service on a real SQLite file: exactly-once posting, answer locking, scoring once."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from bot.db.models import Answer, Attempt, Member, MemberStat
from bot.domain.grading import Pick
from bot.errors import UserError
from bot.services.daily import DailyService, ScheduleRequest

GUILD, CHANNEL, ALICE, BOB, CAROL = 1, 10, 100, 200, 300
MONDAY_0900 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # the post time (09:00 London in winter)


@pytest.fixture
def daily(sessions, guilds) -> DailyService:
    return DailyService(sessions, guilds, random.Random(3))


async def schedule(daily: DailyService, **changes) -> int:
    request = ScheduleRequest(channel_id=CHANNEL, time_of_day="09:00", timezone="Europe/London", **changes)
    view, _ = await daily.save_schedule(GUILD, request, ALICE, MONDAY_0900)
    return view.id


async def open_post(daily: DailyService, day=dt.date(2026, 11, 23), message_id=5000, **changes):
    schedule_id = await schedule(daily, **changes)
    plan = await daily.claim_occurrence(schedule_id, day, MONDAY_0900)
    await daily.mark_open(plan, message_id)
    return plan


async def test_bad_input_saves_nothing(daily) -> None:
    for changes, words in [
        ({"time_of_day": "25:61"}, "not a time of day"),
        ({"timezone": "Mars/Base"}, "not a timezone"),
        ({"days": "someday"}, "not a day"),
        ({"domains": "1,7"}, "Unknown domain `7`"),
        ({"exam": "nope"}, "no exam called `nope`"),
        ({"window_hours": 30}, "24 hours"),
    ]:
        request = ScheduleRequest(
            channel_id=CHANNEL, **{"time_of_day": "09:00", "timezone": "UTC", **changes}
        )
        with pytest.raises(UserError, match=words):
            await daily.save_schedule(GUILD, request, ALICE, MONDAY_0900)
    assert await daily.list_schedules(GUILD) == []


async def test_one_schedule_per_channel_is_replaced_not_duplicated(daily) -> None:
    first = await schedule(daily)
    second = await schedule(daily, days="mon-fri")
    views = await daily.list_schedules(GUILD)
    assert first == second and len(views) == 1 and views[0].days_text == "Mon–Fri"


async def test_each_occurrence_is_claimed_once_even_concurrently(daily) -> None:
    schedule_id = await schedule(daily)
    day = dt.date(2026, 11, 23)
    claims = await asyncio.gather(*(daily.claim_occurrence(schedule_id, day, MONDAY_0900) for _ in range(5)))
    assert sum(c is not None for c in claims) == 1
    assert await daily.claim_occurrence(schedule_id, day, MONDAY_0900) is None
    assert await daily.claim_occurrence(schedule_id, dt.date(2026, 11, 24), MONDAY_0900) is not None


async def test_rotation_does_not_repeat_within_a_server(daily) -> None:
    schedule_id = await schedule(daily)
    asked = []
    for n in range(6):
        plan = await daily.claim_occurrence(
            schedule_id, dt.date(2026, 11, 23) + dt.timedelta(days=n), MONDAY_0900
        )
        asked.append(plan.question.id)
    assert len(set(asked)) == 6


async def test_first_complete_answer_locks_and_replays_do_not_double_count(daily, sessions) -> None:
    plan = await open_post(daily)
    letters = plan.question.letters
    now = MONDAY_0900 + dt.timedelta(hours=1)
    needed = plan.question.choose
    for letter in letters[:needed]:
        await daily.record_pick(5000, BOB, letter, True, now)
    # a replayed gateway event and a change of mind after locking change nothing
    replay = await daily.record_pick(5000, BOB, letters[0], True, now)
    assert not replay.changed
    late = await daily.record_pick(5000, BOB, letters[-1], True, now)
    assert not late.changed and late.pick.letters == "".join(letters[:needed])
    await asyncio.gather(*(daily.record_pick(5000, CAROL, letter, True, now) for letter in letters))
    async with sessions() as session:
        answers = (await session.scalars(select(Answer).order_by(Answer.user_id))).all()
    assert [(a.user_id, a.locked) for a in answers] == [(BOB, True), (CAROL, True)]
    assert all(len(a.letters) == needed for a in answers)


@pytest.mark.parametrize(("domain", "choose"), [("1", 1), ("2", 2)])  # the test pack: singles, then pairs
async def test_a_crowd_answering_at_once_is_stored_once_each(daily, sessions, domain, choose) -> None:
    plan = await open_post(daily, domains=domain)
    assert plan.question.choose == choose
    chosen = plan.question.letters[: plan.question.choose]
    crowd = range(1000, 1300)
    now = MONDAY_0900 + dt.timedelta(hours=1)
    # every member's letters arrive at the same moment, each event twice (a replay after a resume)
    outcomes = await asyncio.gather(
        *(daily.record_pick(5000, user, letter, True, now) for user in crowd for letter in chosen * 2)
    )
    completed = [o for o in outcomes if o.changed and o.pick.locked]
    assert len(completed) == len(crowd)
    async with sessions() as session:
        answers = (await session.scalars(select(Answer))).all()
    assert sorted(a.user_id for a in answers) == list(crowd)
    assert all(a.locked and a.letters == "".join(chosen) for a in answers)


async def test_reactions_outside_the_question_are_ignored(daily) -> None:
    plan = await open_post(daily)
    now = MONDAY_0900 + dt.timedelta(hours=1)
    assert (await daily.record_pick(5000, BOB, "F", True, now)).pick is None  # no option F
    assert (await daily.record_pick(9999, BOB, "A", True, now)).post is None  # another message
    after_close = plan.closes_at + dt.timedelta(seconds=1)
    assert (await daily.record_pick(5000, BOB, "A", True, after_close)).pick is None


async def test_scoring_happens_once_and_matches_the_answers(daily, sessions) -> None:
    plan = await open_post(daily)
    q = plan.question
    right = sorted(q.key)
    wrong = [x for x in q.letters if x not in q.key][: q.choose]
    now = MONDAY_0900 + dt.timedelta(hours=1)
    for letter in right:
        await daily.record_pick(5000, BOB, letter, True, now)
    for letter in wrong:
        await daily.record_pick(5000, CAROL, letter, True, now)
    first = await daily.score(plan.post_id, plan.closes_at)
    again = await asyncio.gather(*(daily.score(plan.post_id, plan.closes_at) for _ in range(3)))
    assert first.first_time and not any(r.first_time for r in again)
    assert first.correct_users == [BOB] and first.answered == 2
    assert all(r.correct_users == [BOB] for r in again)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Attempt)) == 2
        bob = await session.get(Member, (GUILD, BOB))
        carol = await session.get(Member, (GUILD, CAROL))
        stats = (await session.scalars(select(MemberStat).where(MemberStat.user_id == BOB))).all()
    assert (bob.points, bob.streak) == (10, 1)
    assert (carol.points, carol.streak) == (0, 0)
    assert [(s.task_id, s.attempts, s.correct) for s in stats] == [(q.task_id, 1, 1)]


async def test_reconcile_rebuilds_unlocked_picks_only(daily) -> None:
    plan = await open_post(daily)
    q = plan.question
    now = MONDAY_0900 + dt.timedelta(hours=1)
    for letter in q.letters[: q.choose]:
        await daily.record_pick(5000, BOB, letter, True, now)
    changed, answered = await daily.reconcile(
        plan, {BOB: set(q.letters), CAROL: set(q.letters[-q.choose :])}, now
    )
    assert (changed, answered) == (1, 2)
    reveal = await daily.score(plan.post_id, plan.closes_at)
    assert reveal.answered == 2


async def answer_and_reveal(
    daily: DailyService, schedule_id: int, day: dt.date, right: set[int], wrong: set[int]
):
    """One occurrence of the daily question: the members in ``right`` answer it right, those in
    ``wrong`` wrong, then it is revealed."""
    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    plan = await daily.claim_occurrence(schedule_id, day, at)
    message_id = 5000 + day.toordinal()
    await daily.mark_open(plan, message_id)
    q = plan.question
    wrong_letters = [x for x in q.letters if x not in q.key][: q.choose]
    for user in sorted(right | wrong):
        for letter in sorted(q.key) if user in right else wrong_letters:
            await daily.record_pick(message_id, user, letter, True, at + dt.timedelta(minutes=5))
    return await daily.score(plan.post_id, plan.closes_at)


async def test_streaks_count_consecutive_scheduled_days_answered_right(daily, sessions) -> None:
    schedule_id = await schedule(daily)
    dave = 400
    monday = dt.date(2026, 11, 23)
    days = [monday + dt.timedelta(days=n) for n in range(5)]
    await answer_and_reveal(daily, schedule_id, days[0], right={BOB, CAROL}, wrong=set())
    await answer_and_reveal(daily, schedule_id, days[1], right={BOB}, wrong={CAROL})
    await answer_and_reveal(daily, schedule_id, days[2], right={BOB, CAROL, dave}, wrong=set())
    # Bob misses a day: his next right answer starts a new streak; Dave keeps his going.
    await answer_and_reveal(daily, schedule_id, days[3], right={dave}, wrong=set())
    reveal = await answer_and_reveal(daily, schedule_id, days[4], right={BOB, dave}, wrong={CAROL})
    assert reveal.points == {BOB: 10, dave: 10, CAROL: 0}
    async with sessions() as session:
        members = {m.user_id: m for m in (await session.scalars(select(Member))).all()}
    standing = {u: (m.points, m.streak, m.best_streak, m.last_streak_day) for u, m in members.items()}
    assert standing == {
        BOB: (40, 1, 3, days[4]),
        CAROL: (20, 0, 1, days[2]),
        dave: (30, 3, 3, days[4]),
    }


async def test_a_crowd_is_graded_exactly_once_each(daily, sessions) -> None:
    plan = await open_post(daily, domains="1")  # single answers: one reaction each
    q = plan.question
    wrong = [x for x in q.letters if x not in q.key][: q.choose]
    crowd = range(10_000, 11_000)
    right = {u for u in crowd if u % 3 == 0}
    now = MONDAY_0900 + dt.timedelta(hours=1)
    await asyncio.gather(
        *(
            daily.record_pick(5000, user, letter, True, now)
            for user in crowd
            for letter in (sorted(q.key) if user in right else wrong)
        )
    )
    reveals = await asyncio.gather(*(daily.score(plan.post_id, plan.closes_at) for _ in range(2)))
    assert sorted(r.first_time for r in reveals) == [False, True]
    assert all(sorted(r.correct_users) == sorted(right) and r.answered == len(crowd) for r in reveals)
    async with sessions() as session:
        attempts = (await session.scalars(select(Attempt))).all()
        members = (await session.scalars(select(Member))).all()
        stats = (await session.scalars(select(MemberStat))).all()
    assert sorted(a.user_id for a in attempts) == list(crowd)
    assert {m.user_id: m.points for m in members} == {u: 10 if u in right else 0 for u in crowd}
    assert {s.user_id: (s.attempts, s.correct) for s in stats} == {u: (1, int(u in right)) for u in crowd}


async def test_reconcile_after_a_restart_keeps_locked_answers_and_completes_the_rest(daily, sessions) -> None:
    plan = await open_post(daily, domains="2")  # pairs: a pick can be half made
    q = plan.question
    first, second, third = q.letters[:3]
    now = MONDAY_0900 + dt.timedelta(hours=1)
    locked, half, unseen = range(1000, 1150), range(2000, 2150), range(3000, 3150)
    for user in locked:
        for letter in (first, second):
            await daily.record_pick(5000, user, letter, True, now)
    for user in half:
        await daily.record_pick(5000, user, third, True, now)
    # Reactions read back after the restart: the locked members reacted more since (ignored), the
    # half-made picks got their second letter, and the unseen members reacted while the bot was down.
    reactions = (
        {u: {second, third} for u in locked}
        | {u: {first, third} for u in half}
        | {u: {second, third} for u in unseen}
    )
    everyone = len(locked) + len(half) + len(unseen)
    assert await daily.reconcile(plan, reactions, now) == (len(half) + len(unseen), everyone)
    assert await daily.reconcile(plan, reactions, now) == (0, everyone), "a replay changes nothing"
    async with sessions() as session:
        stored = {a.user_id: (a.letters, a.locked) for a in (await session.scalars(select(Answer))).all()}
    expected = (
        {u: ("".join(sorted((first, second))), True) for u in locked}
        | {u: ("".join(sorted((first, third))), True) for u in half}
        | {u: ("".join(sorted((second, third))), True) for u in unseen}
    )
    assert stored == expected


async def test_reactions_written_together_apply_in_the_order_they_came(daily, sessions) -> None:
    plan = await open_post(daily, domains="2")  # pairs
    a, b, c = plan.question.letters[:3]
    now = MONDAY_0900 + dt.timedelta(hours=1)
    await daily.record_pick(5000, CAROL, a, True, now)
    # Bob changes his mind within one batch; Carol completes her pair in it.
    outcomes = await asyncio.gather(
        daily.record_pick(5000, BOB, a, True, now),
        daily.record_pick(5000, BOB, a, False, now),
        daily.record_pick(5000, BOB, b, True, now),
        daily.record_pick(5000, CAROL, c, True, now),
        daily.record_pick(5000, CAROL, b, True, now),  # after her answer locked: ignored
    )
    assert [(o.pick, o.changed) for o in outcomes] == [
        (Pick(a, False), True),
        (Pick("", False), True),
        (Pick(b, False), True),
        (Pick(a + c, True), True),
        (Pick(a + c, True), False),
    ]
    await daily.score(plan.post_id, plan.closes_at)
    assert (await daily.record_pick(5000, BOB, c, True, now)).post is None, "closed: nothing changes"
    async with sessions() as session:
        stored = {x.user_id: (x.letters, x.locked) for x in (await session.scalars(select(Answer))).all()}
    assert stored == {BOB: (b, False), CAROL: (a + c, True)}


async def test_a_miss_enters_the_review_queue_and_a_later_answer_moves_it(daily, sessions) -> None:
    from bot.db import reviews
    from bot.db.repo import GradedAnswer
    from bot.services.reviews import record_in_reviews

    schedule_id = await schedule(daily)
    first = await answer_and_reveal(daily, schedule_id, dt.date(2026, 11, 23), right={BOB}, wrong={CAROL})
    key = (CAROL, first.plan.pack.slug, first.plan.question.id)
    async with sessions() as session:
        cards = await reviews.cards(session, [key, (BOB, key[1], key[2])])
        due = await reviews.draw(session, CAROL, key[1], first.plan.closes_at, 10)
    assert list(cards) == [key], "only the miss is queued; a right answer never missed is not"
    assert due == [key[2]], "due at once"

    # the same question answered right later (a quiz, a mock or a review): it comes back much later
    q = first.plan.question
    later = first.plan.closes_at + dt.timedelta(days=1)
    right = GradedAnswer(None, CAROL, key[1], q.id, q.domain_id, q.task_id, "quiz", True, 0, later)
    async with sessions.begin() as session:
        await record_in_reviews(session, [right], later)
    async with sessions() as session:
        moved = (await reviews.cards(session, [key]))[key]
    assert moved.due > later and moved.last_review == later
