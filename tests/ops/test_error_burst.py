"""Error bursts: threshold errors within the window are one alert, through the real
structlog chain the CLI configures; the notifier's own errors never count."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.ops.error_burst import ErrorBurstWatch, watch_error_bursts
from tradebot.ops.logging import configure_logging, get_logger


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bursts() -> Iterator[tuple[list[tuple[int, float, str]], Ticks]]:
    configure_logging("INFO", json_output=True)
    told: list[tuple[int, float, str]] = []
    ticks = Ticks()
    detach = watch_error_bursts(
        lambda count, window, sample: told.append((count, window, sample)), 3, 60.0, ticks
    )
    yield told, ticks
    detach()


def test_three_errors_within_a_minute_are_one_alert(
    bursts: tuple[list[tuple[int, float, str]], Ticks],
) -> None:
    told, ticks = bursts
    log = get_logger("order-manager")
    log.error("venue refused", error="503")
    ticks.now = 20.0
    log.warning("slow answer")  # warnings do not count
    log.error("venue refused", error="503")
    assert told == []
    ticks.now = 40.0
    log.error("venue refused again", error="timeout")
    assert told == [(3, 60.0, "[order-manager] venue refused again (timeout)")]
    ticks.now = 50.0
    log.error("still failing")  # the same burst: no second alert within the window
    assert len(told) == 1


def test_errors_spread_wider_than_the_window_are_no_burst(
    bursts: tuple[list[tuple[int, float, str]], Ticks],
) -> None:
    told, ticks = bursts
    log = get_logger("feed")
    for minute in range(5):
        ticks.now = minute * 45.0
        log.error("dropped")
    assert told == []


def test_the_notifiers_own_errors_never_feed_a_burst(
    bursts: tuple[list[tuple[int, float, str]], Ticks],
) -> None:
    told, _ = bursts
    for _ in range(10):
        get_logger("notify").error("telegram failed")
    assert told == []


def test_nothing_is_told_once_detached() -> None:
    watch = ErrorBurstWatch()
    told: list[int] = []
    detach = watch.attach(lambda c, w, s: told.append(c), 1, 10.0, lambda: 0.0)
    detach()
    watch(None, "error", {"level": "error", "event": "x"})
    assert told == []


@given(st.lists(st.floats(min_value=0, max_value=1_000), max_size=60), st.integers(1, 6))
def test_alerts_are_at_least_a_window_apart_and_each_follows_threshold_errors(
    gaps: list[float], threshold: int
) -> None:
    watch = ErrorBurstWatch()
    ticks = Ticks()
    times: list[float] = []
    alerts: list[tuple[float, int, int]] = []  # when, count told, errors logged by then
    watch.attach(
        lambda count, w, s: alerts.append((ticks.now, count, len(times))), threshold, 60.0, ticks
    )
    for gap in gaps:
        ticks.now += gap
        times.append(ticks.now)
        watch(None, "error", {"level": "error", "event": "boom"})
    for (at, _, _), (later, _, _) in itertools.pairwise(alerts):
        assert later - at >= 60.0
    for at, count, logged in alerts:
        assert count >= threshold
        assert count == sum(1 for t in times[:logged] if at - 60.0 < t <= at)
