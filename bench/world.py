"""What benchmarks build around the bot: synthetic question packs, emulator worlds, database probes."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from bench.core import Figure, Report
from bot.config import SHIPPED_QUESTIONS
from bot.domain.grading import LETTER_EMOJI
from bot.domain.pack import Question
from tests.emulator import Channel, DiscordEmulator, Message, User
from tests.emulator.limits import RequestRecord

SHIPPED_PACK = "mls-c01"
Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_WORDS = [
    "model",
    "data",
    "feature",
    "training",
    "endpoint",
    "latency",
    "pipeline",
    "bucket",
    "stream",
    "label",
    "accuracy",
    "drift",
    "batch",
    "inference",
    "notebook",
    "tuning",
    "metric",
    "cluster",
    "schema",
    "partition",
    "encryption",
    "budget",
    "recall",
    "precision",
]


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(_WORDS))
    return " ".join(words).capitalize() + "."


def write_pack(
    root: Path, questions: int, *, slug: str = "bench", single_share: float = 0.8, seed: int = 7
) -> str:
    """A valid pack of ``questions`` synthetic questions with the shipped blueprint and realistic sizes
    (stems of ~380 characters, options of ~100, a reason for each wrong option, two references).
    Returns the pack's slug, for ``DEFAULT_PACK``; point ``QUESTIONS_DIR`` at ``root``."""
    rng = random.Random(seed)
    blueprint = yaml.safe_load((SHIPPED_QUESTIONS / SHIPPED_PACK / "pack.yaml").read_text())
    tasks = [(d["id"], t["id"]) for d in blueprint["domains"] for t in d["tasks"]]
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(
        yaml.dump(blueprint, Dumper=Dumper, sort_keys=False, allow_unicode=True)
    )
    by_task: dict[str, list[dict[str, Any]]] = {task: [] for _, task in tasks}
    for n in range(questions):
        domain, task = tasks[n % len(tasks)]
        single = rng.random() < single_share
        letters = "ABCD" if single else "ABCDE"
        key = [rng.choice(letters)] if single else sorted(rng.sample(letters, 2))
        question: dict[str, Any] = {
            "id": f"{slug}-{task}-{n:05d}",
            "domain": domain,
            "task": task,
            "type": "single" if single else "multiple",
            "difficulty": 1 + n % 3,
            "tags": rng.sample(_WORDS, 4),
            "stem": f"Scenario {n}: " + _text(rng, 370),
            "options": {letter: f"Option {letter} of {n}: " + _text(rng, 80) for letter in letters},
            "key": key[0] if single else key,
            "explanation": _text(rng, 340),
            "why_wrong": {letter: _text(rng, 110) for letter in letters if letter not in key},
            "references": [
                f"https://docs.aws.amazon.com/sagemaker/latest/dg/page-{n}.html",
                f"https://docs.aws.amazon.com/machine-learning/latest/guide/topic-{n % 97}.html",
            ],
        }
        if not single:
            question["choose"] = 2
        by_task[task].append(question)
    for task, items in by_task.items():
        (folder / f"{task}-bench.yaml").write_text(
            yaml.dump({"questions": items}, Dumper=Dumper, sort_keys=False, allow_unicode=True)
        )
    return slug


def pack_env(root: Path, slug: str) -> dict[str, str]:
    return {"QUESTIONS_DIR": str(root), "DEFAULT_PACK": slug}


# --- acting as members ---------------------------------------------------------------------------


async def schedule_daily(admin: User, channel: Channel, **options: Any) -> Message:
    result = await admin.run_command(
        "daily schedule", channel=channel, options={"channel": channel, "time": "09:00", **options}
    )
    return await result.response(timeout=10)


def is_question_post(message: Message) -> bool:
    title = message.embeds[0].get("title", "") if message.embeds else ""
    return "Question of the day" in title


def question_ids_by_stem(questions: Iterable[Question]) -> dict[str, str]:
    return {q.stem: q.id for q in questions}


def question_id_of(message: Message, ids_by_stem: Mapping[str, str]) -> str:
    """The id of the question a post asks, recognised by its scenario (the description's first
    paragraph) as a member reads it."""
    return ids_by_stem[message.embeds[0]["description"].split("\n\n", 1)[0]]


async def wait_for_option_reactions(emulator: DiscordEmulator, message: Message, letters: str) -> None:
    emojis = [LETTER_EMOJI[x] for x in letters]
    await emulator.wait_until(
        lambda: all(emulator.bot_user_id in message.reaction_users(e) for e in emojis),
        timeout=30,
        what="the option reactions",
    )


# --- waiting on the bot from outside ---------------------------------------------------------------


async def poll(
    probe: Callable[[], Awaitable[Any]], *, timeout: float, interval: float = 0.01, what: str
) -> float:
    """Await ``probe()`` every ``interval`` until it is truthy; returns the monotonic time it first was."""
    deadline = time.monotonic() + timeout
    while True:
        if await probe():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(interval)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


# --- requests paced under Discord's limits ---------------------------------------------------------


def report_paced_requests(
    report: Report,
    requests: Sequence[RequestRecord],
    *,
    what: str,
    elapsed: float,
    floor: float,
    floor_name: str,
    bar: float,
    needed: int,
) -> None:
    """The figures and checks every fan-out benchmark reports: the time against the least the limits
    allow, no 429 the bot could have avoided, and the requests by route."""
    throttled = [r for r in requests if r.rate_limited]
    report.check(
        "no 429 the bot could have avoided",
        not throttled,
        f"{len(throttled)} requests answered 429"
        + (f" ({sum(r.is_global for r in throttled)} global)" if throttled else ""),
    )
    report.figures += [
        Figure(
            what,
            elapsed,
            "s",
            floor,
            floor_name,
            f"≤ {bar:g}× reference",
            elapsed <= bar * floor if floor > 0 else True,
        ),
        Figure("requests needed", needed, ""),
        Figure("requests sent", len(requests), ""),
    ]
    kinds = Counter(f"{r.method} {r.route}" for r in requests if not r.rate_limited)
    report.notes.append("requests by route: " + ", ".join(f"{k} ×{v}" for k, v in kinds.most_common()))
