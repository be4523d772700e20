"""Question feedback: members' reports of problems, and item analysis of the answers already stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo
from bot.domain.item_analysis import ItemKey, ItemStats, Thresholds, analyse
from bot.domain.pack import ExamPack
from bot.domain.reports import COMMENT_LIMIT, REPORT_REASONS, ReportedQuestion, by_question
from bot.errors import UserError

#: Where a report was made: a reveal (daily question or quiz round), a mock's review, a /review card.
REPORT_SOURCES = ("daily", "quiz", "mock", "review")


class FeedbackService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def report(
        self,
        pack: ExamPack,
        question_id: str,
        *,
        guild_id: int | None,
        user_id: int,
        reason: str,
        source: str,
        now: dt.datetime,
    ) -> None:
        if reason not in REPORT_REASONS:
            raise UserError("Choose one of the reasons in the list.")
        if source not in REPORT_SOURCES or pack.question(question_id) is None:
            raise UserError("That question is no longer in the bank, so it cannot be reported.")
        async with self._sessions.begin() as session:
            await repo.save_report(
                session,
                pack=pack.slug,
                question_id=question_id,
                guild_id=guild_id,
                user_id=user_id,
                reason=reason,
                source=source,
                now=now,
            )

    async def comment(self, pack: str, question_id: str, user_id: int, comment: str) -> None:
        comment = comment.strip()
        if len(comment) > COMMENT_LIMIT:
            raise UserError(f"A comment can be {COMMENT_LIMIT} characters at most; yours has {len(comment)}.")
        async with self._sessions.begin() as session:
            found = await repo.comment_on_report(
                session, pack=pack, question_id=question_id, user_id=user_id, comment=comment
            )
        if not found:
            raise UserError("Your report is no longer stored: press Report a problem again.")

    async def reports(
        self, *, pack: str | None = None, guild_id: int | None = None
    ) -> list[ReportedQuestion]:
        async with self._sessions.begin() as session:
            return by_question(await repo.question_reports(session, pack=pack, guild_id=guild_id))

    async def analyse(self, pack: ExamPack, thresholds: Thresholds) -> list[ItemStats]:
        """Item analysis of a pack from every first answer stored (answers to questions since removed
        from the pack still count towards their members' rest scores)."""
        async with self._sessions.begin() as session:
            answers = await repo.first_answers(session, pack.slug)
        keys = {q.id: ItemKey(q.answer_key, q.kind.sequenced) for q in pack.questions}
        return analyse(answers, keys, thresholds)
