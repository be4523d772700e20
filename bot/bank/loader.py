"""Load exam packs from `questions/<pack>/` and report every problem a human would otherwise meet live.

A pack folder holds `pack.yaml` (the blueprint) and any number of question files (`*.yaml`). Every problem
names the file, the line where it can, the question id and the field, and all problems are collected
before failing, so one `studybot questions check` run lists everything to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.bank.cache import ParsedFileCache
from bot.bank.schema import PackSpec, QuestionSpec
from bot.domain.pack import (
    Blueprint,
    Domain,
    ExamPack,
    Option,
    Question,
    QuestionKind,
    ScoreScale,
    Task,
)
from bot.domain.similarity import similar_pairs

PACK_FILE = "pack.yaml"
# The C loader (libyaml) when PyYAML has it: the same safe constructors, several times faster.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class BankProblem:
    """One thing wrong with a pack, located as precisely as the file allows."""

    file: str
    message: str
    line: int | None = None
    question_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.question_id:
            parts.append(f"question {self.question_id}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return " ".join(parts) + f": {self.message}"


class InvalidQuestionBank(Exception):
    """A pack or question file failed validation. `problems` lists every finding."""

    def __init__(self, problems: list[BankProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- reading YAML with line numbers -------------------------------------------------------------


@dataclass
class _Lines:
    """Line numbers (1-based) of the questions in a file and of each of their fields."""

    of_question: dict[int, int]
    of_field: dict[tuple[int, str], int]
    duplicate_fields: list[tuple[int, str, int]]

    def to_json(self) -> dict[str, list[list[Any]]]:
        return {
            "questions": [[index, line] for index, line in self.of_question.items()],
            "fields": [[index, name, line] for (index, name), line in self.of_field.items()],
            "duplicates": [list(item) for item in self.duplicate_fields],
        }

    @classmethod
    def from_json(cls, stored: dict[str, list[list[Any]]]) -> _Lines:
        return cls(
            {index: line for index, line in stored["questions"]},
            {(index, name): line for index, name, line in stored["fields"]},
            [(index, name, line) for index, name, line in stored["duplicates"]],
        )


def _index_lines(root: yaml.Node | None) -> _Lines:
    lines = _Lines({}, {}, [])
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) != "questions" or not isinstance(value_node, yaml.SequenceNode):
            continue
        for index, item in enumerate(value_node.value):
            lines.of_question[index] = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingNode):
                continue
            for field_key, _ in item.value:
                name = str(getattr(field_key, "value", ""))
                line = field_key.start_mark.line + 1
                if (index, name) in lines.of_field:
                    lines.duplicate_fields.append((index, name, line))
                lines.of_field[(index, name)] = line
    return lines


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


def _plain_data(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """Build plain data from a composed node, as the safe loader would. Question files are nearly all
    mappings, lists and strings; building those directly takes half the time of PyYAML's general
    constructor, which still builds (or refuses) everything else: numbers, booleans, merge keys, keys
    that are not strings, explicit tags."""
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag == _STR_TAG else loader.construct_object(node, deep=True)
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
        return [_plain_data(loader, item) for item in node.value]
    if (
        isinstance(node, yaml.MappingNode)
        and node.tag == _MAP_TAG
        and all(isinstance(key, yaml.ScalarNode) and key.tag == _STR_TAG for key, _ in node.value)
    ):
        return {key.value: _plain_data(loader, value) for key, value in node.value}
    return loader.construct_object(node, deep=True)


def _read_yaml(path: Path, display: str, cache: ParsedFileCache | None = None) -> tuple[Any, _Lines]:
    """Parse one file with the safe loader; a YAML error becomes a located BankProblem."""
    try:
        content = path.read_bytes()
        text = content.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidQuestionBank([BankProblem(display, f"cannot read the file: {exc}")]) from exc
    key = ParsedFileCache.key(content) if cache is not None else ""
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        return cached["data"], _Lines.from_json(cached["lines"])
    try:
        # One pass: compose the node tree (kept for line numbers), then build plain data from it.
        loader = SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = _plain_data(loader, root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidQuestionBank([BankProblem(display, f"not valid YAML: {reason}", line=line)]) from exc
    except RecursionError as exc:
        raise InvalidQuestionBank([BankProblem(display, "not valid YAML: nested too deeply")]) from exc
    lines = _index_lines(root)
    if cache is not None:
        cache.put(key, {"data": data, "lines": lines.to_json()})
    return data, lines


def _pydantic_problems(
    exc: ValidationError, display: str, question_id: str | None, lines: dict[str, int], fallback: int | None
) -> Iterator[BankProblem]:
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        field = ".".join(loc) if loc else None
        message = error["msg"]
        if error["type"] == "missing":
            message = "is required"
        elif error["type"] == "extra_forbidden":
            message = "is not a known field"
        yield BankProblem(
            display,
            message,
            line=lines.get(loc[0], fallback) if loc else fallback,
            question_id=question_id,
            field=field,
        )


# --- the blueprint ------------------------------------------------------------------------------


def load_blueprint(pack_dir: Path) -> Blueprint:
    path = pack_dir / PACK_FILE
    display = str(path)
    if not path.is_file():
        raise InvalidQuestionBank([BankProblem(display, "missing: every pack folder needs a pack.yaml")])
    data, _ = _read_yaml(path, display)
    if not isinstance(data, dict):
        raise InvalidQuestionBank([BankProblem(display, "must be a mapping of blueprint fields")])
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidQuestionBank(list(_pydantic_problems(exc, display, None, {}, None))) from exc

    problems: list[BankProblem] = []
    if sum(d.weight for d in spec.domains) != 100:
        problems.append(BankProblem(display, "domain weights must add up to 100", field="domains"))
    domain_ids = [d.id for d in spec.domains]
    task_ids = [t.id for d in spec.domains for t in d.tasks]
    for label, ids in (("domain", domain_ids), ("task", task_ids)):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            problems.append(
                BankProblem(display, f"repeated {label} ids: {', '.join(repeated)}", field="domains")
            )
    if not spec.score.min <= spec.score.pass_ <= spec.score.max or spec.score.min >= spec.score.max:
        problems.append(BankProblem(display, "needs min < max and min <= pass <= max", field="score"))
    if problems:
        raise InvalidQuestionBank(problems)
    return Blueprint(
        code=spec.code,
        name=spec.name,
        questions=spec.questions,
        minutes=spec.minutes,
        scale=ScoreScale(spec.score.min, spec.score.max, spec.score.pass_),
        question_types=tuple(QuestionKind(t) for t in spec.question_types),
        domains=tuple(
            Domain(d.id, d.name, d.weight, tuple(Task(t.id, t.name) for t in d.tasks)) for d in spec.domains
        ),
        retired_on=spec.retired_on,
    )


# --- questions ----------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def _same_text(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def _key_problems(spec: QuestionSpec, key: list[str]) -> Iterator[tuple[str, str]]:
    for letter in key:
        if letter not in spec.options:
            yield "key", f"key letter {letter} is not among the options ({', '.join(spec.options)})"
    if len(set(key)) != len(key):
        yield "key", "key repeats a letter"
    if spec.type == "single":
        if len(key) != 1:
            yield "key", "a single-answer question has exactly one key letter"
        if spec.choose is not None:
            yield "choose", "only multiple-response questions have 'choose'"
    else:
        if spec.choose is None:
            yield "choose", "a multiple-response question needs 'choose' (how many letters to pick)"
        elif len(key) != spec.choose:
            yield "key", f"key has {len(key)} letters but the question says choose {spec.choose}"
        if len(spec.options) < 5:
            yield "options", "a multiple-response question has five or six options"


def _rule_problems(spec: QuestionSpec, blueprint: Blueprint) -> Iterator[tuple[str, str]]:
    """Cross-field rules, as (field, message) pairs."""
    domain = blueprint.domain(spec.domain)
    if domain is None:
        known = ", ".join(d.id for d in blueprint.domains)
        yield "domain", f"unknown domain '{spec.domain}' (this pack has {known})"
    elif domain.task(spec.task) is None:
        known = ", ".join(t.id for t in domain.tasks)
        yield "task", f"unknown task statement '{spec.task}' for domain {spec.domain} (it has {known})"
    if QuestionKind(spec.type) not in blueprint.question_types:
        yield "type", f"this exam has no '{spec.type}' questions"

    key = spec.key_letters
    key_problems = [*_key_problems(spec, key)]
    yield from key_problems

    seen: dict[str, str] = {}
    for letter, text in spec.options.items():
        normal = _same_text(text)
        if normal in seen:
            yield "options", f"options {seen[normal]} and {letter} have the same text"
        seen.setdefault(normal, letter)

    if key_problems:
        return  # reasons for wrong options only make sense once the key is settled
    wrong = set(spec.options) - set(key)
    for letter in sorted(wrong - set(spec.why_wrong)):
        yield "why_wrong", f"missing the reason option {letter} is wrong"
    for letter in sorted(set(spec.why_wrong) - wrong):
        yield "why_wrong", f"gives a reason for {letter}, which is not a wrong option"


def _to_question(spec: QuestionSpec) -> Question:
    return Question(
        id=spec.id,
        domain_id=spec.domain,
        task_id=spec.task,
        kind=QuestionKind(spec.type),
        stem=spec.stem,
        options=tuple(Option(letter, text) for letter, text in sorted(spec.options.items())),
        key=frozenset(spec.key_letters),
        explanation=spec.explanation,
        why_wrong=dict(spec.why_wrong),
        references=tuple(spec.references),
        difficulty=spec.difficulty,
        tags=tuple(spec.tags),
        retired=spec.retired,
    )


@dataclass
class _Located:
    question: Question
    display: str
    line: int | None


def _load_question_file(
    path: Path, blueprint: Blueprint, cache: ParsedFileCache | None
) -> tuple[list[_Located], list[BankProblem]]:
    display = str(path)
    try:
        data, lines = _read_yaml(path, display, cache)
    except InvalidQuestionBank as exc:
        return [], exc.problems
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return [], [BankProblem(display, "must be a mapping with a 'questions' list", line=1)]
    unknown = sorted(str(k) for k in data if k != "questions")
    problems: list[BankProblem] = []
    if unknown:
        problems.append(BankProblem(display, f"unknown top-level keys: {', '.join(unknown)}", line=1))

    fields_of: dict[int, dict[str, int]] = {}
    for (i, name), ln in lines.of_field.items():
        fields_of.setdefault(i, {})[name] = ln
    located: list[_Located] = []
    for index, raw in enumerate(data["questions"]):
        line = lines.of_question.get(index)
        if not isinstance(raw, dict):
            problems.append(BankProblem(display, f"question #{index + 1} is not a mapping", line=line))
            continue
        raw_id = raw.get("id")
        qid = raw_id if isinstance(raw_id, str) else f"#{index + 1}"
        field_lines = fields_of.get(index, {})
        for i, name, ln in lines.duplicate_fields:
            if i == index:
                problems.append(BankProblem(display, "appears twice", line=ln, question_id=qid, field=name))
        try:
            spec = QuestionSpec.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, display, qid, field_lines, line))
            continue
        rule_problems = [
            BankProblem(display, message, line=field_lines.get(field, line), question_id=qid, field=field)
            for field, message in _rule_problems(spec, blueprint)
        ]
        if rule_problems:
            problems.extend(rule_problems)
            continue
        located.append(_Located(_to_question(spec), display, line))
    return located, problems


def _question_files(pack_dir: Path) -> list[Path]:
    return sorted(p for p in pack_dir.glob("*.yaml") if p.name != PACK_FILE)


def _check_unique_ids(located: list[_Located]) -> list[BankProblem]:
    first: dict[str, _Located] = {}
    problems = []
    for item in located:
        earlier = first.setdefault(item.question.id, item)
        if earlier is not item:
            problems.append(
                BankProblem(
                    item.display,
                    f"duplicate id: already used at {earlier.display}:{earlier.line}",
                    line=item.line,
                    question_id=item.question.id,
                    field="id",
                )
            )
    return problems


def _locate(
    pack_dir: Path, files: list[Path], cache: ParsedFileCache | None = None
) -> tuple[Blueprint, list[_Located]]:
    blueprint = load_blueprint(pack_dir)
    located: list[_Located] = []
    problems: list[BankProblem] = []
    for path in files:
        found, file_problems = _load_question_file(path, blueprint, cache)
        located.extend(found)
        problems.extend(file_problems)
    problems.extend(_check_unique_ids(located))
    if problems:
        raise InvalidQuestionBank(problems)
    return blueprint, located


def _assemble(pack_dir: Path, files: list[Path], cache: ParsedFileCache | None = None) -> ExamPack:
    blueprint, located = _locate(pack_dir, files, cache)
    return ExamPack(pack_dir.name, blueprint, tuple(item.question for item in located))


def near_duplicates(path: Path) -> list[BankProblem]:
    """Active questions of a pack that test the same fact in the same scenario (see
    :mod:`bot.domain.similarity`); for a single file, the pairs that involve one of its questions."""
    pack_dir = path if path.is_dir() else path.parent
    _, located = _locate(pack_dir, _question_files(pack_dir))
    where = {item.question.id: item for item in located}
    active = [item.question for item in located if not item.question.retired]
    problems = []
    for pair in similar_pairs(active):
        first, second = where[pair.first.id], where[pair.second.id]
        if path.is_file() and path.name not in {Path(first.display).name, Path(second.display).name}:
            continue
        problems.append(
            BankProblem(
                first.display,
                f"tests the same fact as {second.question.id} ({second.display}:{second.line}), "
                f"similarity {pair.score:.2f}: rewrite one of them to test something else",
                first.line,
                first.question.id,
                "stem",
            )
        )
    return problems


def load_pack(pack_dir: Path, cache: ParsedFileCache | None = None) -> ExamPack:
    """Load and validate a whole pack folder."""
    return _assemble(pack_dir, _question_files(pack_dir), cache)


def check_path(path: Path) -> ExamPack:
    """Validate a pack folder, or a single question file against the blueprint beside it."""
    if path.is_dir():
        return load_pack(path)
    if not path.is_file():
        raise InvalidQuestionBank([BankProblem(str(path), "no such file or folder")])
    if path.name == PACK_FILE:
        return _assemble(path.parent, [])
    return _assemble(path.parent, [path])


def load_packs(questions_dir: Path, cache_file: Path | None = None) -> dict[str, ExamPack]:
    """Every pack under the questions folder, by slug (its folder name). With ``cache_file``, parsed
    question files are kept there for the next load (see :mod:`bot.bank.cache`)."""
    packs: dict[str, ExamPack] = {}
    problems: list[BankProblem] = []
    cache = ParsedFileCache(cache_file) if cache_file is not None else None
    for pack_dir in sorted(p.parent for p in questions_dir.glob(f"*/{PACK_FILE}")):
        try:
            packs[pack_dir.name] = load_pack(pack_dir, cache)
        except InvalidQuestionBank as exc:
            problems.extend(exc.problems)
    if cache is not None:
        cache.save()
    if problems:
        raise InvalidQuestionBank(problems)
    if not packs:
        raise InvalidQuestionBank([BankProblem(str(questions_dir), "no exam packs found (no */pack.yaml)")])
    return packs
