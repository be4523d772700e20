"""Spaced review: every graded answer moves the member's card for that question (see bot.domain.review)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import repo, reviews
from bot.domain.review import CardState, review


async def record_in_reviews(
    session: AsyncSession, graded: Sequence[repo.GradedAnswer], now: dt.datetime
) -> None:
    """In the grading transaction: a wrong answer puts its question in the member's review queue for
    that exam (or back to the start of it); a right one moves a card the member already has on."""
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
