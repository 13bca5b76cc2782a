"""Label sets stay bounded: whatever names arrive, a metric's series are the known values
plus ``other``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tradebot.ops.metrics import DECISION_CHECKS, OTHER, Capped, Known, label_text

_RUN_STRATEGIES = ("macd", "rsi", "news")


def test_label_text_is_short_lowercase_and_underscored() -> None:
    assert label_text("circuit breakers") == "circuit_breakers"
    assert label_text("Not already LONG") == "not_already_long"
    assert label_text("micro-trading") == "micro_trading"
    assert label_text("  ") == OTHER
    assert len(label_text("x" * 500)) == 40


@given(st.text(max_size=60))
def test_any_strategy_name_outside_the_run_is_counted_as_other(name: str) -> None:
    known = Known(_RUN_STRATEGIES)
    label = known(name)
    assert label in {*_RUN_STRATEGIES, OTHER}
    assert (label == OTHER) == (label_text(name) not in _RUN_STRATEGIES)


@given(st.lists(st.text(max_size=40), max_size=200))
def test_check_names_map_into_the_fixed_set(names: list[str]) -> None:
    check = Known(DECISION_CHECKS)
    assert {check(name) for name in names} <= DECISION_CHECKS | {OTHER}


def test_every_known_check_keeps_its_own_label() -> None:
    check = Known(DECISION_CHECKS)
    assert check("circuit breakers") == "circuit_breakers"
    assert check("portfolio heat") == "portfolio_heat"
    assert check("exit: stop loss") == OTHER


@given(st.lists(st.text(max_size=30), max_size=300), st.integers(min_value=1, max_value=20))
def test_a_capped_set_never_grows_past_its_cap(names: list[str], cap: int) -> None:
    capped = Capped(cap)
    labels = {capped(name) for name in names}
    assert len(labels - {OTHER}) <= cap
    first = list(dict.fromkeys(label_text(n) for n in names))[:cap]
    assert all(capped(name) == name for name in first)  # the first ones keep their label
