"""Answers: which reactions count, when an answer is complete and locked, and whether it is right."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.pack import LETTERS, Option, Question, QuestionKind

# Regional indicator symbols 🇦..🇫: what members react with.
LETTER_EMOJI = {letter: chr(0x1F1E6 + i) for i, letter in enumerate(LETTERS)}
EMOJI_LETTER = {emoji: letter for letter, emoji in LETTER_EMOJI.items()}


def letter_for(emoji: str, question: Question) -> str | None:
    """The option letter an emoji stands for on this question, or None for anything else."""
    letter = EMOJI_LETTER.get(emoji)
    return letter if letter is not None and letter in question.letters else None


def normalise(letters: Iterable[str]) -> str:
    return "".join(sorted(set(letters)))


def is_correct(question: Question, letters: str) -> bool:
    """All or nothing, as on the exam: exactly the key letters (in the key's order, for ordering and
    matching questions)."""
    if question.kind.sequenced:
        return letters == question.sequence
    return frozenset(letters) == question.key


@dataclass(frozen=True)
class Pick:
    """A member's state on one post: the letters picked so far, and whether they are locked."""

    letters: str = ""
    locked: bool = False


def add_pick(question: Question, current: Pick, letter: str) -> Pick:
    """A member reacted with a letter. The first complete answer locks; later reactions change nothing."""
    if current.locked or letter in current.letters:
        return current
    letters = normalise(current.letters + letter)
    return Pick(letters, locked=len(letters) >= question.choose)


def remove_pick(current: Pick, letter: str) -> Pick:
    """A member took a reaction back before completing their answer."""
    if current.locked:
        return current
    return Pick(current.letters.replace(letter, ""), locked=False)


def pick_from_reactions(question: Question, letters: Iterable[str]) -> Pick:
    """Rebuild a member's pick from the reactions found on a message (after a restart or a resume).
    The order they were made in is not known, so with more letters than needed the alphabetically
    first ones count."""
    valid = sorted({x for x in letters if x in question.letters})
    chosen = valid[: question.choose]
    return Pick(normalise(chosen), locked=len(chosen) >= question.choose)


# --- ordering and matching: an answer built press by press in a private picker ---------------------


def extend_sequence(question: Question, so_far: str, letter: str) -> str:
    """One press in the picker: the next item of the order, or the next prompt's response. Presses that
    cannot apply (an unknown letter, an item already placed, an answer already complete) change nothing."""
    if not question.kind.sequenced or letter not in question.letters or len(so_far) >= question.choose:
        return so_far
    if question.kind is QuestionKind.ORDERING and letter in so_far:
        return so_far
    return so_far + letter


def undo_sequence(so_far: str) -> str:
    """Take back the last press."""
    return so_far[:-1]


def is_complete(question: Question, so_far: str) -> bool:
    return len(so_far) == question.choose


def most_common_wrong(question: Question, answers: Iterable[str]) -> tuple[str, int] | None:
    """The wrong answer given most often, and by how many (for the reveal); None if nobody was wrong."""
    wrong = Counter(a for a in answers if not is_correct(question, a))
    if not wrong:
        return None
    answer, count = min(wrong.items(), key=lambda item: (-item[1], item[0]))
    return answer, count


def shown_order(question: Question, seed: int) -> tuple[Option, ...]:
    """The order a question's options are shown in. An ordering question's items start shuffled, the
    same way for the same ``seed`` (a post, a mock card) after any restart, and never already in the
    answer's order; every other kind shows its options as written."""
    if question.kind is not QuestionKind.ORDERING:
        return question.options
    items = list(question.options)
    random.Random(seed).shuffle(items)  # noqa: S311 - a display order, not a secret
    if "".join(o.letter for o in items) == question.sequence:
        items = items[1:] + items[:1]
    return tuple(items)
