"""Packs uploaded as one file: a YAML pack is held to exactly the rules of a pack folder, a CSV pack gets a
generated blueprint, and every problem of either names where it is. Nothing partial is ever returned."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.bank import InvalidQuestionBank, load_pack
from bot.bank.loader import BankProblem
from bot.bank.schema import MAX_DOMAIN_NAME, MAX_STEM
from bot.bank.upload import (
    CSV_EXAM_MINUTES,
    CSV_EXAM_QUESTIONS,
    CSV_SCORE,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_DOMAINS,
    MAX_UPLOAD_QUESTIONS,
    parse_upload,
)
from bot.config import SHIPPED_QUESTIONS
from bot.discord.embed_check import exam_misfits, question_misfits
from bot.domain.pack import QuestionKind
from tests.packs import BLUEPRINT, SEQUENCED_BLUEPRINT, multiple, ordering, question, write_pack


def refused(filename: str, data: bytes | str, **kwargs: Any) -> list[BankProblem]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(InvalidQuestionBank) as caught:
        parse_upload(filename, raw, slug="up", **kwargs)
    return caught.value.problems


def only(problems: list[BankProblem]) -> BankProblem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- YAML -------------------------------------------------------------------------------------------


def yaml_pack(
    questions: list[dict[str, Any]] | None = None, blueprint: dict[str, Any] | None = None, **extra: Any
) -> str:
    """One file: the blueprint's keys at the top (the exam length as exam_questions) and the questions."""
    top = copy.deepcopy(blueprint or BLUEPRINT)
    top["exam_questions"] = top.pop("questions")
    top["questions"] = questions if questions is not None else [question(), multiple()]
    top.update(extra)
    return yaml.safe_dump(top, sort_keys=False, allow_unicode=True)


def test_a_yaml_pack_loads_under_the_given_slug() -> None:
    pack = parse_upload("my-pack.yaml", yaml_pack().encode(), slug="guild-42-tst")
    assert pack.slug == "guild-42-tst"
    assert (pack.blueprint.code, pack.blueprint.name) == ("TST-C01", "Test Exam")
    assert pack.blueprint.questions == 10 and pack.blueprint.minutes == 20
    assert [q.id for q in pack.questions] == ["tst-1.1-001", "tst-2.1-001"]
    assert pack.question("tst-2.1-001") is not None and pack.question("tst-2.1-001").choose == 2


def test_a_yaml_pack_is_the_same_pack_as_the_folder_it_was_made_from(tmp_path: Path) -> None:
    questions = [question(), multiple(), ordering()]
    from_folder = load_pack(write_pack(tmp_path, questions, blueprint=SEQUENCED_BLUEPRINT))
    uploaded = parse_upload("p.yml", yaml_pack(questions, SEQUENCED_BLUEPRINT).encode(), slug="tst")
    assert uploaded == from_folder


@pytest.mark.parametrize("folder", sorted(p.parent for p in SHIPPED_QUESTIONS.glob("*/pack.yaml")), ids=str)
def test_each_shipped_pack_uploaded_as_one_yaml_file_is_the_same_pack(folder: Path) -> None:
    top = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
    top["exam_questions"] = top.pop("questions")
    top["questions"], top["cases"] = [], []
    for path in sorted(folder.glob("*.yaml")):
        if path.name != "pack.yaml":
            written = yaml.safe_load(path.read_text(encoding="utf-8"))
            top["questions"] += written["questions"]
            top["cases"] += written.get("cases", [])
    text = yaml.safe_dump(top, sort_keys=False, allow_unicode=True)
    assert parse_upload(f"{folder.name}.yaml", text.encode(), slug=folder.name) == load_pack(folder)


def test_code_and_name_given_with_a_yaml_upload_do_not_replace_the_files() -> None:
    pack = parse_upload("p.yaml", yaml_pack().encode(), slug="up", code="OTHER", name="Other")
    assert pack.blueprint.code == "TST-C01"


def test_the_extension_is_read_without_regard_to_case_and_folders_are_dropped() -> None:
    pack = parse_upload("C:\\Users\\me\\Packs\\PACK.YML", yaml_pack().encode(), slug="up")
    assert len(pack.questions) == 2
    problem = only(refused("/tmp/x/../PACK.YML", "- not a pack\n"))
    assert problem.file == "PACK.YML"


def test_a_byte_order_mark_is_accepted() -> None:
    pack = parse_upload("p.yaml", b"\xef\xbb\xbf" + yaml_pack().encode(), slug="up")
    assert len(pack.questions) == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"key": "F"},
        {"domain": "9"},
        {"task": "2.1"},
        {"why_wrong": {"B": "x", "C": "y"}},
        {"stem": "s" * (MAX_STEM + 1)},
        {"references": ["docs.aws.amazon.com/s3"]},
        {"colour": "red", "difficulty": 4},
        {
            "options": {"A": "S3", "B": "EBS", "C": "s3 ", "D": "EFS"},
            "why_wrong": {"B": "x", "C": "y", "D": "z"},
        },
    ],
)
def test_yaml_questions_meet_exactly_the_rules_of_a_pack_folder(tmp_path: Path, changes: dict) -> None:
    """The same question gives the same problems uploaded as in a question file, each placed at the line of
    the uploaded file where the field is written."""
    bad = question("tst-1.1-042", **changes)
    with pytest.raises(InvalidQuestionBank) as on_disk:
        load_pack(write_pack(tmp_path, [question(), bad]))
    text = yaml_pack([question(), bad])
    problems = refused("upload.yaml", text)
    assert [(p.message, p.question_id, p.field) for p in problems] == [
        (p.message, p.question_id, p.field) for p in on_disk.value.problems
    ]
    lines = text.splitlines()
    for problem in problems:
        assert problem.file == "upload.yaml" and problem.question_id == "tst-1.1-042"
        assert problem.line is not None and problem.field is not None
        assert problem.field.split(".")[0] in lines[problem.line - 1] or problem.message == "is required"
        assert str(problem).startswith(f"upload.yaml:{problem.line} question tst-1.1-042 field ")


def test_yaml_blueprint_problems_name_their_line_and_field() -> None:
    blueprint = copy.deepcopy(BLUEPRINT)
    blueprint["domains"][0]["weight"] = 50
    blueprint["score"]["pass"] = 2000
    text = yaml_pack(blueprint=blueprint)
    problems = refused("p.yaml", text)
    assert [(p.field, p.message) for p in problems] == [
        ("domains", "domain weights must add up to 100"),
        ("score", "needs min < max and min <= pass <= max"),
    ]
    lines = text.splitlines()
    assert all(lines[p.line - 1].startswith(f"{p.field}:") for p in problems if p.line)


def test_the_exam_length_is_exam_questions_in_an_uploaded_yaml_pack() -> None:
    text = yaml_pack().replace("exam_questions: 10\n", "")
    problem = only(refused("p.yaml", text))
    assert (problem.field, problem.message) == ("exam_questions", "is required")

    too_long = only(refused("p.yaml", yaml_pack().replace("exam_questions: 10", "exam_questions: 900")))
    assert too_long.field == "exam_questions" and "500" in too_long.message
    assert text.splitlines()[0] != ""  # the document is still read from line 1


def test_a_pack_yaml_with_question_files_pasted_under_it_gets_one_clear_problem() -> None:
    """The commonest slip: pack.yaml's ``questions: 65`` kept at the top of the file."""
    text = yaml.safe_dump(BLUEPRINT, sort_keys=False)
    problem = only(refused("p.yaml", text))
    assert problem.field == "questions" and "exam_questions" in problem.message
    assert text.splitlines()[problem.line - 1].startswith("questions: 10")


def test_yaml_problems_are_all_reported_together() -> None:
    text = yaml_pack([question(key="F"), multiple(key=["A"]), question("tst-1.1-001", stem="Other?")])
    problems = refused("p.yaml", text)
    assert {(p.question_id, p.field) for p in problems} == {
        ("tst-1.1-001", "key"),
        ("tst-2.1-001", "key"),
    }
    text = yaml_pack([question(), question(stem="Same id, other stem?")])
    duplicate = only(refused("p.yaml", text))
    assert duplicate.field == "id" and "already used at p.yaml:" in duplicate.message


def test_a_yaml_pack_may_hold_case_studies() -> None:
    case = {"id": "tst-case-01", "title": "A shop", "scenario": "A shop sells things."}
    pack = parse_upload("p.yaml", yaml_pack([question(case="tst-case-01")], cases=[case]).encode(), slug="up")
    assert pack.questions[0].case is not None and pack.questions[0].case.title == "A shop"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- just\n- a list\n", "must be a mapping"),
        ("plain text that YAML reads as one string\n", "must be a mapping"),
        ("code: X\nquestions: {a: 1}\n", "must be the list of the pack's questions"),
        ("code: [unclosed\n", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "not valid YAML"),
        ("[" * 10_000 + "]" * 10_000, "not valid YAML"),
        ("code: X\nquestions: []\n", "holds no questions"),
    ],
)
def test_a_yaml_file_that_is_no_pack_gets_one_clear_problem(text: str, words: str) -> None:
    problem = only(refused("p.yaml", text))
    assert words in problem.message and problem.file == "p.yaml"


def test_a_yaml_bomb_is_refused_before_it_expands() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{name}: &{name} [{','.join(['*' + previous] * 9)}]\n"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    problem = only(refused("bomb.yaml", bomb + "questions: [*i]\n"))
    assert (problem.line, problem.message) == (1, "anchors and aliases are not allowed in uploaded packs")


def test_a_bad_value_in_a_yaml_question_names_the_question() -> None:
    text = yaml_pack([question(), question("tst-1.1-002", difficulty="DIFF")]).replace(
        "difficulty: DIFF", "difficulty: !!int two"
    )
    problem = only(refused("p.yaml", text))
    assert (problem.question_id, problem.field) == ("tst-1.1-002", "difficulty")
    assert "cannot be read as a whole number" in problem.message


def test_a_yaml_pack_with_more_questions_than_the_limit_is_refused_whole() -> None:
    questions = [question(f"tst-1.1-{n:03d}", stem=f"Question {n}?") for n in range(MAX_UPLOAD_QUESTIONS + 1)]
    problem = only(refused("p.yaml", yaml_pack(questions)))
    assert problem.field == "questions" and f"at most {MAX_UPLOAD_QUESTIONS}" in problem.message


def test_a_yaml_pack_with_more_domains_than_the_limit_is_refused() -> None:
    count = MAX_UPLOAD_DOMAINS + 1
    blueprint = copy.deepcopy(BLUEPRINT)
    blueprint["domains"] = [
        {
            "id": str(n),
            "name": f"D{n}",
            "weight": 100 // count + (n <= 100 % count),
            "tasks": [{"id": f"{n}.1", "name": "T"}],
        }
        for n in range(1, count + 1)
    ]
    problem = only(refused("p.yaml", yaml_pack([question()], blueprint)))
    assert problem.field == "domains" and f"at most {MAX_UPLOAD_DOMAINS}" in problem.message


# --- CSV --------------------------------------------------------------------------------------------

HEADER = [
    "id",
    "domain",
    "task",
    "type",
    "stem",
    "A",
    "B",
    "C",
    "D",
    "E",
    "key",
    "explanation",
    "why_wrong_A",
    "why_wrong_B",
    "why_wrong_C",
    "why_wrong_D",
    "why_wrong_E",
    "reference",
    "difficulty",
]


def row(qid: str = "net-001", **cells: str) -> dict[str, str]:
    """A valid single-answer row; keyword arguments replace cells (why_wrong_B as why_wrong_B)."""
    values = {
        "id": qid,
        "domain": "Networking",
        "task": "",
        "type": "",
        "stem": f"Which service gives question {qid} an isolated network?",
        "A": "Amazon VPC",
        "B": "Amazon S3",
        "C": "AWS IAM",
        "D": "Amazon SQS",
        "E": "",
        "key": "A",
        "explanation": "A VPC is a logically isolated network.",
        "why_wrong_A": "",
        "why_wrong_B": "S3 stores objects.",
        "why_wrong_C": "IAM manages identities.",
        "why_wrong_D": "SQS queues messages.",
        "why_wrong_E": "",
        "reference": "https://docs.aws.amazon.com/vpc/",
        "difficulty": "",
    }
    values.update(cells)
    return values


def multi_row(qid: str = "sec-001", **cells: str) -> dict[str, str]:
    return row(
        qid,
        **{
            "domain": "Security",
            "stem": f"Which two reduce the risk in question {qid}?",
            "A": "MFA on the root user",
            "B": "Least-privilege policies",
            "C": "Opening port 22 to the world",
            "D": "Sharing access keys",
            "E": "Public buckets",
            "key": "A, B",
            "explanation": "Both shrink what a leaked credential can do.",
            "why_wrong_A": "",
            "why_wrong_B": "",
            "why_wrong_C": "Invites attacks.",
            "why_wrong_D": "Keys leak.",
            "why_wrong_E": "Data leaks.",
            **cells,
        },
    )


def csv_file(rows: list[dict[str, str]], header: list[str] = HEADER, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(column, "") for column in header])
    return out.getvalue()


def load_csv(text: str | bytes, **kwargs: Any):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_upload("bank.csv", raw, slug="up", **{"code": "NET-C01", "name": "Networking", **kwargs})


def refused_csv(text: str, **kwargs: Any) -> list[BankProblem]:
    return refused("bank.csv", text, **{"code": "NET-C01", "name": "Networking", **kwargs})


def test_a_csv_pack_gets_a_generated_blueprint() -> None:
    rows = [
        row("net-001", task="Design a VPC"),
        row("net-002", task="Route traffic"),
        row("net-003"),
        row("net-004", task="design a  VPC"),  # the same task, written differently
        multi_row("sec-001"),
    ]
    pack = load_csv(csv_file(rows))
    bp = pack.blueprint
    assert pack.slug == "up" and (bp.code, bp.name) == ("NET-C01", "Networking")
    assert (bp.questions, bp.minutes, bp.scale) == (CSV_EXAM_QUESTIONS, CSV_EXAM_MINUTES, CSV_SCORE)
    assert (bp.questions, bp.minutes, bp.scale.minimum, bp.scale.maximum, bp.scale.passing) == (
        65,
        90,
        100,
        1000,
        700,
    )
    assert bp.question_types == (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
    assert [(d.id, d.name, d.weight) for d in bp.domains] == [("1", "Networking", 80), ("2", "Security", 20)]
    assert [(t.id, t.name) for t in bp.domains[0].tasks] == [
        ("1.1", "Design a VPC"),
        ("1.2", "Route traffic"),
        ("1.3", "Networking"),  # rows without a task name
    ]
    assert [(t.id, t.name) for t in bp.domains[1].tasks] == [("2.1", "Security")]
    assert [(q.id, q.domain_id, q.task_id) for q in pack.questions] == [
        ("net-001", "1", "1.1"),
        ("net-002", "1", "1.2"),
        ("net-003", "1", "1.3"),
        ("net-004", "1", "1.1"),
        ("sec-001", "2", "2.1"),
    ]
    single, multi = pack.question("net-001"), pack.question("sec-001")
    assert single.kind is QuestionKind.SINGLE and single.key == {"A"} and single.difficulty == 2
    assert [o.letter for o in single.options] == ["A", "B", "C", "D"]
    assert single.why_wrong == {
        "B": "S3 stores objects.",
        "C": "IAM manages identities.",
        "D": "SQS queues messages.",
    }
    assert multi.kind is QuestionKind.MULTIPLE and multi.key == {"A", "B"} and multi.choose == 2


def test_a_csv_pack_fits_the_bots_embeds() -> None:
    pack = load_csv(csv_file([row("net-001", task="Design a VPC"), row("net-002"), multi_row("sec-001")]))
    assert exam_misfits(pack) == []
    assert all(question_misfits(pack, q) == [] for q in pack.questions)


@pytest.mark.parametrize(
    "counts", [[1], [1, 1, 1], [2, 1], [97, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [499, 1]]
)
def test_domain_weights_follow_the_questions_and_add_up_to_100(counts: list[int]) -> None:
    rows = [
        row(f"q-{domain}-{n}", domain=f"Domain {domain}", stem=f"Question {n} of domain {domain}?")
        for domain, count in enumerate(counts)
        for n in range(count)
    ]
    weights = [d.weight for d in load_csv(csv_file(rows)).blueprint.domains]
    assert sum(weights) == 100 and min(weights) >= 1
    total = sum(counts)
    assert all(abs(w - 100 * c / total) <= len(counts) for w, c in zip(weights, counts, strict=True))


def test_a_spreadsheet_export_with_bom_semicolons_and_multi_line_cells_reads() -> None:
    stem = "A company runs this:\n\n  two lines; with a semicolon, and a comma.\nWhich service?"
    text = csv_file([row("net-001", stem=stem), row("net-002")], delimiter=";")
    pack = load_csv(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert pack.question("net-001").stem == stem.strip()
    assert len(pack.questions) == 2


def test_column_names_ignore_case_spaces_and_hyphens_and_may_come_in_any_order() -> None:
    spelled_as = {
        "Stem": "stem",
        "ID": "id",
        "a": "A",
        "b": "B",
        "c": "C",
        "d": "D",
        "Domain": "domain",
        "KEY": "key",
        "Explanation ": "explanation",
        "why-wrong-b": "why_wrong_B",
        "Why wrong C": "why_wrong_C",
        "WHY_WRONG_D": "why_wrong_D",
        "why wrong a": "why_wrong_A",
        "Reference": "reference",
    }
    values = row()
    text = csv_file(
        [{header: values[column] for header, column in spelled_as.items()}], header=list(spelled_as)
    )
    pack = load_csv(text)
    assert (
        pack.question("net-001").key == {"A"}
        and pack.question("net-001").why_wrong["B"] == "S3 stores objects."
    )


@pytest.mark.parametrize(("key", "letters"), [("B", {"B"}), ("b", {"B"}), (" C ", {"C"})])
def test_a_single_key_is_one_letter(key: str, letters: set[str]) -> None:
    wrong = {f"why_wrong_{c}": f"Not {c}." for c in "ABCD" if c not in letters}
    pack = load_csv(
        csv_file(
            [
                row(
                    key=key,
                    **{"why_wrong_A": "", "why_wrong_B": "", "why_wrong_C": "", "why_wrong_D": "", **wrong},
                )
            ]
        )
    )
    assert pack.questions[0].key == letters


@pytest.mark.parametrize("key", ["A, B", "A,B", "A B", "AB", "a;b", "A/B", "B, A"])
def test_a_multiple_key_is_letters_and_sets_choose(key: str) -> None:
    pack = load_csv(csv_file([multi_row(key=key)]))
    (q,) = pack.questions
    assert q.kind is QuestionKind.MULTIPLE and q.key == {"A", "B"} and q.choose == 2


def test_three_choices_make_choose_three() -> None:
    pack = load_csv(csv_file([multi_row(key="A,B,C", why_wrong_C="")]))
    assert pack.questions[0].choose == 3 and pack.questions[0].kind is QuestionKind.MULTIPLE


def test_three_bad_rows_give_three_precise_problems() -> None:
    """Rows 3, 5 and 7 each break one rule; rows 2, 4 and 6 are fine. One problem per bad row, each naming
    the row as a spreadsheet shows it, the row's question id and the column to fix."""
    rows = [
        row("net-001"),
        row("net-002", key="G"),  # row 3
        row("net-003"),
        row("net-004", why_wrong_C=""),  # row 5
        row("net-005"),
        row("net-006", reference="docs.aws.amazon.com/vpc/"),  # row 7
    ]
    problems = refused_csv(csv_file(rows))
    assert [(p.row, p.question_id, p.field) for p in problems] == [
        (3, "net-002", "key"),
        (5, "net-004", "why_wrong_C"),
        (7, "net-006", "reference"),
    ]
    assert "key letter G is not among the options" in problems[0].message
    assert "missing the reason option C is wrong" in problems[1].message
    assert "is not a well-formed http(s) URL" in problems[2].message
    assert str(problems[0]).startswith("bank.csv row 3 question net-002 column 'key': ")
    assert all(p.file == "bank.csv" and p.line is None for p in problems)


def test_every_bad_cell_of_a_row_is_named() -> None:
    bad = row(
        "Net 7",
        stem="s" * (MAX_STEM + 1),
        B="Amazon VPC",
        difficulty="5",
        why_wrong_A="A is the key.",
    )
    problems = refused_csv(csv_file([row(), bad]))
    assert {p.row for p in problems} == {3}
    assert {p.field for p in problems} == {"id", "stem", "difficulty"}
    stem = next(p for p in problems if p.field == "stem")
    assert f"the limit is {MAX_STEM:,}" in stem.message
    assert all(p.question_id == "Net 7" for p in problems)


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"key": ""}, "key", "is required"),
        ({"key": "A or B"}, "key", "is not a key"),
        ({"key": "1"}, "key", "is not a key"),
        ({"type": "single", "key": "A,B", "why_wrong_B": ""}, "key", "exactly one key letter"),
        ({"type": "ordering"}, "type", "single and multiple questions only"),
        ({"type": "true/false"}, "type", "write single or multiple"),
        ({"stem": ""}, "stem", "is required"),
        ({"explanation": " "}, "explanation", "is required"),
        ({"reference": ""}, "reference", "is required"),
        ({"domain": ""}, "domain", "is required"),
        ({"C": "", "why_wrong_C": "", "E": "Amazon EC2", "why_wrong_E": "Compute."}, "C", "lettered A, B, C"),
        ({"D": "", "why_wrong_D": ""}, "D", "at least 4"),
        ({"D": "amazon vpc"}, "D", "options A and D have the same text"),
        ({"why_wrong_A": "It is right."}, "why_wrong_A", "gives a reason for A"),
        ({"why_wrong_E": "There is no E."}, "why_wrong_E", "gives a reason for E"),
        ({"B": "b" * 251}, "B", "the limit is 250"),
        ({"why_wrong_B": "w" * 301}, "why_wrong_B", "the limit is 300"),
        ({"difficulty": "hard"}, "difficulty", "valid integer"),
        (
            {
                "reference": "https://a.example.com/1 https://a.example.com/2 https://a.example.com/3 https://a.example.com/4"
            },
            "reference",
            "at most 3",
        ),
    ],
)
def test_each_rule_names_the_row_and_the_column(cells: dict[str, str], column: str, words: str) -> None:
    problem = only(refused_csv(csv_file([row(), row("net-002", **cells)])))
    assert (problem.row, problem.field, problem.question_id) == (3, column, "net-002")
    assert words in problem.message


def test_a_multiple_question_has_two_key_letters_or_more() -> None:
    problem = only(refused_csv(csv_file([multi_row(type="multiple", key="A", why_wrong_B="Not alone.")])))
    assert (problem.row, problem.field) == (2, "key") and "two or more key letters" in problem.message


def test_a_multiple_question_needs_five_options() -> None:
    problem = only(refused_csv(csv_file([multi_row(E="", why_wrong_E="")])))
    assert (problem.row, problem.field) == (2, "E") and "five or six options" in problem.message


def test_a_row_without_an_id_is_named_by_its_row_alone() -> None:
    problem = only(refused_csv(csv_file([row(""), row("net-002")])))
    assert (problem.row, problem.question_id, problem.field, problem.message) == (
        2,
        None,
        "id",
        "is required",
    )


def test_a_repeated_id_names_the_row_it_first_appeared_in() -> None:
    problem = only(refused_csv(csv_file([row("net-001"), row("net-002"), row("net-001", stem="Another?")])))
    assert (problem.row, problem.field) == (4, "id")
    assert problem.message == "duplicate id: already used in row 2"


def test_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    """A cell spanning lines is still one row; an empty row is skipped but still counted."""
    text = csv_file([row("net-001", stem="Line one\nline two\nline three?"), {}, row("net-003", key="Z")])
    problem = only(refused_csv(text))
    assert problem.row == 4 and problem.question_id == "net-003"


def test_the_code_and_name_of_a_csv_pack_come_with_the_upload() -> None:
    problems = refused("bank.csv", csv_file([row()]))
    assert [(p.field, p.row) for p in problems] == [("code", None), ("name", None)]
    assert all("given with the upload" in p.message for p in problems)
    long_code = only(refused_csv(csv_file([row()]), code="X" * 21))
    assert long_code.field == "code" and "the limit is 20" in long_code.message


def test_a_blueprint_problem_is_placed_at_the_row_that_first_names_it() -> None:
    long_name = "N" * (MAX_DOMAIN_NAME + 1)
    problems = refused_csv(
        csv_file([row("net-001"), row("net-002", domain=long_name), row("net-003", domain=long_name)])
    )
    problem = only(problems)
    assert (problem.row, problem.field) == (3, "domain") and "the limit is 100" in problem.message
    long_task = only(refused_csv(csv_file([row("net-001"), row("net-002", task="t" * 151)])))
    assert (long_task.row, long_task.field) == (3, "task")


def test_too_many_domains_are_refused_at_the_first_one_too_many() -> None:
    rows = [
        row(f"q-{n:03d}", domain=f"Domain {n}", stem=f"Question {n}?") for n in range(MAX_UPLOAD_DOMAINS + 2)
    ]
    problem = only(refused_csv(csv_file(rows)))
    assert (problem.row, problem.field) == (MAX_UPLOAD_DOMAINS + 2, "domain")
    assert f"at most {MAX_UPLOAD_DOMAINS}" in problem.message


def test_more_questions_than_the_limit_are_refused_whole() -> None:
    rows = [row(f"q-{n:04d}", stem=f"Question {n}?") for n in range(MAX_UPLOAD_QUESTIONS + 1)]
    problem = only(refused_csv(csv_file(rows)))
    assert f"at most {MAX_UPLOAD_QUESTIONS}" in problem.message


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ([c for c in HEADER if c not in ("key", "why_wrong_B")], "lacks the columns key, why_wrong_B"),
        ([*HEADER, "notes"], "unknown column"),
        ([*HEADER, "Key"], "repeats column"),
        (["question", "answer", "notes"], "the first row must be the header"),
        ([c for c in HEADER if c not in ("E", "why_wrong_E")] + ["F"], "lacks the columns why_wrong_F"),
    ],
)
def test_a_bad_header_is_one_problem_on_row_one(header: list[str], words: str) -> None:
    problem = only(refused_csv(csv_file([row()], header=header)))
    assert problem.row == 1 and words in problem.message


def test_a_value_under_no_header_is_named() -> None:
    text = csv_file([row()]).replace("\r\n", ",,stray\r\n").replace(",,stray", "", 1)
    problem = only(refused_csv(text))
    assert problem.row == 2 and f"column {len(HEADER) + 2}" in problem.message


def test_an_unclosed_quote_names_the_row_where_it_opens() -> None:
    text = csv_file([row("net-001"), row("net-002")]) + 'net-003,Networking,,,"Never closed\nand on\n'
    problem = only(refused_csv(text))
    assert problem.row == 4 and "cannot be read as CSV" in problem.message


def test_a_formula_in_a_cell_is_only_text() -> None:
    formula = '=HYPERLINK("https://evil.example.com","click")'
    pack = load_csv(csv_file([row(stem=formula, B="+cmd|'/C calc'!A0", C="@SUM(1+1)")]))
    q = pack.questions[0]
    assert (
        q.stem == formula and q.option("B").text == "+cmd|'/C calc'!A0" and q.option("C").text == "@SUM(1+1)"
    )
    problem = only(refused_csv(csv_file([row(reference=formula)])))
    assert problem.field == "reference"


# --- any upload -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("pack.txt", b"questions: []", "upload .yaml, .yml, .csv"),
        ("pack", b"questions: []", "'no extension'"),
        ("pack.xlsx", b"PK\x03\x04", "upload .yaml, .yml, .csv"),
        ("pack.csv", b"", "the file is empty"),
        ("pack.yaml", b"  \n\n", "the file is empty"),
        ("pack.csv", b"\xef\xbb\xbf", "the file is empty"),
        ("pack.csv", bytes(range(256)) * 4, "not UTF-8 text (byte 129)"),
        ("pack.yaml", b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
        ("pack.csv", b"id,domain\x00,stem\n", "binary data"),
        ("pack.yaml", b"code: X\x00\n", "binary data"),
        ("pack.csv", ",".join(HEADER).encode(), "no row after the header"),
        ("pack.csv", (",".join(HEADER) + "\r\n,,,\r\n\r\n").encode(), "no row after the header"),
    ],
)
def test_hostile_or_empty_files_get_one_clear_problem(filename: str, data: bytes, words: str) -> None:
    problem = only(refused(filename, data, code="X", name="Y"))
    assert words in problem.message and problem.file == filename


@pytest.mark.parametrize("filename", ["big.csv", "big.yaml"])
def test_the_size_is_checked_before_anything_is_read(filename: str) -> None:
    data = b"\xff" * (MAX_UPLOAD_BYTES + 1)  # not even UTF-8: the size is what is reported
    problem = only(refused(filename, data))
    assert (
        f"is {MAX_UPLOAD_BYTES + 1:,} bytes" in problem.message
        and "the limit for an uploaded pack is 2 MB" in problem.message
    )
    assert parse_upload("ok.yaml", yaml_pack().encode(), slug="up") is not None


def test_a_long_or_odd_filename_is_shown_short_and_on_one_line() -> None:
    problem = only(refused("a\nb" + "x" * 300 + ".txt", b"x"))
    assert "\n" not in problem.file and len(problem.file) <= 80 and problem.file.endswith(".txt")
