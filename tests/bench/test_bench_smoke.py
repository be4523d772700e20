"""Every benchmark runs end to end at a tiny size, so the suite cannot rot between full runs.

The figures of a smoke run mean nothing (its bars are loosened); what must hold is that each benchmark
still drives the real bot to completion and that its correctness checks pass.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.__main__ import run_one
from bench.core import Benchmark, discover, markdown
from bench.databases import use_server
from tests.databases import no_postgres

BENCHMARKS = discover()


def test_every_benchmark_is_discovered() -> None:
    names = [
        "ingest",
        "latency",
        "boards",
        "fanout",
        "footprint",
        "review",
        "reminders",
        "shards",
        "analysis",
    ]
    assert [b.name for b in BENCHMARKS] == names


@pytest.mark.parametrize("benchmark", BENCHMARKS, ids=[b.name for b in BENCHMARKS])
async def test_smoke_run_passes(
    benchmark: Benchmark[Any], database_backend: str, postgres_server: Any
) -> None:
    if database_backend not in benchmark.databases:
        pytest.skip(f"{benchmark.name} runs on {', '.join(benchmark.databases)} only")
    if database_backend == "postgresql" and postgres_server is None:
        no_postgres()
    with use_server(postgres_server):
        report = await run_one(benchmark, database_backend, smoke=True)
    assert report.error is None, report.error
    assert report.checks or report.figures
    failed = [c for c in report.checks if not c.ok] + [f for f in report.figures if f.passed is False]
    assert not failed, failed
    page = markdown([report], smoke=True, total_seconds=report.seconds)
    assert report.title in page and "CPUs:" in page
