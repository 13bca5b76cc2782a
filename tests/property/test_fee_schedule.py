"""Fee schedules: the fee formula, and all-in sizing never spends more than the cash."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.adapters.paper.fees import FeeSchedule

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100_000), places=2)
small = st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=3)
rates = st.decimals(min_value=Decimal(0), max_value=Decimal("0.01"), places=5)


@given(cash=money, price=money, rate=rates, per_share=small, per_order=small, minimum=small)
def test_all_in_units_never_overspend_and_leave_less_than_one_more_unit(
    cash: Decimal,
    price: Decimal,
    rate: Decimal,
    per_share: Decimal,
    per_order: Decimal,
    minimum: Decimal,
) -> None:
    fees = FeeSchedule(rate=rate, per_share=per_share, per_order=per_order, minimum=minimum)
    units = fees.units_for(cash, price)
    assert units >= 0
    if units > 0:
        assert price * units + fees.fee(price, units) <= cash  # exactly, rounded fee included
    more = units + Decimal("1e-6")
    assert price * more + fees.fee(price, more) > cash - Decimal("1e-6") or units == 0


def test_a_per_share_schedule_with_a_minimum() -> None:
    ibkr_like = FeeSchedule(per_share=Decimal("0.005"), minimum=Decimal(1))
    assert ibkr_like.fee(Decimal(100), Decimal(10)) == Decimal(1)  # 0.05 → the minimum
    assert ibkr_like.fee(Decimal(100), Decimal(1000)) == Decimal(5)
    flat = FeeSchedule(per_order=Decimal("4.95"))
    assert flat.fee(Decimal(10), Decimal(3)) == Decimal("4.95")
    with pytest.raises(ValueError, match="rate"):
        FeeSchedule(rate=Decimal(-1))
