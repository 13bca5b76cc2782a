"""The outside-service circuit breaker (``ops/circuit.py``) against a simple model of it:
random sequences of calls allowed, successes, failures and time moving on. It opens after
``threshold`` failures in a row, never lets a call through while open before its recovery
time, lets one trial at a time through when half-open (another only once that trial is
presumed lost), and a success closes it. Every change of state is heard once, in order."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tradebot.ops.circuit import CircuitBreaker, CircuitState


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Model:
    """What the breaker should do, written as plainly as possible."""

    threshold: int
    recovery: float
    state: str = "closed"
    in_a_row: int = 0
    opened_at: float = 0.0
    trial_at: float | None = None

    def allow(self, now: float) -> tuple[bool, str | None]:
        changed = None
        if self.state == "closed":
            return True, None
        if self.state == "open":
            if now - self.opened_at < self.recovery:
                return False, None
            self.state, changed, self.trial_at = "half_open", "half_open", None
        if self.trial_at is not None and now - self.trial_at < self.recovery:
            return False, changed
        self.trial_at = now
        return True, changed

    def succeeded(self) -> str | None:
        self.in_a_row, self.trial_at = 0, None
        if self.state == "closed":
            return None
        self.state = "closed"
        return "closed"

    def failed(self, now: float) -> str | None:
        self.in_a_row += 1
        self.trial_at = None
        if self.state == "half_open" or self.in_a_row >= self.threshold:
            changed = None if self.state == "open" else "open"
            self.state, self.opened_at = "open", now
            return changed
        return None

    def reads(self, now: float) -> str:
        if self.state == "open" and now - self.opened_at >= self.recovery:
            return "half_open"
        return self.state


class BreakerMachine(RuleBasedStateMachine):
    @initialize(threshold=st.integers(1, 5), recovery=st.sampled_from([1.0, 5.0, 30.0]))
    def start(self, threshold: int, recovery: float) -> None:
        self.ticks = Ticks()
        self.heard: list[tuple[str, CircuitState]] = []
        self.breaker = CircuitBreaker(
            "venue",
            now=self.ticks,
            failure_threshold=threshold,
            recovery_s=recovery,
            listener=lambda service, state: self.heard.append((service, state)),
        )
        self.model = Model(threshold, recovery)
        self.expected: list[tuple[str, CircuitState]] = []

    def _expect(self, changed: str | None) -> None:
        if changed is not None:
            self.expected.append(("venue", CircuitState(changed)))

    @rule()
    def allow(self) -> None:
        was_open_before_recovery = self.model.state == "open" and (
            self.ticks.now - self.model.opened_at < self.model.recovery
        )
        allowed, changed = self.model.allow(self.ticks.now)
        got = self.breaker.allow()
        assert got == allowed
        if was_open_before_recovery:
            assert not got  # never through while open before the recovery time
        self._expect(changed)

    @rule()
    def succeeded(self) -> None:
        self._expect(self.model.succeeded())
        self.breaker.succeeded()
        assert self.breaker.state is CircuitState.CLOSED  # a success closes it

    @rule(error=st.sampled_from(["", "503 Service Unavailable", "timeout"]))
    def failed(self, error: str) -> None:
        closed_before = self.model.state == "closed"
        self._expect(self.model.failed(self.ticks.now))
        self.breaker.failed(error)
        if closed_before and self.model.in_a_row >= self.model.threshold:
            assert self.breaker.state is CircuitState.OPEN  # the threshold opens it
        if error:
            assert self.breaker.last_error == error

    @rule(seconds=st.sampled_from([0.0, 0.5, 1.0, 2.5, 5.0, 29.0, 31.0]))
    def advance(self, seconds: float) -> None:
        self.ticks.now += seconds

    @rule()
    def trial_is_single(self) -> None:
        """Two callers at once in half-open: at most one gets the trial."""
        if self.breaker.state is not CircuitState.HALF_OPEN:
            return
        first = self.breaker.allow()
        second = self.breaker.allow()
        assert not (first and second)
        for _ in range(2):
            _, changed = self.model.allow(self.ticks.now)
            self._expect(changed)

    @invariant()
    def agrees_with_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        assert self.breaker.state.value == self.model.reads(self.ticks.now)
        assert self.breaker.failures == self.model.in_a_row
        assert self.heard == self.expected
        wait = self.breaker.seconds_to_trial()
        if self.model.state == "open":
            left = self.model.opened_at + self.model.recovery - self.ticks.now
            assert wait == pytest.approx(max(0.0, left))
        else:
            assert wait == 0.0


BreakerMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40)
TestBreaker = BreakerMachine.TestCase


def test_a_trial_that_never_reports_is_presumed_lost_after_the_recovery_time() -> None:
    ticks = Ticks()
    breaker = CircuitBreaker("venue", now=ticks, failure_threshold=1, recovery_s=10.0)
    breaker.failed("down")
    ticks.now += 10.0
    assert breaker.allow()  # the trial goes out... and its thread hangs
    ticks.now += 9.0
    assert not breaker.allow()
    ticks.now += 1.0
    assert breaker.allow()  # another caller gets a trial: the breaker is not stuck
    breaker.succeeded()
    assert breaker.state is CircuitState.CLOSED and breaker.allow()


@pytest.mark.parametrize(("threshold", "recovery"), [(0, 1.0), (1, 0.0), (1, -1.0)])
def test_a_breaker_refuses_senseless_settings(threshold: int, recovery: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        CircuitBreaker("x", now=Ticks(), failure_threshold=threshold, recovery_s=recovery)


def test_state_codes_are_the_gauges_values() -> None:
    assert [s.code for s in (CircuitState.CLOSED, CircuitState.HALF_OPEN, CircuitState.OPEN)] == [
        0,
        1,
        2,
    ]
