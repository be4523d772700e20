"""Item analysis against a small example worked out by hand, with a planted wrong key."""

from __future__ import annotations

import pytest

from bot.domain.item_analysis import FirstAnswer, ItemKey, Thresholds, analyse

SMALL = Thresholds(min_answers=4, min_other_answers=1)


def _answer(user: int, question: str, letters: str, key: str) -> FirstAnswer:
    return FirstAnswer(user, question, letters == key, letters)


def _example() -> list[FirstAnswer]:
    """Four members, four sound questions (key A) and one whose stored key (A) is wrong: the strong
    members choose B, the real answer, and are marked wrong."""
    right = {1: "1111", 2: "1110", 3: "1000", 4: "0000"}  # Q1..Q4, right or wrong
    answers = [
        _answer(user, f"Q{n + 1}", "A" if mark == "1" else "C", "A")
        for user, marks in right.items()
        for n, mark in enumerate(marks)
    ]
    answers += [_answer(user, "D", letter, "A") for user, letter in {1: "B", 2: "B", 3: "A", 4: "A"}.items()]
    return answers


KEYS = {q: ItemKey("A") for q in ("Q1", "Q2", "Q3", "Q4", "D")}


def test_the_planted_wrong_key_has_the_hand_computed_figures_and_is_flagged() -> None:
    stats = {s.question_id: s for s in analyse(_example(), KEYS, SMALL)}
    wrong_key = stats["D"]
    # Rest scores (each member's other four answers): 4/4, 3/4, 1/4, 0/4; D right: 0, 0, 1, 1.
    # r = sxy / sqrt(sxx * syy) = -0.75 / sqrt(1 * 0.625)
    assert wrong_key.difficulty == 0.5
    assert wrong_key.point_biserial == pytest.approx(-0.75 / 0.625**0.5)
    # One member in each 27% group: the strongest (wrong) and the weakest (right).
    assert wrong_key.upper_lower == -1.0
    assert wrong_key.options == {"A": 2, "B": 2}
    assert wrong_key.upper_options == {"B": 1} and wrong_key.lower_options == {"A": 1}
    assert any("negative discrimination" in f for f in wrong_key.flags)
    assert "the top group chose B more often than the key" in wrong_key.flags


def test_a_sound_question_has_the_hand_computed_figures_and_no_flags() -> None:
    stats = {s.question_id: s for s in analyse(_example(), KEYS, SMALL)}
    sound = stats["Q2"]
    # Q2 right: 1, 1, 0, 0; rest scores (D counts as answered): 3/4, 2/4, 2/4, 1/4.
    # sxy = 0.25, sxx = 1, syy = 0.125
    assert sound.difficulty == 0.5
    assert sound.point_biserial == pytest.approx(0.25 / 0.125**0.5)
    assert sound.upper_lower == 1.0
    assert sound.upper_options == {"A": 1} and sound.lower_options == {"C": 1}
    assert sound.flags == ()


def test_the_most_troubling_question_comes_first() -> None:
    assert analyse(_example(), KEYS, SMALL)[0].question_id == "D"


def test_questions_with_too_few_answers_are_not_judged() -> None:
    assert analyse(_example(), KEYS, Thresholds(min_answers=5, min_other_answers=1)) == []


def test_answers_without_letters_count_for_difficulty_but_not_for_options() -> None:
    answers = [FirstAnswer(u, "Q", u % 2 == 0, None if u < 3 else "A") for u in range(4)]
    (stats,) = analyse(answers, {"Q": ItemKey("A")}, SMALL)
    assert stats.difficulty == 0.5
    assert stats.options == {"A": 1}


def test_everybody_right_and_nobody_right_are_flagged() -> None:
    easy = [FirstAnswer(u, "E", True, "A") for u in range(10)]
    hard = [FirstAnswer(u, "H", False, "B") for u in range(10)]
    stats = {s.question_id: s for s in analyse(easy + hard, {"E": ItemKey("A"), "H": ItemKey("A")}, SMALL)}
    assert stats["E"].flags == ("almost everybody gets it right",)
    assert "almost nobody gets it right" in stats["H"].flags


def test_for_an_ordering_question_the_top_group_preferring_a_wrong_order_is_flagged() -> None:
    # Six members with strong records elsewhere, all right on Q1..Q4, and three weak ones.
    answers = [FirstAnswer(u, f"Q{n}", u < 6, "A") for u in range(9) for n in range(4)]
    answers += [FirstAnswer(u, "O", False, "BACD") for u in range(6)]
    answers += [FirstAnswer(u, "O", True, "ABCD") for u in range(6, 9)]
    keys = {"O": ItemKey("ABCD", sequenced=True)} | {f"Q{n}": ItemKey("A") for n in range(4)}
    stats = {s.question_id: s for s in analyse(answers, keys, SMALL)}
    assert stats["O"].upper_options == {"BACD": 2}
    assert "the top group chose BACD more often than the key" in stats["O"].flags
