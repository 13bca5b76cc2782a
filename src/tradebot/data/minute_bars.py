"""The bundled one-minute bars (``data/minute/``, see PROVENANCE.md) as :class:`Bar` lists.

They feed the local fake venues of :mod:`tradebot.testing` in rehearsals and tests. Both
files are converted to the kernel's convention on the way in: UTC, each bar labelled by its
**close** time (the equities file labels by end time in New York; the crypto file by start
time in UTC, so a minute is added).
"""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from tradebot.data import _package_path
from tradebot.domain.bar import Bar, validate_bar
from tradebot.domain.enums import Timeframe

__all__ = ["MINUTE_FILES", "sample_minute_bars"]

MINUTE_FILES = {
    "equities": "equities_1m_aapl_msft_2019-02-11_12.csv.gz",
    "crypto": "crypto_1m_btcusdt_2023-03-01_02.csv.gz",
}
_NEW_YORK = ZoneInfo("America/New_York")
_MINUTE = timedelta(minutes=1)


@cache
def sample_minute_bars(kind: Literal["equities", "crypto"]) -> tuple[Bar, ...]:
    """Every bar of the bundled ``kind`` file, in time order (ties by symbol)."""
    path = _package_path("minute", MINUTE_FILES[kind])
    bars = []
    with gzip.open(path, "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            stamp = datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00"))
            if kind == "equities":  # naive New York, labelled by its end
                ts = stamp.replace(tzinfo=_NEW_YORK).astimezone(UTC)
            else:  # UTC, labelled by its start
                ts = stamp.astimezone(UTC) + _MINUTE
            bar = Bar(
                row["symbol"],
                Timeframe.M1,
                ts,
                float(row["open"]),
                float(row["high"]),
                float(row["low"]),
                float(row["close"]),
                float(row["volume"]),
            )
            bars.append(validate_bar(bar))
    bars.sort(key=lambda bar: (bar.ts, bar.symbol))
    return tuple(bars)
