"""Spaced review: every graded answer moves the member's card for that question (see bot.domain.review)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import repo, reviews
from bot.domain.grading import extend_sequence, is_correct, normalise, undo_sequence
from bot.domain.pack import ExamPack, Question
from bot.domain.review import CardState, review
from bot.errors import NotFoundError, UserError
from bot.services.guilds import GuildService
from bot.services.keyed_locks import KeyedLocks


async def record_in_reviews(
    session: AsyncSession, graded: Sequence[repo.GradedAnswer], now: dt.datetime
) -> dict[reviews.CardKey, CardState]:
    """In the grading transaction: a wrong answer puts its question in the member's review queue for
    that exam (or back to the start of it); a right one moves a card the member already has on.
    Returns the cards as written."""
    keys = {(g.user_id, g.pack, g.question_id) for g in graded}
    stored = await reviews.cards(session, keys)
    updated: dict[reviews.CardKey, CardState] = {}
    for answer in sorted(graded, key=lambda g: g.answered_at):
        key = (answer.user_id, answer.pack, answer.question_id)
        card = updated.get(key, stored.get(key))
        if answer.correct and card is None:
            continue  # never missed: nothing to review
        updated[key] = review(card, answer.correct, answer.answered_at)
    await reviews.save_cards(session, updated, now)
    return updated


MAX_REVIEW_CARDS = 25
DEFAULT_REVIEW_CARDS = 10


@dataclass(frozen=True)
class ReviewRun:
    """A /review session as it stands: the cards drawn, what was answered, what is picked so far."""

    id: int
    user_id: int
    guild_id: int | None
    pack: ExamPack
    questions: tuple[Question, ...]
    answers: dict[int, str]  # position -> letters given (graded)
    picked: dict[int, str]  # position -> letters picked so far on a multiple-response card
    next_due: dict[int, dt.datetime]  # position -> when that card comes back, once answered

    @property
    def position(self) -> int:
        """The first card not answered yet (``len(questions)`` once all are)."""
        return next((i for i in range(len(self.questions)) if i not in self.answers), len(self.questions))

    @property
    def finished(self) -> bool:
        return self.position >= len(self.questions)

    def correct(self, position: int) -> bool:
        return is_correct(self.questions[position], self.answers[position])

    @property
    def right(self) -> int:
        return sum(self.correct(i) for i in self.answers)


@dataclass(frozen=True)
class ReviewSummary:
    right: int
    wrong: int
    queue: int
    next_due: dt.datetime | None


class ReviewService:
    """Private /review sessions. Answers are graded once, in the same transaction as the card's move,
    and count in the member's statistics (as source "review") without earning points."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], guilds: GuildService) -> None:
        self._sessions = sessions
        self._guilds = guilds
        self._locks = KeyedLocks()

    async def start(
        self, user_id: int, guild_id: int | None, pack: ExamPack, count: int, now: dt.datetime
    ) -> ReviewRun | None:
        """A session of the member's due cards, or None if nothing is due."""
        if not 1 <= count <= MAX_REVIEW_CARDS:
            raise UserError(f"A review has 1 to {MAX_REVIEW_CARDS} cards.")
        async with self._sessions.begin() as session:
            candidates = await reviews.draw(session, user_id, pack.slug, now, count * 2)
            drawn = [qid for qid in candidates if _askable(pack, qid)][:count]
            if not drawn:
                return None
            run_id = await reviews.create_session(session, user_id, guild_id, pack.slug, drawn, now)
        return await self.get(run_id, user_id)

    async def get(self, run_id: int, user_id: int) -> ReviewRun:
        async with self._sessions.begin() as session:
            row = await reviews.get_session(session, run_id)
            if row is None:
                raise NotFoundError("That review no longer exists. `/review` starts a new one.")
            if row.user_id != user_id:
                raise UserError("This is not your review. Start your own with `/review`.")
            questions = tuple(self._guilds.question(row.pack, qid) for qid in row.question_ids.split(","))
            stored = json.loads(row.answers)
            return ReviewRun(
                row.id,
                row.user_id,
                row.guild_id,
                self._guilds.pack(row.pack),
                questions,
                {int(k): v for k, v in stored.get("answers", {}).items()},
                {int(k): v for k, v in stored.get("picked", {}).items()},
                {int(k): dt.datetime.fromisoformat(v) for k, v in stored.get("due", {}).items()},
            )

    async def toggle(self, run_id: int, user_id: int, position: int, letter: str) -> ReviewRun:
        """Pick or unpick a letter on a multiple-response card (graded with ``answer``)."""
        async with self._locks.hold(run_id):
            run = await self.get(run_id, user_id)
            question = _card(run, position)
            if position in run.answers:
                return run
            letters = run.picked.get(position, "")
            if question.kind.sequenced:  # the next item of the order, or "-" to take the last one back
                letters = (
                    undo_sequence(letters) if letter == "-" else extend_sequence(question, letters, letter)
                )
            elif letter in letters:
                letters = letters.replace(letter, "")
            elif len(letters) < question.choose:
                letters = normalise(letters + letter)
            else:
                raise UserError(f"Choose {question.choose}: take a letter back before picking another.")
            picked = {**run.picked, position: letters}
            async with self._sessions.begin() as session:
                await reviews.save_session_answers(
                    session, run.id, _document(run.answers, picked, run.next_due)
                )
            return dataclasses.replace(run, picked=picked)

    async def answer(
        self, run_id: int, user_id: int, position: int, letters: str | None, now: dt.datetime
    ) -> ReviewRun:
        """Grade a card once (``letters`` None: the letters picked so far). A second press on a card
        already answered grades nothing and shows the result again."""
        async with self._locks.hold(run_id):
            run = await self.get(run_id, user_id)
            question = _card(run, position)
            if position in run.answers:
                return run
            given = run.picked.get(position, "") if letters is None else letters
            if not question.kind.sequenced:  # an order is the answer; a set of letters is not
                given = normalise(given)
            if len(given) != question.choose:
                what = "place every item" if question.kind.sequenced else f"pick {question.choose} letters"
                raise UserError(f"First {what}, then press Check.")
            graded = repo.GradedAnswer(
                run.guild_id,
                user_id,
                run.pack.slug,
                question.id,
                question.domain_id,
                question.task_id,
                "review",
                is_correct(question, given),
                0,
                now,
                given,
            )
            answers = {**run.answers, position: given}
            async with self._sessions.begin() as session:
                await repo.add_graded(session, [graded])
                moved = await record_in_reviews(session, [graded], now)
                card = moved[(user_id, run.pack.slug, question.id)]
                due = {**run.next_due, position: card.due}
                await reviews.save_session_answers(session, run.id, _document(answers, run.picked, due))
            return dataclasses.replace(run, answers=answers, next_due=due)

    async def add_by_hand(self, user_id: int, pack: str, question_id: str, now: dt.datetime) -> bool:
        """ "Review later": queue a question as if missed now. False if it is queued already."""
        self._guilds.question(pack, question_id)  # QuestionWithdrawn if it left the bank
        key = (user_id, pack, question_id)
        async with self._sessions.begin() as session:
            if key in await reviews.cards(session, [key]):
                return False
            await reviews.save_cards(session, {key: review(None, False, now)}, now)
        return True

    async def due_count(self, user_id: int, pack: str, now: dt.datetime) -> int:
        """How many cards a /review would offer the member now (at most the largest session)."""
        async with self._sessions.begin() as session:
            return await reviews.due_count(session, user_id, pack, now, MAX_REVIEW_CARDS)

    async def next_due(self, user_id: int, pack: str) -> dt.datetime | None:
        async with self._sessions.begin() as session:
            return await reviews.next_due(session, user_id, pack)

    async def summary(self, run: ReviewRun, now: dt.datetime) -> ReviewSummary:
        async with self._sessions.begin() as session:
            queue = await reviews.queue(session, run.user_id, run.pack.slug)
        upcoming = [c.due for c in queue]
        return ReviewSummary(run.right, len(run.answers) - run.right, len(queue), min(upcoming, default=None))


def _askable(pack: ExamPack, question_id: str) -> bool:
    question = pack.question(question_id)
    return question is not None and not question.retired


def _card(run: ReviewRun, position: int) -> Question:
    if not 0 <= position < len(run.questions):
        raise UserError("That card is not in this review.")
    return run.questions[position]


def _document(answers: dict[int, str], picked: dict[int, str], due: dict[int, dt.datetime]) -> str:
    return json.dumps(
        {
            "answers": {str(k): v for k, v in answers.items()},
            "picked": {str(k): v for k, v in picked.items()},
            "due": {str(k): v.isoformat() for k, v in due.items()},
        }
    )
