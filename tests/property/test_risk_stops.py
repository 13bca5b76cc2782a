"""Seed properties of stops: 9, 10, 11, 15 and 25 (heat tightening order)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tradebot.risk.heat import heat_tightening_order, portfolio_heat
from tradebot.risk.stops import (
    ExitReason,
    StopLevels,
    apply_trailing,
    crossing,
    initial_levels,
    reevaluate_atr,
    tighten,
)

# Other suites share this machine: slow generation under load is not a failure.
LOADED = [HealthCheck.too_slow]

NOW = datetime(2021, 3, 1, 15, tzinfo=UTC)
TICK = Decimal("0.01")
prices = st.decimals(min_value=Decimal(1), max_value=Decimal(5000), places=2)
atrs = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(200), places=2)
multipliers = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(4), places=1)
ratios = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(4), places=1)


@st.composite
def positions(draw: st.DrawFn, symbol: str = "AAA") -> StopLevels:
    entry = draw(prices)
    atr = draw(atrs)
    mult = draw(multipliers)
    assume(entry - atr * mult >= TICK)
    levels = initial_levels(entry, atr, mult, draw(ratios), TICK)
    assert levels is not None
    return StopLevels(
        symbol=symbol,
        entry_price=entry,
        stop_loss=levels[0],
        take_profit=levels[1],
        atr=float(atr),
        atr_multiplier=mult,
        reward_risk=Decimal(2),
        tick=TICK,
        confidence=draw(st.floats(0.0, 1.0, allow_nan=False)),
        is_micro=False,
        opened_at=NOW,
        updated_at=NOW,
    )


@settings(max_examples=400, deadline=None, suppress_health_check=LOADED)
@given(entry=prices, atr=atrs, mult=multipliers, rr=ratios)
def test_property_09_initial_stop_and_take_profit(
    entry: Decimal, atr: Decimal, mult: Decimal, rr: Decimal
) -> None:
    levels = initial_levels(entry, atr, mult, rr, TICK)
    raw_stop = entry - atr * mult
    if raw_stop < TICK:
        assert levels is None or levels[0] > 0
        return
    assert levels is not None
    stop, take_profit = levels
    assert stop < entry < take_profit
    assert raw_stop - TICK < stop <= raw_stop  # the formula, rounded down to the tick
    raw_tp = entry + (entry - stop) * rr
    assert raw_tp <= take_profit < raw_tp + TICK


@settings(max_examples=400, deadline=None, suppress_health_check=LOADED)
@given(levels=positions(), price=prices)
def test_property_10_price_crossing_triggers_exit(levels: StopLevels, price: Decimal) -> None:
    reason = crossing(levels, price)
    if price <= levels.stop_loss:
        assert reason is ExitReason.STOP_LOSS
    elif price >= levels.take_profit:
        assert reason is ExitReason.TAKE_PROFIT
    else:
        assert reason is None


@settings(max_examples=400, deadline=None, suppress_health_check=LOADED)
@given(levels=positions(), move=st.decimals(Decimal(-1), Decimal(2), places=3))
def test_property_11_trailing_stop_to_breakeven_past_half_the_way(
    levels: StopLevels, move: Decimal
) -> None:
    span = levels.take_profit - levels.entry_price
    price = levels.entry_price + span * move
    after, note = apply_trailing(levels, price, Decimal("0.5"), NOW)
    if price - levels.entry_price > span / 2:
        assert after.trailing_active
        assert after.stop_loss == max(levels.stop_loss, levels.entry_price)
        assert note is not None and note.new_stop == after.stop_loss
    else:
        assert after == levels and note is None


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(levels=positions(), move=st.decimals(Decimal("0.51"), Decimal(2), places=2), atr=atrs)
def test_property_11_trailed_stop_never_falls_below_entry(
    levels: StopLevels, move: Decimal, atr: Decimal
) -> None:
    price = levels.entry_price + (levels.take_profit - levels.entry_price) * move
    trailed, _ = apply_trailing(levels, price, Decimal("0.5"), NOW)
    reevaluated, _ = reevaluate_atr(trailed, float(atr), 0.10, NOW)
    assert reevaluated.stop_loss >= levels.entry_price


@settings(max_examples=400, deadline=None, suppress_health_check=LOADED)
@given(levels=positions(), price=prices)
def test_property_15_event_tightening_uses_half_the_multiplier(
    levels: StopLevels, price: Decimal
) -> None:
    after, note = tighten(levels, price, Decimal("0.5"), "event", NOW)
    atr = Decimal(repr(levels.atr))
    normal = price - atr * levels.atr_multiplier
    tight = price - atr * levels.atr_multiplier * Decimal("0.5")
    assert tight > normal  # the tightened level is closer to the price
    assert after.stop_loss >= levels.stop_loss  # tightening never loosens
    if note is not None:
        assert tight - TICK < after.stop_loss <= tight < price
    else:
        assert after.stop_loss == levels.stop_loss


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(
    book=st.lists(positions(), min_size=1, max_size=8),
    value=st.decimals(Decimal(100), Decimal(50_000), places=2),
    limit_share=st.decimals(Decimal(0), Decimal(1), places=2),
    drift=st.decimals(Decimal("0.95"), Decimal("1.05"), places=3),
)
def test_property_25_heat_tightening_starts_with_lowest_confidence(
    book: list[StopLevels], value: Decimal, limit_share: Decimal, drift: Decimal
) -> None:
    levels = {f"S{i}": replace(lv, symbol=f"S{i}") for i, lv in enumerate(book)}
    values = dict.fromkeys(levels, value)
    prices = {s: lv.entry_price * drift for s, lv in levels.items()}
    limit = portfolio_heat(levels, values) * limit_share

    def tightened(lv: StopLevels) -> StopLevels:
        return tighten(lv, prices[lv.symbol], Decimal("0.7"), "heat", NOW)[0]

    chosen = heat_tightening_order(levels, values, limit, tightened)
    movable = [
        s
        for s in sorted(levels, key=lambda s: (levels[s].confidence, s))
        if tightened(levels[s]).stop_loss > levels[s].stop_loss
        and portfolio_heat({s: tightened(levels[s])}, values)
        < portfolio_heat({s: levels[s]}, values)
    ]
    assert chosen == movable[: len(chosen)]  # a prefix of the lowest-confidence movable ones
    after = {s: (tightened(lv) if s in chosen else lv) for s, lv in levels.items()}
    assert portfolio_heat(after, values) <= limit or chosen == movable
