"""Load exam packs from `questions/<pack>/` and report every problem a human would otherwise meet live.

A pack folder holds `pack.yaml` (the blueprint) and any number of question files (`*.yaml`). Every problem
names the file, the line where it can, the question id and the field, and all problems are collected
before failing, so one `studybot questions check` run lists everything to fix.

Files come from contributors, so reading them is defensive: only regular files up to ``MAX_FILE_BYTES``
are read (a named pipe or a folder called ``*.yaml`` is skipped with a warning, never waited on), YAML
anchors and aliases are refused before anything is built from them (a few hundred bytes of nested
aliases otherwise expand to gigabytes), and a value PyYAML cannot build (``2026-13-45``, ``!!int two``)
is a located problem like any other, not a traceback.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.bank.cache import ParsedFileCache
from bot.bank.schema import CaseSpec, MatchingSpec, OrderingSpec, PackSpec, QuestionSpec
from bot.domain.pack import (
    Blueprint,
    Case,
    Domain,
    ExamPack,
    Option,
    Prompt,
    Question,
    QuestionKind,
    ScoreScale,
    Task,
)
from bot.domain.similarity import similar_pairs

log = logging.getLogger(__name__)

PACK_FILE = "pack.yaml"
# The largest shipped file is about 33 kB; anything near this cap is a mistake, not a bank.
MAX_FILE_BYTES = 2 * 1024 * 1024
# The C loader (libyaml) when PyYAML has it: the same safe constructors, several times faster.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class BankProblem:
    """One thing wrong with a pack, located as precisely as the file allows. A CSV pack has rows and
    columns rather than lines and fields: ``row`` is the row a spreadsheet shows (the header is row 1)
    and ``field`` names the column."""

    file: str
    message: str
    line: int | None = None
    question_id: str | None = None
    field: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        if self.line:
            where = f"{self.file}:{self.line}"
        else:
            where = f"{self.file} row {self.row}" if self.row else self.file
        parts = [where]
        if self.question_id:
            parts.append(f"question {self.question_id}")
        if self.field:
            parts.append(f"{'column' if self.row else 'field'} '{self.field}'")
        return " ".join(parts) + f": {self.message}"


class InvalidQuestionBank(Exception):
    """A pack or question file failed validation. `problems` lists every finding."""

    def __init__(self, problems: list[BankProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _clip(text: str, limit: int = 60) -> str:
    """A value quoted in a message: one line, never a pasted page."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --- which files are read -------------------------------------------------------------------------


def _not_a_file(mode: int) -> str | None:
    """What a directory entry is when it is not a regular file (None when it is one)."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    )
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _entry_kind(path: Path) -> str | None:
    try:
        return _not_a_file(path.stat().st_mode)
    except OSError:
        return "a link to nothing" if path.is_symlink() else "unreadable"


def _pack_files(pack_dir: Path) -> tuple[list[Path], list[BankProblem]]:
    """The question files of a pack folder, and a warning for each ``*.yaml`` entry that is no file."""
    files: list[Path] = []
    skipped: list[BankProblem] = []
    for path in sorted(pack_dir.glob("*.yaml")):
        if path.name == PACK_FILE:
            continue
        kind = _entry_kind(path)
        if kind is None:
            files.append(path)
        else:
            skipped.append(BankProblem(str(path), f"{kind}, not a question file: skipped"))
    return files, skipped


def skipped_entries(path: Path) -> list[BankProblem]:
    """Warnings for the ``*.yaml`` entries of a pack folder that are not regular files (none for a file)."""
    return _pack_files(path)[1] if path.is_dir() else []


def pack_folders(root: Path) -> list[Path]:
    """The pack folders at or under ``root`` (folders holding a pack.yaml), hidden folders left out."""
    if (root / PACK_FILE).exists():
        return [root]
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d != "__pycache__")
        if PACK_FILE in names:
            found.append(Path(folder))
            subfolders.clear()  # a pack holds no packs
    return sorted(found)


def _read_capped(path: Path, display: str, what: str) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES. The file is opened without blocking and
    checked on the open descriptor, so a named pipe put in its place is refused, not waited on."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InvalidQuestionBank([BankProblem(display, f"cannot read the file: {exc.strerror}")]) from exc
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        kind = _not_a_file(status.st_mode)
        if kind is not None:
            raise InvalidQuestionBank([BankProblem(display, f"cannot read the file: it is {kind}")])
        content = file.read(MAX_FILE_BYTES + 1) if status.st_size <= MAX_FILE_BYTES else b""
    if status.st_size > MAX_FILE_BYTES or len(content) > MAX_FILE_BYTES:
        size = max(status.st_size, len(content))
        message = f"is {size:,} bytes; the limit for {what} is {MAX_FILE_BYTES // (1024 * 1024)} MB"
        raise InvalidQuestionBank([BankProblem(display, message)])
    return content


# --- reading YAML with line numbers -------------------------------------------------------------

_QUESTION_FILES = "question files"
_PACK_FILES = "pack.yaml"


def _refuse_anchors(text: str, display: str, what: str) -> None:
    """Refuse the first anchor (``&a``) or alias (``*a``) from the parser's events, before any node is
    composed or built: nested aliases are how a few hundred bytes become gigabytes once expanded.
    Neither can occur without its sigil, so most files skip the extra event pass."""
    if "&" not in text and "*" not in text:
        return
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            message = f"anchors and aliases are not allowed in {what}"
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            raise InvalidQuestionBank([BankProblem(display, message, line=line)])


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_READ_AS = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:binary": "base64 data",
}


class _BadValue(Exception):
    """PyYAML's constructor refused a node (``2026-13-45`` is no date, ``!!int two`` no number)."""

    def __init__(self, node: yaml.Node, cause: Exception) -> None:
        super().__init__(str(cause))
        self.node = node
        self.cause = cause

    @property
    def line(self) -> int:
        mark = getattr(self.cause, "problem_mark", None) or self.node.start_mark
        return int(mark.line) + 1

    @property
    def reason(self) -> str:
        detail = _clip(str(getattr(self.cause, "problem", None) or self.cause), 120)
        if isinstance(self.node, yaml.ScalarNode) and self.node.tag in _READ_AS:
            return f"'{_clip(self.node.value)}' cannot be read as {_READ_AS[self.node.tag]}: {detail}"
        if isinstance(self.cause, yaml.YAMLError):
            return f"not valid YAML: {detail}"
        return f"cannot be read: {detail}"


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except RecursionError:
        raise
    except Exception as exc:
        # Constructors raise what their value makes them raise (ValueError for a bad date or number,
        # TypeError, binascii errors, ConstructorError): each means this value, so locate it.
        raise _BadValue(node, exc) from exc


def _plain_data(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """Build plain data from a composed node, as the safe loader would. Question files are nearly all
    mappings, lists and strings; building those directly takes half the time of PyYAML's general
    constructor, which still builds (or refuses) everything else: numbers, booleans, merge keys, keys
    that are not strings, explicit tags."""
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag == _STR_TAG else _construct(loader, node)
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
        return [_plain_data(loader, item) for item in node.value]
    if (
        isinstance(node, yaml.MappingNode)
        and node.tag == _MAP_TAG
        and all(isinstance(key, yaml.ScalarNode) and key.tag == _STR_TAG for key, _ in node.value)
    ):
        return {key.value: _plain_data(loader, value) for key, value in node.value}
    return _construct(loader, node)


def _children(node: yaml.Node) -> Iterator[tuple[str | int, yaml.Node]]:
    if isinstance(node, yaml.SequenceNode):
        yield from enumerate(node.value)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(getattr(key, "value", "?"))
            yield name, key
            yield name, value


def _path_to(node: yaml.Node, target: yaml.Node) -> list[str | int] | None:
    """The keys and indexes that lead from ``node`` to ``target``, e.g. ``["questions", 3, "difficulty"]``
    (anchors are refused, so every node has one parent)."""
    if node is target:
        return []
    for step, child in _children(node):
        rest = _path_to(child, target)
        if rest is not None:
            return [step, *rest]
    return None


def _mapping_value(node: yaml.Node | None, name: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == name:
                found: yaml.Node = value
                return found
    return None


def _question_label(root: yaml.Node, index: int) -> str:
    """A question's id as its problems name it: the id written in the file, or its position."""
    questions = _mapping_value(root, "questions")
    item = questions.value[index] if isinstance(questions, yaml.SequenceNode) else None
    written = _mapping_value(item, "id")
    if isinstance(written, yaml.ScalarNode) and written.tag == _STR_TAG:
        return _clip(written.value, 64)
    return f"#{index + 1}"


def _value_problem(bad: _BadValue, root: yaml.Node, display: str, what: str) -> BankProblem:
    try:
        path = _path_to(root, bad.node) or []
    except RecursionError:
        path = []  # nested too deeply to name: the line still says where
    question_id = None
    if what != _PACK_FILES and len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        question_id = _question_label(root, path[1])
        path = path[2:]
    field_name = ".".join(str(step) for step in path) or None
    return BankProblem(display, bad.reason, line=bad.line, question_id=question_id, field=field_name)


def parse_yaml(text: str, display: str, what: str) -> tuple[Any, yaml.Node | None]:
    """The plain data of a YAML text and its node tree (kept for line numbers), or a located problem.
    ``what`` names the kind of file in messages ("question files"); a file that may hold questions names
    the question of a bad value."""
    root: yaml.Node | None = None
    try:
        _refuse_anchors(text, display, what)
        # One pass: compose the node tree, then build plain data from it.
        loader = SafeLoader(text)
        try:
            root = loader.get_single_node()
            return (_plain_data(loader, root) if root is not None else None), root
        finally:
            loader.dispose()
    except _BadValue as bad:
        assert root is not None  # values are only built once the tree is composed
        raise InvalidQuestionBank([_value_problem(bad, root, display, what)]) from bad
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidQuestionBank([BankProblem(display, f"not valid YAML: {reason}", line=line)]) from exc
    except RecursionError as exc:
        raise InvalidQuestionBank([BankProblem(display, "not valid YAML: nested too deeply")]) from exc


def decode_text(content: bytes, display: str) -> str:
    """The UTF-8 text of a file's bytes, or a problem naming the first byte that is not."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"cannot read the file: not UTF-8 text (byte {exc.start + 1})"
        raise InvalidQuestionBank([BankProblem(display, message)]) from exc


def _read_text(path: Path, display: str, what: str) -> tuple[bytes, str]:
    content = _read_capped(path, display, what)
    return content, decode_text(content, display)


def _key_lines(node: yaml.Node, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(dotted path, line) of every key and list item under a node, e.g. ``("options.B", 12)``, in file
    order; a key given twice comes twice."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = f"{prefix}{getattr(key, 'value', '?')}"
            yield name, key.start_mark.line + 1
            yield from _key_lines(value, f"{name}.")
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            name = f"{prefix}{index}"
            yield name, item.start_mark.line + 1
            yield from _key_lines(item, f"{name}.")


@dataclass
class _Lines:
    """Line numbers (1-based) of the questions in a file and of each of their fields, nested ones too
    (``options.B``, ``references.1``)."""

    of_question: dict[int, int]
    of_field: dict[tuple[int, str], int]
    duplicate_fields: list[tuple[int, str, int]]
    of_case: dict[int, int] = field(default_factory=dict)  # line of each entry under `cases:`

    def to_json(self) -> dict[str, list[list[Any]]]:
        return {
            "questions": [[index, line] for index, line in self.of_question.items()],
            "fields": [[index, name, line] for (index, name), line in self.of_field.items()],
            "duplicates": [list(item) for item in self.duplicate_fields],
            "cases": [[index, line] for index, line in self.of_case.items()],
        }

    @classmethod
    def from_json(cls, stored: dict[str, list[list[Any]]]) -> _Lines:
        return cls(
            {index: line for index, line in stored["questions"]},
            {(index, name): line for index, name, line in stored["fields"]},
            [(index, name, line) for index, name, line in stored["duplicates"]],
            {index: line for index, line in stored.get("cases", [])},
        )


def _index_lines(root: yaml.Node | None) -> _Lines:
    lines = _Lines({}, {}, [])
    cases = _mapping_value(root, "cases")
    if isinstance(cases, yaml.SequenceNode):
        for index, item in enumerate(cases.value):
            lines.of_case[index] = item.start_mark.line + 1
    questions = _mapping_value(root, "questions")
    if not isinstance(questions, yaml.SequenceNode):
        return lines
    for index, item in enumerate(questions.value):
        lines.of_question[index] = item.start_mark.line + 1
        for name, line in _key_lines(item):
            if (index, name) in lines.of_field:
                lines.duplicate_fields.append((index, name, line))
            lines.of_field[(index, name)] = line
    return lines


def _read_yaml(path: Path, display: str, cache: ParsedFileCache | None = None) -> tuple[Any, _Lines]:
    """Parse one question file with the safe loader; any fault becomes a located BankProblem."""
    content, text = _read_text(path, display, _QUESTION_FILES)
    key = ParsedFileCache.key(content) if cache is not None else ""
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        return cached["data"], _Lines.from_json(cached["lines"])
    data, root = parse_yaml(text, display, _QUESTION_FILES)
    lines = _index_lines(root)
    if cache is not None:
        cache.put(key, {"data": data, "lines": lines.to_json()})
    return data, lines


def _line_for(lines: Mapping[str, int], loc: Sequence[str], fallback: int | None) -> int | None:
    """The line of the deepest part of a dotted location the file has a line for."""
    for depth in range(len(loc), 0, -1):
        line = lines.get(".".join(loc[:depth]))
        if line is not None:
            return line
    return fallback


def _pydantic_message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "value_error":  # our own validators' words, without pydantic's "Value error, "
        return str(error["ctx"]["error"])
    if kind == "string_too_long":
        size = len(str(error["input"]).strip())
        return f"is {size:,} characters long; the limit is {error['ctx']['max_length']:,}"
    return str(error["msg"])


def _pydantic_problems(
    exc: ValidationError,
    display: str,
    question_id: str | None,
    lines: Mapping[str, int],
    fallback: int | None,
) -> Iterator[BankProblem]:
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        yield BankProblem(
            display,
            _pydantic_message(error),
            line=_line_for(lines, loc, fallback),
            question_id=question_id,
            field=_clip(".".join(loc), 80) if loc else None,
        )


# --- the blueprint ------------------------------------------------------------------------------


def _blueprint_rule_problems(spec: PackSpec, display: str, lines: Mapping[str, int]) -> Iterator[BankProblem]:
    if sum(d.weight for d in spec.domains) != 100:
        yield BankProblem(display, "domain weights must add up to 100", lines.get("domains"), field="domains")
    for label, places in (
        ("domain", [(d.id, f"domains.{i}.id") for i, d in enumerate(spec.domains)]),
        (
            "task",
            [
                (t.id, f"domains.{i}.tasks.{j}.id")
                for i, d in enumerate(spec.domains)
                for j, t in enumerate(d.tasks)
            ],
        ),
    ):
        seen: set[str] = set()
        for item_id, where in places:
            if item_id in seen:
                yield BankProblem(display, f"repeated {label} id '{item_id}'", lines.get(where), field=where)
            seen.add(item_id)
    if not spec.score.min <= spec.score.pass_ <= spec.score.max or spec.score.min >= spec.score.max:
        yield BankProblem(
            display, "needs min < max and min <= pass <= max", lines.get("score"), field="score"
        )


def _to_blueprint(spec: PackSpec) -> Blueprint:
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


def _read_blueprint(pack_dir: Path) -> tuple[Blueprint, dict[str, int]]:
    """The blueprint of a pack folder, and the line of every key in its pack.yaml (``domains.0.name``)."""
    path = pack_dir / PACK_FILE
    display = str(path)
    if not path.exists() and not path.is_symlink():
        raise InvalidQuestionBank([BankProblem(display, "missing: every pack folder needs a pack.yaml")])
    kind = _entry_kind(path)
    if kind is not None:
        raise InvalidQuestionBank([BankProblem(display, f"cannot read the file: it is {kind}")])
    _, text = _read_text(path, display, _PACK_FILES)
    data, root = parse_yaml(text, display, _PACK_FILES)
    return blueprint_from_data(data, root, display)


def blueprint_from_data(data: Any, root: yaml.Node | None, display: str) -> tuple[Blueprint, dict[str, int]]:
    """Validate parsed blueprint fields (a pack.yaml's, or an upload's) with every blueprint rule; lines
    come from ``root``, the node tree the data was built from (none for data that was never YAML)."""
    if not isinstance(data, dict):
        raise InvalidQuestionBank([BankProblem(display, "must be a mapping of blueprint fields", line=1)])
    lines: dict[str, int] = {}
    problems: list[BankProblem] = []
    for name, line in _key_lines(root) if root is not None else ():
        if name in lines:
            problems.append(BankProblem(display, "appears twice", line, field=name))
        lines[name] = line
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidQuestionBank([*problems, *_pydantic_problems(exc, display, None, lines, 1)]) from exc
    problems.extend(_blueprint_rule_problems(spec, display, lines))
    if problems:
        raise InvalidQuestionBank(problems)
    return _to_blueprint(spec), lines


def load_blueprint(pack_dir: Path) -> Blueprint:
    return _read_blueprint(pack_dir)[0]


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


AnySpec = QuestionSpec | OrderingSpec | MatchingSpec
SPEC_FOR_TYPE: dict[str, type[AnySpec]] = {
    "single": QuestionSpec,
    "multiple": QuestionSpec,
    "ordering": OrderingSpec,
    "matching": MatchingSpec,
}


def _duplicate_texts(entries: Mapping[Any, str], what: str, field_name: str) -> Iterator[tuple[str, str]]:
    seen: dict[str, Any] = {}
    for name, text in entries.items():
        normal = _same_text(text)
        if normal in seen:
            yield field_name, f"{what} {seen[normal]} and {name} have the same text"
        seen.setdefault(normal, name)


def _ordering_problems(spec: OrderingSpec) -> Iterator[tuple[str, str]]:
    items = ", ".join(spec.items)
    unknown = sorted(set(spec.key) - set(spec.items))
    if unknown:
        yield "key", f"key names {', '.join(unknown)}, which is not among the items ({items})"
    elif len(set(spec.key)) != len(spec.key):
        yield "key", "key repeats an item: it is the items in order, each once"
    elif len(spec.key) != len(spec.items):
        missing = sorted(set(spec.items) - set(spec.key))
        yield "key", f"key leaves out {', '.join(missing)}: it puts every item ({items}) in order"
    yield from _duplicate_texts(spec.items, "items", "items")


def _matching_problems(spec: MatchingSpec) -> Iterator[tuple[str, str]]:
    for number in sorted(set(spec.prompts) - set(spec.key)):
        yield "key", f"prompt {number} has no response in the key"
    for number in sorted(set(spec.key) - set(spec.prompts)):
        yield "key", f"key names prompt {number}, which does not exist (prompts 1 to {len(spec.prompts)})"
    for number, letter in sorted(spec.key.items()):
        if letter not in spec.responses:
            yield "key", f"key gives prompt {number} response {letter}, which is not among the responses"
    yield from _duplicate_texts(spec.prompts, "prompts", "prompts")
    yield from _duplicate_texts(spec.responses, "responses", "responses")


def _rule_problems(spec: AnySpec, blueprint: Blueprint) -> Iterator[tuple[str, str]]:
    """Cross-field rules, as (field, message) pairs."""
    domain = blueprint.domain(spec.domain)
    if domain is None:
        known = ", ".join(d.id for d in blueprint.domains)
        yield "domain", f"unknown domain '{spec.domain}' (this pack has {known})"
    elif domain.task(spec.task) is None:
        known = ", ".join(t.id for t in domain.tasks)
        yield "task", f"unknown task statement '{spec.task}' for domain {spec.domain} (it has {known})"
    if QuestionKind(spec.type) not in blueprint.question_types:
        kinds = ", ".join(blueprint.question_types)
        yield "type", f"this exam has no '{spec.type}' questions (its pack.yaml lists {kinds})"
    if isinstance(spec, OrderingSpec):
        yield from _ordering_problems(spec)
        return
    if isinstance(spec, MatchingSpec):
        yield from _matching_problems(spec)
        return

    key = spec.key_letters
    key_problems = [*_key_problems(spec, key)]
    yield from key_problems

    yield from _duplicate_texts(spec.options, "options", "options")

    if key_problems:
        return  # reasons for wrong options only make sense once the key is settled
    wrong = set(spec.options) - set(key)
    for letter in sorted(wrong - set(spec.why_wrong)):
        yield "why_wrong", f"missing the reason option {letter} is wrong"
    for letter in sorted(set(spec.why_wrong) - wrong):
        yield "why_wrong", f"gives a reason for {letter}, which is not a wrong option"


def _question(
    spec: AnySpec,
    options: dict[str, str],
    *,
    key: frozenset[str],
    why_wrong: Mapping[str, str] | None = None,
    prompts: tuple[Prompt, ...] = (),
    sequence: str = "",
    mistake: str = "",
) -> Question:
    return Question(
        id=spec.id,
        domain_id=spec.domain,
        task_id=spec.task,
        kind=QuestionKind(spec.type),
        stem=spec.stem,
        options=tuple(Option(letter, text) for letter, text in sorted(options.items())),
        key=key,
        explanation=spec.explanation,
        why_wrong=dict(why_wrong or {}),
        references=tuple(spec.references),
        difficulty=spec.difficulty,
        tags=tuple(spec.tags),
        retired=spec.retired,
        prompts=prompts,
        sequence=sequence,
        mistake=mistake,
    )


def _to_question(spec: AnySpec) -> Question:
    if isinstance(spec, OrderingSpec):
        return _question(spec, spec.items, key=frozenset(spec.key), sequence=spec.key, mistake=spec.why_wrong)
    if isinstance(spec, MatchingSpec):
        sequence = "".join(spec.key[number] for number in sorted(spec.prompts))
        return _question(
            spec,
            spec.responses,
            key=frozenset(sequence),
            prompts=tuple(Prompt(number, text) for number, text in sorted(spec.prompts.items())),
            sequence=sequence,
            mistake=spec.why_wrong,
        )
    return _question(spec, spec.options, key=frozenset(spec.key_letters), why_wrong=spec.why_wrong)


@dataclass(frozen=True)
class QuestionPlace:
    """Where a question is written: its file, its first line and the line of each of its fields."""

    file: str
    line: int | None
    field_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, field_name: str) -> int | None:
        return _line_for(self.field_lines, field_name.split("."), self.line)


@dataclass
class _Located:
    question: Question
    place: QuestionPlace

    @property
    def display(self) -> str:
        return self.place.file

    @property
    def line(self) -> int | None:
        return self.place.line


def _question_problems(
    raw: Any,
    index: int,
    display: str,
    line: int | None,
    field_lines: dict[str, int],
    duplicates: list[tuple[str, int]],
    blueprint: Blueprint,
    cases: Mapping[str, Case],
) -> tuple[_Located | None, list[BankProblem]]:
    """One question of a file: the question with its place, or what is wrong with it."""
    if not isinstance(raw, dict):
        return None, [BankProblem(display, f"question #{index + 1} is not a mapping", line=line)]
    raw_id = raw.get("id")
    qid = _clip(raw_id, 64) if isinstance(raw_id, str) else f"#{index + 1}"
    problems = [
        BankProblem(display, "appears twice", line=ln, question_id=qid, field=name) for name, ln in duplicates
    ]
    kind = raw.get("type")
    spec_class = SPEC_FOR_TYPE.get(kind) if isinstance(kind, str) else None
    if spec_class is None:
        known = ", ".join(SPEC_FOR_TYPE)
        shown = _clip(str(kind), 40) if kind is not None else "missing"
        where = field_lines.get("type", line)
        return None, [
            *problems,
            BankProblem(
                display, f"{shown}: must be one of {known}", line=where, question_id=qid, field="type"
            ),
        ]
    try:
        spec = spec_class.model_validate(raw)
    except ValidationError as exc:
        return None, [*problems, *_pydantic_problems(exc, display, qid, field_lines, line)]
    problems.extend(
        BankProblem(display, message, line=field_lines.get(name, line), question_id=qid, field=name)
        for name, message in _rule_problems(spec, blueprint)
    )
    if spec.case is not None and spec.case not in cases:
        defined = ", ".join(cases) or "none"
        problems.append(
            BankProblem(
                display,
                f"names case {spec.case}, which this file does not define (its cases: {defined})",
                line=field_lines.get("case", line),
                question_id=qid,
                field="case",
            )
        )
    if problems:
        return None, problems
    question = _to_question(spec)
    if spec.case is not None:
        question = dataclasses.replace(question, case=cases[spec.case])
    return _Located(question, QuestionPlace(display, line, field_lines)), []


def validate_question(
    raw: Any, display: str, blueprint: Blueprint, *, line: int | None
) -> tuple[Question | None, list[BankProblem]]:
    """One question given as plain data (as a question file holds it, a case study aside), checked with
    every rule against ``blueprint``; every problem is placed at ``line``."""
    found, problems = _question_problems(raw, 0, display, line, {}, [], blueprint, {})
    return (found.question if found is not None else None), problems


def _read_cases(
    data: dict[str, Any], display: str, lines: _Lines
) -> tuple[dict[str, Case], list[BankProblem]]:
    """The case studies a file defines under ``cases:``, or what is wrong with them (one no question of
    the file names among it)."""
    raw_cases = data.get("cases", [])
    if not isinstance(raw_cases, list):
        return {}, [BankProblem(display, "'cases' must be a list", line=1)]
    named = {str(q.get("case")) for q in data["questions"] if isinstance(q, dict) and q.get("case")}
    cases: dict[str, Case] = {}
    problems: list[BankProblem] = []
    for index, raw in enumerate(raw_cases):
        line = lines.of_case.get(index)
        try:
            spec = CaseSpec.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                name = ".".join(str(part) for part in error["loc"]) or "case"
                message = f"case #{index + 1} field '{name}': {_pydantic_message(error)}"
                problems.append(BankProblem(display, message, line=line))
            continue
        if spec.id in cases:
            problems.append(BankProblem(display, f"case {spec.id} is defined twice", line=line))
        elif spec.id not in named:
            problems.append(BankProblem(display, f"case {spec.id}: no question names it", line=line))
        cases[spec.id] = Case(spec.id, spec.title, spec.scenario)
    return cases, problems


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
    unknown = sorted(_clip(str(k), 40) for k in data if k not in ("questions", "cases"))
    problems: list[BankProblem] = []
    if unknown:
        problems.append(BankProblem(display, f"unknown top-level keys: {', '.join(unknown)}", line=1))
    located, question_problems = _questions_in(data, display, lines, blueprint)
    return located, [*problems, *question_problems]


def _questions_in(
    data: dict[str, Any], display: str, lines: _Lines, blueprint: Blueprint
) -> tuple[list[_Located], list[BankProblem]]:
    """The questions and case studies of parsed question-file data (a dict with a ``questions`` list)."""
    cases, problems = _read_cases(data, display, lines)
    fields_of: dict[int, dict[str, int]] = {}
    for (i, name), ln in lines.of_field.items():
        fields_of.setdefault(i, {})[name] = ln
    duplicates_of: dict[int, list[tuple[str, int]]] = {}
    for i, name, ln in lines.duplicate_fields:
        duplicates_of.setdefault(i, []).append((name, ln))
    located: list[_Located] = []
    for index, raw in enumerate(data["questions"]):
        found, question_problems = _question_problems(
            raw,
            index,
            display,
            lines.of_question.get(index),
            fields_of.get(index, {}),
            duplicates_of.get(index, []),
            blueprint,
            cases,
        )
        problems.extend(question_problems)
        if found is not None:
            located.append(found)
    return located, problems


def validate_questions(
    data: dict[str, Any], root: yaml.Node | None, display: str, blueprint: Blueprint
) -> tuple[list[Question], list[BankProblem]]:
    """The questions of parsed data holding a ``questions`` list (and maybe ``cases``), checked with
    every rule of a question file against ``blueprint``, ids unique among them; lines come from
    ``root``, the node tree the data was built from."""
    located, problems = _questions_in(data, display, _index_lines(root), blueprint)
    problems.extend(_check_unique_ids(located))
    return [item.question for item in located], problems


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


@dataclass(frozen=True)
class LocatedPack:
    """A validated pack (or the part of it one file holds) and where each of its parts is written."""

    pack: ExamPack
    places: Mapping[str, QuestionPlace]  # by question id
    blueprint_file: str
    blueprint_lines: Mapping[str, int]  # dotted key path in pack.yaml -> line, e.g. "domains.0.name"


def _locate(
    pack_dir: Path, files: list[Path], cache: ParsedFileCache | None = None
) -> tuple[LocatedPack, list[_Located]]:
    blueprint, blueprint_lines = _read_blueprint(pack_dir)
    located: list[_Located] = []
    problems: list[BankProblem] = []
    for path in files:
        found, file_problems = _load_question_file(path, blueprint, cache)
        located.extend(found)
        problems.extend(file_problems)
    problems.extend(_check_unique_ids(located))
    if problems:
        raise InvalidQuestionBank(problems)
    pack = ExamPack(pack_dir.name, blueprint, tuple(item.question for item in located))
    places = {item.question.id: item.place for item in located}
    return LocatedPack(pack, places, str(pack_dir / PACK_FILE), blueprint_lines), located


def near_duplicates(path: Path) -> list[BankProblem]:
    """Active questions of a pack that test the same fact in the same scenario (see
    :mod:`bot.domain.similarity`); for a single file, the pairs that involve one of its questions."""
    pack_dir = path if path.is_dir() else path.parent
    _, located = _locate(pack_dir, _pack_files(pack_dir)[0])
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
    """Load and validate a whole pack folder. Entries named ``*.yaml`` that are not files are skipped
    (`skipped_entries` lists them)."""
    return _locate(pack_dir, _pack_files(pack_dir)[0], cache)[0].pack


def locate_path(path: Path) -> LocatedPack:
    """Validate a pack folder, or a single question file (or pack.yaml) against the blueprint beside it,
    keeping where each question is written."""
    if path.is_dir():
        return _locate(path, _pack_files(path)[0])[0]
    if not path.exists():
        raise InvalidQuestionBank([BankProblem(str(path), "no such file or folder")])
    kind = _entry_kind(path)
    if kind is not None:
        raise InvalidQuestionBank([BankProblem(str(path), f"cannot read the file: it is {kind}")])
    return _locate(path.parent, [] if path.name == PACK_FILE else [path])[0]


def check_path(path: Path) -> ExamPack:
    """Validate a pack folder, or a single question file against the blueprint beside it."""
    return locate_path(path).pack


def load_packs(questions_dir: Path, cache_file: Path | None = None) -> dict[str, ExamPack]:
    """Every pack under the questions folder, by slug (its folder name). With ``cache_file``, parsed
    question files are kept there for the next load (see :mod:`bot.bank.cache`)."""
    packs: dict[str, ExamPack] = {}
    problems: list[BankProblem] = []
    cache = ParsedFileCache(cache_file) if cache_file is not None else None
    for pack_dir in sorted(p.parent for p in questions_dir.glob(f"*/{PACK_FILE}")):
        for skipped in skipped_entries(pack_dir):
            log.warning("%s", skipped)
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
