"""Property 30: a channel admits at most its hourly limit in any sliding hour, and refuses
only when that hour is full."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ops.notify.fakes import T0
from tradebot.ops.notify.limits import WINDOW, HourlyLimiter

CHANNELS = ("telegram", "email", "log")

steps = st.lists(
    st.tuples(st.sampled_from(CHANNELS), st.integers(min_value=0, max_value=1_500_000)),
    max_size=120,
)
"""(channel, milliseconds since the previous request): several per hour, some at once."""

limits = st.dictionaries(
    st.sampled_from(CHANNELS[:2]), st.integers(min_value=0, max_value=6), max_size=2
)
"""Limits of some channels; a channel left out is unlimited."""


def _run(
    per_hour: dict[str, int], requests: list[tuple[str, int]]
) -> tuple[dict[str, list[datetime]], dict[str, list[datetime]]]:
    limiter = HourlyLimiter(per_hour)
    admitted: dict[str, list[datetime]] = defaultdict(list)
    refused: dict[str, list[datetime]] = defaultdict(list)
    now = T0
    for channel, gap_ms in requests:
        now += timedelta(milliseconds=gap_ms)
        before = limiter.remaining(channel, now)
        ok = limiter.admit(channel, now)
        (admitted if ok else refused)[channel].append(now)
        if before is not None:
            assert before == per_hour[channel] - _in_window(admitted[channel], now) + ok
            assert ok == (before > 0)
    return admitted, refused


def _in_window(times: list[datetime], end: datetime) -> int:
    """Admitted sends in the hour ending at ``end`` (``end - 1 h`` excluded)."""
    return sum(1 for t in times if end - WINDOW < t <= end)


@given(limits, steps)
def test_no_hour_holds_more_than_the_limit(
    per_hour: dict[str, int], requests: list[tuple[str, int]]
) -> None:
    admitted, _ = _run(per_hour, requests)
    for channel, limit in per_hour.items():
        times = admitted[channel]
        # the fullest hour-long window starts at an admitted send
        for start in times:
            assert sum(1 for t in times if start <= t < start + WINDOW) <= limit


@given(limits, steps)
def test_a_send_is_refused_only_when_its_hour_is_full(
    per_hour: dict[str, int], requests: list[tuple[str, int]]
) -> None:
    admitted, refused = _run(per_hour, requests)
    for channel, times in refused.items():
        assert channel in per_hour  # unlimited channels never refuse
        for t in times:
            assert _in_window(admitted[channel], t) == per_hour[channel]


def test_the_seed_limits_telegram_10_and_email_20_per_hour() -> None:
    limiter = HourlyLimiter({"telegram": 10, "email": 20})
    minute = timedelta(minutes=1)
    outcomes = {
        channel: [limiter.admit(channel, T0 + i * minute) for i in range(30)]
        for channel in ("telegram", "email")
    }
    assert outcomes["telegram"] == [True] * 10 + [False] * 20
    assert outcomes["email"] == [True] * 20 + [False] * 10
    assert limiter.remaining("telegram", T0 + 30 * minute) == 0
    # the first send (at T0) leaves the window exactly one hour later, not a moment sooner
    assert not limiter.admit("telegram", T0 + WINDOW - timedelta(microseconds=1))
    assert limiter.admit("telegram", T0 + WINDOW)
    assert not limiter.admit("telegram", T0 + WINDOW)
    assert limiter.remaining("telegram", T0 + WINDOW + 9 * minute) == 9
    assert limiter.limit("telegram") == 10


def test_unlimited_zero_and_a_clock_stepping_back() -> None:
    limiter = HourlyLimiter({"telegram": 0, "email": 1})
    assert limiter.admit("log", T0) and limiter.remaining("log", T0) is None
    assert limiter.limit("log") is None
    assert not limiter.admit("telegram", T0)
    assert limiter.admit("email", T0 + WINDOW)
    # a time before the latest one seen cannot reopen the hour
    assert not limiter.admit("email", T0 + 2 * WINDOW - timedelta(seconds=1))
    assert not limiter.admit("email", T0)


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="telegram"):
        HourlyLimiter({"telegram": -1})
