"""Running sums do not drift: after a million updates the streaming value is still exact.

The series alternates stretches near 1e8 and near 1; a running sum that is never rebuilt
keeps rounding residue of the large stretches (about 1e-8 each) and, added up over
thousands of them, reports the small stretches visibly wrong. The rebuild every ``n``
updates bounds that error by one window's worth of rounding.
"""

from __future__ import annotations

import math

import numpy as np

from tradebot.indicators import stream

BARS = 1_000_000


def alternating_series(n: int) -> list[float]:
    rng = np.random.default_rng(11)
    block = ((BARS - 1 - np.arange(BARS)) // n) % 2  # 0 for the last n bars
    noise = rng.uniform(0.0, 1.0, BARS)
    return (np.where(block == 1, 1e8, 1.0) + noise).tolist()


def test_sma_has_no_drift_after_a_million_updates() -> None:
    n = 20
    x = alternating_series(n)
    sma = stream.SMA(n)
    for v in x:
        last = sma.update(v)
    assert x[-1] < 2.0  # the last window is a small stretch
    assert last == math.fsum(x[-n:]) / n


def test_bollinger_has_no_drift_after_a_million_updates() -> None:
    n = 20
    x = alternating_series(n)
    bands = stream.Bollinger(n, 2.0)
    for v in x:
        upper, middle, _ = bands.update(v)
    window = np.array(x[-n:])
    mean = math.fsum(window) / n
    std = math.sqrt(math.fsum((window - mean) ** 2) / n)
    assert abs(middle - mean) <= 1e-15 * mean
    assert abs((upper - middle) - 2.0 * std) <= 1e-12 * std


def test_stoch_d_has_no_drift_after_a_million_updates() -> None:
    x = alternating_series(14)
    stoch = stream.Stoch(14, 3)
    ks = []
    for v in x:
        k, d = stoch.update(v + 0.5, v - 0.5, v)
        ks.append(k)
    assert abs(d - math.fsum(ks[-3:]) / 3) <= 1e-13
