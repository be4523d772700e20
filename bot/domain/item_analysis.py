"""Item analysis: how each question behaves on real answers, measured the way exam boards do.

Members answer different subsets of a pack (a daily question, a quiz, a mock), so a member's ability is
the share of their other first answers they got right (the "rest score": the question itself left out,
so it cannot correlate with itself). For each question:

- difficulty: the share of members who got it right;
- discrimination: the point-biserial correlation between getting it right and the rest score (do members
  who do well overall get it right more often?), and the upper-lower index (the share right in the top
  27% of those members by rest score, minus the share right in the bottom 27%);
- how often each option was chosen, overall and by those two groups.

Only each member's first answer to a question counts: reviews and second tries would make every
question look easy. Questions with fewer answers than the minimum are not judged.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

#: The share of members in each of the top and bottom groups (Kelley's 27%).
GROUP_SHARE = 0.27


@dataclass(frozen=True)
class ItemKey:
    """What the analysis needs to know of a question: its right answer as stored, and whether an answer
    is a sequence (ordering, matching) rather than a set of letters."""

    answer: str
    sequenced: bool = False


class FirstAnswer(NamedTuple):
    """A member's first graded answer to a question. ``letters`` is None for answers recorded before the
    bot kept letters: they count towards difficulty and discrimination, not towards option counts.
    A tuple: a large bot reads a million of them."""

    user_id: int
    question_id: str
    correct: bool
    letters: str | None


@dataclass(frozen=True)
class Thresholds:
    min_answers: int = 30
    #: Rest scores from fewer other answers than this are too noisy to rank a member by.
    min_other_answers: int = 5
    low_discrimination: float = 0.10
    hard: float = 0.20  # below the chance of guessing among four options
    easy: float = 0.95


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    answers: int
    difficulty: float  # the share right
    point_biserial: float | None  # None: too few members with a rest score, or no spread
    upper_lower: float | None
    options: Mapping[str, int] = field(default_factory=dict)  # letter (or whole answer) -> members
    upper_options: Mapping[str, int] = field(default_factory=dict)
    lower_options: Mapping[str, int] = field(default_factory=dict)
    flags: tuple[str, ...] = ()


def analyse(
    answers: Sequence[FirstAnswer],
    keys: Mapping[str, ItemKey],
    thresholds: Thresholds = Thresholds(),
) -> list[ItemStats]:
    """Statistics for every question with at least ``thresholds.min_answers`` first answers, the most
    troubling first (most flags, then lowest discrimination)."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # member -> [right, answered]
    by_question: dict[str, list[FirstAnswer]] = defaultdict(list)
    for answer in answers:
        total = totals[answer.user_id]
        total[0] += answer.correct
        total[1] += 1
        by_question[answer.question_id].append(answer)
    results = []
    for question_id, given in by_question.items():
        if len(given) < thresholds.min_answers:
            continue
        results.append(_item(question_id, given, totals, keys.get(question_id), thresholds))
    results.sort(key=lambda s: (-len(s.flags), _sortable(s.point_biserial), s.question_id))
    return results


def _sortable(value: float | None) -> float:
    return math.inf if value is None else value


def _item(
    question_id: str,
    given: list[FirstAnswer],
    totals: Mapping[int, list[int]],
    key: ItemKey | None,
    thresholds: Thresholds,
) -> ItemStats:
    right = sum(a.correct for a in given)
    # (rest score, member, right, letters) for members with enough other answers to rank them by;
    # ties in rest score are broken by member id, so the groups do not depend on the order read.
    floor = thresholds.min_other_answers + 1
    ranked = sorted(
        ((t[0] - a.correct) / (t[1] - 1), a.user_id, a.correct, a.letters)
        for a in given
        if (t := totals[a.user_id])[1] >= floor
    )
    point_biserial = _point_biserial(ranked)
    group = math.floor(len(ranked) * GROUP_SHARE)
    lower = ranked[:group]
    upper = ranked[len(ranked) - group :] if group else []
    upper_lower = (sum(r[2] for r in upper) - sum(r[2] for r in lower)) / group if group else None
    sequenced = key is not None and key.sequenced
    stats = ItemStats(
        question_id,
        len(given),
        right / len(given),
        point_biserial,
        upper_lower,
        _choices((a.letters for a in given), sequenced),
        _choices((r[3] for r in upper), sequenced),
        _choices((r[3] for r in lower), sequenced),
    )
    return dataclasses.replace(stats, flags=_flags(stats, key, thresholds))


def _choices(given: Iterable[str | None], sequenced: bool) -> dict[str, int]:
    """How many members chose each letter; for ordering and matching each whole answer (a letter alone
    says nothing about an order)."""
    answers = Counter(letters for letters in given if letters is not None)
    if sequenced:
        return dict(sorted(answers.items()))
    counts: Counter[str] = Counter()
    for letters, members in answers.items():
        for letter in set(letters):
            counts[letter] += members
    return dict(sorted(counts.items()))


def _point_biserial(ranked: Sequence[tuple[float, int, bool, str | None]]) -> float | None:
    """Pearson's r between right (1) or wrong (0) and the rest score: the point-biserial correlation."""
    n = len(ranked)
    if n < 2:
        return None
    sum_y = sum(r[0] for r in ranked)
    sum_yy = sum(r[0] * r[0] for r in ranked)
    right = sum(r[2] for r in ranked)
    sum_right_y = sum(r[0] for r in ranked if r[2])
    sxx = right - right * right / n  # x is 0 or 1, so the sum of x squared is the sum of x
    syy = sum_yy - sum_y * sum_y / n
    if sxx <= 0 or syy <= 1e-12 * n:
        return None  # everyone right (or wrong), or every member equally able: nothing to correlate
    sxy = sum_right_y - right * sum_y / n
    return sxy / math.sqrt(sxx * syy)


def _flags(stats: ItemStats, key: ItemKey | None, thresholds: Thresholds) -> tuple[str, ...]:
    flags = []
    r = stats.point_biserial
    if r is not None and r < 0:
        flags.append("negative discrimination: members who do well overall get it wrong more (wrong key?)")
    elif r is not None and r < thresholds.low_discrimination:
        flags.append("near-zero discrimination (ambiguous stem, or more than one defensible answer?)")
    lure = _top_group_lure(stats.upper_options, key)
    if lure is not None:
        flags.append(f"the top group chose {lure} more often than the key")
    if stats.difficulty < thresholds.hard:
        flags.append("almost nobody gets it right")
    if stats.difficulty > thresholds.easy:
        flags.append("almost everybody gets it right")
    return tuple(flags)


def _top_group_lure(upper: Mapping[str, int], key: ItemKey | None) -> str | None:
    """A wrong option (or, for ordering and matching, a wrong whole answer) the top group chose more
    often than the key's least chosen letter (or than the right answer)."""
    if key is None or not upper:
        return None
    if key.sequenced:
        favourite, count = max(upper.items(), key=lambda item: (item[1], item[0] == key.answer))
        return favourite if favourite != key.answer and count > upper.get(key.answer, 0) else None
    least_key = min(upper.get(letter, 0) for letter in key.answer)
    lures = [(count, letter) for letter, count in upper.items() if letter not in key.answer]
    if not lures:
        return None
    count, letter = max(lures)
    return letter if count > least_key else None
