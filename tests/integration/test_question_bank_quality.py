"""Every shipped bank follows its blueprint, has no pattern a member could game, and asks no fact twice."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest

from bot.bank import load_packs, near_duplicates
from bot.bank.stats import pack_stats
from bot.config import SHIPPED_QUESTIONS
from bot.domain.pack import QuestionKind

RETIRED_FOR_NEW_BUILDS = [
    "Amazon Machine Learning",
    "Amazon Forecast",
    "Fraud Detector",
    "Lookout for",
    "DeepLens",
    "Edge Manager",
    "Data Pipeline",
    "Kinesis Data Analytics",
    "Elastic Inference",
    "Model Monitor",
    "Clarify",
    "Ground Truth",
    "Debugger",
    "Augmented AI",
    "Mechanical Turk",
    "Kinesis Data Firehose",
    # Closed to new customers in 2026 (AWS documentation banners).
    "Kendra",
    "Q Business",
    "Audit Manager",
    "Agents Classic",
    "Agents for Amazon Bedrock",
    "Bedrock agent ",  # "an Amazon Bedrock agent with ...", not "Bedrock AgentCore"
    "Bedrock agents",
    "action group",
]


@dataclass(frozen=True)
class BankShape:
    """What each shipped bank promises: its size, questions per task statement, and the share of
    multiple-response questions its exam guide calls for."""

    questions: int
    per_task: int
    multiple_response: tuple[float, float]


SHAPES = {
    "mls-c01": BankShape(200, 8, (0.15, 0.20)),
    "aip-c01": BankShape(200, 8, (0.15, 0.25)),
    "aif-c01": BankShape(130, 6, (0.10, 0.20)),
}
#: Packs whose exam asks ordering and matching questions: at least this many of each.
SEQUENCED_AT_LEAST = {"aif-c01": 10}


@pytest.fixture(scope="module", params=sorted(SHAPES))
def pack(request):
    return load_packs(SHIPPED_QUESTIONS)[request.param]


def test_every_shipped_pack_is_checked_here() -> None:
    assert sorted(load_packs(SHIPPED_QUESTIONS)) == sorted(SHAPES)


def test_bank_size_and_blueprint_proportions(pack) -> None:
    stats, shape = pack_stats(pack), SHAPES[pack.slug]
    assert stats.total >= shape.questions
    for domain in pack.blueprint.domains:
        share = stats.by_domain[domain.id] / stats.total
        assert abs(share - domain.weight / 100) <= 0.02, (domain.id, share)
    assert min(stats.by_task.values()) >= shape.per_task, stats.by_task


def test_multiple_response_share(pack) -> None:
    stats = pack_stats(pack)
    share = stats.by_kind["multiple"] / stats.total
    low, high = SHAPES[pack.slug].multiple_response
    assert low <= share <= high
    assert all(len(q.options) >= 5 for q in pack.active_questions if q.kind is QuestionKind.MULTIPLE)


def test_ordering_and_matching_are_asked_and_their_file_order_gives_nothing_away(pack) -> None:
    ordering = [q for q in pack.active_questions if q.kind is QuestionKind.ORDERING]
    matching = [q for q in pack.active_questions if q.kind is QuestionKind.MATCHING]
    least = SEQUENCED_AT_LEAST.get(pack.slug, 0)
    assert len(ordering) >= least and len(matching) >= least
    in_file_order = [q.id for q in ordering if q.sequence == "".join(q.letters)]
    assert not in_file_order, "the items are written in their answer's order"
    # A response no prompt needs keeps the last prompt from being answered by elimination.
    all_used = [q.id for q in matching if set(q.letters) <= set(q.sequence)]
    assert not all_used


def test_each_letter_is_the_key_for_20_to_30_percent(pack) -> None:
    stats = pack_stats(pack)
    for letter in "ABCD":
        share = stats.key_letters.get(letter, 0) / stats.single
        assert 0.20 <= share <= 0.30, (letter, share)


def test_the_key_is_the_longest_option_at_most_a_third_of_the_time(pack) -> None:
    stats = pack_stats(pack)
    assert stats.key_longest <= stats.single / 3


def test_plain_recall_is_rare(pack) -> None:
    assert pack_stats(pack).by_difficulty.get(1, 0) <= len(pack.active_questions) / 10


def _scenario_sentences(text: str) -> list[str]:
    """The stem's statements; the closing ask ("Which approach should the team use?") may repeat."""
    parts = re.split(r"(?<=[.?!])\s+", re.sub(r"\s+", " ", text))
    return [p.strip().casefold() for p in parts if len(p.split()) >= 4 and not p.endswith("?")]


def test_no_two_stems_share_a_sentence(pack) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for q in pack.active_questions:
        for sentence in _scenario_sentences(q.stem):
            owners[sentence].add(q.id)
    shared = {s: ids for s, ids in owners.items() if len(ids) > 1}
    assert not shared, shared


def test_no_retired_or_closed_service_is_a_correct_answer(pack) -> None:
    offenders = [
        (q.id, letter)
        for q in pack.active_questions
        for letter in q.key
        if any(name.casefold() in q.option(letter).text.casefold() for name in RETIRED_FOR_NEW_BUILDS)
    ]
    assert not offenders


def test_no_two_questions_test_the_same_fact(pack) -> None:
    assert [str(p) for p in near_duplicates(SHIPPED_QUESTIONS / pack.slug)] == []


def test_ids_are_stable_and_name_their_task(pack) -> None:
    prefix = pack.slug.split("-")[0]
    for q in pack.questions:
        assert q.id.startswith(f"{prefix}-{q.task_id}-"), q.id
    counts = Counter(q.id for q in pack.questions)
    assert max(counts.values()) == 1
