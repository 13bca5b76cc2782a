"""Properties of instrument rounding: on the grid, never more aggressive, idempotent,
quantities never rounded up, and minimum checks that agree with their definition."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tradebot.domain.enums import OrderSide
from tradebot.domain.instrument import AssetClass, Instrument

D = Decimal
TICKS = [D("0.01"), D("0.05"), D("0.25"), D("0.5"), D(1), D("0.00001"), D("0.1")]
LOTS = [D(1), D(10), D(100), D("0.1"), D("0.0001"), D("0.00001"), D("1E-8"), D("1E-9")]

prices = st.decimals(min_value=0, max_value=10**6, places=8, allow_nan=False)
quantities = st.decimals(min_value=0, max_value=10**6, places=10, allow_nan=False)
sides = st.sampled_from(OrderSide)


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    """Any valid instrument: US-equity style (two ticks) or a single-tick venue."""
    rule_612 = draw(st.booleans())
    tick = D("0.01") if rule_612 else draw(st.sampled_from(TICKS))
    lot = draw(st.sampled_from(LOTS))
    return Instrument(
        symbol="X",
        asset_class=AssetClass.EQUITY if rule_612 else AssetClass.CRYPTO,
        tick_size=tick,
        sub_dollar_tick=D("0.0001") if rule_612 else None,
        lot_size=lot,
        min_quantity=lot * draw(st.integers(0, 5)),
        min_notional=D(draw(st.sampled_from([0, 1, 5, 10, 100]))),
        fractional=bool(lot % 1),
        calendar="XNYS" if rule_612 else None,
        currency="USD",
    )


@given(instruments(), prices, sides)
def test_a_rounded_price_is_on_its_grid_within_one_tick(
    inst: Instrument, price: Decimal, side: OrderSide
) -> None:
    rounded = inst.round_price(price, side)
    assert inst.on_tick(rounded)
    assert abs(rounded - price) < inst.tick_at(price)


@given(instruments(), prices, sides)
def test_a_price_never_becomes_more_aggressive(
    inst: Instrument, price: Decimal, side: OrderSide
) -> None:
    """A buy (limit or a short's stop) never rises; a sell (limit or a long's stop) never
    falls: limits never pay more or take less, stops never move away from the market."""
    rounded = inst.round_price(price, side)
    assert rounded <= price if side is OrderSide.BUY else rounded >= price


@given(instruments(), prices, sides, sides)
def test_price_rounding_is_idempotent_whatever_the_side(
    inst: Instrument, price: Decimal, side: OrderSide, again: OrderSide
) -> None:
    rounded = inst.round_price(price, side)
    assert inst.round_price(rounded, again) == rounded


@given(instruments(), prices, prices, sides)
def test_price_rounding_keeps_the_order_of_prices(
    inst: Instrument, a: Decimal, b: Decimal, side: OrderSide
) -> None:
    low, high = sorted((a, b))
    assert inst.round_price(low, side) <= inst.round_price(high, side)


@given(instruments(), quantities)
def test_a_quantity_is_never_rounded_up(inst: Instrument, quantity: Decimal) -> None:
    rounded = inst.round_quantity(quantity)
    assert 0 <= rounded <= quantity
    assert quantity - rounded < inst.lot_size
    assert inst.on_lot(rounded)
    assert inst.round_quantity(rounded) == rounded


@given(instruments(), st.integers(0, 10**6))
def test_a_whole_number_of_lots_is_kept(inst: Instrument, lots: int) -> None:
    quantity = inst.lot_size * lots
    assert inst.round_quantity(quantity) == quantity


@given(instruments(), quantities, st.none() | prices)
def test_check_refuses_exactly_the_orders_below_the_minimums(
    inst: Instrument, quantity: Decimal, price: Decimal | None
) -> None:
    acceptable = (
        quantity > 0
        and quantity % inst.lot_size == 0
        and quantity >= inst.min_quantity
        and (price is None or (price > 0 and quantity * price >= inst.min_notional))
    )
    reason = inst.check(quantity, price)
    assert (reason is None) is acceptable
    if reason is not None:
        assert reason.startswith(("quantity", "price", "notional"))
        assert "X" in reason


@given(instruments(), quantities, prices)
def test_a_rounded_quantity_passes_unless_below_a_minimum(
    inst: Instrument, quantity: Decimal, price: Decimal
) -> None:
    """Rounding never leaves an off-lot quantity: what check still refuses is a minimum."""
    reason = inst.check(inst.round_quantity(quantity), inst.round_price(price, OrderSide.BUY))
    assert reason is None or "lot" not in reason
