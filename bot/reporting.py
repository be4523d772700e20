"""Item analysis and question reports as a maintainer reads them: a table, CSV for a spreadsheet, JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from bot.domain.item_analysis import ItemStats
from bot.domain.reports import REPORT_REASONS, ReportedQuestion

Format = Literal["table", "csv", "json"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json")


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _counts(counts: Mapping[str, int]) -> str:
    return " ".join(f"{option}:{n}" for option, n in counts.items())


def analysis_rows(pack: str, stats: Sequence[ItemStats]) -> list[dict[str, Any]]:
    return [
        {
            "pack": pack,
            "question": s.question_id,
            "answers": s.answers,
            "difficulty": round(s.difficulty, 4),
            "point_biserial": None if s.point_biserial is None else round(s.point_biserial, 4),
            "upper_lower": None if s.upper_lower is None else round(s.upper_lower, 4),
            "options": dict(s.options),
            "upper_options": dict(s.upper_options),
            "lower_options": dict(s.lower_options),
            "flags": list(s.flags),
        }
        for s in stats
    ]


def analysis_table(pack: str, stats: Sequence[ItemStats], min_answers: int) -> str:
    if not stats:
        return f"{pack}: no question has {min_answers} first answers yet (ITEM_ANALYSIS_MIN_ANSWERS)"
    flagged = sum(1 for s in stats if s.flags)
    lines = [
        f"{pack}: {len(stats)} questions with at least {min_answers} first answers, {flagged} flagged",
        "p = share right, r = point-biserial with the rest score, D = upper 27% minus lower 27% right",
        f"{'question':<20} {'answers':>7} {'p':>5} {'r':>6} {'D':>6}  options (all | top | bottom)",
    ]
    for s in stats:
        lines.append(
            f"{s.question_id:<20} {s.answers:>7} {_number(s.difficulty):>5} {_number(s.point_biserial):>6} "
            f"{_number(s.upper_lower):>6}  {_counts(s.options)} | {_counts(s.upper_options)} | "
            f"{_counts(s.lower_options)}"
        )
        lines.extend(f"{'':<22}! {flag}" for flag in s.flags)
    return "\n".join(lines)


def report_rows(
    questions: Sequence[ReportedQuestion], stats: Mapping[tuple[str, str], ItemStats]
) -> list[dict[str, Any]]:
    rows = []
    for q in questions:
        item = stats.get((q.pack, q.question_id))
        rows.append(
            {
                "pack": q.pack,
                "question": q.question_id,
                "reports": len(q.reports),
                "reasons": q.reasons,
                "comments": list(q.comments),
                "servers": sorted({r.guild_id for r in q.reports if r.guild_id is not None}),
                "last_reported": max(r.reported_at for r in q.reports).isoformat(),
                "answers": None if item is None else item.answers,
                "difficulty": None if item is None else round(item.difficulty, 4),
                "point_biserial": None
                if item is None or item.point_biserial is None
                else round(item.point_biserial, 4),
                "flags": [] if item is None else list(item.flags),
            }
        )
    return rows


def reports_table(
    questions: Sequence[ReportedQuestion], stats: Mapping[tuple[str, str], ItemStats] | None
) -> str:
    """The reports by question; with ``stats`` (None: not computed) each question's item figures too."""
    if not questions:
        return "No question has been reported."
    count = len(questions)
    lines = [f"{count} question{'s' if count != 1 else ''} reported, most reported first"]
    for q in questions:
        item = None if stats is None else stats.get((q.pack, q.question_id))
        reasons = ", ".join(f"{REPORT_REASONS.get(r, r).lower()} ({n})" for r, n in q.reasons.items())
        reports = f"{len(q.reports)} report{'s' if len(q.reports) != 1 else ''}"
        line = f"{q.pack} {q.question_id}: {reports}: {reasons}"
        if stats is not None:
            figures = (
                "not enough answers for item analysis"
                if item is None
                else f"{item.answers} answers, p {_number(item.difficulty)}, r {_number(item.point_biserial)}"
            )
            line += f"; {figures}"
        lines.append(line)
        lines.extend(f"    ! {flag}" for flag in ([] if item is None else item.flags))
        lines.extend(f'    "{_one_line(c)}"' for c in q.comments)
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def as_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """One row a question; counts, lists and mappings as JSON in their cell (a spreadsheet shows them
    as text, a script parses them back)."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else value


def as_json(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(rows), indent=2)
