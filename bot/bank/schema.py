"""The file formats of a pack, as pydantic models. Cross-field rules live in the loader.

Every text has a maximum length: what a member reads must fit Discord's embeds uncut (see
:mod:`bot.discord.embed_check`, which `studybot questions check` runs on the rendered embeds), and a
runaway value (a pasted page, a generated blob) is refused with its size instead of being carried into
messages and posts. The limits sit above the longest shipped values (stem 607, option 235,
explanation 639, reason 206, reference 170, domain name 62, task name 94 characters).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.domain.pack import LETTERS


def _text(max_length: int) -> StringConstraints:
    """A non-empty text of at most ``max_length`` characters, surrounding whitespace removed."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


# --- limits, in characters (after surrounding whitespace is removed) ------------------------------
MAX_STEM = 1200
MAX_OPTION = 250
MAX_EXPLANATION = 1000
MAX_WHY_WRONG = 300
MAX_REFERENCE = 300
MAX_PACK_CODE = 20
MAX_PACK_NAME = 100
MAX_DOMAIN_NAME = 100
MAX_TASK_NAME = 150
MAX_CASE_TITLE = 100
MAX_ITEM = 150  # an ordering item, a matching prompt or response
MAX_ORDERED_ITEMS = 5
MAX_PROMPTS = 7
#: Matching responses are chosen in a picker, not with reactions, so they may run past F.
RESPONSE_LETTERS = "ABCDEFG"
MAX_ID = 10  # domain and task ids ("1", "1.1"): they are shown in titles and field names

Id = Annotated[str, _text(MAX_ID)]
Letter = Annotated[str, StringConstraints(max_length=1)]  # which letters exist is a cross-field rule
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.\-]{1,62}[a-z0-9]$")]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]*$", max_length=40)]
Reference = Annotated[str, StringConstraints(max_length=MAX_REFERENCE)]

_URL = re.compile(r"^https?://[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+(:\d+)?(/[^\s]*)?$")


def _well_formed_urls(urls: list[str]) -> list[str]:
    for url in urls:
        if not _URL.match(url):
            raise ValueError(f"{url!r} is not a well-formed http(s) URL")
    return urls


def _lettered_without_gaps(entries: dict[str, str], what: str, letters: str = LETTERS) -> dict[str, str]:
    expected = list(letters[: len(entries)])
    if sorted(entries) != expected:
        raise ValueError(f"{what} must be lettered {', '.join(expected)} with no gaps")
    return entries


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskSpec(_Strict):
    id: Id
    name: Annotated[str, _text(MAX_TASK_NAME)]


class DomainSpec(_Strict):
    id: Id
    name: Annotated[str, _text(MAX_DOMAIN_NAME)]
    weight: int = Field(ge=1, le=100)
    tasks: list[TaskSpec] = Field(min_length=1)


class ScoreSpec(_Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=1)
    pass_: int = Field(alias="pass", ge=0)


class PackSpec(_Strict):
    code: Annotated[str, _text(MAX_PACK_CODE)]
    name: Annotated[str, _text(MAX_PACK_NAME)]
    retired_on: dt.date | None = None
    questions: int = Field(ge=1, le=500)
    minutes: int = Field(ge=1, le=1000)
    score: ScoreSpec
    question_types: list[Literal["single", "multiple", "ordering", "matching"]] = Field(min_length=1)
    domains: list[DomainSpec] = Field(min_length=1)


class CaseSpec(_Strict):
    """A case study in a question file: its scenario is shown with each question that names it."""

    id: QuestionId
    title: Annotated[str, _text(MAX_CASE_TITLE)]
    scenario: Annotated[str, _text(MAX_STEM)]


class QuestionSpec(_Strict):
    id: QuestionId
    domain: Id
    task: Id
    case: QuestionId | None = None
    type: Literal["single", "multiple"]
    choose: int | None = Field(default=None, ge=2, le=5)
    difficulty: int = Field(ge=1, le=3)
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    stem: Annotated[str, _text(MAX_STEM)]
    options: dict[Letter, Annotated[str, _text(MAX_OPTION)]] = Field(min_length=4, max_length=6)
    key: list[Letter] = Field(min_length=1, max_length=len(LETTERS))
    explanation: Annotated[str, _text(MAX_EXPLANATION)]
    why_wrong: dict[Letter, Annotated[str, _text(MAX_WHY_WRONG)]]
    references: list[Reference] = Field(min_length=1, max_length=3)
    retired: bool = False

    @field_validator("key", mode="before")
    @classmethod
    def _letter_or_letters(cls, key: object) -> object:
        # `key: A` and `key: [A, D]` both mean a list of letters; anything else is one clear error, not
        # one per type the key could have had.
        if isinstance(key, str):
            return [key]
        if not isinstance(key, list):
            raise ValueError("must be a letter (A) or a list of letters ([A, D])")
        return key

    @field_validator("references")
    @classmethod
    def _urls_are_well_formed(cls, urls: list[str]) -> list[str]:
        return _well_formed_urls(urls)

    @field_validator("options")
    @classmethod
    def _letters_have_no_gaps(cls, options: dict[str, str]) -> dict[str, str]:
        return _lettered_without_gaps(options, "options")

    @property
    def key_letters(self) -> list[str]:
        return list(self.key)


class _SequenceSpec(_Strict):
    """What ordering and matching questions share: the answer is a sequence of letters, all or nothing."""

    id: QuestionId
    domain: Id
    task: Id
    case: QuestionId | None = None
    difficulty: int = Field(ge=1, le=3)
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    stem: Annotated[str, _text(MAX_STEM)]
    explanation: Annotated[str, _text(MAX_EXPLANATION)]
    # A short note on the tempting wrong order or pairing (there is no "wrong option" to explain).
    why_wrong: Annotated[str, _text(MAX_WHY_WRONG)]
    references: list[Reference] = Field(min_length=1, max_length=3)
    retired: bool = False

    @field_validator("references")
    @classmethod
    def _urls_are_well_formed(cls, urls: list[str]) -> list[str]:
        return _well_formed_urls(urls)


class OrderingSpec(_SequenceSpec):
    """Items lettered A.. (shown shuffled); the key is the correct order, e.g. CADB."""

    type: Literal["ordering"]
    items: dict[Letter, Annotated[str, _text(MAX_ITEM)]] = Field(min_length=3, max_length=MAX_ORDERED_ITEMS)
    key: Annotated[str, StringConstraints(pattern=r"^[A-Z]+$", max_length=MAX_ORDERED_ITEMS)]

    @field_validator("items")
    @classmethod
    def _letters_have_no_gaps(cls, items: dict[str, str]) -> dict[str, str]:
        return _lettered_without_gaps(items, "items")


class MatchingSpec(_SequenceSpec):
    """Prompts numbered 1.., responses lettered A..; the key gives each prompt one response (a response may
    serve several prompts, or none)."""

    type: Literal["matching"]
    prompts: dict[int, Annotated[str, _text(MAX_ITEM)]] = Field(min_length=3, max_length=MAX_PROMPTS)
    responses: dict[Letter, Annotated[str, _text(MAX_ITEM)]] = Field(
        min_length=3, max_length=len(RESPONSE_LETTERS)
    )
    key: dict[int, Letter]

    @field_validator("responses")
    @classmethod
    def _letters_have_no_gaps(cls, responses: dict[str, str]) -> dict[str, str]:
        return _lettered_without_gaps(responses, "responses", RESPONSE_LETTERS)

    @field_validator("prompts")
    @classmethod
    def _numbered_without_gaps(cls, prompts: dict[int, str]) -> dict[int, str]:
        expected = list(range(1, len(prompts) + 1))
        if sorted(prompts) != expected:
            raise ValueError(f"prompts must be numbered 1 to {len(prompts)} with no gaps")
        return prompts


class QuestionFileSpec(_Strict):
    questions: list[dict[str, object]]
