"""When an order whose submit outcome was lost is looked up, and when it is escalated."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.domain import ConfigError, LookupSchedule

LOST_AT = datetime(2024, 3, 4, 15, 30, tzinfo=UTC)


def _seconds(delays: tuple[timedelta, ...]) -> list[float]:
    return [d.total_seconds() for d in delays]


def test_the_default_schedule_doubles_from_half_a_second_up_to_thirty() -> None:
    schedule = LookupSchedule()
    assert _seconds(schedule.delays()) == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert schedule.total == timedelta(seconds=91.5)
    assert schedule.delay(1) == timedelta(seconds=0.5)
    assert schedule.delay(7) == timedelta(seconds=30)


def test_after_the_last_try_the_order_is_escalated_not_looked_up_again() -> None:
    schedule = LookupSchedule(tries=3)
    assert schedule.delay(3) == timedelta(seconds=2)
    assert schedule.delay(4) is None
    assert schedule.due(LOST_AT, 4) is None
    assert [schedule.escalate(n) for n in range(5)] == [False, False, False, True, True]


def test_each_lookup_is_due_the_sum_of_the_delays_after_the_lost_submit() -> None:
    schedule = LookupSchedule(first=timedelta(seconds=1), factor=3, cap=timedelta(seconds=5))
    assert _seconds(schedule.delays()[:4]) == [1, 3, 5, 5]
    assert schedule.due(LOST_AT, 1) == LOST_AT + timedelta(seconds=1)
    assert schedule.due(LOST_AT, 3) == LOST_AT + timedelta(seconds=9)
    assert schedule.due(LOST_AT, schedule.tries) == LOST_AT + schedule.total


def test_a_factor_of_one_asks_at_a_steady_pace() -> None:
    schedule = LookupSchedule(first=timedelta(seconds=2), factor=1, tries=4)
    assert _seconds(schedule.delays()) == [2, 2, 2, 2]


@pytest.mark.parametrize("attempt", [0, -1])
def test_attempts_count_from_one(attempt: int) -> None:
    with pytest.raises(ValueError, match="count from 1"):
        LookupSchedule().delay(attempt)
    with pytest.raises(ValueError, match="count from 1"):
        LookupSchedule().due(LOST_AT, attempt)


@pytest.mark.parametrize(
    "changes",
    [
        {"first": timedelta(0)},
        {"factor": 0.5},
        {"factor": float("nan")},
        {"factor": float("inf")},
        {"cap": timedelta(milliseconds=100)},
        {"tries": 0},
        {"tries": 100_000},
    ],
)
def test_a_schedule_that_makes_no_sense_is_a_config_error(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        LookupSchedule(**changes)  # type: ignore[arg-type]


@given(
    first_ms=st.integers(1, 10_000),
    factor=st.floats(1.0, 10.0),
    cap_ms=st.integers(10_000, 600_000),
    tries=st.integers(1, 60),
)
def test_delays_never_shrink_never_pass_the_cap_and_stop_after_the_tries(
    first_ms: int, factor: float, cap_ms: int, tries: int
) -> None:
    schedule = LookupSchedule(
        first=timedelta(milliseconds=first_ms),
        factor=factor,
        cap=timedelta(milliseconds=cap_ms),
        tries=tries,
    )
    delays = schedule.delays()
    assert len(delays) == tries
    assert delays[0] == schedule.first
    assert all(a <= b <= schedule.cap for a, b in itertools.pairwise(delays))
    assert [schedule.delay(n) for n in range(1, tries + 2)] == [*delays, None]
    assert schedule.due(LOST_AT, tries) == LOST_AT + sum(delays, timedelta(0))
