"""Counts that show whether a pack follows its blueprint and has no answer pattern to game."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.domain.pack import ExamPack, QuestionKind


@dataclass(frozen=True)
class PackStats:
    total: int
    by_domain: dict[str, int]
    by_task: dict[str, int]
    by_kind: dict[str, int]
    by_difficulty: dict[int, int]
    key_letters: dict[str, int]  # single-answer questions only
    key_longest: int  # single-answer questions whose key is strictly the longest option
    single: int


def pack_stats(pack: ExamPack) -> PackStats:
    questions = pack.active_questions
    bp = pack.blueprint
    by_domain = {d.id: 0 for d in bp.domains}
    by_task = {t.id: 0 for d in bp.domains for t in d.tasks}
    letters: Counter[str] = Counter()
    longest = 0
    single = 0
    for q in questions:
        by_domain[q.domain_id] += 1
        by_task[q.task_id] += 1
        if q.kind is QuestionKind.SINGLE:
            single += 1
            (key,) = q.key
            letters[key] += 1
            key_len = len(q.option(key).text)  # type: ignore[union-attr]
            if all(len(o.text) < key_len for o in q.options if o.letter != key):
                longest += 1
    return PackStats(
        total=len(questions),
        by_domain=by_domain,
        by_task=by_task,
        by_kind=dict(Counter(q.kind.value for q in questions)),
        by_difficulty=dict(sorted(Counter(q.difficulty for q in questions).items())),
        key_letters=dict(sorted(letters.items())),
        key_longest=longest,
        single=single,
    )


def _share(part: int, whole: int) -> str:
    return f"{part:4d} ({100 * part / whole:5.1f}%)" if whole else f"{part:4d}"


def format_stats(pack: ExamPack) -> str:
    s = pack_stats(pack)
    bp = pack.blueprint
    out = [f"{bp.code} ({pack.slug}): {s.total} active questions"]
    out.append("By domain (blueprint weight):")
    for d in bp.domains:
        out.append(f"  {d.id} {d.name[:48]:<48} {_share(s.by_domain[d.id], s.total)}  weight {d.weight}%")
    out.append("By task statement:")
    for d in bp.domains:
        for t in d.tasks:
            out.append(f"  {t.id:<5} {t.name[:60]:<60} {s.by_task[t.id]:4d}")
    out.append("By type:")
    for kind, count in sorted(s.by_kind.items()):
        out.append(f"  {kind:<10} {_share(count, s.total)}")
    out.append("By difficulty:")
    for level, count in s.by_difficulty.items():
        out.append(f"  {level:<10} {_share(count, s.total)}")
    out.append("Key letter (single-answer questions):")
    for letter, count in s.key_letters.items():
        out.append(f"  {letter:<10} {_share(count, s.single)}")
    out.append(f"Key is the longest option: {_share(s.key_longest, s.single)} of single-answer questions")
    return "\n".join(out)
