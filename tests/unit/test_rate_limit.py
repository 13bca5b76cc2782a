"""The REST rate limiter: never more than ``capacity + rate × window`` requests granted in
any window, never a refusal, and time going backwards grants nothing extra."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.adapters.alpaca.rate_limit import TokenBucket


@settings(max_examples=200, deadline=None)
@given(
    per_minute=st.floats(min_value=1, max_value=1200),
    capacity=st.integers(min_value=1, max_value=50),
    gaps=st.lists(st.floats(min_value=-1.0, max_value=5.0), min_size=1, max_size=200),
)
def test_grants_stay_within_the_rate(per_minute: float, capacity: int, gaps: list[float]) -> None:
    bucket = TokenBucket(per_minute, capacity=capacity)
    now, granted = 1000.0, []
    for gap in gaps:
        now += gap  # a negative gap: a clock that stepped back
        wait = bucket.reserve(now)
        assert wait >= 0
        granted.append(now + wait)
    granted.sort()
    rate = per_minute / 60
    for i, first in enumerate(granted):
        for j in range(i, len(granted)):
            window = granted[j] - first
            assert j - i + 1 <= capacity + rate * window + 1e-6


def test_a_full_bucket_grants_a_burst_then_spaces_requests() -> None:
    bucket = TokenBucket(60, capacity=3)
    assert [bucket.reserve(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve(0.0) == pytest.approx(1.0)
    assert bucket.reserve(0.0) == pytest.approx(2.0)
    assert bucket.reserve(10.0) == 0.0  # refilled after the debt is paid


def test_acquire_sleeps_for_the_wait() -> None:
    slept: list[float] = []
    bucket = TokenBucket(120, capacity=1, clock=lambda: 5.0, sleep=slept.append)
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(0.5)
    assert slept == [pytest.approx(0.5)]


@pytest.mark.parametrize(("per_minute", "capacity"), [(0, None), (-1, None), (60, 0.5)])
def test_refuses_an_impossible_bucket(per_minute: float, capacity: float | None) -> None:
    with pytest.raises(ValueError, match="must be"):
        TokenBucket(per_minute, capacity=capacity)
