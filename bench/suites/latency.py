"""2. Interaction latency under load: many members take 10-question mocks at the same time.

Latency is the emulator's own measure, per interaction: from sending INTERACTION_CREATE to receiving
the bot's first response (``InteractionRecord.response_latency``). The bar: p99 under 100 ms and none
over Discord's 3-second deadline. The reference, in the same run and against the same emulator, is a
plain discord.py client whose one slash command answers at once, driven by the same members at the
same pace: what the transport itself costs.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.child import BotProcess
from bench.core import Benchmark, Figure, Report
from bench.databases import new_database
from bench.world import percentile
from tests.emulator import (
    Channel,
    DiscordEmulator,
    InteractionFailed,
    InteractionRecord,
    Message,
    RateLimits,
    User,
)

CHOOSE = {"Choose two": 2, "Choose three": 3}
DEADLINE = 3.0


@dataclass(frozen=True)
class LatencyParams:
    members: int
    questions: int = 10
    start_spread: float = 2.0  # members start within this many seconds
    think: tuple[float, float] = (0.5, 1.5)  # seconds between a response and the next press
    seed: int = 11
    p99_bar_ms: float = 100.0


def letters_to_pick(card: Message) -> list[str]:
    description = card.embeds[0].get("description", "")
    wanted = next((n for text, n in CHOOSE.items() if text in description), 1)
    letters = [b["label"] for b in card.buttons if len(b.get("label", "")) == 1]
    return letters[:wanted]


async def take_mock(member: User, channel: Channel, p: LatencyParams, rng: random.Random) -> int:
    """Start a mock, answer every question, move on with Next, finish. Returns the presses made;
    negative when a press failed (the member gives up there, as a user seeing an error would)."""
    try:
        return await _take_mock(member, channel, p, rng)
    except (InteractionFailed, TimeoutError):
        return -1


async def _take_mock(member: User, channel: Channel, p: LatencyParams, rng: random.Random) -> int:

    async def pause() -> None:
        await asyncio.sleep(rng.uniform(*p.think))

    await asyncio.sleep(rng.uniform(0, p.start_spread))
    result = await member.run_command("mock start", channel=channel, options={"questions": p.questions})
    card = await result.response(timeout=10)
    presses = 1
    for number in range(p.questions):
        for letter in letters_to_pick(card):
            await pause()
            card = await (await member.click(card, letter)).response(timeout=10)
            presses += 1
        await pause()
        label = "Finish" if number == p.questions - 1 else "Next"
        card = await (await member.click(card, label)).response(timeout=10)
        presses += 1
    title = card.embeds[0].get("title", "")
    if not title.startswith("Mock exam result"):
        raise AssertionError(f"{member.name}'s mock did not finish: {title!r}")
    return presses


async def press_noop(member: User, channel: Channel, times: int, p: LatencyParams, rng: random.Random) -> int:
    await asyncio.sleep(rng.uniform(0, p.start_spread))
    for n in range(times):
        if n:
            await asyncio.sleep(rng.uniform(*p.think))
        await (await member.run_command("noop", channel=channel)).response(timeout=10)
    return times


def latencies(records: list[InteractionRecord]) -> list[float]:
    return [
        r.response_latency * 1000 if r.response_latency is not None else DEADLINE * 1000 + 1 for r in records
    ]


async def run(p: LatencyParams, database: str) -> Report:
    report = Report(
        "latency",
        "2. Interaction latency under load",
        scenario=(
            f"{p.members} members each take a {p.questions}-question mock at the same time: `/mock start`, "
            "then the answer button(s) and Next for every question, then Finish. They start within "
            f"{p.start_spread:g} s and press again {p.think[0]:g}–{p.think[1]:g} s after each response. "
            "Latency: emulator sends INTERACTION_CREATE → emulator receives the first response. Reference: "
            "a plain discord.py client with one no-op slash command answered at once, pressed by the same "
            "members the same number of times at the same pace, against the same emulator."
        ),
    )
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        root = Path(tmp)
        async with (
            new_database(database, root) as url,
            DiscordEmulator(rate_limits=RateLimits.discord()) as emu,
        ):
            guild = emu.add_guild("Study Hall")
            channels = [guild.add_text_channel(f"practice-{n}") for n in range(4)]
            members = [guild.add_member(f"student{i}") for i in range(p.members)]
            channel_of = {m.id: channels[i % len(channels)] for i, m in enumerate(members)}

            async with BotProcess(emu, root, database_url=url) as bot:
                await bot.start()
                first = len(emu.state.interactions)
                rng = random.Random(p.seed)
                cpu_before = bot.cpu_seconds()
                presses = await asyncio.gather(
                    *(take_mock(m, channel_of[m.id], p, random.Random(rng.random())) for m in members)
                )
                bot_cpu = bot.cpu_seconds() - cpu_before
                studied = list(emu.state.interactions.values())[first:]
                bot_failures = [r for r in emu.interaction_failures if r in studied]
                made = Counter(r.user_id for r in studied)

            async with BotProcess(emu, root, mode="noop") as noop:
                await noop.start()
                first = len(emu.state.interactions)
                rng = random.Random(p.seed)
                cpu_before = noop.cpu_seconds()
                await asyncio.gather(
                    *(
                        press_noop(m, channel_of[m.id], made[m.id], p, random.Random(rng.random()))
                        for m in members
                    )
                )
                reference = list(emu.state.interactions.values())[first:]
                noop_cpu = noop.cpu_seconds() - cpu_before

    bot_ms, ref_ms = latencies(studied), latencies(reference)
    span = max(r.responded_at or 0 for r in studied) - min(r.dispatched_at or 0 for r in studied)
    finished = [n for n in presses if n > 0]
    report.check(
        "every mock finished, every press answered in time",
        len(finished) == p.members and not bot_failures,
        f"{len(finished)} of {p.members} mocks finished; {len(studied):,} interactions, "
        f"{len(bot_failures)} failed",
    )
    p99, ref_p99 = percentile(bot_ms, 0.99), percentile(ref_ms, 0.99)
    # Where the slow responses were: slash commands or button presses, during the opening burst of
    # starts or once every mock was running.
    opening = min(r.dispatched_at or 0 for r in studied) + p.start_spread

    def action(record: InteractionRecord) -> str:
        custom_id = str(record.payload.get("data", {}).get("custom_id", ""))
        return custom_id.split(":")[3] if custom_id.count(":") >= 3 else ""

    for label, group in (
        ("`/mock start`", [r for r in studied if r.command_name]),
        ("button presses", [r for r in studied if not r.command_name]),
        ("answer presses", [r for r in studied if action(r) == "answer"]),
        ("Next presses", [r for r in studied if action(r) == "goto"]),
        ("Finish presses (grading)", [r for r in studied if action(r) in ("finish", "confirm")]),
        (f"first {p.start_spread:g} s", [r for r in studied if (r.dispatched_at or 0) < opening]),
        ("after that", [r for r in studied if (r.dispatched_at or 0) >= opening]),
    ):
        if group:
            ms = latencies(group)
            report.notes.append(
                f"{label}: {len(group):,} interactions, p50 {percentile(ms, 0.5):,.1f} ms, "
                f"p99 {percentile(ms, 0.99):,.1f} ms, slowest {max(ms):,.0f} ms"
            )
    report.figures += [
        Figure("p50 latency", percentile(bot_ms, 0.5), "ms", percentile(ref_ms, 0.5), "no-op client"),
        Figure(
            "p99 latency", p99, "ms", ref_p99, "no-op client", f"< {p.p99_bar_ms:g} ms", p99 < p.p99_bar_ms
        ),
        Figure(
            "slowest response",
            max(bot_ms),
            "ms",
            max(ref_ms),
            "no-op client",
            f"< {DEADLINE * 1000:g} ms (Discord's deadline)",
            max(bot_ms) < DEADLINE * 1000 and not bot_failures,
        ),
        Figure("interactions per second (offered)", len(studied) / span, "/s"),
        Figure(
            "bot CPU time per interaction",
            bot_cpu / len(studied) * 1000,
            "ms",
            noop_cpu / max(1, len(reference)) * 1000,
            "no-op client",
        ),
    ]
    return report


BENCHMARK = Benchmark(
    name="latency",
    title="2. Interaction latency under load",
    order=2,
    full=LatencyParams(members=200),
    smoke=LatencyParams(members=3, questions=10, start_spread=0.1, think=(0.0, 0.01), p99_bar_ms=3000.0),
    run=run,
)
