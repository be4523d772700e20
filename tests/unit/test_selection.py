from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from bot.bank import load_pack
from bot.domain.selection import next_question
from tests.packs import question, write_pack


@pytest.fixture
def pack(tmp_path: Path):
    # Domain 1 weighs 40, domain 2 weighs 60: 4 + 6 questions.
    qs = [question(f"tst-1.1-{i:03d}", stem=f"Storage {i}?") for i in range(4)]
    qs += [question(f"tst-2.1-{i:03d}", domain="2", task="2.1", stem=f"Model {i}?") for i in range(6)]
    return load_pack(write_pack(tmp_path, qs))


def run(pack, n: int, seed: int = 1, domains=None, asked=None) -> list[str]:
    rng = random.Random(seed)
    asked = list(asked or [])
    for _ in range(n):
        q = next_question(pack, asked, rng, domains)
        asked.append(q.id)
    return asked


def test_no_repeat_until_the_bank_is_used_up(pack) -> None:
    asked = run(pack, 10)
    assert len(set(asked)) == 10
    second = run(pack, 10, asked=asked)[10:]
    assert len(set(second)) == 10, "the second cycle again covers every question once"


def test_rotation_follows_blueprint_weights(pack) -> None:
    first_five = run(pack, 5, seed=7)
    assert Counter(qid.split("-")[1][0] for qid in first_five) == {"1": 2, "2": 3}


def test_domain_filter(pack) -> None:
    asked = run(pack, 4, domains=["1"])
    assert all(qid.startswith("tst-1.1") for qid in asked)
    assert next_question(pack, [], random.Random(0), ["9"]) is None
