"""Render the chart members get with /stats, with sample data, for the README: python docs/render_charts.py"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.discord.charts import progress_chart

SAMPLE_DOMAINS = [
    ("1 Data", 0.81, 20),
    ("2 Exploratory", 0.58, 24),
    ("3 Modeling", 0.74, 36),
    ("4 Machine", 0.66, 20),
]
SAMPLE_WEEKS = [
    (dt.date(2026, 9, 28) + dt.timedelta(weeks=n), acc)
    for n, acc in enumerate([0.52, 0.55, None, 0.61, 0.64, 0.70, 0.69, 0.76])
]


def main() -> None:
    target = Path(__file__).parent / "progress-chart.png"
    target.write_bytes(progress_chart(SAMPLE_DOMAINS, 650 / 900, SAMPLE_WEEKS))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
