"""Near-duplicate questions: two questions of one pack that test the same fact in the same scenario.

Each question is read as two bags of words: its stem (the scenario and the ask) and its key (the text
of the correct options). Words are lower-cased, stripped of the filler every stem shares ("company",
"requirements", "which") and of common endings, then weighted by how rare they are in the pack
(TF-IDF), so that service names, numbers and techniques count and boilerplate does not. Two questions
are compared by the cosine of their stems and of their keys; a reworded copy keeps the rare words of
its scenario and its answer, so it scores high even when no sentence is shared.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.pack import Question

#: Score at or above which two questions are reported. Calibrated on the shipped packs: every pair
#: above it tested the same fact; pairs just below it were different questions on one service.
NEAR_DUPLICATE = 0.40
STEM_WEIGHT, KEY_WEIGHT = 0.7, 0.3

_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "which",
        "what",
        "who",
        "whom",
        "how",
        "when",
        "where",
        "why",
        "than",
        "then",
        "there",
        "their",
        "they",
        "them",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "his",
        "her",
        "not",
        "no",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "done",
        "has",
        "have",
        "had",
        "having",
        "each",
        "every",
        "all",
        "any",
        "some",
        "more",
        "most",
        "less",
        "least",
        "into",
        "over",
        "under",
        "after",
        "before",
        "about",
        "between",
        "through",
        "during",
        "without",
        "within",
        "also",
        "only",
        "very",
        "such",
        "same",
        "other",
        "new",
        "one",
        "two",
        "three",
        "company",
        "team",
        "solution",
        "requirements",
        "meet",
        "meets",
        "approach",
        "use",
        "uses",
        "using",
        "used",
        "need",
        "needs",
        "needed",
        "want",
        "wants",
    ]
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly")
_WORD = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")


def _root(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The words of a text that can tell two questions apart, reduced to a common root."""
    return [_root(w) for w in _WORD.findall(text.lower()) if w not in _FILLER and len(w) > 1]


def _unit_vector(tokens: Iterable[str], idf: dict[str, float]) -> dict[str, float]:
    weights = {t: n * idf[t] for t, n in Counter(tokens).items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


@dataclass(frozen=True)
class SimilarPair:
    first: Question
    second: Question
    score: float  # weighted cosine of stems and keys, 0..1


def similar_pairs(questions: Sequence[Question], threshold: float = NEAR_DUPLICATE) -> list[SimilarPair]:
    """Pairs of questions whose stems and keys are alike enough to test the same fact, most alike first."""
    stems = {q.id: words(q.stem) for q in questions}
    keys = {q.id: words(" ".join(o.text for o in q.options if o.letter in q.key)) for q in questions}
    documents = Counter(t for q in questions for t in set(stems[q.id]) | set(keys[q.id]))
    idf = {t: math.log(len(questions) / (1 + n)) + 1 for t, n in documents.items()}
    stem_vectors = {i: _unit_vector(ws, idf) for i, ws in stems.items()}
    key_vectors = {i: _unit_vector(ws, idf) for i, ws in keys.items()}
    pairs = []
    for index, first in enumerate(questions):
        for second in questions[index + 1 :]:
            score = STEM_WEIGHT * _cosine(stem_vectors[first.id], stem_vectors[second.id])
            score += KEY_WEIGHT * _cosine(key_vectors[first.id], key_vectors[second.id])
            if score >= threshold:
                pairs.append(SimilarPair(first, second, score))
    return sorted(pairs, key=lambda p: -p.score)
