"""Credit signs, idempotence, order and resume independence, seeded determinism, and no
look-ahead: what was known at ``t`` is the outcomes closed before ``t``, nothing else."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.property.test_learning_guardrails import (
    NAMES,
    T0,
    book_of,
    guardrails,
    outcomes_of,
    policies,
    rows,
)
from tradebot.learning import (
    Guardrails,
    OutcomeBook,
    ThompsonPolicy,
    apply_changes,
    credit,
    make_policy,
    responsibility,
)

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EQUAL = dict.fromkeys(NAMES, 0.2)


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


@given(spec=rows)
def test_credit_follows_the_vote_and_the_outcome(spec: Any) -> None:
    for o in outcomes_of(spec):
        got = credit(o)
        assert set(got) == {n for n, c in o.contributions.items() if c != 0.0}
        for name, value in got.items():
            assert -1.0 <= value <= 1.0
            expected = _sign(o.contributions[name] * o.direction) * _sign(o.risk_adjusted)
            if value == 0.0:  # a breakeven trade, or a product too small for a float
                assert responsibility(o)[name] * abs(math.tanh(o.risk_adjusted)) < 1e-300
            else:
                assert _sign(value) == expected
        # responsibility shares sum to 1, so the credits' sizes sum to |tanh R|
        total = math.fsum(abs(v) for v in got.values())
        assert total == pytest.approx(abs(math.tanh(o.risk_adjusted)) if got else 0.0, abs=1e-9)


@given(spec=rows, g=guardrails, name=policies)
def test_a_trade_delivered_twice_changes_nothing(spec: Any, g: Guardrails, name: str) -> None:
    outcomes = outcomes_of(spec)
    book = book_of(outcomes)
    state = book.to_state()
    policy = make_policy(name, seed=1)
    before = policy.propose(EQUAL, book, g)
    assert not any(book.add(o) for o in outcomes)
    assert book.to_state() == state
    assert [book.count(n) for n in NAMES] == [book_of(outcomes).count(n) for n in NAMES]
    assert policy.propose(EQUAL, book, g) == before
    assert book_of(outcomes + outcomes[::2]) == book


@SETTINGS
@given(spec=rows, seed=st.integers(0, 1000), half_life=st.floats(1.0, 100.0))
def test_the_book_is_a_function_of_its_trades_and_resumes_bit_for_bit(
    spec: Any, seed: int, half_life: float
) -> None:
    outcomes = outcomes_of(spec)
    book = book_of(outcomes)
    for n in NAMES:  # fold once, then keep appending: the uninterrupted run's sums
        book.stats(n, half_life)
    shuffled = outcomes[:]
    random.Random(seed).shuffle(shuffled)
    for other in (
        book_of(shuffled),
        OutcomeBook.from_state(json.loads(json.dumps(book.to_state()))),
    ):
        assert other == book
        assert other.fingerprint() == book.fingerprint()
        for n in NAMES:
            assert other.stats(n, half_life) == book.stats(n, half_life)  # exactly equal


@SETTINGS
@given(past=rows, future_a=rows, future_b=rows, g=guardrails, name=policies)
def test_what_is_known_at_t_is_only_the_trades_closed_before_t(
    past: Any, future_a: Any, future_b: Any, g: Guardrails, name: str
) -> None:
    known = outcomes_of(past)
    cut = (known[-1].closed_at if known else T0) + timedelta(seconds=1)
    # the futures start exactly at the cut: a trade closing at t is not known at t
    one = book_of(known + outcomes_of(future_a, start=cut, prefix="a"))
    two = book_of(known + outcomes_of(future_b, start=cut, prefix="b"))
    policy = make_policy(name, seed=3)
    assert one.as_of(cut) == two.as_of(cut) == book_of(known)
    expected = policy.propose(EQUAL, book_of(known), g)
    assert policy.propose(EQUAL, one.as_of(cut), g) == expected
    assert policy.propose(EQUAL, two.as_of(cut), g) == expected


@SETTINGS
@given(spec=rows, g=guardrails, seed=st.integers(0, 50))
def test_thompson_is_deterministic_for_a_seed(spec: Any, g: Guardrails, seed: int) -> None:
    outcomes = outcomes_of(spec)
    first = ThompsonPolicy(seed=seed).propose(EQUAL, book_of(outcomes), g)
    again = ThompsonPolicy(seed=seed).propose(EQUAL, book_of(outcomes[::-1]), g)
    assert first == again
    reordered = dict(reversed(EQUAL.items()))
    swapped = {
        c.strategy: c.new
        for c in ThompsonPolicy(seed=seed).propose(reordered, book_of(outcomes), g)
    }
    assert swapped == pytest.approx({c.strategy: c.new for c in first}, abs=1e-12)


@SETTINGS
@given(spec=rows, name=policies, cycles=st.integers(1, 12))
def test_repeated_cycles_keep_every_guardrail(spec: Any, name: str, cycles: int) -> None:
    book, g = book_of(outcomes_of(spec)), Guardrails(min_trades=3)
    weights, policy = dict(EQUAL), make_policy(name, seed=5)
    for _ in range(cycles):
        changes = policy.propose(weights, book, g)
        weights = apply_changes(weights, changes)
        assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-9)
        assert min(weights.values()) >= g.floor - 1e-12
        assert all(abs(c.new - c.old) <= g.max_shift + 1e-12 for c in changes)


@SETTINGS
@given(spec=rows, g=guardrails, name=policies, run=st.text("0123456789abcdef", min_size=4))
def test_another_run_of_the_same_trades_learns_the_same_weights(
    spec: Any, g: Guardrails, name: str, run: str
) -> None:
    """Trade ids carry the run's id; two runs of the same bars differ only there, so their
    ties at one closing time must not be ordered by it."""
    outcomes = outcomes_of(spec)
    renamed = [replace(o, trade_id=f"trd-{run}-{i}") for i, o in enumerate(reversed(outcomes))]
    a, b = book_of(outcomes), book_of(renamed)
    assert a.fingerprint() == b.fingerprint()
    for n in NAMES:
        assert a.stats(n, g.half_life) == b.stats(n, g.half_life)
    assert make_policy(name).propose(EQUAL, a, g) == make_policy(name).propose(EQUAL, b, g)
