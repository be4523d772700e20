"""``python -m bench [NAME ...] [--smoke] [--out FILE]``: run benchmarks and write the results file."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench.child import LOGS_ENV, PROFILE_ENV
from bench.core import RESULTS, Benchmark, Report, console_lines, discover, markdown
from bench.databases import DATABASES, LABELS, postgres_available


async def run_one(benchmark: Benchmark[Any], database: str, *, smoke: bool) -> Report:
    started = time.monotonic()
    try:
        report = await benchmark.run(benchmark.params(smoke=smoke), database)
    except Exception as exc:
        traceback.print_exc()
        report = Report(benchmark.name, benchmark.title, error=f"{type(exc).__name__}: {exc}")
    report.database = database
    report.seconds = time.monotonic() - started
    return report


async def run_all(benchmarks: list[Benchmark[Any]], databases: list[str], *, smoke: bool) -> list[Report]:
    reports = []
    for benchmark in benchmarks:
        for database in (d for d in databases if d in benchmark.databases):
            print(f"-- {benchmark.title} · {LABELS[database]} ...", flush=True)
            report = await run_one(benchmark, database, smoke=smoke)
            print("\n".join(console_lines(report)), flush=True)
            reports.append(report)
    return reports


def main(argv: list[str] | None = None) -> int:
    available = discover()
    names = [b.name for b in available]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all of {names})"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that everything still runs")
    parser.add_argument("--out", type=Path, default=None, help=f"results file (default: {RESULTS})")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run each bot process under py-spy; collapsed stacks (flame graph input) go to DIR",
    )
    parser.add_argument("--logs", type=Path, metavar="DIR", help="keep each bot process's log in DIR")
    parser.add_argument(
        "--database",
        choices=[*DATABASES, "both"],
        default="both",
        help="run on SQLite, on PostgreSQL, or on both side by side (the default)",
    )
    args = parser.parse_args(argv)
    if args.logs:
        os.environ[LOGS_ENV] = str(args.logs.resolve())
    if args.profile:
        os.environ[PROFILE_ENV] = str(args.profile)
    unknown = sorted(set(args.names) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    chosen = [b for b in available if not args.names or b.name in args.names]
    databases = list(DATABASES) if args.database == "both" else [args.database]
    started = time.monotonic()
    with postgres_available() as found:
        if "postgresql" in databases and not found:
            parser.error(
                "no PostgreSQL server: set TEST_POSTGRES_URL, run one on 127.0.0.1:5432, or --database sqlite"
            )
        reports = asyncio.run(run_all(chosen, databases, smoke=args.smoke))
    total = time.monotonic() - started
    out = args.out or (RESULTS if not args.smoke else RESULTS.with_name("results-smoke.md"))
    out.write_text(markdown(reports, smoke=args.smoke, total_seconds=total))
    print(f"\n{sum(r.passed for r in reports)} of {len(reports)} benchmarks pass; {total:.0f} s; wrote {out}")
    return 0 if all(r.passed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
