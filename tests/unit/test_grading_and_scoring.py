from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.bank import load_pack
from bot.domain.grading import (
    LETTER_EMOJI,
    Pick,
    add_pick,
    is_correct,
    letter_for,
    pick_from_reactions,
    remove_pick,
)
from bot.domain.scoring import Streak, advance_streak, points_for
from tests.packs import write_pack


@pytest.fixture
def pack(tmp_path: Path):
    return load_pack(write_pack(tmp_path))


def test_letters_map_to_regional_indicators(pack) -> None:
    single = pack.question("tst-1.1-001")
    assert letter_for("🇦", single) == "A"
    assert letter_for("🇪", single) is None  # the question has only A-D
    assert letter_for("👍", single) is None
    assert LETTER_EMOJI["F"] == "🇫"


def test_the_first_complete_answer_locks(pack) -> None:
    single = pack.question("tst-1.1-001")
    first = add_pick(single, Pick(), "B")
    assert first == Pick("B", locked=True)
    assert add_pick(single, first, "A") == first
    assert remove_pick(first, "B") == first


def test_choose_two_locks_on_the_second_distinct_letter(pack) -> None:
    multi = pack.question("tst-2.1-001")
    one = add_pick(multi, Pick(), "E")
    assert one == Pick("E", locked=False)
    assert add_pick(multi, one, "E") == one
    changed = remove_pick(one, "E")
    assert changed == Pick("", locked=False)
    two = add_pick(multi, add_pick(multi, changed, "B"), "A")
    assert two == Pick("AB", locked=True)
    assert is_correct(multi, two.letters)


def test_multiple_response_is_all_or_nothing(pack) -> None:
    multi = pack.question("tst-2.1-001")
    assert is_correct(multi, "AB")
    assert not is_correct(multi, "A")
    assert not is_correct(multi, "AC")
    assert not is_correct(multi, "ABC")


def test_pick_rebuilt_from_reactions(pack) -> None:
    multi = pack.question("tst-2.1-001")
    assert pick_from_reactions(multi, ["C"]) == Pick("C", locked=False)
    assert pick_from_reactions(multi, ["E", "C", "A", "Z"]) == Pick("AC", locked=True)


def test_points() -> None:
    assert points_for("daily", True) == 10
    assert points_for("quiz", True) == 5
    assert points_for("mock", True) == 0
    assert points_for("daily", False) == 0


def test_streaks_follow_consecutive_scheduled_days() -> None:
    mon, wed, fri = dt.date(2026, 11, 23), dt.date(2026, 11, 25), dt.date(2026, 11, 27)
    s = advance_streak(Streak(), mon, dt.date(2026, 11, 20), True)
    assert s == Streak(1, 1, mon)
    s = advance_streak(s, wed, mon, True)
    assert s == Streak(2, 2, wed)
    assert advance_streak(s, wed, mon, True) == s, "grading the same day twice changes nothing"
    broken = advance_streak(s, fri, wed, False)
    assert (broken.current, broken.best) == (0, 2)
    restarted = advance_streak(s, dt.date(2026, 11, 30), fri, True)  # missed Friday
    assert (restarted.current, restarted.best) == (1, 2)
