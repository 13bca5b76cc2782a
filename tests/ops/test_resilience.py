"""Retries for reads and breakers per service (``ops/resilience.py``), with real breakers on
a hand-moved clock and a recording sleep (nothing waits): a read is asked again after a
temporary error with growing, jittered waits, and no more once its service's breaker is
open; a refused call fails at once in one line naming the service and the wait; the board
tells its listeners each change; what a public probe shows never carries a secret."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.domain.errors import InvalidOrderError, TemporaryBrokerError
from tradebot.ops.circuit import CircuitState
from tradebot.ops.resilience import (
    SERVICE_BOARD,
    CircuitOpenError,
    ServiceBoard,
    error_line,
    guarded,
    guarded_read,
    report,
    retry_read,
    scrub,
)


class Ticks:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


class Flaky:
    """Fails with ``error`` the first ``failures`` calls, then answers ``answer``."""

    def __init__(self, failures: int, error: BaseException, answer: Any = "answer") -> None:
        self.left = failures
        self.error = error
        self.answer = answer
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        if self.left > 0:
            self.left -= 1
            raise self.error
        return self.answer


def _temporary() -> TemporaryBrokerError:
    return TemporaryBrokerError("503 from the venue", "try later")


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def board(ticks: Ticks) -> ServiceBoard:
    return ServiceBoard(now=ticks, failure_threshold=3, recovery_s=30.0)


# --- retry_read ---------------------------------------------------------------------------


def test_a_read_is_asked_again_until_it_answers() -> None:
    call = Flaky(2, _temporary())
    slept: list[float] = []
    retried: list[str] = []
    got = retry_read(
        call,
        service="alpaca",
        retry_on=(TemporaryBrokerError,),
        attempts=3,
        sleep=slept.append,
        on_retry=retried.append,
    )
    assert got == "answer" and call.calls == 3
    assert retried == ["alpaca", "alpaca"] and len(slept) == 2


def test_the_last_error_is_raised_as_it_is_when_the_tries_are_spent() -> None:
    error = _temporary()
    call = Flaky(5, error)
    with pytest.raises(TemporaryBrokerError) as raised:
        retry_read(call, service="ccxt", retry_on=(TemporaryBrokerError,), sleep=lambda _: None)
    assert raised.value is error and call.calls == 3


def test_an_error_not_listed_is_not_retried() -> None:
    call = Flaky(1, InvalidOrderError("no such order", ""))
    with pytest.raises(InvalidOrderError):
        retry_read(call, service="alpaca", retry_on=(TemporaryBrokerError,), sleep=lambda _: None)
    assert call.calls == 1


def test_no_retry_once_the_budget_is_spent() -> None:
    call = Flaky(2, _temporary())
    with pytest.raises(TemporaryBrokerError):
        retry_read(
            call,
            service="alpaca",
            retry_on=(TemporaryBrokerError,),
            budget_s=0.0,
            sleep=lambda _: None,
        )
    assert call.calls == 1


@given(
    attempts=st.integers(1, 8),
    base=st.floats(0.01, 2.0),
    cap=st.floats(0.01, 20.0),
)
def test_waits_are_jittered_exponential_and_capped(attempts: int, base: float, cap: float) -> None:
    slept: list[float] = []
    call = Flaky(attempts, _temporary())
    with pytest.raises(TemporaryBrokerError):
        retry_read(
            call,
            service="rss",
            retry_on=(TemporaryBrokerError,),
            attempts=attempts,
            base_s=base,
            cap_s=cap,
            sleep=slept.append,
        )
    assert call.calls == attempts and len(slept) == attempts - 1
    for number, wait in enumerate(slept, start=1):
        assert 0.0 <= wait <= min(cap, base * 2 ** (number - 1)) + 1e-9


def test_senseless_retry_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="attempts"):
        retry_read(lambda: 1, service="x", retry_on=(OSError,), attempts=0)


# --- breakers and guarded calls -------------------------------------------------------------


def test_a_breaker_is_made_once_per_service(board: ServiceBoard) -> None:
    first = board.breaker("telegram", failure_threshold=1)
    assert board.breaker("telegram") is first
    assert board.breaker("email") is not first
    assert board.states() == {"email": CircuitState.CLOSED, "telegram": CircuitState.CLOSED}


def test_failures_in_a_row_open_the_breaker_and_calls_are_refused_at_once(
    board: ServiceBoard, ticks: Ticks
) -> None:
    errors: list[str] = []
    down = Flaky(100, ConnectionError("connection refused"))
    for _ in range(3):
        with pytest.raises(ConnectionError):
            guarded(board, "email", down, failure_on=(ConnectionError,), on_error=errors.append)
    assert errors == ["email"] * 3
    ticks.now += 12
    with pytest.raises(CircuitOpenError) as refused:
        guarded(board, "email", down, failure_on=(ConnectionError,))
    assert down.calls == 3  # refused without being called
    line = refused.value.one_line()
    assert "\n" not in line
    assert line.startswith("email unavailable: ConnectionError: connection refused")
    assert "circuit open; next trial in 18 s" in line


def test_the_caller_chooses_the_refusal(board: ServiceBoard) -> None:
    board.breaker("alpaca", failure_threshold=1).failed("timeout")
    with pytest.raises(TemporaryBrokerError, match="alpaca unavailable: timeout"):
        guarded(board, "alpaca", lambda: 1, refuse=TemporaryBrokerError)


def test_a_trial_after_the_recovery_closes_the_breaker(board: ServiceBoard, ticks: Ticks) -> None:
    breaker = board.breaker("ollama", failure_threshold=1)
    breaker.failed("down")
    ticks.now += 30
    assert guarded(board, "ollama", lambda: "back") == "back"
    assert breaker.state is CircuitState.CLOSED


def test_an_answer_that_is_an_error_is_not_a_failure(board: ServiceBoard) -> None:
    breaker = board.breaker("alpaca")
    breaker.failed("blip")
    with pytest.raises(InvalidOrderError):
        guarded(board, "alpaca", Flaky(1, InvalidOrderError("refused", "")), failure_on=(OSError,))
    assert breaker.failures == 0


def test_report_counts_a_command_but_never_refuses_it(board: ServiceBoard) -> None:
    breaker = board.breaker("ccxt", failure_threshold=1)
    breaker.failed("down")
    assert not breaker.allow()
    assert report(breaker, lambda: "sent", failure_on=(TemporaryBrokerError,)) == "sent"
    assert breaker.state is CircuitState.CLOSED  # the venue answered: it is back
    with pytest.raises(TemporaryBrokerError):
        report(breaker, Flaky(1, _temporary()), failure_on=(TemporaryBrokerError,))
    assert board.states()["ccxt"] is CircuitState.OPEN


# --- guarded reads ------------------------------------------------------------------------


def test_a_guarded_read_stops_retrying_when_the_breaker_opens(board: ServiceBoard) -> None:
    down = Flaky(100, _temporary())
    retried: list[str] = []
    with pytest.raises(TemporaryBrokerError) as raised:
        guarded_read(
            board,
            "alpaca",
            down,
            retry_on=(TemporaryBrokerError,),
            refuse=TemporaryBrokerError,
            attempts=10,
            sleep=lambda _: None,
            on_retry=retried.append,
        )
    assert down.calls == 3  # the threshold: the fourth try is refused, not made
    assert "circuit open" in raised.value.message
    assert len(retried) == 3
    with pytest.raises(TemporaryBrokerError, match="circuit open"):
        guarded_read(
            board, "alpaca", down, retry_on=(TemporaryBrokerError,), refuse=TemporaryBrokerError
        )
    assert down.calls == 3


def test_a_guarded_read_that_recovers_leaves_the_breaker_closed(board: ServiceBoard) -> None:
    call = Flaky(2, _temporary())
    errors: list[str] = []
    got = guarded_read(
        board,
        "alpaca",
        call,
        retry_on=(TemporaryBrokerError,),
        sleep=lambda _: None,
        on_error=errors.append,
    )
    assert got == "answer" and errors == ["alpaca", "alpaca"]
    assert board.breaker("alpaca").failures == 0


def test_the_default_refusal_is_a_circuit_open_error(board: ServiceBoard) -> None:
    board.breaker("rss", failure_threshold=1).failed("timeout")
    with pytest.raises(CircuitOpenError):
        guarded_read(board, "rss", lambda: 1, retry_on=(CircuitOpenError, OSError))


# --- the board ----------------------------------------------------------------------------


def test_listeners_hear_every_change_and_a_failing_one_is_contained(
    board: ServiceBoard, ticks: Ticks
) -> None:
    heard: list[tuple[str, CircuitState]] = []

    def broken(service: str, state: CircuitState) -> None:
        raise RuntimeError("gauge broke")

    board.listen(broken)
    stop = board.listen(lambda s, state: heard.append((s, state)))
    breaker = board.breaker("telegram", failure_threshold=1)
    breaker.failed("429")
    ticks.now += 30
    assert breaker.allow()
    breaker.succeeded()
    stop()
    breaker.failed("again")
    assert heard == [
        ("telegram", CircuitState.OPEN),
        ("telegram", CircuitState.HALF_OPEN),
        ("telegram", CircuitState.CLOSED),
    ]


def test_open_services_say_why_and_when(board: ServiceBoard, ticks: Ticks) -> None:
    board.breaker("alpaca")
    board.breaker("email", failure_threshold=1).failed("SMTP 421 too busy")
    board.breaker("telegram", failure_threshold=1).failed("")
    ticks.now += 30
    board.breaker("email").failed("SMTP 421 too busy")  # open again, for another 30 s
    ticks.now += 5
    lines = [found.line() for found in board.open_services()]
    assert lines == [
        "email unavailable: SMTP 421 too busy (circuit open; next trial in 25 s)",
        "telegram unavailable: failing (circuit half-open; a trial call is due)",
    ]


def test_the_board_is_thread_safe(board: ServiceBoard) -> None:
    made: list[object] = []
    barrier = threading.Barrier(8)

    def grab() -> None:
        barrier.wait()
        made.append(board.breaker("shared"))

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 8 and all(m is made[0] for m in made)


def test_the_process_board_is_one_board() -> None:
    from tradebot.ops import resilience

    assert resilience.SERVICE_BOARD is SERVICE_BOARD
    assert isinstance(SERVICE_BOARD, ServiceBoard)


# --- no secret in what the probe shows ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("404 for url 'https://api.telegram.org/bot123456:AAH-x_y/sendMessage'", "AAH-x_y"),
        ("GET https://user:hunter2@smtp.example.org failed", "hunter2"),
        ("GET /api/v3/account?timestamp=1&signature=deadbeef", "deadbeef"),
        ("GET /v2/orders?apiKey=PKTEST1234&x=1", "PKTEST1234"),
        ("bad token=s3cr3t in request", "s3cr3t"),
    ],
)
def test_secrets_never_reach_a_breakers_line(board: ServiceBoard, text: str, secret: str) -> None:
    failing: Callable[[], None] = Flaky(1, ConnectionError(text))
    with pytest.raises(ConnectionError):
        guarded(board, "telegram", failing, failure_on=(ConnectionError,))
    breaker = board.breaker("telegram")
    assert breaker.last_error is not None and secret not in breaker.last_error
    breaker.last_error = text  # set by someone who did not scrub it
    for _ in range(5):
        breaker.failed("")
    assert all(secret not in found.line() for found in board.open_services())
    assert secret not in scrub(text)


def test_an_error_line_is_one_short_line() -> None:
    line = error_line(ValueError("first line\nsecond line " + "x" * 500))
    assert line == "ValueError: first line"
    assert len(error_line(ValueError("y" * 1000))) == 200


def test_a_board_without_a_clock_makes_no_breaker_until_it_is_given_one() -> None:
    board = ServiceBoard()
    assert board.states() == {} and board.open_services() == []
    with pytest.raises(RuntimeError, match="no clock"):
        board.breaker("alpaca")
    first, second = Ticks(), Ticks()
    board.use_clock(first)
    board.use_clock(second)  # the first clock stays
    breaker = board.breaker("alpaca", failure_threshold=1, recovery_s=10.0)
    breaker.failed("down")
    second.now += 100
    assert breaker.state is CircuitState.OPEN
    first.now += 10
    assert breaker.state is CircuitState.HALF_OPEN
