"""The file formats of a pack, as pydantic models. Cross-field rules live in the loader."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.domain.pack import LETTERS

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.\-]{1,62}[a-z0-9]$")]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]*$", max_length=40)]

_URL = re.compile(r"^https?://[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+(:\d+)?(/[^\s]*)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskSpec(_Strict):
    id: NonEmpty
    name: NonEmpty


class DomainSpec(_Strict):
    id: NonEmpty
    name: NonEmpty
    weight: int = Field(ge=1, le=100)
    tasks: list[TaskSpec] = Field(min_length=1)


class ScoreSpec(_Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=1)
    pass_: int = Field(alias="pass", ge=0)


class PackSpec(_Strict):
    code: NonEmpty
    name: NonEmpty
    retired_on: dt.date | None = None
    questions: int = Field(ge=1, le=500)
    minutes: int = Field(ge=1, le=1000)
    score: ScoreSpec
    question_types: list[Literal["single", "multiple"]] = Field(min_length=1)
    domains: list[DomainSpec] = Field(min_length=1)


class QuestionSpec(_Strict):
    id: QuestionId
    domain: NonEmpty
    task: NonEmpty
    type: Literal["single", "multiple"]
    choose: int | None = Field(default=None, ge=2, le=5)
    difficulty: int = Field(ge=1, le=3)
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    stem: NonEmpty
    options: dict[str, NonEmpty] = Field(min_length=4, max_length=6)
    key: str | list[str]
    explanation: NonEmpty
    why_wrong: dict[str, NonEmpty]
    references: list[str] = Field(min_length=1, max_length=3)
    retired: bool = False

    @field_validator("references")
    @classmethod
    def _urls_are_well_formed(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not _URL.match(url):
                raise ValueError(f"{url!r} is not a well-formed http(s) URL")
        return urls

    @field_validator("options")
    @classmethod
    def _letters_have_no_gaps(cls, options: dict[str, str]) -> dict[str, str]:
        expected = list(LETTERS[: len(options)])
        if sorted(options) != expected:
            raise ValueError(f"options must be lettered {', '.join(expected)} with no gaps")
        return options

    @property
    def key_letters(self) -> list[str]:
        return [self.key] if isinstance(self.key, str) else list(self.key)


class QuestionFileSpec(_Strict):
    questions: list[dict[str, object]]
