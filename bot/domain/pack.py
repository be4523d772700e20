"""Exam packs: the blueprint of an exam and the questions written for it."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LETTERS = "ABCDEF"


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    ORDERING = "ordering"  # put the items in order
    MATCHING = "matching"  # give each prompt a response

    @property
    def sequenced(self) -> bool:
        """Answered as a sequence of letters (an order, or a response per prompt), not a set of them."""
        return self in (QuestionKind.ORDERING, QuestionKind.MATCHING)


@dataclass(frozen=True)
class Task:
    id: str
    name: str


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    weight: int
    tasks: tuple[Task, ...]

    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)


@dataclass(frozen=True)
class ScoreScale:
    minimum: int
    maximum: int
    passing: int

    @property
    def pass_fraction(self) -> float:
        """Where the pass mark sits on the scale, as a fraction of its span."""
        return (self.passing - self.minimum) / (self.maximum - self.minimum)


@dataclass(frozen=True)
class Blueprint:
    code: str
    name: str
    questions: int
    minutes: int
    scale: ScoreScale
    question_types: tuple[QuestionKind, ...]
    domains: tuple[Domain, ...]
    retired_on: dt.date | None = None

    @property
    def minutes_per_question(self) -> float:
        return self.minutes / self.questions

    def domain(self, domain_id: str) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)

    def task(self, task_id: str) -> Task | None:
        for domain in self.domains:
            found = domain.task(task_id)
            if found is not None:
                return found
        return None

    @property
    def weights(self) -> dict[str, int]:
        return {d.id: d.weight for d in self.domains}


@dataclass(frozen=True)
class Option:
    letter: str
    text: str


@dataclass(frozen=True)
class Case:
    """A case study: one scenario shared by several questions, each scored on its own."""

    id: str
    title: str
    scenario: str


@dataclass(frozen=True)
class Prompt:
    """A numbered prompt of a matching question."""

    number: int
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    domain_id: str
    task_id: str
    kind: QuestionKind
    stem: str
    options: tuple[Option, ...]
    key: frozenset[str]
    explanation: str
    why_wrong: Mapping[str, str]
    references: tuple[str, ...]
    difficulty: int
    tags: tuple[str, ...] = ()
    retired: bool = False
    # Ordering and matching: ``options`` are the items (or responses), ``prompts`` the matching prompts,
    # ``sequence`` the right answer (the items in order, "CADB"; or each prompt's response in prompt
    # order, "CAD"), and ``mistake`` a note on the tempting wrong order or pairing.
    prompts: tuple[Prompt, ...] = ()
    sequence: str = ""
    mistake: str = ""
    case: Case | None = None  # the case study this question belongs to, shown with it

    @property
    def choose(self) -> int:
        """How many letters a complete answer has."""
        return len(self.sequence) if self.kind.sequenced else len(self.key)

    @property
    def answer_key(self) -> str:
        """The right answer as the bot stores answers: letters in order for ordering and matching,
        sorted for the others."""
        return self.sequence if self.kind.sequenced else "".join(sorted(self.key))

    @functools.cached_property
    def letters(self) -> tuple[str, ...]:  # read on every reaction
        return tuple(o.letter for o in self.options)

    def option(self, letter: str) -> Option | None:
        return next((o for o in self.options if o.letter == letter), None)


@dataclass(frozen=True)
class ExamPack:
    """A blueprint and its questions, loaded from one folder under `questions/`."""

    slug: str
    blueprint: Blueprint
    questions: tuple[Question, ...]
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)
    _active: tuple[Question, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})
        object.__setattr__(self, "_active", tuple(q for q in self.questions if not q.retired))

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    @property
    def active_questions(self) -> tuple[Question, ...]:
        return self._active

    def active_in(self, domain_ids: Iterable[str] | None = None) -> tuple[Question, ...]:
        if domain_ids is None:
            return self._active
        wanted = set(domain_ids)
        return tuple(q for q in self._active if q.domain_id in wanted)

    def count_by_domain(self) -> dict[str, int]:
        counts = {d.id: 0 for d in self.blueprint.domains}
        for q in self.active_questions:
            counts[q.domain_id] += 1
        return counts
