"""Leaderboards and statistics agree exactly with the answers stored, per server, and forget on request."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict

import pytest
from sqlalchemy import select

from bot.db.models import Attempt, MemberStat, ScoreArchive
from bot.domain.progress import MIN_ANSWERS, period_starts
from bot.services.daily import DailyService, ScheduleRequest
from bot.services.progress import ProgressService

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
GUILDS = {1: 10, 2: 20}  # guild -> channel
MEMBERS = list(range(100, 108))


@pytest.fixture
async def played(sessions, guilds):
    """Eight members answer 14 posts in each of two servers, spread over six weeks."""
    daily = DailyService(sessions, guilds, random.Random(1))
    rng = random.Random(7)
    for guild_id, channel_id in GUILDS.items():
        request = ScheduleRequest(channel_id=channel_id, time_of_day="09:00", timezone="Europe/London")
        await daily.save_schedule(guild_id, request, 1, NOW)
        for n in range(14):
            opened = NOW - dt.timedelta(days=42) + dt.timedelta(days=n * 3, hours=rng.randint(0, 23))
            plan = await daily.claim_now(guild_id, channel_id, opened)
            await daily.mark_open(plan, 10_000 * guild_id + n)
            for user in rng.sample(MEMBERS, rng.randint(3, len(MEMBERS))):
                for letter in rng.sample(plan.question.letters, plan.question.choose):
                    await daily.record_pick(10_000 * guild_id + n, user, letter, True, opened)
            await daily.score(plan.post_id, opened + dt.timedelta(hours=1))
    return ProgressService(sessions, guilds)


def expected_board(attempts, guild_id, period, domain, by):
    start = period_starts(NOW, "Europe/London")[period]
    totals = defaultdict(lambda: [0, 0, 0])
    for a in attempts:
        local_day = period_starts(a.answered_at.replace(tzinfo=dt.UTC), "Europe/London")[period]
        if a.guild_id != guild_id or local_day != start or (domain and a.domain_id != domain):
            continue
        totals[a.user_id][0] += a.points
        totals[a.user_id][1] += 1
        totals[a.user_id][2] += int(a.correct)
    if by == "points":
        order = sorted(totals.items(), key=lambda kv: (-kv[1][0], -kv[1][2], kv[0]))
    else:
        eligible = [kv for kv in totals.items() if kv[1][1] >= MIN_ANSWERS[period]]
        order = sorted(eligible, key=lambda kv: (-kv[1][2] / kv[1][1], -kv[1][1], kv[0]))
    return [(uid, p, n, c) for uid, (p, n, c) in order]


@pytest.mark.parametrize("by", ["points", "accuracy"])
async def test_every_board_matches_a_recount_of_the_raw_answers(played, sessions, by) -> None:
    async with sessions() as session:
        attempts = (await session.scalars(select(Attempt))).all()
    for guild_id in GUILDS:
        for period in ("week", "month", "all"):
            for domain in (None, "1", "2"):
                expected = expected_board(attempts, guild_id, period, domain or "", by)
                board = await played.leaderboard(guild_id, MEMBERS[-1], period, by, domain, NOW)
                got = [(r.user_id, r.points, r.answered, r.correct) for r in board.rows]
                assert got == expected[:10], (guild_id, period, domain, by)
                caller = next((i for i, e in enumerate(expected) if e[0] == MEMBERS[-1]), None)
                if caller is not None:
                    assert board.caller.rank == caller + 1


async def test_statistics_match_the_raw_answers_and_stay_in_their_server(played, sessions) -> None:
    async with sessions() as session:
        attempts = (await session.scalars(select(Attempt))).all()
        stats = (await session.scalars(select(MemberStat))).all()
    recount = defaultdict(lambda: [0, 0])
    for a in attempts:
        recount[(a.guild_id, a.user_id, a.task_id)][0] += 1
        recount[(a.guild_id, a.user_id, a.task_id)][1] += int(a.correct)
    assert {(s.guild_id, s.user_id, s.task_id): [s.attempts, s.correct] for s in stats} == dict(recount)
    progress = await played.member_progress(1, MEMBERS[0], NOW)
    mine = [a for a in attempts if a.guild_id == 1 and a.user_id == MEMBERS[0]]
    assert sum(n for _, n, _ in progress.domains) == len(mine)
    assert progress.points == sum(a.points for a in mine)
    board = await played.leaderboard(2, MEMBERS[0], "all", "points", None, NOW)
    guild2 = {a.user_id for a in attempts if a.guild_id == 2}
    assert {r.user_id for r in board.rows} <= guild2


async def test_delete_removes_a_member_everywhere_and_export_lists_it_first(played, sessions) -> None:
    user = MEMBERS[0]
    exported = json.loads(await played.export(user))
    assert exported["user_id"] == str(user)
    assert len(exported["tables"]["attempts"]) > 0 and len(exported["tables"]["answers"]) > 0
    await played.delete_everything(user)
    for guild_id in GUILDS:
        for by in ("points", "accuracy"):
            board = await played.leaderboard(guild_id, user, "all", by, None, NOW)
            assert user not in {r.user_id for r in board.rows} and board.caller is None
    after = json.loads(await played.export(user))
    assert all(rows == [] for rows in after["tables"].values())


async def test_reset_archives_the_standings_and_clears_the_boards(played, sessions) -> None:
    before = await played.leaderboard(1, MEMBERS[0], "all", "points", None, NOW)
    archived = await played.reset_scores(1, None, NOW)
    assert archived == len(MEMBERS)
    after = await played.leaderboard(1, MEMBERS[0], "all", "points", None, NOW)
    assert after.rows == () and after.caller is None
    async with sessions() as session:
        archive = {a.user_id: a.points for a in (await session.scalars(select(ScoreArchive))).all()}
    assert {r.user_id: r.points for r in before.rows}.items() <= archive.items()
    still = await played.leaderboard(2, MEMBERS[0], "all", "points", None, NOW)
    assert still.rows, "the other server keeps its season"
