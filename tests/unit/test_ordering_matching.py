"""Ordering and matching questions: how they are written, checked and graded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.bank import load_pack
from bot.bank.loader import InvalidQuestionBank
from bot.domain.grading import is_correct
from bot.domain.pack import QuestionKind
from tests.packs import SEQUENCED_BLUEPRINT, matching, ordering, question, write_pack


def load(tmp_path: Path, questions: list[dict[str, Any]], blueprint: dict[str, Any] = SEQUENCED_BLUEPRINT):
    return load_pack(write_pack(tmp_path, questions, blueprint=blueprint))


def problems(tmp_path: Path, questions: list[dict[str, Any]], **kwargs: Any) -> str:
    with pytest.raises(InvalidQuestionBank) as error:
        load(tmp_path, questions, **kwargs)
    return str(error.value)


def test_an_ordering_question_is_graded_by_its_order(tmp_path: Path) -> None:
    pack = load(tmp_path, [question(), ordering()])
    q = pack.question("tst-2.2-001")
    assert q is not None and q.kind is QuestionKind.ORDERING and q.kind.sequenced
    assert [o.letter for o in q.options] == ["A", "B", "C", "D"] and q.sequence == "BCAD"
    assert q.answer_key == "BCAD" and q.choose == 4
    assert is_correct(q, "BCAD")
    assert not is_correct(q, "BACD"), "the same items in another order is wrong"
    assert not is_correct(q, "BCA"), "an incomplete order is wrong"
    assert q.mistake.startswith("Evaluating before training")


def test_a_matching_question_is_graded_prompt_by_prompt(tmp_path: Path) -> None:
    pack = load(tmp_path, [question(), matching(key={1: "A", 2: "B", 3: "A"})])
    q = pack.question("tst-2.2-002")
    assert q is not None and q.kind is QuestionKind.MATCHING
    assert (q.prompts[0].number, q.prompts[0].text) == (1, "Object storage")
    assert q.sequence == "ABA", "a response may serve several prompts"
    assert is_correct(q, "ABA") and not is_correct(q, "BAA") and not is_correct(q, "AB")


def test_single_and_multiple_answers_still_ignore_order(tmp_path: Path) -> None:
    pack = load(tmp_path, [question(), ordering()])
    q = pack.question("tst-1.1-001")
    assert q is not None and q.answer_key == "A" and is_correct(q, "A") and not is_correct(q, "B")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"key": "BCAX"}, "key names X, which is not among the items"),
        ({"key": "BCAB"}, "key repeats an item"),
        ({"key": "BCA"}, "key leaves out D"),
        ({"items": {"A": "One", "B": "Two"}}, "items"),  # fewer than three
        (
            {"items": {"A": "Evaluate", "B": "Train", "C": "Evaluate"}, "key": "BAC"},
            "items A and C have the same",
        ),
        (
            {"items": {"A": "x", "B": "y", "D": "z"}, "key": "ABD"},
            "items must be lettered A, B, C with no gaps",
        ),
        ({"why_wrong": {"A": "no"}}, "why_wrong"),
    ],
)
def test_a_bad_ordering_question_says_what_to_fix(tmp_path: Path, changes: dict[str, Any], says: str) -> None:
    text = problems(tmp_path, [ordering(**changes)])
    assert "tst-2.2-001" in text and says in text


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"key": {1: "A", 2: "B"}}, "prompt 3 has no response in the key"),
        ({"key": {1: "A", 2: "B", 3: "C", 4: "D"}}, "key names prompt 4, which does not exist"),
        (
            {"key": {1: "A", 2: "B", 3: "F"}},
            "key gives prompt 3 response F, which is not among the responses",
        ),
        (
            {"prompts": {1: "x", 2: "y", 4: "z"}, "key": {1: "A", 2: "B", 4: "C"}},
            "numbered 1 to 3 with no gaps",
        ),
        ({"responses": {"A": "S3", "B": "RDS", "C": "s3"}}, "responses A and C have the same text"),
    ],
)
def test_a_bad_matching_question_says_what_to_fix(tmp_path: Path, changes: dict[str, Any], says: str) -> None:
    text = problems(tmp_path, [matching(**changes)])
    assert "tst-2.2-002" in text and says in text


def test_a_pack_that_does_not_list_a_kind_refuses_it(tmp_path: Path) -> None:
    from tests.packs import BLUEPRINT

    text = problems(tmp_path, [question(), ordering()], blueprint=BLUEPRINT)
    assert "this exam has no 'ordering' questions (its pack.yaml lists single, multiple)" in text


def test_an_unknown_type_lists_the_kinds(tmp_path: Path) -> None:
    text = problems(tmp_path, [question(type="essay")])
    assert "essay: must be one of single, multiple, ordering, matching" in text


def test_matching_may_offer_seven_responses_and_seven_prompts(tmp_path: Path) -> None:
    responses = {letter: f"Service {letter}" for letter in "ABCDEFG"}
    prompts = {n: f"Need {n}" for n in range(1, 8)}
    key = dict(zip(range(1, 8), "GFEDCBA", strict=True))
    pack = load(tmp_path, [question(), matching(prompts=prompts, responses=responses, key=key)])
    q = pack.question("tst-2.2-002")
    assert q is not None and q.sequence == "GFEDCBA" and len(q.options) == 7 and len(q.prompts) == 7


def test_an_order_is_built_press_by_press_with_undo(tmp_path: Path) -> None:
    from bot.domain.grading import extend_sequence, is_complete, undo_sequence

    q = load(tmp_path, [question(), ordering()]).question("tst-2.2-001")
    assert q is not None
    answer = ""
    for letter in "BCBZ":  # B twice and an unknown Z change nothing
        answer = extend_sequence(q, answer, letter)
    assert answer == "BC" and not is_complete(q, answer)
    answer = undo_sequence(answer)
    for letter in "CADA":  # a press after the order is complete changes nothing
        answer = extend_sequence(q, answer, letter)
    assert answer == "BCAD" and is_complete(q, answer) and is_correct(q, answer)


def test_matching_presses_fill_the_prompts_in_turn_and_may_repeat_a_response(tmp_path: Path) -> None:
    from bot.domain.grading import extend_sequence, is_complete

    q = load(tmp_path, [question(), matching(key={1: "A", 2: "B", 3: "A"})]).question("tst-2.2-002")
    assert q is not None
    answer = ""
    for letter in "ABAA":
        answer = extend_sequence(q, answer, letter)
    assert answer == "ABA" and is_complete(q, answer) and is_correct(q, answer)


def test_the_reveal_names_the_most_common_wrong_answer(tmp_path: Path) -> None:
    from bot.domain.grading import most_common_wrong

    q = load(tmp_path, [question(), ordering()]).question("tst-2.2-001")
    assert q is not None
    assert most_common_wrong(q, ["BCAD", "CBAD", "BACD", "CBAD", "BCAD"]) == ("CBAD", 2)
    assert most_common_wrong(q, ["BCAD"]) is None


# --- case studies ---------------------------------------------------------------------------------


CASE = {
    "id": "tst-case-1",
    "title": "A retailer's returns",
    "scenario": "A retailer handles 9,000 returns a day.",
}


def write_case_file(tmp_path: Path, questions: list[dict[str, Any]], cases: list[dict[str, Any]]) -> Path:
    import yaml

    folder = write_pack(tmp_path, [question()], blueprint=SEQUENCED_BLUEPRINT)
    (folder / "q2.yaml").write_text(yaml.safe_dump({"cases": cases, "questions": questions}, sort_keys=False))
    return folder


def test_a_case_study_is_shown_with_each_of_its_questions(tmp_path: Path) -> None:
    from bot.discord.render import stem_text

    first = question("tst-1.1-010", case="tst-case-1", stem="Where should the photos go?")
    second = ordering("tst-2.2-010", case="tst-case-1")
    pack = load_pack(write_case_file(tmp_path, [first, second], [CASE]))
    asked = pack.question("tst-1.1-010")
    assert asked is not None and asked.case is not None and asked.case.title == "A retailer's returns"
    text = stem_text(asked)
    assert text.index("9,000 returns") < text.index("Where should the photos go?")
    plain = pack.question("tst-1.1-001")
    assert plain is not None and stem_text(plain) == plain.stem


@pytest.mark.parametrize(
    ("questions", "cases", "says"),
    [
        (
            [question("tst-1.1-010", case="tst-case-9")],
            [CASE],
            "names case tst-case-9, which this file does not",
        ),
        ([question("tst-1.1-010")], [CASE], "case tst-case-1: no question names it"),
        (
            [question("tst-1.1-010", case="tst-case-1")],
            [CASE, dict(CASE)],
            "case tst-case-1 is defined twice",
        ),
        ([question("tst-1.1-010", case="tst-case-1")], [{**CASE, "scenario": ""}], "field 'scenario'"),
    ],
)
def test_a_bad_case_study_says_what_to_fix(tmp_path: Path, questions: list, cases: list, says: str) -> None:
    with pytest.raises(InvalidQuestionBank) as error:
        load_pack(write_case_file(tmp_path, questions, cases))
    assert says in str(error.value) and "q2.yaml:" in str(error.value)


def test_a_mock_keeps_a_cases_questions_together_and_in_order(tmp_path: Path) -> None:
    import random

    from bot.domain.mock import draw_mock

    bank = [question(f"tst-1.1-{n:03d}", stem=f"Storage {n}?") for n in range(6)]
    bank += [question(f"tst-2.1-{n:03d}", domain="2", task="2.1", stem=f"Model {n}?") for n in range(6)]
    in_case = [
        question(f"tst-2.1-1{n:02d}", domain="2", task="2.1", case="tst-case-1", stem=f"Part {n}?")
        for n in range(3)
    ]
    folder = write_pack(tmp_path, bank, blueprint=SEQUENCED_BLUEPRINT)
    import yaml

    (folder / "q2.yaml").write_text(yaml.safe_dump({"cases": [CASE], "questions": in_case}, sort_keys=False))
    pack = load_pack(folder)
    for seed in range(20):
        drawn = draw_mock(pack, 15, random.Random(seed))
        ids = [q.id for q in drawn]
        where = [ids.index(q["id"]) for q in in_case]
        assert where == list(range(where[0], where[0] + 3)), (seed, ids)


def test_an_order_starts_shuffled_the_same_way_for_a_card_and_never_already_right(tmp_path: Path) -> None:
    from bot.domain.grading import shown_order

    q = load(tmp_path, [question(), ordering(key="ABCD")]).question("tst-2.2-001")
    assert q is not None
    orders = {seed: "".join(o.letter for o in shown_order(q, seed)) for seed in range(200)}
    assert all(sorted(order) == list("ABCD") for order in orders.values()), "every item, once"
    assert "ABCD" not in orders.values(), "never shown in the answer's order"
    assert len(set(orders.values())) >= 10, "different posts start differently"
    assert all(orders[seed] == "".join(o.letter for o in shown_order(q, seed)) for seed in orders)
    other = load(tmp_path / "other", [question()]).question("tst-1.1-001")
    assert other is not None and shown_order(other, 7) == other.options, "choices keep their letters' order"


def test_an_unused_case_is_located_at_its_own_line_after_a_bad_one(tmp_path: Path) -> None:
    unused = {**CASE, "id": "tst-case-2"}
    folder = write_case_file(tmp_path, [question("tst-1.1-010")], [{**CASE, "scenario": ""}, unused])
    text = (folder / "q2.yaml").read_text().splitlines()
    line = next(n for n, row in enumerate(text, 1) if "id: tst-case-2" in row)
    with pytest.raises(InvalidQuestionBank) as error:
        load_pack(folder)
    assert f"q2.yaml:{line}: case tst-case-2: no question names it" in str(error.value)
