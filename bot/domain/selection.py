"""Which question comes next: rotation through a pack, weighted by the blueprint."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.domain.pack import ExamPack, Question


def next_question(
    pack: ExamPack, asked: Sequence[str], rng: random.Random, domains: Iterable[str] | None = None
) -> Question | None:
    """The next question for a channel or server.

    `asked` is every question id already posted there, oldest first. Questions do not repeat until
    the (filtered) bank is used up; then a new cycle starts. Within a cycle the domain is the one
    furthest behind its blueprint share, so a run of posts follows the exam's weights.
    """
    pool = pack.active_in(domains)
    if not pool:
        return None
    pool_ids = {q.id for q in pool}
    # The current cycle is the tail of `asked` since the pool was last exhausted.
    cycle: list[str] = []
    seen: set[str] = set()
    for qid in asked:
        if qid not in pool_ids:
            continue
        if qid in seen and len(seen) < len(pool_ids):
            continue  # a repeat inside an unfinished cycle (a pool that grew); ignore it
        if len(seen) == len(pool_ids):
            cycle, seen = [], set()
        cycle.append(qid)
        seen.add(qid)
    if len(seen) == len(pool_ids):
        seen = set()
        cycle = []
    remaining = [q for q in pool if q.id not in seen]
    weights = pack.blueprint.weights
    asked_by_domain = Counter(pack.question(qid).domain_id for qid in cycle)  # type: ignore[union-attr]
    open_domains = sorted({q.domain_id for q in remaining})
    total_weight = sum(weights[d] for d in open_domains)
    n = sum(asked_by_domain[d] for d in open_domains) + 1

    def deficit(domain_id: str) -> float:
        return weights[domain_id] / total_weight * n - asked_by_domain[domain_id]

    best = max(deficit(d) for d in open_domains)
    leaders = [d for d in open_domains if deficit(d) >= best - 1e-9]
    domain = rng.choice(leaders)
    return rng.choice([q for q in remaining if q.domain_id == domain])
