"""The read memo keeps an answer for its time-to-live and no longer (0: never kept)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tradebot.service.queries.cache import Recent


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_kept_for_its_time_to_live_then_asked_again() -> None:
    clock, asked = Clock(), []
    memo = Recent(0.25, clock)

    def build() -> int:
        asked.append(clock.now)
        return len(asked)

    assert memo.get("run", build) == 1
    clock.now += 0.2
    assert memo.get("run", build) == 1
    clock.now += 0.1
    assert memo.get("run", build) == 2
    assert memo.get("other", build) == 3


@given(st.lists(st.floats(min_value=0, max_value=1), max_size=30))
def test_without_a_time_to_live_every_read_asks(steps: list[float]) -> None:
    clock, asked = Clock(), []
    memo = Recent(0.0, clock)
    for step in steps:
        clock.now += step
        memo.get("run", lambda: asked.append(1))
    assert len(asked) == len(steps)
