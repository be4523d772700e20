"""Every validation rule, each with a malformed file that must produce an error naming file, id and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.bank import InvalidQuestionBank, check_path, load_pack
from bot.domain.pack import QuestionKind
from tests.packs import multiple, question, write_pack


def problems_for(tmp_path: Path, questions: list[dict], **kwargs) -> list:
    folder = write_pack(tmp_path, questions, **kwargs)
    with pytest.raises(InvalidQuestionBank) as caught:
        load_pack(folder)
    return caught.value.problems


def only_problem(tmp_path: Path, q: dict):
    problems = problems_for(tmp_path, [q])
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_a_valid_pack_loads_into_domain_objects(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path))
    assert pack.slug == "tst"
    assert pack.blueprint.code == "TST-C01"
    assert pack.blueprint.scale.passing == 750
    assert pack.blueprint.minutes_per_question == 2
    single, multi = pack.questions
    assert single.kind is QuestionKind.SINGLE and single.key == {"A"}
    assert multi.kind is QuestionKind.MULTIPLE and multi.key == {"A", "B"} and multi.choose == 2
    assert pack.count_by_domain() == {"1": 1, "2": 1}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"domain": "9"}, "domain", "unknown domain '9'"),
        ({"task": "2.1"}, "task", "unknown task statement '2.1' for domain 1"),
        ({"key": "F"}, "key", "key letter F is not among the options"),
        ({"explanation": "   "}, "explanation", "at least 1 character"),
        ({"references": ["docs.aws.amazon.com/s3"]}, "references", "not a well-formed"),
        ({"references": ["https://exa mple.com/x"]}, "references", "not a well-formed"),
        ({"difficulty": 4}, "difficulty", "less than or equal to 3"),
        (
            {
                "options": {"A": "S3", "B": "EBS", "C": "s3 ", "D": "EFS"},
                "why_wrong": {"B": "x", "C": "y", "D": "z"},
            },
            "options",
            "options A and C have the same text",
        ),
        (
            {
                "options": {"A": "S3", "B": "EBS", "D": "EFS", "E": "FSx"},
                "why_wrong": {"B": "x", "D": "y", "E": "z"},
            },
            "options",
            "lettered A, B, C, D",
        ),
        ({"why_wrong": {"B": "x", "C": "y"}}, "why_wrong", "missing the reason option D is wrong"),
        ({"why_wrong": {"A": "w", "B": "x", "C": "y", "D": "z"}}, "why_wrong", "gives a reason for A"),
        ({"key": ["A", "B"]}, "key", "exactly one key letter"),
        ({"choose": 2}, "choose", "only multiple-response"),
        ({"stem": None}, "stem", "is required"),
        ({"colour": "red"}, "colour", "not a known field"),
        ({"id": "Bad Id!"}, "id", "should match pattern"),
        ({"stem": "s" * 1201}, "stem", "is 1,201 characters long; the limit is 1,200"),
        ({"explanation": "e" * 1001}, "explanation", "the limit is 1,000"),
        (
            {"options": {"A": "S3", "B": "b" * 251, "C": "EBS", "D": "EFS"}},
            "options.B",
            "is 251 characters long; the limit is 250",
        ),
        ({"why_wrong": {"B": "x", "C": "y" * 301, "D": "z"}}, "why_wrong.C", "the limit is 300"),
        ({"references": ["https://docs.aws.amazon.com/" + "r" * 280]}, "references.0", "the limit is 300"),
        ({"domain": "1" * 11}, "domain", "the limit is 10"),
        ({"key": {"A": 1}}, "key", "must be a letter (A) or a list of letters"),
    ],
)
def test_each_rule_names_file_question_and_field(
    tmp_path: Path, changes: dict, field: str, words: str
) -> None:
    q = question("tst-1.1-042", **changes)
    problem = only_problem(tmp_path, q)
    assert problem.file.endswith("q1.yaml")
    assert problem.question_id == q["id"]
    assert problem.field == field
    assert words in problem.message
    assert problem.line is not None
    assert f"question {q['id']} field '{field}'" in str(problem)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"key": ["A", "B", "C"]}, "key", "key has 3 letters but the question says choose 2"),
        ({"choose": None}, "choose", "needs 'choose'"),
        (
            {"options": {"A": "a", "B": "b", "C": "c", "D": "d"}, "why_wrong": {"C": "x", "D": "y"}},
            "options",
            "five or six options",
        ),
    ],
)
def test_multiple_response_rules(tmp_path: Path, changes: dict, field: str, words: str) -> None:
    problem = only_problem(tmp_path, multiple("tst-2.1-007", **changes))
    assert (problem.question_id, problem.field) == ("tst-2.1-007", field)
    assert words in problem.message


def test_the_line_points_at_the_field(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, question(key="F"))
    lines = (tmp_path / "tst" / "q1.yaml").read_text().splitlines()
    assert lines[problem.line - 1].strip().startswith("key:")


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    problems = problems_for(
        tmp_path, [question("tst-1.1-001"), question("tst-1.1-001", stem="Other?")], files=2
    )
    assert len(problems) == 1
    assert problems[0].file.endswith("q2.yaml") and problems[0].field == "id"
    assert "already used at" in problems[0].message and "q1.yaml" in problems[0].message


def test_a_field_given_twice_is_reported(tmp_path: Path) -> None:
    folder = write_pack(tmp_path)
    path = folder / "q1.yaml"
    path.write_text(path.read_text().replace("  difficulty: 2\n", "  difficulty: 2\n  difficulty: 3\n", 1))
    with pytest.raises(InvalidQuestionBank) as caught:
        load_pack(folder)
    (problem,) = caught.value.problems
    assert (problem.field, problem.message) == ("difficulty", "appears twice")


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = write_pack(tmp_path)
    (folder / "broken.yaml").write_text("questions:\n  - id: x\n    stem: [unclosed\n")
    with pytest.raises(InvalidQuestionBank) as caught:
        load_pack(folder)
    (problem,) = caught.value.problems
    assert problem.file.endswith("broken.yaml")
    assert "not valid YAML" in problem.message and problem.line is not None


def test_yaml_tags_that_build_objects_are_refused(tmp_path: Path) -> None:
    folder = write_pack(tmp_path)
    (folder / "evil.yaml").write_text("questions: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(InvalidQuestionBank) as caught:
        load_pack(folder)
    assert "not valid YAML" in caught.value.problems[0].message


def test_a_file_without_a_questions_list(tmp_path: Path) -> None:
    folder = write_pack(tmp_path)
    (folder / "empty.yaml").write_text("- just a list\n")
    with pytest.raises(InvalidQuestionBank) as caught:
        load_pack(folder)
    assert "must be a mapping with a 'questions' list" in str(caught.value)


def test_every_problem_is_collected_not_just_the_first(tmp_path: Path) -> None:
    problems = problems_for(
        tmp_path, [question("tst-1.1-001", domain="7"), question("tst-1.1-002", key="Z"), multiple(choose=3)]
    )
    assert {p.question_id for p in problems} == {"tst-1.1-001", "tst-1.1-002", "tst-2.1-001"}


def test_blueprint_weights_must_add_up(tmp_path: Path) -> None:
    from tests.packs import BLUEPRINT

    broken = {**BLUEPRINT, "domains": [{**BLUEPRINT["domains"][0], "weight": 10}, BLUEPRINT["domains"][1]]}
    problems = problems_for(tmp_path, [question()], blueprint=broken)
    assert any(p.file.endswith("pack.yaml") and "add up to 100" in p.message for p in problems)


def test_missing_blueprint(tmp_path: Path) -> None:
    folder = write_pack(tmp_path)
    (folder / "pack.yaml").unlink()
    with pytest.raises(InvalidQuestionBank, match=r"needs a pack\.yaml"):
        load_pack(folder)


def test_check_path_validates_one_file_against_its_blueprint(tmp_path: Path) -> None:
    folder = write_pack(tmp_path, [question(), question("tst-1.1-002", key="Q")], files=2)
    assert len(check_path(folder / "q1.yaml").questions) == 1
    with pytest.raises(InvalidQuestionBank, match=r"tst-1\.1-002"):
        check_path(folder / "q2.yaml")


def test_retired_questions_load_but_are_not_active(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, [question(), question("tst-1.1-002", retired=True, stem="Old?")]))
    assert len(pack.questions) == 2
    assert [q.id for q in pack.active_questions] == ["tst-1.1-001"]
    assert pack.question("tst-1.1-002") is not None


def test_reading_builds_the_same_data_as_the_safe_loader(tmp_path) -> None:
    """The loader builds plain data itself for speed (commit 353526a); it must agree with PyYAML's safe
    loader on everything it accepts: numbers, booleans, nulls, keys that are not strings, explicit tags,
    a merge key written inline, and every shipped file."""
    from bot.bank.loader import _read_yaml
    from bot.config import SHIPPED_QUESTIONS

    odd = tmp_path / "odd.yaml"
    odd.write_text(
        "questions:\n"
        "  - <<: {stem: 'shared', difficulty: 2}\n"
        "    id: x-1\n"
        "    retired: true\n"
        "    weight: 1.5\n"
        "    nothing: null\n"
        "    1: numeric key\n"
        "    tags: [a, 'b', 3, no, R&D, '*']\n"
        "  - !!map {explicit: !!str 12}\n"
        "  - {stem: 'shared', difficulty: 2}\n",
        encoding="utf-8",
    )
    files = [odd, *sorted(SHIPPED_QUESTIONS.rglob("*.yaml"))]
    assert len(files) > 10
    for path in files:
        data, _ = _read_yaml(path, path.name)
        assert data == yaml.safe_load(path.read_text(encoding="utf-8")), path.name


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("base: &base {stem: 'shared', difficulty: 2}\nquestions:\n  - <<: *base\n", 1),
        ("questions:\n  - id: x-1\n    tags: &t [a]\n  - id: x-2\n    tags: *t\n", 3),
        ("questions:\n  - id: x-1\n    stem: 'A & B, *not* an alias'\n  - &q {id: x-2}\n", 4),
    ],
)
def test_anchors_and_aliases_are_refused_at_the_first_one(tmp_path, text: str, line: int) -> None:
    """Aliases expand on building (a few hundred bytes can become gigabytes), so neither they nor the
    anchors they point at are accepted; the refusal names the line of the first."""
    from bot.bank.loader import _read_yaml

    path = tmp_path / "anchored.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidQuestionBank) as caught:
        _read_yaml(path, path.name)
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (line, "anchors and aliases are not allowed in question files")


def test_a_nested_field_is_located_at_its_own_line(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, question(why_wrong={"B": "x", "C": "y" * 301, "D": "z"}))
    lines = (tmp_path / "tst" / "q1.yaml").read_text().splitlines()
    assert lines[problem.line - 1].strip().startswith("C: yyy")


def test_pack_folders_finds_the_packs_under_a_folder(tmp_path: Path) -> None:
    from bot.bank import pack_folders

    first = write_pack(tmp_path / "questions", slug="one")
    second = write_pack(tmp_path / "questions", slug="two")
    write_pack(tmp_path / ".venv", slug="three")  # hidden folders are not searched
    assert pack_folders(tmp_path) == [first, second]
    assert pack_folders(first) == [first]


def test_a_named_pipe_in_a_pack_is_skipped_not_waited_on(tmp_path: Path) -> None:
    import os

    from bot.bank import skipped_entries

    folder = write_pack(tmp_path)
    os.mkfifo(folder / "pipe.yaml")
    (folder / "drafts.yaml").mkdir()
    assert len(load_pack(folder).questions) == 2
    assert [(Path(p.file).name, p.message) for p in skipped_entries(folder)] == [
        ("drafts.yaml", "a folder, not a question file: skipped"),
        ("pipe.yaml", "a named pipe, not a question file: skipped"),
    ]
    with pytest.raises(InvalidQuestionBank, match="it is a named pipe"):
        check_path(folder / "pipe.yaml")
