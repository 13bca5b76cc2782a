"""The risk engine's timed duties on the clock's timers, in backtests on a simulated clock:
with minute bars a position whose symbol stops trading mid-session is closed by the
stale-price rule 15 minutes (+1 µs) after its last bar, a micro-trade at its maximum hold
with no bar at that instant, the weekly rebalance at Monday's window opening before any bar
of the day, the session's close when the bars stop early, the daily summary at 16:30 New
York; the same run twice records the same. With daily bars no trading duty runs on a
timer, and asking for the summary and the review interval changes no record."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from tests.unit.test_risk_timers_support import (
    CLOSES,
    FRIDAY,
    MONDAY,
    NY,
    TICK,
    TUESDAY,
    daily_path,
    minutes,
    ny,
    records,
    run_kernel,
)
from tradebot.domain import Bar
from tradebot.domain.enums import DecisionAction, Direction, OrderSide
from tradebot.engine.risk_duties import Duty
from tradebot.risk import RiskConfig
from tradebot.risk.config import GradualEntryRules, MicroRules, SizingRules


# --- minute bars ------------------------------------------------------------------------
def _stops_trading() -> tuple[list[Bar], dict[str, dict[datetime, Direction]]]:
    """KO trades 9:31–10:30 and stops; SPY trades on until 11:30. KO is bought at 9:51."""
    bars = minutes("KO", TUESDAY, (9, 31), (10, 30)) + minutes("SPY", TUESDAY, (9, 31), (11, 30))
    return bars, {"KO": {ny(TUESDAY, 9, 51): Direction.LONG}}


def test_a_symbol_that_stops_trading_is_closed_15_minutes_after_its_last_bar() -> None:
    run = run_kernel(*_stops_trading())
    (entry,) = [d for d in run.store.decisions.values() if d.side is OrderSide.BUY]
    assert entry.action is DecisionAction.ACT and entry.ts == ny(TUESDAY, 9, 51)
    (exit_,) = run.sells()
    # the rule is "older than 15 minutes": the first instant it holds, with SPY's bars of
    # 10:45 and 10:46 on either side (a review at a bar time would have said 10:46)
    assert exit_.ts == ny(TUESDAY, 10, 45) + TICK
    assert exit_.symbol == "KO" and exit_.reason.startswith("exit KO: stale_price")
    assert [c.check for c in exit_.trace] == ["exit: stale_price"]
    assert run.store.signals[exit_.signal_id].sources == {"risk:stale_price": 1.0}
    assert run.counts() == {Duty.STALE: 1}


def test_a_session_whose_bars_stop_early_closes_at_its_close() -> None:
    bars = minutes("KO", TUESDAY, (9, 31), (10, 30))  # nothing else trades
    plan = {"KO": {ny(TUESDAY, 9, 51): Direction.LONG}}
    run = run_kernel(bars, plan, run_until=ny(TUESDAY, 23, 0))
    (exit_,) = run.sells()
    assert exit_.ts == ny(TUESDAY, 10, 45) + TICK  # no bar at all after 10:30
    assert run.stage.state.performance.closes[-1][0] == TUESDAY  # tier evaluated at 16:00
    assert run.store.risk_states["r"].as_of == ny(TUESDAY, 16, 0)
    assert run.counts() == {Duty.STALE: 1, Duty.CLOSE: 1}


def test_a_micro_trade_is_closed_at_its_maximum_hold_between_two_bars() -> None:
    config = RiskConfig(
        gradual=GradualEntryRules(enabled=False),
        micro=MicroRules(enabled=True, max_hold=timedelta(minutes=30)),
    )
    bars = minutes("KO", TUESDAY, (9, 31), (11, 0))
    plan = {"KO": {ny(TUESDAY, 9, 51): Direction.LONG}}
    run = run_kernel(
        bars, plan, config=config, strategy="scalp", micro_strategies=frozenset({"scalp"})
    )
    (entry,) = [d for d in run.store.decisions.values() if d.side is OrderSide.BUY]
    assert any(c.check == "micro-trading" and c.passed for c in entry.trace)
    (fill,) = [f for f in run.store.fills.values() if f.side is OrderSide.BUY]
    assert fill.ts == ny(TUESDAY, 9, 51)  # the next bar's open: when the 9:51 bar closed
    (exit_,) = run.sells()
    assert exit_.ts == fill.ts + timedelta(minutes=30) + TICK  # KO's bars go on every minute
    assert exit_.reason.startswith("exit KO: micro_max_hold")
    assert run.counts() == {Duty.MICRO: 1}


def _rising(ts: datetime) -> float:
    """100 until 10:00, then up a dollar a minute to 120 (KO outgrows its cap)."""
    after = (ts - ny(FRIDAY, 10, 0)) / timedelta(minutes=1)
    return 100.0 + min(max(after, 0.0), 20.0)


def test_the_weekly_rebalance_runs_at_mondays_window_opening_before_any_bar() -> None:
    config = RiskConfig(
        gradual=GradualEntryRules(enabled=False),
        sizing=SizingRules(base_allocation_pct=Decimal("0.10")),
    )
    bars = minutes("KO", FRIDAY, (9, 31), (16, 0), _rising, spread=10.0) + minutes(
        "KO", MONDAY, (10, 0), (10, 30), lambda ts: 120.0, spread=10.0
    )
    run = run_kernel(bars, {"KO": {ny(FRIDAY, 9, 50): Direction.LONG}}, config=config)
    (sell,) = run.sells()
    assert sell.ts == ny(MONDAY, 9, 45)  # the window opens; Monday's first bar is at 10:00
    assert sell.reason.startswith("exit KO: rebalance: position_cap")
    assert run.stage.state.last_rebalance == MONDAY
    fill = next(f for f in run.store.fills.values() if f.side is OrderSide.SELL)
    assert fill.ts >= sell.ts
    assert run.counts() == {Duty.REBALANCE: 1}


def test_the_review_interval_reviews_while_no_bar_comes() -> None:
    bars = minutes("KO", TUESDAY, (9, 31), (10, 0)) + minutes("KO", TUESDAY, (10, 14), (10, 30))
    plan = {"KO": {ny(TUESDAY, 9, 51): Direction.LONG}}
    run = run_kernel(bars, plan, review_every=timedelta(minutes=5))
    assert run.counts() == {Duty.REVIEW: 2}  # 10:05 and 10:10; KO was back before 10:15
    assert run.stage.duties is not None and run.stage.duties.latest == ny(TUESDAY, 10, 10)
    assert run.sells() == []


def test_the_daily_summary_comes_at_half_past_four_new_york() -> None:
    bars = minutes("KO", TUESDAY, (9, 31), (16, 0))
    plan = {"KO": {ny(TUESDAY, 9, 51): Direction.LONG}}
    run = run_kernel(bars, plan, run_until=ny(TUESDAY, 23, 0), summary=time(16, 30))
    (summary,) = run.summaries
    assert summary.ts == ny(TUESDAY, 16, 30) and summary.day == TUESDAY
    assert summary.positions == ("KO",) and summary.tier == "moderate"
    assert summary.equity == run.kernel.portfolio.equity()
    assert run.counts() == {Duty.SUMMARY: 1}  # the bars reached the close: no close duty


def test_timed_duties_are_deterministic() -> None:
    first, second = run_kernel(*_stops_trading()), run_kernel(*_stops_trading())
    assert records(first.store) == records(second.store)
    assert first.sells()  # the runs did something


def test_daily_bars_run_no_trading_duty_on_a_timer_and_the_options_change_no_record() -> None:
    plain = run_kernel(*daily_path())
    asked = run_kernel(*daily_path(), summary=time(16, 30), review_every=timedelta(minutes=5))
    assert records(asked.store) == records(plain.store)
    assert len(plain.sells()) == 1 and plain.sells()[0].ts == CLOSES[18]
    assert plain.counts() == {}
    # a summary each day after its 16:00 bar (the last day's comes after the feed ended)
    assert asked.counts() == {Duty.SUMMARY: len(daily_path()[0]) - 1}
    assert [s.day for s in asked.summaries] == [c.astimezone(NY).date() for c in CLOSES[:23]]
