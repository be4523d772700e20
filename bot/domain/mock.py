"""Mini mock exams: drawing questions to the blueprint, timing, grading and the scaled-score estimate."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.grading import is_correct
from bot.domain.pack import Blueprint, ExamPack, Question, QuestionKind
from bot.errors import UserError

MOCK_SIZES = (10, 20, 30, 65)


def largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split `total` in proportion to `weights` so the parts add up exactly (ties by key order)."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return {key: 0 for key in weights}
    exact = {key: total * w / weight_sum for key, w in weights.items()}
    parts = {key: math.floor(value) for key, value in exact.items()}
    left = total - sum(parts.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), list(weights).index(k)))[:left]:
        parts[key] += 1
    return parts


def domain_quotas(blueprint: Blueprint, size: int, available: Mapping[str, int]) -> dict[str, int]:
    """How many questions each domain gets: blueprint weights, rounded so the total is exact, and
    never more than a domain has (the shortfall moves to the other domains by weight)."""
    weights: dict[str, float] = {d.id: d.weight for d in blueprint.domains if available.get(d.id, 0) > 0}
    quotas = dict.fromkeys(weights, 0)
    remaining = size
    while remaining > 0 and weights:
        share = largest_remainder(remaining, weights)
        for domain_id, extra in share.items():
            room = available[domain_id] - quotas[domain_id]
            quotas[domain_id] += min(extra, room)
        remaining = size - sum(quotas.values())
        weights = {d: w for d, w in weights.items() if available[d] > quotas[d]}
    return quotas


def draw_mock(
    pack: ExamPack,
    size: int,
    rng: random.Random,
    *,
    last_seen: Mapping[str, dt.datetime] | None = None,
    domain_id: str | None = None,
) -> list[Question]:
    """Questions for a mock: domains by blueprint weight, single and multiple response in the bank's
    proportion, least recently seen first (never-seen before anything seen), shuffled into exam order."""
    pool = pack.active_in(None if domain_id is None else [domain_id])
    if not pool:
        raise UserError("There are no questions for that domain yet.")
    if size > len(pool):
        raise UserError(f"The bank has only {len(pool)} questions for this; pick a smaller mock.")
    seen = last_seen or {}
    by_domain: dict[str, tuple[list[Question], list[Question]]] = {}  # multiple, single response
    for q in pool:
        by_domain.setdefault(q.domain_id, ([], []))[q.kind is QuestionKind.SINGLE].append(q)
    quotas = domain_quotas(pack.blueprint, size, {d: len(m) + len(s) for d, (m, s) in by_domain.items()})
    multiple_share = sum(len(m) for m, _ in by_domain.values()) / len(pool)

    def freshest(candidates: list[Question], count: int) -> list[Question]:
        """``count`` of the candidates: never-seen ones at random, then the least recently seen."""
        unseen = [q for q in candidates if q.id not in seen]
        if count <= len(unseen):
            return rng.sample(unseen, count)
        earlier = sorted((q for q in candidates if q.id in seen), key=lambda q: (seen[q.id], rng.random()))
        return rng.sample(unseen, len(unseen)) + earlier[: count - len(unseen)]

    chosen: list[Question] = []
    for domain_id_, quota in quotas.items():
        multi, single = by_domain[domain_id_]
        want_multi = min(len(multi), round(quota * multiple_share), quota)
        want_multi = max(want_multi, quota - len(single))
        chosen += freshest(multi, want_multi) + freshest(single, quota - want_multi)
    rng.shuffle(chosen)
    return keep_cases_together(chosen, pool)


def keep_cases_together(questions: list[Question], written: Sequence[Question]) -> list[Question]:
    """A case study's questions side by side, in the order they are written, where the first of them
    falls; each still counts on its own."""
    order = {q.id: i for i, q in enumerate(written)}
    of_case: dict[str, list[Question]] = {}
    for q in questions:
        if q.case is not None:
            of_case.setdefault(q.case.id, []).append(q)
    arranged: list[Question] = []
    for q in questions:
        if q.case is None:
            arranged.append(q)
        elif q is of_case[q.case.id][0]:
            arranged.extend(sorted(of_case[q.case.id], key=lambda member: order[member.id]))
    return arranged


def time_allowed(blueprint: Blueprint, size: int) -> dt.timedelta:
    """The real exam's pace: the pack's minutes per question, to the nearest second."""
    return dt.timedelta(seconds=round(blueprint.minutes * 60 * size / blueprint.questions))


@dataclass(frozen=True)
class DomainResult:
    domain_id: str
    asked: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class MockReport:
    asked: int
    correct: int
    domains: tuple[DomainResult, ...]
    scaled: int
    passed: bool
    pass_fraction: float

    def needs_work(self, result: DomainResult) -> bool:
        return result.accuracy < self.pass_fraction


def estimate_scaled(blueprint: Blueprint, accuracy_by_domain: Mapping[str, float]) -> int:
    """The estimated scaled score: blueprint-weighted accuracy over the domains answered, mapped
    linearly onto the pack's score range. An estimate: the real exam's scaling is not public."""
    weights = {d.id: d.weight for d in blueprint.domains if d.id in accuracy_by_domain}
    total = sum(weights.values())
    if total == 0:
        return blueprint.scale.minimum
    weighted = sum(accuracy_by_domain[d] * w for d, w in weights.items()) / total
    span = blueprint.scale.maximum - blueprint.scale.minimum
    return round(blueprint.scale.minimum + weighted * span)


def grade_mock(pack: ExamPack, questions: Sequence[Question], answers: Sequence[str]) -> MockReport:
    """Unanswered questions count as wrong, as on the exam."""
    asked: dict[str, int] = {}
    right: dict[str, int] = {}
    for question, letters in zip(questions, answers, strict=True):
        asked[question.domain_id] = asked.get(question.domain_id, 0) + 1
        right[question.domain_id] = right.get(question.domain_id, 0) + int(
            bool(letters) and is_correct(question, letters)
        )
    results = tuple(
        DomainResult(d.id, asked[d.id], right[d.id]) for d in pack.blueprint.domains if d.id in asked
    )
    scaled = estimate_scaled(pack.blueprint, {r.domain_id: r.accuracy for r in results})
    scale = pack.blueprint.scale
    return MockReport(
        len(questions), sum(right.values()), results, scaled, scaled >= scale.passing, scale.pass_fraction
    )
