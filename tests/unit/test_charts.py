"""The /stats chart is a valid PNG of the expected size, whatever data it gets."""

from __future__ import annotations

import datetime as dt
import struct

import pytest

from bot.discord.charts import progress_chart

WEEKS = [(dt.date(2026, 10, 5) + dt.timedelta(weeks=n), 0.5 + n / 20) for n in range(8)]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG signature"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(
    ("domains", "weeks"),
    [
        ([("1 Data", 0.8, 20), ("2 EDA", 0.5, 24), ("3 Modeling", 0.75, 36), ("4 Ops", 0.6, 20)], WEEKS),
        (
            [("1 Data", None, 20), ("2 EDA", None, 24), ("3 Modeling", None, 36), ("4 Ops", None, 20)],
            [(w, None) for w, _ in WEEKS],
        ),
    ],
    ids=["answers", "no-answers"],
)
def test_chart_is_a_valid_png_of_the_expected_size(domains, weeks) -> None:
    data = progress_chart(domains, 650 / 900, weeks)
    assert png_size(data) == (1000, 420)
    assert 10_000 < len(data) < 500_000, "small enough for Discord, big enough to hold the chart"
