"""The auth routes' rate limit: a token bucket per client address, its properties held by
hypothesis, and the 429 with Retry-After the app answers (time is the test's clock)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.auth_helpers import open_rig
from tradebot.api.auth.ratelimit import TokenBucket

gaps = st.lists(st.floats(min_value=0, max_value=30, allow_nan=False), min_size=1, max_size=200)


@given(capacity=st.integers(1, 50), per_minute=st.integers(1, 600), gaps=gaps)
def test_never_more_than_the_burst_plus_the_rate(
    capacity: int, per_minute: int, gaps: list[float]
) -> None:
    bucket = TokenBucket(capacity, per_minute / 60.0)
    now, allowed = 0.0, 0
    for gap in gaps:
        now += gap
        allowed += bucket.take("client", now) == 0.0
    assert allowed <= capacity + now * per_minute / 60.0 + 1e-9


@given(capacity=st.integers(1, 50), per_minute=st.integers(1, 600))
def test_a_full_bucket_allows_its_burst_then_says_how_long_to_wait(
    capacity: int, per_minute: int
) -> None:
    bucket = TokenBucket(capacity, per_minute / 60.0)
    assert all(bucket.take("client", 100.0) == 0.0 for _ in range(capacity))
    wait = bucket.take("client", 100.0)
    assert wait == pytest.approx(60.0 / per_minute)
    assert bucket.take("client", 100.0 + wait * 0.5) > 0.0
    assert bucket.take("client", 100.0 + wait + 1e-6) == 0.0
    assert bucket.retry_after(wait) >= wait


@given(gaps=gaps, keys=st.lists(st.sampled_from("abc"), min_size=1, max_size=200))
def test_clients_do_not_share_a_bucket(gaps: list[float], keys: list[str]) -> None:
    shared = TokenBucket(3, 0.5)
    alone = TokenBucket(3, 0.5)
    now = 0.0
    for gap, key in zip(gaps, keys, strict=False):
        now += gap
        answer = shared.take(key, now)
        if key == "a":
            assert answer == alone.take("a", now)


@settings(max_examples=50)
@given(keys=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=300))
def test_the_buckets_kept_are_bounded(keys: list[str]) -> None:
    bucket = TokenBucket(2, 1.0, max_keys=16)
    for i, key in enumerate(keys):
        bucket.take(key, float(i) * 0.01)
        assert len(bucket) <= 16


def test_a_clock_stepping_back_gives_no_tokens() -> None:
    bucket = TokenBucket(1, 1.0)
    assert bucket.take("c", 10.0) == 0.0
    assert bucket.take("c", 5.0) > 0.0
    assert bucket.take("c", 10.5) > 0.0
    assert bucket.take("c", 11.0) == 0.0


def test_the_auth_routes_answer_429_with_retry_after(tmp_path: Path) -> None:
    with open_rig(tmp_path, auth_rate_per_minute=3) as rig:
        for _ in range(3):
            assert rig.client.get("/api/auth/status").status_code == 200
        limited = rig.client.post("/api/auth/login/begin", json={})
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "20"
        assert set(limited.json()) == {"detail", "hint"}
        assert rig.client.get("/health").status_code != 429  # only the auth routes
        rig.clock.advance(seconds=20)
        assert rig.client.get("/api/auth/status").status_code == 200
        assert rig.client.get("/api/auth/status").status_code == 429
