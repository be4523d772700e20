"""Members' reports of problems with questions: the reasons they choose from, and reports grouped by
question for a maintainer, most reported first."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

#: Reason code (stored) -> what a member reads.
REPORT_REASONS: dict[str, str] = {
    "wrong-key": "The key is wrong",
    "two-right": "More than one answer is right",
    "outdated": "Outdated (a service or feature changed)",
    "unclear": "The question is unclear",
    "typo": "A typo or formatting problem",
    "other": "Something else",
}
COMMENT_LIMIT = 500  # characters: a note for the maintainer, not an essay


@dataclass(frozen=True)
class Report:
    pack: str
    question_id: str
    guild_id: int | None
    user_id: int
    reason: str
    comment: str | None
    source: str
    reported_at: dt.datetime


@dataclass(frozen=True)
class ReportedQuestion:
    pack: str
    question_id: str
    reports: tuple[Report, ...]

    @property
    def reasons(self) -> dict[str, int]:
        """Reason -> how many members gave it, most given first."""
        return dict(Counter(r.reason for r in self.reports).most_common())

    @property
    def comments(self) -> tuple[str, ...]:
        return tuple(r.comment for r in self.reports if r.comment)


def by_question(reports: Iterable[Report]) -> list[ReportedQuestion]:
    """Reports grouped by question: the most reported first, then the most recently reported."""
    grouped: dict[tuple[str, str], list[Report]] = {}
    for report in reports:
        grouped.setdefault((report.pack, report.question_id), []).append(report)
    questions = [ReportedQuestion(pack, qid, tuple(rs)) for (pack, qid), rs in grouped.items()]
    questions.sort(
        key=lambda q: (-len(q.reports), -max(r.reported_at for r in q.reports).timestamp(), q.question_id)
    )
    return questions
