"""The embed check: every embed the bot makes from a question, built with the real rendering code, fits
Discord's limits uncut; a question (or blueprint) that would not fit is named with file, line and field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.__main__ import main
from bot.bank import locate_path
from bot.bank import schema as limits
from bot.config import SHIPPED_QUESTIONS
from bot.discord import embed_check
from bot.discord.embed_check import embed_problems, exam_misfits, question_misfits
from tests.packs import BLUEPRINT, multiple, question, write_pack


def _text(length: int, word: str = "word") -> str:
    """Prose of exactly ``length`` characters."""
    return ((word + " ") * length)[: length - 1] + "."


def _url(length: int, n: int) -> str:
    head = f"https://docs.aws.amazon.com/guide-{n}/"
    return head + "p" * (length - len(head))


def _widest_blueprint(tasks_per_domain: int = 2) -> dict[str, Any]:
    blueprint = copy.deepcopy(BLUEPRINT)
    blueprint["code"] = "C" * limits.MAX_PACK_CODE
    blueprint["name"] = _text(limits.MAX_PACK_NAME)
    for number, domain in enumerate(blueprint["domains"], start=1):
        domain["name"] = _text(limits.MAX_DOMAIN_NAME)
        domain["tasks"] = [
            {"id": f"{number}.{t}", "name": _text(limits.MAX_TASK_NAME, f"task{t}")}
            for t in range(1, tasks_per_domain + 1)
        ]
    return blueprint


def _widest_questions() -> list[dict[str, Any]]:
    """A single-answer and a six-option choose-two question with every text at its maximum length."""
    shared = {
        "stem": _text(limits.MAX_STEM),
        "explanation": _text(limits.MAX_EXPLANATION),
        "references": [_url(limits.MAX_REFERENCE, n) for n in range(3)],
    }
    single = question(
        "tst-1.1-001",
        options={letter: _text(limits.MAX_OPTION, letter) for letter in "ABCD"},
        why_wrong={letter: _text(limits.MAX_WHY_WRONG, letter) for letter in "BCD"},
        **copy.deepcopy(shared),  # a shared object would be written as a YAML alias, which is refused
    )
    six = multiple(
        "tst-2.1-001",
        options={letter: _text(limits.MAX_OPTION, letter) for letter in "ABCDEF"},
        why_wrong={letter: _text(limits.MAX_WHY_WRONG, letter) for letter in "CDEF"},
        **copy.deepcopy(shared),
    )
    return [single, six]


def test_a_question_at_every_maximum_length_fits_every_embed(tmp_path: Path) -> None:
    located = locate_path(write_pack(tmp_path, _widest_questions(), blueprint=_widest_blueprint()))
    pack = located.pack
    assert [len(q.options) for q in pack.questions] == [4, 6]
    assert len(pack.questions[0].stem) == limits.MAX_STEM
    for q in pack.questions:
        assert question_misfits(pack, q) == [], q.id
    assert exam_misfits(pack) == []
    assert embed_problems(located) == []


def test_every_shipped_question_fits_every_embed() -> None:
    for pack_dir in sorted(SHIPPED_QUESTIONS.glob("*/pack.yaml")):
        located = locate_path(pack_dir.parent)
        assert [str(p) for p in embed_problems(located)] == [], pack_dir.parent.name


def test_sizes_are_of_the_uncut_text_and_name_the_field(tmp_path: Path, monkeypatch) -> None:
    """Rendering cuts a description at 4096 characters; the check measures what it would have been."""
    folder = write_pack(tmp_path, [question(stem=_text(limits.MAX_STEM))])
    located = locate_path(folder)
    monkeypatch.setattr(embed_check, "DESCRIPTION_MAX", 1000)
    problems = [p for p in embed_problems(located) if "daily post description" in p.message]
    (problem,) = problems
    lines = (folder / "q1.yaml").read_text().splitlines()
    assert (problem.question_id, problem.field) == ("tst-1.1-001", "stem")
    assert lines[problem.line - 1].lstrip().startswith("stem:")
    size = len(f"{'x' * limits.MAX_STEM}\n\n") + sum(3 + len(o) for o in question()["options"].values()) - 1
    assert f"would be {size:,} characters (stem 1,200, options " in problem.message
    assert problem.message.endswith("; Discord allows 1,000")


def test_a_cut_under_discord_limits_is_still_reported(tmp_path: Path, monkeypatch) -> None:
    """Renderer cuts that are not at Discord's limits lose text too: they are found by comparing the real
    embed with the one laid out uncut."""
    located = locate_path(write_pack(tmp_path, [question(explanation=_text(300))]))

    def cutting(pack: Any, q: Any) -> discord.Embed:
        return discord.Embed(title="Answer", description=q.explanation[:200])

    monkeypatch.setattr(embed_check, "QUESTION_EMBEDS", {"reveal": cutting})
    (problem,) = embed_problems(located, with_blueprint=False)
    assert problem.field == "explanation"
    assert "the reveal description is cut by the bot's rendering code (explanation 300)" in problem.message


def test_too_many_task_statements_for_the_exam_embed_are_reported_at_pack_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Each name is within its limit, but seven of them overflow the domain's field on /exam."""
    monkeypatch.chdir(tmp_path)
    blueprint = _widest_blueprint(tasks_per_domain=7)
    folder = write_pack(tmp_path, [question(task="1.1")], blueprint=blueprint)
    assert main(["questions", "check", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    problems = [line for line in captured.err.splitlines() if str(folder) in line]
    assert len(problems) == 2, problems  # one field per domain: two domains
    pack_yaml = folder / "pack.yaml"
    lines = pack_yaml.read_text().splitlines()
    for problem, domain in zip(problems, ("0", "1"), strict=True):
        where, message = problem.split(": ", 1)
        path, line = where.split(" ")[0].rsplit(":", 1)
        assert path == str(pack_yaml)
        assert where.endswith(f"field 'domains.{domain}.tasks'")
        assert lines[int(line) - 1].lstrip().startswith("tasks:")
        assert (
            f"(pack.yaml domains.{domain}.tasks {7 * limits.MAX_TASK_NAME:,}); Discord allows 1,024"
            in message
        )
        assert message.startswith(f"the /exam embed field 'Domain {int(domain) + 1}: word word")
