"""Question packs that server admins upload: one file, held in memory, validated whole.

An upload is a pack folder squeezed into one file, and it comes from outside the repository, so it is
checked with the same rules as a shipped pack (the loader's own validation runs on it) plus a few limits
of its own. Every problem is collected before refusing, each naming where it is, so one upload lists
everything to fix; a pack that breaks any rule is refused whole.

Two formats, chosen by the file's extension:

``.yaml`` / ``.yml``
    The blueprint's keys at the top level, as in ``pack.yaml``, and a ``questions:`` list (and
    ``cases:`` if any) exactly as in a question file. As ``questions`` is taken by the list, the number
    of questions in a full exam is written ``exam_questions:``. Problems name the file, the line, the
    question id and the field. As for a pack folder, the questions are checked once the blueprint is
    valid: its domains and tasks are what they are checked against.

``.csv`` (as spreadsheets and flashcard tools export), single- and multiple-answer questions only:
    UTF-8 with or without a byte order mark; cells separated by ``,`` or ``;`` (whichever the header row
    uses); quoted cells may span lines. Row 1 is the header; each later row is one question (empty rows
    are skipped). Column names are matched ignoring case, and spaces or hyphens count as ``_``:

    ==================  ========  ========================================================================
    column              needed    content
    ==================  ========  ========================================================================
    id                  yes       stable id, e.g. ``net-1-001`` (statistics hang off it: never reuse one)
    domain              yes       the domain's name, free text
    task                no        a task statement's name; empty: a task named like the domain
    type                no        ``single`` or ``multiple``; empty: ``multiple`` when the key has more
                                  than one letter, else ``single``
    stem                yes       the question
    A, B, C, D          yes       the options; E and F optional columns; an empty cell is no option
    key                 yes       the right letter (``B``), or letters (``A, C``, ``A C`` or ``AC``);
                                  a multiple-answer question's ``choose`` is their number
    explanation         yes       why the key is right
    why_wrong_A … _F    yes       why each option is wrong: a column for each option column; fill the
                                  cells of the options that are not in the key, leave the key's empty
    reference           yes       one to three https:// pages, separated by spaces or line breaks
    difficulty          no        1 (recall) to 3 (hard); empty: 2
    ==================  ========  ========================================================================

    The reasons for wrong options are required as in every pack (the bot shows them with the answer and
    in reviews); a generic "not the best answer" would teach nothing. The blueprint is generated: domains
    get ids ``1``, ``2``… in order of first appearance and their tasks ``1.1``, ``1.2``…; each domain's
    weight is its share of the questions (at least 1, all adding up to 100); the code and name are given
    with the upload; a full exam is :data:`CSV_EXAM_QUESTIONS` questions in :data:`CSV_EXAM_MINUTES`
    minutes, scored :data:`CSV_SCORE` (100 to 1000, pass 700). Problems name the file, the row as a
    spreadsheet shows it (the header is row 1), the question id when the row has one and the column.

A cell is text, whatever it looks like: ``=HYPERLINK(...)`` is stored as those characters and never run.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from bot.bank.loader import (
    MAX_FILE_BYTES,
    BankProblem,
    InvalidQuestionBank,
    blueprint_from_data,
    decode_text,
    parse_yaml,
    validate_question,
    validate_questions,
)
from bot.domain.mock import largest_remainder
from bot.domain.pack import LETTERS, Blueprint, Domain, ExamPack, Question, QuestionKind, ScoreScale, Task

# --- limits of an upload --------------------------------------------------------------------------
#: Checked before anything is decoded or parsed. The largest shipped pack written as one file is about
#: 450 kB for 205 questions, so a pack of MAX_UPLOAD_QUESTIONS fits with room to spare; the same cap as
#: one file of a pack folder.
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
#: Questions in one uploaded pack, retired ones included.
MAX_UPLOAD_QUESTIONS = 500
#: The /exam embed gives each domain a field; a handful of domains is what an exam guide has.
MAX_UPLOAD_DOMAINS = 10

YAML_EXTENSIONS = (".yaml", ".yml")
CSV_EXTENSIONS = (".csv",)

# --- the blueprint of a CSV pack ------------------------------------------------------------------
CSV_EXAM_QUESTIONS = 65
CSV_EXAM_MINUTES = 90
CSV_SCORE = ScoreScale(minimum=100, maximum=1000, passing=700)
CSV_DIFFICULTY = 2

_UPLOADED = "uploaded packs"  # how the loader's messages name this kind of file
_LIST_KEYS = ("questions", "cases")
_EXAM_QUESTIONS = "exam_questions"


def parse_upload(
    filename: str,
    data: bytes,
    *,
    slug: str,
    code: str | None = None,
    name: str | None = None,
) -> ExamPack:
    """The validated pack an uploaded file holds, under ``slug``, or :class:`InvalidQuestionBank` listing
    every problem. ``code`` and ``name`` are the exam code and name of a CSV pack (a CSV file has no
    place for them); a YAML pack carries its own, and these are not used."""
    display = _display_name(filename)
    extension = PurePosixPath(display).suffix.casefold()
    if extension not in YAML_EXTENSIONS + CSV_EXTENSIONS:
        accepted = ", ".join(YAML_EXTENSIONS + CSV_EXTENSIONS)
        raise _refused(display, f"cannot read a '{extension or 'no extension'}' file: upload {accepted}")
    text = _text_of(data, display)
    if extension in CSV_EXTENSIONS:
        return _csv_pack(text, display, slug=slug, code=code, name=name)
    return _yaml_pack(text, display, slug=slug)


def _refused(display: str, message: str, **where: Any) -> InvalidQuestionBank:
    return InvalidQuestionBank([BankProblem(display, message, **where)])


def _display_name(filename: str) -> str:
    """The file's own name as problems show it: no folders (a client may send a path), no control
    characters, never a page long."""
    base = PurePosixPath(filename.replace("\\", "/")).name
    clean = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(clean) > 80:
        stem, dot, extension = clean.rpartition(".")
        clean = f"{stem[:60]}…{dot}{extension[:10]}" if dot else clean[:80]
    return clean or "upload"


def _text_of(data: bytes, display: str) -> str:
    """The text of an upload: small enough (checked first), UTF-8 (a leading byte order mark dropped),
    not empty and not binary."""
    if len(data) > MAX_UPLOAD_BYTES:
        limit = f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
        raise _refused(display, f"is {len(data):,} bytes; the limit for an uploaded pack is {limit}")
    text = decode_text(data, display).removeprefix("\ufeff")
    if not text.strip():
        raise _refused(display, "the file is empty")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise _refused(display, "holds binary data (a NUL character), not text", line=line)
    return text


def _too_many_questions(count: int) -> str:
    return f"holds {count:,} questions; an uploaded pack holds at most {MAX_UPLOAD_QUESTIONS:,}"


def _too_many_domains(count: int) -> str:
    return f"has {count} domains; an uploaded pack has at most {MAX_UPLOAD_DOMAINS}"


# --- YAML -------------------------------------------------------------------------------------------


def _yaml_pack(text: str, display: str, *, slug: str) -> ExamPack:
    data, root = parse_yaml(text, display, _UPLOADED)
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        message = (
            "must be a mapping: the blueprint's fields (code, name, exam_questions, …) and a 'questions' list"
        )
        raise _refused(display, message, line=1)
    problems = list(_yaml_shape_problems(data, root, display))
    if problems:
        raise InvalidQuestionBank(problems)
    blueprint = _yaml_blueprint(data, root, display)
    questions, problems = validate_questions(data, root, display, blueprint)
    if problems:
        raise InvalidQuestionBank(problems)
    return ExamPack(slug, blueprint, tuple(questions))


def _top_level_lines(root: yaml.MappingNode) -> Iterator[tuple[str, int]]:
    for key, _ in root.value:
        yield str(getattr(key, "value", "?")), key.start_mark.line + 1


def _yaml_shape_problems(data: dict[str, Any], root: yaml.MappingNode, display: str) -> Iterator[BankProblem]:
    """What keeps an uploaded YAML file from being a pack at all: no question list (or the number a
    pack.yaml writes there), a list given twice, too many questions."""
    lines: dict[str, int] = {}
    for key, line in _top_level_lines(root):
        if key in _LIST_KEYS and key in lines:
            yield BankProblem(display, "appears twice", line=line, field=key)
        lines.setdefault(key, line)
    listed = data.get("questions")
    if isinstance(listed, int) and not isinstance(listed, bool):
        message = (
            "is the list of questions in an uploaded pack; write the number of questions in a full exam "
            f"as '{_EXAM_QUESTIONS}'"
        )
        yield BankProblem(display, message, line=lines.get("questions"), field="questions")
    elif not isinstance(listed, list):
        message = "must be the list of the pack's questions, as in a question file"
        yield BankProblem(display, message, line=lines.get("questions", 1), field="questions")
    elif not listed:
        yield BankProblem(display, "holds no questions", line=lines.get("questions"), field="questions")
    elif len(listed) > MAX_UPLOAD_QUESTIONS:
        yield BankProblem(
            display, _too_many_questions(len(listed)), line=lines.get("questions"), field="questions"
        )


def _yaml_blueprint(data: dict[str, Any], root: yaml.MappingNode, display: str) -> Blueprint:
    """The blueprint part of an uploaded YAML pack, validated as a pack.yaml: everything but the lists,
    with ``exam_questions`` read as pack.yaml's ``questions`` (and named so again in problems)."""
    fields = {key: value for key, value in data.items() if key not in (*_LIST_KEYS, _EXAM_QUESTIONS)}
    if _EXAM_QUESTIONS in data:
        fields["questions"] = data[_EXAM_QUESTIONS]
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in root.value:
        name = getattr(key, "value", None)
        if name in _LIST_KEYS:
            continue
        if name == _EXAM_QUESTIONS:
            key = yaml.ScalarNode(key.tag, "questions", key.start_mark, key.end_mark)
        pairs.append((key, value))
    node = yaml.MappingNode(root.tag, pairs, root.start_mark, root.end_mark)
    try:
        blueprint, lines = blueprint_from_data(fields, node, display)
    except InvalidQuestionBank as exc:
        raise InvalidQuestionBank([_renamed(problem) for problem in exc.problems]) from exc
    if len(blueprint.domains) > MAX_UPLOAD_DOMAINS:
        message = _too_many_domains(len(blueprint.domains))
        raise _refused(display, message, line=lines.get("domains"), field="domains")
    return blueprint


def _renamed(problem: BankProblem) -> BankProblem:
    if problem.field == "questions":
        return dataclasses.replace(problem, field=_EXAM_QUESTIONS)
    return problem


# --- CSV: reading the cells -----------------------------------------------------------------------

#: The columns of a CSV pack, in the order the documentation lists them (a file may order them freely).
COLUMNS = (
    "id",
    "domain",
    "task",
    "type",
    "stem",
    *LETTERS,
    "key",
    "explanation",
    *(f"why_wrong_{letter}" for letter in LETTERS),
    "reference",
    "difficulty",
)
#: Needed in the header; so is the why_wrong column of each option column.
_REQUIRED = ("id", "domain", "stem", "A", "B", "C", "D", "key", "explanation", "reference")


def _canonical(header: str) -> str:
    """A header cell as it is matched: ``Why wrong-A`` is ``why_wrong_a``."""
    return re.sub(r"[\s\-]+", "_", header.strip()).casefold()


_CANONICAL = {_canonical(column): column for column in COLUMNS}


def _clip(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _delimiter(text: str) -> str:
    """``;`` when the header row has more of them than commas (spreadsheets set to a decimal comma
    export that way), else ``,``. The header names no column with either, so counting is exact."""
    header = text.splitlines()[0] if text else ""
    return ";" if header.count(";") > header.count(",") else ","


def _csv_records(text: str, display: str) -> list[list[str]]:
    """Every record of the file; the index of a record plus one is the row a spreadsheet shows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        # The record that could not be read starts on the next row (an unclosed quote runs to the end).
        raise _refused(display, f"cannot be read as CSV: {exc}", row=len(records) + 1) from exc
    return records


@dataclass(frozen=True)
class _Header:
    """Which column each position of a row holds (None: a position with no header)."""

    columns: tuple[str | None, ...]


def _read_header(record: Sequence[str], display: str) -> _Header:
    """The header row, or every problem with it at once: the rows cannot be read without it."""
    problems: list[BankProblem] = []
    columns: list[str | None] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(record, start=1):
        if not cell.strip():
            columns.append(None)
            continue
        column = _CANONICAL.get(_canonical(cell))
        if column is None:
            message = f"unknown column; the columns are {', '.join(COLUMNS)}"
            problems.append(BankProblem(display, message, field=_clip(cell), row=1))
        elif column in seen:
            message = f"column {position} repeats column {seen[column]}"
            problems.append(BankProblem(display, message, field=column, row=1))
        else:
            seen[column] = position
        columns.append(column if column is not None and seen.get(column) == position else None)
    if not seen:  # no column known at all: a file without a header, or not this kind of file
        message = f"the first row must be the header, naming the columns ({', '.join(COLUMNS)})"
        raise _refused(display, message, row=1)
    needed = [*_REQUIRED, *(f"why_wrong_{c}" for c in LETTERS if c in seen or c in _REQUIRED)]
    missing = [column for column in needed if column not in seen]
    if missing:
        message = f"the header lacks the columns {', '.join(missing)}"
        problems.append(BankProblem(display, message, row=1))
    if problems:
        raise InvalidQuestionBank(problems)
    return _Header(tuple(columns))


@dataclass(frozen=True)
class _Row:
    """One question's row: its number as a spreadsheet shows it and its non-empty cells by column."""

    number: int
    cells: Mapping[str, str]
    stray: tuple[int, ...] = ()  # positions with a value but no header

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def question_id(self) -> str | None:
        written = self.get("id")
        return _clip(written, 64) if written else None


def _rows(records: Sequence[Sequence[str]], header: _Header) -> list[_Row]:
    rows = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells: dict[str, str] = {}
        stray: list[int] = []
        for position, cell in enumerate(record):
            column = header.columns[position] if position < len(header.columns) else None
            if column is not None and cell.strip():
                cells[column] = cell.strip()
            elif column is None and cell.strip():
                stray.append(position + 1)
        rows.append(_Row(index, cells, tuple(stray)))
    return rows


# --- CSV: the generated blueprint -----------------------------------------------------------------


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class _TaskDraft:
    id: str
    name: str
    first_row: int


@dataclass
class _DomainDraft:
    id: str
    name: str
    first_row: int
    tasks: dict[str, _TaskDraft] = field(default_factory=dict)  # by folded name
    questions: int = 0


@dataclass
class _Outline:
    """The domains and task statements a CSV file names, numbered in order of first appearance: what
    its blueprint is made of."""

    domains: dict[str, _DomainDraft] = field(default_factory=dict)  # by folded name

    @classmethod
    def of(cls, rows: Sequence[_Row]) -> _Outline:
        outline = cls()
        for row in rows:
            outline.add(row)
        return outline

    def add(self, row: _Row) -> None:
        domain_name = " ".join(row.get("domain").split())
        if not domain_name:
            return
        domain = self.domains.get(_folded(domain_name))
        if domain is None:
            domain = _DomainDraft(str(len(self.domains) + 1), domain_name, row.number)
            self.domains[_folded(domain_name)] = domain
        domain.questions += 1
        task_name = " ".join(row.get("task").split()) or domain.name
        if _folded(task_name) not in domain.tasks:
            task_id = f"{domain.id}.{len(domain.tasks) + 1}"
            domain.tasks[_folded(task_name)] = _TaskDraft(task_id, task_name, row.number)

    def ids_of(self, row: _Row) -> tuple[str, str] | None:
        """The (domain, task) ids of a row, or None for a row naming no domain."""
        domain = self.domains.get(_folded(row.get("domain")))
        if domain is None:
            return None
        task = domain.tasks[_folded(row.get("task") or domain.name)]
        return domain.id, task.id

    def weights(self) -> list[int]:
        """Each domain's share of the questions in percent, adding up to exactly 100; a domain whose
        share rounds to 0 gets 1 (a blueprint weight is at least 1), taken from the largest."""
        drafts = list(self.domains.values())
        if len(drafts) > 100:
            return [1] * len(drafts)  # refused anyway: more domains than an upload may have
        shares = largest_remainder(100, {d.id: d.questions for d in drafts})
        for draft in drafts:
            if shares[draft.id] == 0:
                shares[max(shares, key=lambda d: shares[d])] -= 1
                shares[draft.id] = 1
        return [shares[d.id] for d in drafts]


def _blueprint_fields(
    outline: _Outline, kinds: Sequence[QuestionKind], code: str | None, name: str | None
) -> dict[str, Any]:
    """The generated blueprint in pack.yaml's shape, so it is checked with pack.yaml's rules."""
    fields: dict[str, Any] = {
        "questions": CSV_EXAM_QUESTIONS,
        "minutes": CSV_EXAM_MINUTES,
        "score": {"min": CSV_SCORE.minimum, "max": CSV_SCORE.maximum, "pass": CSV_SCORE.passing},
        "question_types": [kind.value for kind in kinds],
        "domains": [
            {
                "id": draft.id,
                "name": draft.name,
                "weight": weight,
                "tasks": [{"id": task.id, "name": task.name} for task in draft.tasks.values()],
            }
            for draft, weight in zip(outline.domains.values(), outline.weights(), strict=True)
        ],
    }
    if code is not None:
        fields["code"] = code
    if name is not None:
        fields["name"] = name
    return fields


def _outline_blueprint(outline: _Outline, kinds: Sequence[QuestionKind], code: str, name: str) -> Blueprint:
    """The generated blueprint built directly, so every row is checked even when the blueprint itself
    has a problem (a domain name too long, no code given): those are reported on their own."""
    domains = tuple(
        Domain(draft.id, draft.name, weight, tuple(Task(t.id, t.name) for t in draft.tasks.values()))
        for draft, weight in zip(outline.domains.values(), outline.weights(), strict=True)
    )
    return Blueprint(
        code=code,
        name=name,
        questions=CSV_EXAM_QUESTIONS,
        minutes=CSV_EXAM_MINUTES,
        scale=CSV_SCORE,
        question_types=tuple(kinds),
        domains=domains,
    )


_BLUEPRINT_NAME = re.compile(r"^domains\.(\d+)\.(?:name|tasks\.(\d+)\.name)$")


def _checked_blueprint(
    outline: _Outline, kinds: Sequence[QuestionKind], code: str | None, name: str | None, display: str
) -> tuple[Blueprint | None, list[BankProblem]]:
    """The generated blueprint checked with pack.yaml's rules, or its problems placed where they can be
    fixed: a domain or task name at the row that first names it; the code and name, which come with the
    upload, at no row."""
    if len(outline.domains) > MAX_UPLOAD_DOMAINS:
        extra = list(outline.domains.values())[MAX_UPLOAD_DOMAINS]
        message = f"{_too_many_domains(len(outline.domains))}: are the domain names spelt alike?"
        return None, [BankProblem(display, message, field="domain", row=extra.first_row)]
    try:
        blueprint, _ = blueprint_from_data(_blueprint_fields(outline, kinds, code, name), None, display)
    except InvalidQuestionBank as exc:
        return None, [_placed(problem, outline) for problem in exc.problems]
    return blueprint, []


def _placed(problem: BankProblem, outline: _Outline) -> BankProblem:
    where = _BLUEPRINT_NAME.match(problem.field or "")
    if where is not None:
        domain = list(outline.domains.values())[int(where[1])]
        if where[2] is None:
            return BankProblem(problem.file, problem.message, field="domain", row=domain.first_row)
        task = list(domain.tasks.values())[int(where[2])]
        return BankProblem(problem.file, problem.message, field="task", row=task.first_row)
    if problem.field in ("code", "name"):
        message = f"{problem.message} (a CSV pack's {problem.field} is given with the upload)"
        return BankProblem(problem.file, message, field=problem.field)
    return dataclasses.replace(problem, line=None)


# --- CSV: each row as a question ------------------------------------------------------------------

_KEY_SEPARATORS = re.compile(r"[\s,;/]+")
_KEY_PART = re.compile(r"^(?:[A-Z]|[A-F]+)$")  # one letter, or option letters written together
_KINDS = {"single": QuestionKind.SINGLE, "multiple": QuestionKind.MULTIPLE}


def _key_letters(cell: str) -> list[str] | None:
    """``B``, ``A, C``, ``a c`` and ``AC`` as letters; None for anything else (``A or B``). A single
    letter past the options (``G``) is read, so the loader can say it is not among them."""
    parts = [part for part in _KEY_SEPARATORS.split(cell.upper()) if part]
    if not parts or not all(_KEY_PART.match(part) for part in parts):
        return None
    return [letter for part in parts for letter in part]


@dataclass
class _RowQuestion:
    """A row as question-file data, and what the row's own cells got wrong. The loader's word on a
    column in ``covered`` is left out: the row's own problem there says it better."""

    data: dict[str, Any]
    kind: QuestionKind
    problems: list[tuple[str, str]]  # (column, message)
    covered: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.covered.update(column for column, _ in self.problems)


def _kind(row: _Row, key: list[str] | None, problems: list[tuple[str, str]]) -> QuestionKind:
    written = row.get("type").casefold()
    inferred = QuestionKind.MULTIPLE if key is not None and len(key) > 1 else QuestionKind.SINGLE
    if not written:
        return inferred
    if written in _KINDS:
        return _KINDS[written]
    if written in ("ordering", "matching"):
        message = "a CSV pack holds single and multiple questions only; upload ordering and matching in YAML"
    else:
        message = f"'{_clip(written)}' is no type: write single or multiple (or leave it empty)"
    problems.append(("type", message))
    return inferred


def _row_question(row: _Row, ids: tuple[str, str] | None) -> _RowQuestion:
    problems: list[tuple[str, str]] = []
    key = _key_letters(row.get("key")) if row.get("key") else None
    if row.get("key") and key is None:
        problems.append(
            ("key", f"'{_clip(row.get('key'))}' is not a key: write a letter (B) or letters (A, C)")
        )
    kind = _kind(row, key, problems)
    if kind is QuestionKind.MULTIPLE and key is not None and len(key) < 2:
        problems.append(("key", "a multiple-answer question has two or more key letters"))
    data: dict[str, Any] = {
        "type": kind.value,
        "difficulty": row.get("difficulty") or CSV_DIFFICULTY,
        "options": {letter: row.get(letter) for letter in LETTERS if row.get(letter)},
        "why_wrong": {c: row.get(f"why_wrong_{c}") for c in LETTERS if row.get(f"why_wrong_{c}")},
    }
    if ids is not None:
        data["domain"], data["task"] = ids
    else:
        problems.append(("domain", "is required: the name of the question's domain"))
    for column in ("id", "stem", "explanation"):
        if row.get(column):
            data[column] = row.get(column)
    if row.get("reference"):
        data["references"] = row.get("reference").split()
    if key is not None:
        data["key"] = key
        if kind is QuestionKind.MULTIPLE and len(key) > 1:
            data["choose"] = len(key)
    return _RowQuestion(data, kind, problems, covered={"task"} if ids is None else set())


_A_LETTER = re.compile(r"\b([A-F])\b")
_SAME_TEXT = re.compile(r"options ([A-F]) and ([A-F]) have the same text")


def _column_of(field_name: str | None, message: str, row: _Row) -> str | None:
    """The column a loader problem is about: question-file fields are named as the CSV names them
    (``options.B`` is column B, ``why_wrong`` with "option C" in its message is why_wrong_C)."""
    if field_name is None:
        return None
    head, _, rest = field_name.partition(".")
    if head == "options":
        if rest:
            return rest.partition(".")[0]
        same = _SAME_TEXT.search(message)
        if same is not None:
            return same[2]
        # too few options, or a gap: the first empty option column is where to write
        return next((letter for letter in LETTERS if not row.get(letter)), "A")
    if head == "why_wrong":
        if rest:
            return f"why_wrong_{rest.partition('.')[0]}"
        letter = _A_LETTER.search(message)  # "missing the reason option C is wrong"
        return f"why_wrong_{letter[1] if letter is not None else 'A'}"
    if head == "references":
        return "reference"
    if head == "choose":
        return "key"
    return head


def _row_problems(
    row: _Row, question: _RowQuestion, loader_problems: Sequence[BankProblem], display: str
) -> list[BankProblem]:
    """A row's problems in the CSV's terms: the row, the question id the row gives, the column."""
    found = list(question.problems)
    for position in row.stray:
        found.append(("", f"has a value in column {position}, which has no header"))
    for problem in loader_problems:
        column = _column_of(problem.field, problem.message, row)
        if column not in question.covered:
            found.append((column or "", problem.message))
    return [
        BankProblem(display, message, question_id=row.question_id, field=column or None, row=row.number)
        for column, message in found
    ]


def _duplicate_ids(rows: Sequence[_Row], display: str) -> Iterator[BankProblem]:
    first: dict[str, int] = {}
    for row in rows:
        written = row.get("id")
        if not written:
            continue
        earlier = first.setdefault(written, row.number)
        if earlier != row.number:
            message = f"duplicate id: already used in row {earlier}"
            yield BankProblem(display, message, question_id=row.question_id, field="id", row=row.number)


def _csv_pack(text: str, display: str, *, slug: str, code: str | None, name: str | None) -> ExamPack:
    records = _csv_records(text, display)
    header = _read_header(records[0] if records else [], display)
    rows = _rows(records, header)
    if not rows:
        raise _refused(display, "holds no questions: there is no row after the header")
    if len(rows) > MAX_UPLOAD_QUESTIONS:
        raise _refused(display, _too_many_questions(len(rows)))
    outline = _Outline.of(rows)
    drafts = [_row_question(row, outline.ids_of(row)) for row in rows]
    kinds = [kind for kind in QuestionKind if any(d.kind is kind for d in drafts)]
    checked, problems = _checked_blueprint(outline, kinds, code, name, display)
    blueprint = checked or _outline_blueprint(outline, kinds, code or "", name or "")
    problems.extend(_duplicate_ids(rows, display))
    questions: list[Question] = []
    for row, draft in zip(rows, drafts, strict=True):
        question, loader_problems = validate_question(draft.data, display, blueprint, line=None)
        problems.extend(_row_problems(row, draft, loader_problems, display))
        if question is not None:
            questions.append(question)
    if problems:
        raise InvalidQuestionBank(sorted(problems, key=lambda p: p.row or 0))
    return ExamPack(slug, blueprint, tuple(questions))
