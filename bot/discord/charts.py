"""The progress chart members get with /stats: a PNG that reads well on Discord's dark and light themes.

It draws on its own mid-grey card, with white text and saturated colours, so it does not depend on the
theme behind it. Pure rendering: call it in a worker thread (it takes tens of milliseconds).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from types import ModuleType

CARD = "#36393f"
TEXT = "#ffffff"
GRID = "#72767d"
GOOD = "#3ba55d"
WEAK = "#faa61a"
LINE = "#5865f2"
RED = "#ed4245"


@functools.cache
def _pyplot() -> ModuleType:
    """matplotlib, loaded on the first chart: it costs a fifth of the bot's memory and half a second of
    start-up, and many bots never draw a chart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    return matplotlib.pyplot


def progress_chart(
    domains: Sequence[tuple[str, float | None, int]],
    pass_fraction: float,
    weekly: Sequence[tuple[dt.date, float | None]],
) -> bytes:
    """domains: (label, accuracy or None if unanswered, weight %); weekly: (week start, accuracy or None)."""
    plt = _pyplot()
    figure, (bars, trend) = plt.subplots(
        1, 2, figsize=(10, 4.2), dpi=100, gridspec_kw={"width_ratios": [3, 2]}, facecolor=CARD
    )
    try:
        for axes in (bars, trend):
            axes.set_facecolor(CARD)
            axes.tick_params(colors=TEXT, labelsize=10)
            for spine in axes.spines.values():
                spine.set_color(GRID)
            axes.set_ylim(0, 100)
            axes.grid(axis="y", color=GRID, alpha=0.4)
            axes.axhline(pass_fraction * 100, color=RED, linestyle="--", linewidth=1.5)
        labels = [f"{label}\n({weight}%)" for label, _, weight in domains]
        values = [(acc or 0.0) * 100 for _, acc, _ in domains]
        colours = [GOOD if (acc or 0.0) >= pass_fraction else WEAK for _, acc, _ in domains]
        bars.bar(labels, values, color=colours)
        for index, (_, acc, _) in enumerate(domains):
            text = "no answers" if acc is None else f"{acc:.0%}"
            bars.text(index, (acc or 0.0) * 100 + 2, text, ha="center", color=TEXT, fontsize=10)
        bars.set_title("Accuracy by domain (weight)", color=TEXT, fontsize=12)
        bars.text(len(domains) - 0.5, pass_fraction * 100 + 2, "pass line", color=RED, ha="right", fontsize=9)
        xs = [week.strftime("%d %b") for week, _ in weekly]
        ys = [None if acc is None else acc * 100 for _, acc in weekly]
        points = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
        trend.plot(xs, [float("nan") if y is None else y for y in ys], color=LINE, marker="o", linewidth=2)
        if not points:
            trend.text(0.5, 0.5, "no answers yet", transform=trend.transAxes, ha="center", color=TEXT)
        trend.set_title("Weekly accuracy", color=TEXT, fontsize=12)
        trend.tick_params(axis="x", rotation=45)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", facecolor=CARD)
        return buffer.getvalue()
    finally:
        plt.close(figure)
