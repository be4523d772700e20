"""What members see of their progress: statistics, leaderboards, readiness, and their own data."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo, reviews
from bot.db.models import Member, PeriodStat, ScoreArchive
from bot.db.timestamps import as_utc
from bot.domain.pack import ExamPack
from bot.domain.progress import (
    MIN_ANSWERS,
    OVERALL_BOARD,
    PERIODS,
    RECENT_ANSWERS,
    Period,
    Readiness,
    TaskScore,
    domain_board,
    end_of_day,
    period_starts,
    readiness,
    weakest_tasks,
)
from bot.domain.review import QueueSummary, summarise
from bot.errors import UserError, echo
from bot.services.guilds import GuildService

BOARD_SIZE = 10
TREND_WEEKS = 8


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user_id: int
    points: int
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Board:
    period: Period
    by: str
    domain_id: str | None
    period_start: dt.date
    rows: tuple[BoardRow, ...]
    caller: BoardRow | None
    minimum: int | None  # accuracy boards: answers needed to be ranked
    season_started: dt.datetime | None = None  # when an admin last reset the scores (empty boards only)
    exam_code: str | None = None  # the exam of a domain board


@dataclass(frozen=True)
class WeakTask:
    task_id: str
    name: str
    attempts: int
    correct: int
    tags: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True)
class MemberProgress:
    pack: ExamPack
    domains: tuple[tuple[str, int, int], ...]  # domain id, attempts, correct
    points: int
    streak: int
    best_streak: int
    mocks_taken: int
    best_mock: int | None
    weakest: tuple[WeakTask, ...]
    weekly: tuple[tuple[dt.date, int, int], ...]  # week start, answered, correct (oldest first)
    review: QueueSummary  # the spaced-review queue of this exam


def _row(rank: int, stat: PeriodStat) -> BoardRow:
    return BoardRow(rank, stat.user_id, stat.points, stat.answered, stat.correct)


class ProgressService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], guilds: GuildService) -> None:
        self._sessions = sessions
        self._guilds = guilds

    async def check_board(
        self,
        guild_id: int,
        period: str,
        by: str,
        domain_id: str | None,
        now: dt.datetime,
        exam: str | None = None,
    ) -> ExamPack:
        """Refuse a board that cannot be drawn, before anything is shown in the channel; the exam whose
        domain board it is (the server's default unless named)."""
        if period not in PERIODS:
            raise UserError("The period is week, month or all.")
        if by not in ("points", "accuracy"):
            raise UserError("Rank by points or accuracy.")
        pack = await self._guilds.exam_for(guild_id, exam, now)
        if domain_id is not None and pack.blueprint.domain(domain_id) is None:
            raise UserError(
                f"Unknown domain {echo(domain_id)}; {pack.blueprint.code} has domains "
                + ", ".join(f"{d.id} ({d.name})" for d in pack.blueprint.domains)
                + "."
            )
        return pack

    async def leaderboard(
        self,
        guild_id: int,
        caller_id: int,
        period: str,
        by: str,
        domain_id: str | None,
        now: dt.datetime,
        exam: str | None = None,
    ) -> Board:
        """The server's board: overall (points and accuracy across every exam), or one exam's domain."""
        pack = await self.check_board(guild_id, period, by, domain_id, now, exam)
        config = await self._guilds.config(guild_id, now)
        chosen = cast("Period", period)
        start = period_starts(now, config.timezone)[chosen]
        domain = OVERALL_BOARD if domain_id is None else domain_board(pack.slug, domain_id)
        minimum = MIN_ANSWERS[chosen] if by == "accuracy" else None
        async with self._sessions.begin() as session:
            if minimum is None:
                top = await repo.top_by_points(session, guild_id, chosen, start, domain, BOARD_SIZE)
            else:
                top = await repo.top_by_accuracy(
                    session, guild_id, chosen, start, domain, minimum, BOARD_SIZE
                )
            rows = tuple(_row(i + 1, stat) for i, stat in enumerate(top))
            caller = next((r for r in rows if r.user_id == caller_id), None)
            mine = await repo.period_row(session, guild_id, caller_id, chosen, start, domain)
            if caller is None and mine is not None:
                if minimum is None:
                    caller = _row(
                        await repo.rank_by_points(session, guild_id, chosen, start, domain, mine), mine
                    )
                elif mine.answered >= minimum:
                    rank = await repo.rank_by_accuracy(
                        session, guild_id, chosen, start, domain, minimum, mine
                    )
                    caller = _row(rank, mine)
                else:
                    caller = _row(0, mine)  # not ranked yet: too few answers
            # An empty board right after /scores reset should say why, not that nobody ever answered.
            season = None if rows else await repo.last_score_reset(session, guild_id)
        exam_code = None if domain_id is None else pack.blueprint.code
        return Board(chosen, by, domain_id, start, rows, caller, minimum, season, exam_code)

    async def forget_departed(self, guild_id: int, user_ids: list[int], now: dt.datetime) -> None:
        async with self._sessions.begin() as session:
            for user_id in user_ids:
                await repo.forget_in_guild(session, guild_id, user_id, now)

    async def activity(self, guild_id: int, user_id: int) -> tuple[int, int]:
        """How many answers and finished mocks a member has in a server (for their next step)."""
        async with self._sessions.begin() as session:
            return await repo.member_activity(session, guild_id, user_id)

    async def studied_exam(
        self, guild_id: int | None, user_id: int, exam: str | None, now: dt.datetime
    ) -> ExamPack:
        """The exam a member named; else the one they practised most recently here; else the server's."""
        if exam:
            return self._guilds.exam(exam, guild_id)
        async with self._sessions.begin() as session:
            latest = await repo.latest_practised_pack(session, guild_id, user_id)
        if latest is not None and latest in self._guilds.packs_for(guild_id):
            return self._guilds.pack(latest)
        return await self._guilds.pack_for(guild_id, now)

    async def member_progress(
        self, guild_id: int, user_id: int, now: dt.datetime, exam: str | None = None
    ) -> MemberProgress:
        """A member's progress in one exam (points and streaks are the server's, across exams)."""
        config = await self._guilds.config(guild_id, now)
        pack = await self.studied_exam(guild_id, user_id, exam, now)
        async with self._sessions.begin() as session:
            tasks = await repo.member_task_stats(session, guild_id, user_id, pack.slug)
            member = await session.get(Member, (guild_id, user_id))
            mocks = await repo.finished_mocks(session, user_id, guild_id, pack.slug)
            since = now - dt.timedelta(weeks=TREND_WEEKS)
            attempts = await repo.member_attempts_since(session, guild_id, user_id, pack.slug, since)
            cards = await reviews.queue(session, user_id, pack.slug)
        by_domain: dict[str, list[int]] = {d.id: [0, 0] for d in pack.blueprint.domains}
        for t in tasks:
            if t.domain_id in by_domain:
                by_domain[t.domain_id][0] += t.attempts
                by_domain[t.domain_id][1] += t.correct
        missed = Counter(a.question_id for a in attempts if not a.correct)
        weakest = tuple(
            self._weak_task(pack, score, missed)
            for score in weakest_tasks(TaskScore(t.task_id, t.attempts, t.correct) for t in tasks)
        )
        weekly: dict[dt.date, list[int]] = {}
        start_of_week = period_starts(now, config.timezone)["week"]
        for n in range(TREND_WEEKS - 1, -1, -1):
            weekly[start_of_week - dt.timedelta(weeks=n)] = [0, 0]
        for a in attempts:
            week = period_starts(as_utc(a.answered_at), config.timezone)["week"]
            if week in weekly:
                weekly[week][0] += 1
                weekly[week][1] += int(a.correct)
        scores = [m.scaled_score for m in mocks if m.scaled_score is not None]
        return MemberProgress(
            pack,
            tuple((d, v[0], v[1]) for d, v in by_domain.items()),
            member.points if member else 0,
            member.streak if member else 0,
            member.best_streak if member else 0,
            len(mocks),
            max(scores) if scores else None,
            weakest,
            tuple((week, v[0], v[1]) for week, v in weekly.items()),
            summarise(list(cards), end_of_day(now, config.timezone)),
        )

    @staticmethod
    def _weak_task(pack: ExamPack, score: TaskScore, missed: Counter[str]) -> WeakTask:
        task = pack.blueprint.task(score.task_id)
        questions = [q for q in pack.questions if q.task_id == score.task_id]
        tags = Counter(tag for q in questions if missed[q.id] for tag in q.tags) or Counter(
            tag for q in questions for tag in q.tags
        )
        most_missed = sorted((q for q in questions if missed[q.id]), key=lambda q: -missed[q.id])[:3]
        references = tuple(dict.fromkeys(q.references[0] for q in most_missed))
        return WeakTask(
            score.task_id,
            task.name if task else score.task_id,
            score.attempts,
            score.correct,
            tuple(t for t, _ in tags.most_common(4)),
            references,
        )

    async def readiness(
        self, guild_id: int | None, user_id: int, now: dt.datetime, exam: str | None = None
    ) -> tuple[ExamPack, Readiness]:
        """The estimate for one exam (by default the one the member practised most recently)."""
        pack = await self.studied_exam(guild_id, user_id, exam, now)
        async with self._sessions.begin() as session:
            recent = await repo.recent_attempts(session, user_id, pack.slug, RECENT_ANSWERS)
        return pack, readiness(pack.blueprint, ((a.domain_id, a.correct) for a in recent))

    async def export(self, user_id: int) -> bytes:
        async with self._sessions.begin() as session:
            tables = await repo.rows_of_user(session, user_id)
        document = {"user_id": str(user_id), "format": "studybot-export-1", "tables": tables}
        return json.dumps(document, indent=2, default=str, ensure_ascii=False).encode()

    async def delete_everything(self, user_id: int) -> None:
        async with self._sessions.begin() as session:
            await repo.delete_user(session, user_id)

    async def reset_scores(self, guild_id: int, user_id: int | None, now: dt.datetime) -> int:
        """Start a new season for the server (or one member): archive the standings, then clear the
        boards, points and streaks. Answers and statistics stay. Returns how many members were archived."""
        async with self._sessions.begin() as session:
            stats_query = select(PeriodStat).where(
                PeriodStat.guild_id == guild_id, PeriodStat.period == "all", PeriodStat.domain_id == ""
            )
            members_query = select(Member).where(Member.guild_id == guild_id)
            if user_id is not None:
                stats_query = stats_query.where(PeriodStat.user_id == user_id)
                members_query = members_query.where(Member.user_id == user_id)
            totals = {s.user_id: s for s in (await session.scalars(stats_query)).all()}
            members = {m.user_id: m for m in (await session.scalars(members_query)).all()}
            for uid in sorted(set(totals) | set(members)):
                stat, member = totals.get(uid), members.get(uid)
                session.add(
                    ScoreArchive(
                        guild_id=guild_id,
                        user_id=uid,
                        points=member.points if member else 0,
                        answered=stat.answered if stat else 0,
                        correct=stat.correct if stat else 0,
                        best_streak=member.best_streak if member else 0,
                        archived_at=now,
                    )
                )
                if member is not None:
                    member.points, member.streak, member.best_streak, member.last_streak_day = 0, 0, 0, None
                    member.season_started_at = now
            await repo.clear_period_stats(session, guild_id, user_id)
            if user_id is None:
                guild = await repo.get_guild(session, guild_id)
                if guild is not None:
                    guild.season_started_at = now
            return len(set(totals) | set(members))
