"""`studybot questions check` on bad pack folders: each fault is exactly one line naming the file (and the
line, question id and field where there is one), the exit code is 1, and no traceback is ever shown.
Things in a pack folder that are not files are skipped with a warning and are no fault."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import bot.discord.embed_check  # noqa: F401 - imported up front so timings measure the check, not imports
from bot.__main__ import main
from bot.bank.loader import MAX_FILE_BYTES
from bot.bank.schema import MAX_DOMAIN_NAME, MAX_STEM
from tests.packs import question, write_pack

# 370 bytes: nine levels of nine aliases each, 9**9 (387 million) strings once expanded.
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{','.join(['*' + previous] * 9)}]\n"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "questions: [*i]\n"
)


@dataclass(frozen=True)
class Expect:
    """The one line a bad pack gets: in which file, at which line (found by a marker in the file's text),
    for which question and field, with which words."""

    file: str
    words: str
    marker: str | None = None  # the text on the line the problem must name
    question_id: str | None = None
    field: str | None = None
    exit_code: int = 1
    warning: bool = False  # a skipped entry: a warning line, not a problem


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def billion_laughs(folder: Path) -> Expect:
    (folder / "laughs.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    return Expect("laughs.yaml", "anchors and aliases are not allowed in question files", marker="a: &a")


def alias_in_pack_yaml(folder: Path) -> Expect:
    _edit(folder / "pack.yaml", "score:\n", "score: &s\n")
    return Expect("pack.yaml", "anchors and aliases are not allowed in pack.yaml", marker="score: &s")


def retired_on_13th_month(folder: Path) -> Expect:
    _edit(folder / "pack.yaml", "minutes: 20\n", "minutes: 20\nretired_on: 2026-13-45\n")
    return Expect("pack.yaml", "'2026-13-45' cannot be read as a date", "retired_on:", field="retired_on")


def difficulty_on_february_30th(folder: Path) -> Expect:
    _edit(folder / "q1.yaml", "  difficulty: 2\n", "  difficulty: 2026-02-30\n")
    return Expect("q1.yaml", "cannot be read as a date", "difficulty: 2026", "tst-1.1-001", "difficulty")


def difficulty_tagged_int_two(folder: Path) -> Expect:
    _edit(folder / "q1.yaml", "  difficulty: 2\n", "  difficulty: !!int two\n")
    return Expect("q1.yaml", "'two' cannot be read as a whole number", "!!int", "tst-1.1-001", "difficulty")


def float_tag_on_a_tag(folder: Path) -> Expect:
    _edit(folder / "q1.yaml", "  - s3\n", "  - !!float lots\n")
    return Expect("q1.yaml", "'lots' cannot be read as a number", "!!float", "tst-1.1-001", "tags.0")


def bad_base64(folder: Path) -> Expect:
    _edit(folder / "q1.yaml", "  key: A\n", "  key: !!binary 'a'\n")
    return Expect("q1.yaml", "'a' cannot be read as base64 data", "!!binary", "tst-1.1-001", "key")


def python_tag(folder: Path) -> Expect:
    _edit(folder / "q1.yaml", "  key: A\n", "  key: !!python/name:os.system ''\n")
    return Expect(
        "q1.yaml", "not valid YAML: could not determine a constructor", "!!python", "tst-1.1-001", "key"
    )


def over_the_size_cap(folder: Path) -> Expect:
    filler = "# padding\n" * (MAX_FILE_BYTES // 10 + 1)
    (folder / "huge.yaml").write_text("questions: []\n" + filler, encoding="utf-8")
    return Expect("huge.yaml", "the limit for question files is 2 MB")


def not_utf8(folder: Path) -> Expect:
    (folder / "latin1.yaml").write_bytes("questions: []\n# café\n".encode("latin-1"))
    return Expect("latin1.yaml", "not UTF-8 text")


def named_pipe(folder: Path) -> Expect:
    os.mkfifo(folder / "pipe.yaml")
    return Expect("pipe.yaml", "a named pipe, not a question file: skipped", exit_code=0, warning=True)


def folder_named_yaml(folder: Path) -> Expect:
    (folder / "drafts.yaml").mkdir()
    return Expect("drafts.yaml", "a folder, not a question file: skipped", exit_code=0, warning=True)


def pack_yaml_is_a_pipe(folder: Path) -> Expect:
    (folder / "pack.yaml").unlink()
    os.mkfifo(folder / "pack.yaml")
    return Expect("pack.yaml", "cannot read the file: it is a named pipe")


def over_long_stem(folder: Path) -> Expect:
    _edit(folder / "q1.yaml", "  stem: A team", "  stem: " + "x" * (MAX_STEM - 5) + " A team")
    return Expect("q1.yaml", "characters long; the limit is 1,200", "  stem: xxx", "tst-1.1-001", "stem")


def over_long_option(folder: Path) -> Expect:
    _edit(folder / "q1.yaml", "    C: Amazon EBS io2\n", "    C: Amazon EBS " + "io2 " * 70 + "\n")
    return Expect("q1.yaml", "the limit is 250", "    C: Amazon EBS", "tst-1.1-001", "options.C")


def over_long_reference(folder: Path) -> Expect:
    _edit(
        folder / "q1.yaml",
        "- https://docs.aws.amazon.com/s3/\n",
        f"- https://docs.aws.amazon.com/{'a' * 300}\n",
    )
    return Expect("q1.yaml", "the limit is 300", "amazon.com/aaa", "tst-1.1-001", "references.0")


def over_long_domain_name(folder: Path) -> Expect:
    _edit(folder / "pack.yaml", "  name: Models\n", f"  name: {'Models ' * (MAX_DOMAIN_NAME // 6)}x\n")
    return Expect("pack.yaml", "the limit is 100", "  name: Models Models", field="domains.1.name")


def over_long_task_name(folder: Path) -> Expect:
    _edit(folder / "pack.yaml", "    name: Tune\n", f"    name: {'Tune ' * 40}\n")
    return Expect("pack.yaml", "the limit is 150", "    name: Tune Tune", field="domains.1.tasks.1.name")


def over_long_pack_code(folder: Path) -> Expect:
    _edit(folder / "pack.yaml", "code: TST-C01\n", "code: TST-C01-AND-SOME-MORE\n")
    return Expect("pack.yaml", "the limit is 20", "code:", field="code")


def weights_off(folder: Path) -> Expect:
    _edit(folder / "pack.yaml", "  weight: 60\n", "  weight: 50\n")
    return Expect("pack.yaml", "domain weights must add up to 100", "domains:", field="domains")


def repeated_task_id(folder: Path) -> Expect:
    _edit(folder / "pack.yaml", "  - id: '2.2'\n", "  - id: '2.1'\n")
    return Expect(
        "pack.yaml", "repeated task id '2.1'", "- id: '2.1'\n    name: Tune", field="domains.1.tasks.1.id"
    )


def pack_field_twice(folder: Path) -> Expect:
    _edit(folder / "pack.yaml", "minutes: 20\n", "minutes: 20\nminutes: 30\n")
    return Expect("pack.yaml", "appears twice", "minutes: 30", field="minutes")


def key_of_wrong_type(folder: Path) -> Expect:
    _edit(folder / "q1.yaml", "  key: A\n", "  key: 7\n")
    return Expect("q1.yaml", "must be a letter (A) or a list of letters", "  key: 7", "tst-1.1-001", "key")


CASES: list[Callable[[Path], Expect]] = [
    billion_laughs,
    alias_in_pack_yaml,
    retired_on_13th_month,
    difficulty_on_february_30th,
    difficulty_tagged_int_two,
    float_tag_on_a_tag,
    bad_base64,
    python_tag,
    over_the_size_cap,
    not_utf8,
    named_pipe,
    folder_named_yaml,
    pack_yaml_is_a_pipe,
    over_long_stem,
    over_long_option,
    over_long_reference,
    over_long_domain_name,
    over_long_task_name,
    over_long_pack_code,
    weights_off,
    repeated_task_id,
    pack_field_twice,
    key_of_wrong_type,
]


def _line_of(path: Path, marker: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert text.count(marker) == 1, f"{marker!r} must mark one place in {path.name}"
    return text[: text.index(marker)].count("\n") + 1


def check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], float]:
    started = time.perf_counter()
    code = main(["questions", "check", str(folder)])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines(), elapsed


@pytest.mark.timeout(20)
@pytest.mark.parametrize("make_bad", CASES, ids=[case.__name__ for case in CASES])
def test_each_fault_is_one_located_line(
    make_bad: Callable[[Path], Expect], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    # One question, so the other's stem cannot be flagged as a near-duplicate of a changed one.
    folder = write_pack(tmp_path, [question()])
    expect = make_bad(folder)
    code, lines, elapsed = check(folder, capsys)

    assert code == expect.exit_code, lines
    assert not any("Traceback" in line for line in lines), lines
    path = folder / expect.file
    naming = [line for line in lines if str(path) in line]
    assert len(naming) == 1, lines
    (line,) = naming
    assert expect.words in line
    if expect.marker:
        assert re.search(re.escape(f"{path}:{_line_of(path, expect.marker)}") + "[ :]", line), line
    if expect.question_id:
        assert f"question {expect.question_id} " in line
    if expect.field:
        assert f"field '{expect.field}':" in line
    if expect.warning:
        assert line.startswith("warning: ")
        assert any("OK, 1 questions" in other for other in lines)
    else:
        assert "1 problem(s) found" in lines
        assert elapsed < 0.5, f"checking took {elapsed:.2f} s"


def test_the_billion_laughs_file_is_the_classic_size() -> None:
    assert 350 <= len(BILLION_LAUGHS.encode()) <= 400
    assert yaml.parse(BILLION_LAUGHS) is not None  # well-formed YAML: refused for its aliases, not its syntax


def test_the_billion_laughs_as_a_person_runs_the_command(tmp_path: Path) -> None:
    """In a process of its own: the refusal comes before anything is expanded, so the command ends at
    once and small (it took 15 s and 1.2 GB when aliases were expanded)."""
    folder = write_pack(tmp_path, [question()])
    billion_laughs(folder)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "questions", "check", str(folder)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"{folder / 'laughs.yaml'}:1: anchors and aliases are not allowed in question files",
        "1 problem(s) found",
    ]
    assert time.perf_counter() - started < 10  # the interpreter's start-up included
