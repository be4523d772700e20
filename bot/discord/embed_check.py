"""Would every embed the bot makes from a pack fit Discord's limits, uncut? (`studybot questions check`)

``render.py`` and ``mock_ui.py`` cut what they show (``[:4096]``, ``[:1024]``) as a last line of defence,
so a question too long for Discord never fails a send: it silently loses its end (the last options,
"Choose two", a reference). Measuring what was sent would therefore never see a fault. Instead each embed
the bot can make from a question is built with the bot's real rendering code, twice:

* with every text that comes from the pack (stem, options, explanation, reasons, references, domain and
  task names, the exam's code and name) replaced by a short placeholder, so nothing can be cut, and the
  placeholders then expanded back into their texts. That is the embed as the rendering code lays it out,
  uncut; its sizes are measured against Discord's limits, and the placeholders say which texts fill
  each part, so a problem names the field to shorten.
* as it is, and compared with the first: a part that differs was cut by the renderer, even where
  Discord would have taken it whole.

Each embed is built in its worst case: the largest numbers the bot shows (post and mock ids, answer
counts, a 65-question mock at its last question, flagged), every option chosen and more members right
than the reveal mentions, and on the mock card every option marked picked. Sizes are counted as Discord
and discord.py count them: characters of the trimmed text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import discord

from bot.bank.loader import BankProblem, LocatedPack
from bot.discord import mock_ui, render
from bot.domain.mock import MOCK_SIZES
from bot.domain.pack import Blueprint, Domain, ExamPack, Option, Question, Task
from bot.services.daily import MAX_QUIZ_ROUNDS, PostPlan, Reveal
from bot.services.mock import MockState

# Discord's embed limits ("Embed Limits", resources/message).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
TOTAL_MAX = 6000

# The largest numbers an embed shows, so their digits count too.
_MANY = 99_999  # members answering one post
_BIG_ID = 2**63 - 1  # a Discord snowflake at its widest
_WHEN = dt.datetime(2099, 12, 31, 23, 59, tzinfo=dt.UTC)

# Noncharacters are reserved for a program's own use: no question text contains them.
_OPEN, _CLOSE = "\ufdd0", "\ufdd1"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_TASK_NAME = re.compile(r"(?<=\.tasks)\.\d+\.name$")  # the names of a domain's tasks share one field


# --- placeholders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Where a text comes from: a field of the question, or a key of pack.yaml."""

    path: str  # "stem", "options.B", "domains.0.name"
    in_blueprint: bool = False

    @property
    def group(self) -> str:
        """The field a contributor edits: ``options`` for ``options.B``; ``domains.0.tasks`` for the names
        of a domain's task statements, which share one embed field."""
        if self.in_blueprint:
            return _TASK_NAME.sub("", self.path)
        return self.path.split(".")[0]


class _Placeholders:
    def __init__(self) -> None:
        self._texts: list[tuple[_Source, str]] = []

    def stand_in(self, source: _Source, text: str) -> str:
        self._texts.append((source, text))
        return f"{_OPEN}{len(self._texts) - 1}{_CLOSE}"

    def expand(self, rendered: str) -> tuple[str, Counter[_Source]]:
        """The rendered text with every placeholder replaced by its text, and how many characters each
        source put in."""
        used: Counter[_Source] = Counter()

        def put_back(match: re.Match[str]) -> str:
            source, text = self._texts[int(match[1])]
            used[source] += len(text)
            return text

        return _PLACEHOLDER.sub(put_back, rendered), used

    def question(self, question: Question) -> Question:
        def q(path: str, text: str) -> str:
            return self.stand_in(_Source(path), text)

        return dataclasses.replace(
            question,
            stem=q("stem", question.stem),
            options=tuple(Option(o.letter, q(f"options.{o.letter}", o.text)) for o in question.options),
            explanation=q("explanation", question.explanation),
            why_wrong={letter: q(f"why_wrong.{letter}", text) for letter, text in question.why_wrong.items()},
            references=tuple(q(f"references.{i}", url) for i, url in enumerate(question.references)),
        )

    def blueprint(self, blueprint: Blueprint) -> Blueprint:
        def b(path: str, text: str) -> str:
            return self.stand_in(_Source(path, in_blueprint=True), text)

        def domain(i: int, d: Domain) -> Domain:
            tasks = tuple(Task(t.id, b(f"domains.{i}.tasks.{j}.name", t.name)) for j, t in enumerate(d.tasks))
            return dataclasses.replace(d, name=b(f"domains.{i}.name", d.name), tasks=tasks)

        return dataclasses.replace(
            blueprint,
            code=b("code", blueprint.code),
            name=b("name", blueprint.name),
            domains=tuple(domain(i, d) for i, d in enumerate(blueprint.domains)),
        )


# --- the embeds, in their worst case -------------------------------------------------------------


def _plan(pack: ExamPack, question: Question, kind: str = "daily") -> PostPlan:
    rounds = MAX_QUIZ_ROUNDS if kind == "quiz" else 1
    return PostPlan(
        post_id=_BIG_ID,
        guild_id=_BIG_ID,
        channel_id=_BIG_ID,
        kind=kind,
        pack=pack,
        question=question,
        closes_at=_WHEN,
        answer_mode="reactions",  # "React with your letter" is the longer instruction
        hide_answers=False,
        message_id=_BIG_ID,
        state="open",
        round=rounds,
        rounds=rounds,
    )


def _reveal(pack: ExamPack, question: Question) -> Reveal:
    # More members right than the reveal mentions: 40 widest mentions and "and N more".
    right = [_BIG_ID - n for n in range(render.MAX_MENTIONS + 1)]
    return Reveal(
        plan=_plan(pack, question),
        choices={o.letter: _MANY for o in question.options},
        correct_users=right,
        answered=_MANY,
        first_time=True,
    )


def _mock(pack: ExamPack, question: Question, answer: str) -> MockState:
    size = max(MOCK_SIZES)
    return MockState(
        id=_BIG_ID,
        user_id=_BIG_ID,
        guild_id=_BIG_ID,
        pack=pack,
        questions=(question,) * size,
        answers=(answer,) * size,
        flagged=(True,) * size,
        position=size - 1,
        started_at=_WHEN - dt.timedelta(hours=4),
        deadline=_WHEN,
        finished_at=_WHEN,
    )


def _all_wrong(question: Question) -> str:
    return "".join(o.letter for o in question.options if o.letter not in question.key)


EmbedBuilder = Callable[[ExamPack, Question], discord.Embed]

#: Every embed the bot makes from one question, by the name a problem gives it.
QUESTION_EMBEDS: dict[str, EmbedBuilder] = {
    "daily post": lambda pack, q: render.question_embed(_plan(pack, q)),
    "daily post with hidden answers": lambda pack, q: render.question_embed(_plan(pack, q), answered=_MANY),
    "quiz round": lambda pack, q: render.question_embed(_plan(pack, q, "quiz")),
    "closed post": lambda pack, q: render.closed_embed(_plan(pack, q)),
    "reveal": lambda pack, q: render.reveal_embed(_reveal(pack, q)),
    "mock card": lambda pack, q: mock_ui.question_embed(_mock(pack, q, "".join(q.letters))),
    "mock review": lambda pack, q: mock_ui.review_embed(_mock(pack, q, _all_wrong(q)), max(MOCK_SIZES) - 1),
}


# --- measuring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    name: str  # "description", "field 'Why not 🇧 B' value"
    text: str
    limit: int


def _parts(embed: discord.Embed) -> list[_Part]:
    data: dict[str, Any] = dict(embed.to_dict())
    parts = [
        _Part("title", data.get("title") or "", TITLE_MAX),
        _Part("description", data.get("description") or "", DESCRIPTION_MAX),
    ]
    for item in data.get("fields") or []:
        name = item.get("name") or ""
        label = f"field '{name if len(name) <= 40 else name[:39] + '…'}'"
        parts.append(_Part(f"{label} name", name, FIELD_NAME_MAX))
        parts.append(_Part(f"{label} value", item.get("value") or "", FIELD_VALUE_MAX))
    parts.append(_Part("footer", (data.get("footer") or {}).get("text") or "", FOOTER_MAX))
    parts.append(_Part("author", (data.get("author") or {}).get("name") or "", AUTHOR_MAX))
    return parts


def _size(text: str) -> int:
    return len(text.strip())  # Discord trims each text before it counts


@dataclass(frozen=True)
class Misfit:
    """One part of one embed that Discord would refuse, or that the renderer cuts."""

    embed: str  # "daily post"
    part: str  # "description", "field 'Why not 🇧 B' value", "total", "fields"
    size: int
    limit: int
    sources: Counter[_Source]  # characters each pack text puts in the part
    cut: bool = False  # fits Discord, but the renderer cuts it

    def main_source(self, *, in_blueprint: bool) -> str | None:
        """The field (of the question, or of pack.yaml) that puts most into the part."""
        totals: Counter[str] = Counter()
        for source, size in self.sources.items():
            if source.in_blueprint == in_blueprint:
                totals[source.group] += size
        return totals.most_common(1)[0][0] if totals else None

    @property
    def message(self) -> str:
        totals: Counter[str] = Counter()
        for source, size in self.sources.items():
            totals[f"pack.yaml {source.group}" if source.in_blueprint else source.group] += size
        made_of = ", ".join(f"{name} {size:,}" for name, size in totals.most_common())
        made_of = f" ({made_of})" if made_of else ""
        if self.part == "fields":
            return f"the {self.embed} would have {self.size} fields; Discord allows {self.limit}"
        if self.cut:
            return f"the {self.embed} {self.part} is cut by the bot's rendering code{made_of}"
        return (
            f"the {self.embed} {self.part} would be {self.size:,} characters{made_of}; "
            f"Discord allows {self.limit:,}"
        )


def _misfits(
    name: str, build: Callable[[_Placeholders], discord.Embed], real: discord.Embed
) -> Iterator[Misfit]:
    placeholders = _Placeholders()
    uncut = _parts(build(placeholders))
    fields = len(real.fields)
    if fields > FIELDS_MAX:
        yield Misfit(name, "fields", fields, FIELDS_MAX, Counter())
    total = 0
    everything: Counter[_Source] = Counter()
    for laid_out, sent in zip(uncut, _parts(real), strict=True):
        text, used = placeholders.expand(laid_out.text)
        size = _size(text)
        total += size
        everything.update(used)
        # Named as sent: the laid-out embed's field names still hold placeholders.
        if size > laid_out.limit:
            yield Misfit(name, sent.name, size, laid_out.limit, used)
        elif text != sent.text:
            yield Misfit(name, sent.name, size, laid_out.limit, used, cut=True)
    if total > TOTAL_MAX:
        yield Misfit(name, "total", total, TOTAL_MAX, everything)


def question_misfits(pack: ExamPack, question: Question) -> list[Misfit]:
    """What would not fit in each embed the bot makes from this question of this pack."""
    found: list[Misfit] = []
    for name, embed in QUESTION_EMBEDS.items():

        def with_placeholders(placeholders: _Placeholders, embed: EmbedBuilder = embed) -> discord.Embed:
            stand_in = placeholders.question(question)
            blueprint = placeholders.blueprint(pack.blueprint)
            return embed(ExamPack(pack.slug, blueprint, (stand_in,)), stand_in)

        found.extend(_misfits(name, with_placeholders, embed(pack, question)))
    return found


def exam_misfits(pack: ExamPack) -> list[Misfit]:
    """What would not fit in the pack's /exam embed (its blueprint: domains, weights, task statements)."""

    def with_placeholders(placeholders: _Placeholders) -> discord.Embed:
        return render.exam_embed(dataclasses.replace(pack, blueprint=placeholders.blueprint(pack.blueprint)))

    return list(_misfits("/exam embed", with_placeholders, render.exam_embed(pack)))


# --- as problems of the pack's files ----------------------------------------------------------------


def _question_problem(located: LocatedPack, question: Question, misfit: Misfit) -> BankProblem:
    place = located.places[question.id]
    field = misfit.main_source(in_blueprint=False)
    line = place.line_of(field) if field is not None else place.line
    return BankProblem(place.file, misfit.message, line=line, question_id=question.id, field=field)


def _blueprint_problem(located: LocatedPack, misfit: Misfit) -> BankProblem:
    field = misfit.main_source(in_blueprint=True)
    line = located.blueprint_lines.get(field) if field is not None else None
    return BankProblem(located.blueprint_file, misfit.message, line=line, field=field)


def embed_problems(located: LocatedPack, *, with_blueprint: bool = True) -> list[BankProblem]:
    """One problem per embed part that would not fit, located at the field that fills it most. With
    ``with_blueprint``, the /exam embed of the pack is checked too."""
    problems = [_blueprint_problem(located, m) for m in exam_misfits(located.pack)] if with_blueprint else []
    for question in located.pack.questions:
        problems.extend(
            _question_problem(located, question, m) for m in question_misfits(located.pack, question)
        )
    return problems
