"""Figures, reports, benchmark discovery and the results file."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import platform
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

P = TypeVar("P")

RESULTS = Path(__file__).resolve().parent / "results.md"


@dataclass(frozen=True)
class Figure:
    """One measured number, with the reference measured in the same run and the bar it must meet."""

    name: str
    value: float
    unit: str
    reference: float | None = None
    reference_name: str = ""
    bar: str = ""
    passed: bool | None = None  # None: reported, no bar

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference == 0:
            return None
        return self.value / self.reference


@dataclass(frozen=True)
class Check:
    """A correctness condition the run must satisfy (e.g. every answer stored exactly once)."""

    name: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    benchmark: str
    title: str
    scenario: str = ""
    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    database: str = ""  # "sqlite" or "postgresql": the database the bot ran on

    @property
    def heading(self) -> str:
        from bench.databases import LABELS

        return f"{self.title} · {LABELS[self.database]}" if self.database else self.title

    def figure(self, name: str) -> Figure:
        for figure in self.figures:
            if figure.name == name:
                return figure
        raise KeyError(name)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and all(f.passed is not False for f in self.figures)
            and all(c.ok for c in self.checks)
        )


@dataclass(frozen=True)
class Benchmark(Generic[P]):
    """A benchmark: its full-size and smoke-size parameters and the coroutine that runs it."""

    name: str
    title: str
    order: int
    full: P
    smoke: P
    run: Callable[[P, str], Awaitable[Report]]  # (params, database kind)
    databases: tuple[str, ...] = ("sqlite", "postgresql")

    def params(self, *, smoke: bool) -> P:
        return self.smoke if smoke else self.full


def discover() -> list[Benchmark[Any]]:
    """Every ``BENCHMARK`` defined by a module in ``bench.suites``, in their declared order."""
    from bench import suites

    found: list[Benchmark[Any]] = []
    for info in pkgutil.iter_modules(suites.__path__):
        module = importlib.import_module(f"{suites.__name__}.{info.name}")
        benchmark = getattr(module, "BENCHMARK", None)
        if isinstance(benchmark, Benchmark):
            found.append(benchmark)
    return sorted(found, key=lambda b: (b.order, b.name))


# --- presentation -------------------------------------------------------------------------------


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value):
        text = f"{value:,.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}".rstrip()


def verdict(passed: bool | None) -> str:
    return "–" if passed is None else ("PASS" if passed else "FAIL")


def console_lines(report: Report) -> list[str]:
    lines = [f"== {report.heading} ({report.seconds:.0f} s)"]
    if report.error:
        lines.append(f"   ERROR: {report.error}")
    for f in report.figures:
        ref = f"  vs {f.reference_name} {number(f.reference, f.unit)}" if f.reference is not None else ""
        ratio = f"  = {f.ratio:.2f}x" if f.ratio is not None else ""
        bar = f"  [{f.bar}: {verdict(f.passed)}]" if f.bar else ""
        lines.append(f"   {f.name}: {number(f.value, f.unit)}{ref}{ratio}{bar}")
    for c in report.checks:
        lines.append(
            f"   check {'ok  ' if c.ok else 'FAIL'} {c.name}" + (f" ({c.detail})" if c.detail else "")
        )
    lines.extend(f"   note: {n}" for n in report.notes)
    return lines


def machine() -> dict[str, str]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": f"{os.cpu_count()} (usable by this process: {affinity})",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def markdown(reports: Sequence[Report], *, smoke: bool, total_seconds: float) -> str:
    info = machine()
    out = [
        "# Benchmark results",
        "",
        "Written by `python -m bench`"
        + (" --smoke (tiny sizes: figures are not meaningful)" if smoke else "")
        + ". Every figure is measured beside its reference in the same run, on the same machine.",
        "",
        f"- date: {info['date']}",
        f"- CPUs: {info['cpus']}",
        f"- Python {info['python']} on {info['platform']}",
        f"- whole run: {total_seconds:.0f} s",
        "",
        "| benchmark | SQLite | PostgreSQL |",
        "|---|---|---|",
    ]
    titles = list(dict.fromkeys(r.title for r in reports))
    for title in titles:
        cells = []
        for database in ("sqlite", "postgresql"):
            ran = [r for r in reports if r.title == title and r.database == database]
            cells.append(("PASS" if ran[0].passed else "FAIL") if ran else "–")
        out.append(f"| {title} | {' | '.join(cells)} |")
    for r in reports:
        out += ["", f"## {r.heading}", ""]
        if r.scenario:
            out += [r.scenario, ""]
        if r.error:
            out += [f"**Error:** `{r.error}`", ""]
        if r.figures:
            out += [
                "| figure | measured | reference | ratio | bar | |",
                "|---|---|---|---|---|---|",
            ]
            for f in r.figures:
                ref = (
                    f"{number(f.reference, f.unit)} ({f.reference_name})" if f.reference is not None else "–"
                )
                ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "–"
                out.append(
                    f"| {f.name} | {number(f.value, f.unit)} | {ref} | {ratio} | {f.bar or '–'} "
                    f"| {verdict(f.passed)} |"
                )
            out.append("")
        if r.checks:
            out += [
                f"- {'✅' if c.ok else '❌'} {c.name}" + (f": {c.detail}" if c.detail else "")
                for c in r.checks
            ]
            out.append("")
        if r.notes:
            out += [f"- {n}" for n in r.notes]
            out.append("")
        out.append(f"_{r.seconds:.0f} s_")
    return "\n".join(out) + "\n"
