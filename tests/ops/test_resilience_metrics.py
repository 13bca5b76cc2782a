"""``tradebot_outside_circuit_state{service}`` follows a board's breakers (0 closed,
1 half-open, 2 open), with bounded labels: a service outside the known set is ``other``,
which shows the worst of them; and the resilience helpers' hooks are the counters."""

from __future__ import annotations

from tradebot.domain.errors import TemporaryBrokerError
from tradebot.ops.circuit import CircuitState
from tradebot.ops.metrics import OUTSIDE_SERVICES, EngineMetrics, render
from tradebot.ops.resilience import ServiceBoard, guarded_read


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _state(metrics: EngineMetrics, service: str) -> float | None:
    return metrics.registry.get_sample_value("tradebot_outside_circuit_state", {"service": service})


def test_every_known_service_starts_closed() -> None:
    metrics = EngineMetrics()
    assert all(_state(metrics, s) == 0 for s in (*OUTSIDE_SERVICES, "other"))
    assert (
        'tradebot_outside_circuit_state{service="alpaca"} 0.0' in render(metrics.registry).decode()
    )


def test_the_gauge_follows_the_board() -> None:
    ticks = Ticks()
    board = ServiceBoard(now=ticks, failure_threshold=1, recovery_s=10.0)
    board.breaker("email").failed("down before anyone watched")
    metrics = EngineMetrics()
    stop = metrics.watch_board(board)
    assert _state(metrics, "email") == 2  # the state at the time of watching
    alpaca = board.breaker("alpaca")
    alpaca.failed("503")
    assert _state(metrics, "alpaca") == 2
    ticks.now += 10
    assert alpaca.allow()
    assert _state(metrics, "alpaca") == 1
    alpaca.succeeded()
    assert _state(metrics, "alpaca") == 0
    stop()
    alpaca.failed("503")
    assert _state(metrics, "alpaca") == 0  # no longer watched


def test_unknown_services_share_other_which_shows_the_worst() -> None:
    board = ServiceBoard(now=Ticks(), failure_threshold=1, recovery_s=10.0)
    metrics = EngineMetrics()
    metrics.watch_board(board)
    board.breaker("some-api").failed("down")
    board.breaker("another-api").succeeded()
    assert _state(metrics, "other") == 2
    board.breaker("some-api").succeeded()
    assert _state(metrics, "other") == 0
    assert _state(metrics, "some-api") is None


def test_a_breakers_own_listener_can_feed_the_gauge() -> None:
    metrics = EngineMetrics()
    metrics.circuit_state("telegram", CircuitState.HALF_OPEN)
    assert _state(metrics, "telegram") == 1


def test_the_helpers_hooks_count_errors_and_retries() -> None:
    board = ServiceBoard(now=Ticks(), failure_threshold=5, recovery_s=10.0)
    metrics = EngineMetrics()
    calls = iter([TemporaryBrokerError("503", ""), TemporaryBrokerError("503", ""), "ok"])

    def read() -> object:
        got = next(calls)
        if isinstance(got, Exception):
            raise got
        return got

    assert (
        guarded_read(
            board,
            "ccxt",
            read,
            retry_on=(TemporaryBrokerError,),
            sleep=lambda _: None,
            on_retry=metrics.outside_retry,
            on_error=metrics.outside_error,
        )
        == "ok"
    )
    sample = metrics.registry.get_sample_value
    assert sample("tradebot_outside_call_retries_total", {"service": "ccxt"}) == 2
    assert sample("tradebot_outside_call_errors_total", {"service": "ccxt"}) == 2
