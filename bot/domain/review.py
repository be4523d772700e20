"""Spaced review of missed questions, scheduled by FSRS (the scheduler modern Anki uses).

A card is a member's question in one exam. A wrong answer is rated ``Again`` and a right one ``Good``:
all or nothing, as the exam scores; never ``Hard`` for a wrong answer. Cards are stored as plain rows
(``ReviewCard``) so "what is due" is an indexed query; the FSRS objects are rebuilt from them here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fsrs import Card, Rating, Scheduler, State

#: Fuzzing spreads due dates at random; without it a review's outcome is the same every time.
SCHEDULER = Scheduler(enable_fuzzing=False)
#: A card answered right in the review state with at least this stability (days) counts as learned.
LEARNED_STABILITY_DAYS = 21.0


@dataclass(frozen=True)
class CardState:
    """One member's card for one question, as stored."""

    due: dt.datetime
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None
    stability: float | None
    difficulty: float | None
    last_review: dt.datetime | None

    @property
    def learned(self) -> bool:
        return (
            self.state == State.Review
            and self.stability is not None
            and self.stability >= LEARNED_STABILITY_DAYS
        )

    def due_in(self, now: dt.datetime) -> dt.timedelta:
        return self.due - now


def _to_fsrs(card: CardState | None, now: dt.datetime) -> Card:
    if card is None:
        return Card(card_id=1, due=now)  # an id: without one, fsrs sleeps a millisecond to make one up
    return Card(
        card_id=1,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def review(card: CardState | None, correct: bool, now: dt.datetime) -> CardState:
    """The card after one answer at ``now`` (UTC): a new card for a first miss."""
    rating = Rating.Good if correct else Rating.Again
    updated, _ = SCHEDULER.review_card(_to_fsrs(card, now), rating, now.astimezone(dt.UTC))
    return CardState(
        updated.due,
        int(updated.state),
        updated.step,
        updated.stability,
        updated.difficulty,
        updated.last_review,
    )


def describe_interval(delta: dt.timedelta) -> str:
    """ "back in 4 days", "back in 10 minutes", as a member reads it."""
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"back in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    if hours < 24:
        return f"back in {hours} hour{'s' if hours != 1 else ''}"
    days = round(hours / 24)
    return f"back in {days} day{'s' if days != 1 else ''}"


@dataclass(frozen=True)
class QueueSummary:
    """A member's review queue for one exam, as /stats shows it."""

    due_today: int
    learning: int
    learned: int


def summarise(cards: list[CardState], end_of_today: dt.datetime) -> QueueSummary:
    """Due by the end of the member's day; still being learned; learned (see ``CardState.learned``)."""
    learned = sum(c.learned for c in cards)
    return QueueSummary(sum(c.due <= end_of_today for c in cards), len(cards) - learned, learned)
