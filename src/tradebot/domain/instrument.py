"""What a venue lets an order be: tick, lot, minimums, fractional or not, calendar.

Every order quantity and price is rounded here, where the order is made, so the venue never
sees a price between ticks or a quantity between lots, and a backtest never fills an order
the venue would refuse.

Rounding conventions (pure ``Decimal``, no float on the way):

- **Prices round away from the market, never towards it.** A buy rounds down and a sell
  rounds up, whatever the order type: a limit never becomes more aggressive (a buy never
  pays more, a sell never takes less than asked), and a stop never becomes less protective
  (a long's sell stop moves up, closer to the market; a short's buy stop moves down).
- **Quantities round down to the lot, never up:** an order never buys more than the money
  sized for it, nor sells more than the position holds.
- **US equities have two ticks** (Regulation NMS rule 612, the "sub-penny rule"): $0.01 at
  or above $1.00 a share, $0.0001 below. ``sub_dollar_tick`` carries the second;
  :meth:`Instrument.tick_at` picks the one a price falls under. A price rounded on its own
  band's grid stays on that band's grid (1.00 is on both), so rounding is idempotent.
- Rounding never checks minimums: :meth:`Instrument.check` says, in one sentence, why an
  order is below the venue's minimum quantity or notional, and the caller skips or rejects.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tradebot.domain.enums import OrderSide

__all__ = [
    "SUB_DOLLAR",
    "US_EQUITY_CALENDAR",
    "AssetClass",
    "Instrument",
    "fallback_instrument",
]

SUB_DOLLAR = Decimal(1)
"""Below this price (in the quote currency) ``sub_dollar_tick`` applies (rule 612)."""
US_EQUITY_CALENDAR = "XNYS"
"""The ``exchange_calendars`` name of the New York Stock Exchange sessions."""
_ZERO = Decimal(0)


class AssetClass(StrEnum):
    """What kind of thing a symbol is: it decides the calendar and the venue's rules."""

    EQUITY = "equity"
    CRYPTO = "crypto"


@dataclass(frozen=True, slots=True)
class Instrument:
    """One tradable symbol as its venue defines it.

    ``lot_size`` is the quantity step: 1 for whole shares, a fraction such as 1e-9 for
    fractional shares or 1e-5 for BTC on Binance spot. ``fractional`` says whether the lot
    has a fractional part (it must agree with ``lot_size``). ``min_quantity`` is in units,
    ``min_notional`` in ``currency`` (0 for none). ``calendar`` is an ``exchange_calendars``
    name (``"XNYS"``) or None for a market that trades around the clock.
    """

    symbol: str
    asset_class: AssetClass
    tick_size: Decimal
    lot_size: Decimal
    min_quantity: Decimal
    min_notional: Decimal
    fractional: bool
    calendar: str | None
    currency: str
    sub_dollar_tick: Decimal | None = None

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem:
            raise ValueError(f"instrument {self.symbol!r}: {problem}")

    def tick_at(self, price: Decimal) -> Decimal:
        """The price increment that applies at ``price``."""
        if self.sub_dollar_tick is not None and price < SUB_DOLLAR:
            return self.sub_dollar_tick
        return self.tick_size

    def round_price(self, price: Decimal, side: OrderSide) -> Decimal:
        """``price`` on the tick grid, moved away from the market: down for a buy, up for a
        sell (see the module docstring). A buy below the smallest tick rounds to 0, which
        :meth:`check` then refuses."""
        if not price.is_finite() or price < 0:
            raise ValueError(f"cannot round the price {price} of {self.symbol}")
        tick = self.tick_at(price)
        steps, rest = divmod(price, tick)
        if side is OrderSide.SELL and rest:
            steps += 1
        return steps * tick

    def round_quantity(self, quantity: Decimal) -> Decimal:
        """``quantity`` truncated to a whole number of lots (towards zero: never more)."""
        if not quantity.is_finite():
            raise ValueError(f"cannot round the quantity {quantity} of {self.symbol}")
        return (quantity // self.lot_size) * self.lot_size

    def on_lot(self, quantity: Decimal) -> bool:
        """Whether ``quantity`` is a whole number of lots."""
        return quantity.is_finite() and not quantity % self.lot_size

    def on_tick(self, price: Decimal) -> bool:
        """Whether ``price`` lies on the tick grid of its band."""
        return price.is_finite() and not price % self.tick_at(price)

    def check(self, quantity: Decimal, price: Decimal | None) -> str | None:
        """Why an order of ``quantity`` at ``price`` is below what the venue accepts, or None.

        ``price`` is the order's limit or, for a market order, the price it is expected to
        fill near (the notional minimum is tested against it); None skips that test."""
        if not quantity.is_finite() or quantity <= 0:
            return f"quantity {quantity} of {self.symbol} is not above zero"
        what = f"quantity {quantity} of {self.symbol}"
        if not self.on_lot(quantity):
            return f"{what} is not a multiple of its lot {self.lot_size}"
        if quantity < self.min_quantity:
            return f"{what} is below its minimum {self.min_quantity}"
        if price is None:
            return None
        if not price.is_finite() or price <= 0:
            return f"price {price} of {self.symbol} is not above zero"
        notional = quantity * price
        if notional < self.min_notional:
            return (
                f"notional {notional} {self.currency} of {self.symbol} is below its minimum "
                f"{self.min_notional} {self.currency}"
            )
        return None


def _problem(inst: Instrument) -> str | None:
    """What makes an instrument's definition impossible, or None."""
    if not inst.symbol:
        return "empty symbol"
    for name in ("tick_size", "lot_size"):
        value: Decimal = getattr(inst, name)
        if not value.is_finite() or value <= 0:
            return f"{name} {value} must be above zero"
    sub = inst.sub_dollar_tick
    if sub is not None and (not sub.is_finite() or sub <= 0 or sub > inst.tick_size):
        return f"sub_dollar_tick {sub} must be above zero and at most tick_size"
    if sub is not None and (SUB_DOLLAR % sub or SUB_DOLLAR % inst.tick_size):
        # else a sell rounded up from below $1 could land between the grids above it
        return f"tick_size and sub_dollar_tick must both divide {SUB_DOLLAR}"
    for name in ("min_quantity", "min_notional"):
        value = getattr(inst, name)
        if not value.is_finite() or value < 0:
            return f"{name} {value} must not be negative"
    if inst.fractional != bool(inst.lot_size % 1):
        kind = "fractional" if inst.fractional else "whole"
        return f"lot_size {inst.lot_size} does not fit a {kind} instrument"
    if inst.calendar is not None and not inst.calendar:
        return "calendar must be a name or None"
    if not inst.currency:
        return "empty currency"
    return None


_CRYPTO_QUOTES = ("/", "-USD", "-USDT", "-USDC")
_FALLBACK_CRYPTO_LOT = Decimal("0.0001")


def fallback_instrument(symbol: str) -> Instrument:
    """What a symbol is taken for when no venue or table described it (a test's made-up
    symbol, a kernel built without a provider): a pair (``BASE/QUOTE``, ``BASE-USD``…) is
    crypto in lots of 0.0001 around the clock, anything else a US equity in whole shares
    on XNYS. The runtime always hands the kernel its instruments from a provider
    (:class:`tradebot.ports.InstrumentProvider`), which refuses a symbol it does not know."""
    if "/" in symbol or symbol.endswith(_CRYPTO_QUOTES[1:]):
        return Instrument(
            symbol=symbol,
            asset_class=AssetClass.CRYPTO,
            tick_size=Decimal("0.01"),
            lot_size=_FALLBACK_CRYPTO_LOT,
            min_quantity=_FALLBACK_CRYPTO_LOT,
            min_notional=_ZERO,
            fractional=True,
            calendar=None,
            currency="USD",
        )
    one = Decimal(1)
    return Instrument(
        symbol=symbol,
        asset_class=AssetClass.EQUITY,
        tick_size=Decimal("0.01"),
        sub_dollar_tick=Decimal("0.0001"),
        lot_size=one,
        min_quantity=one,
        min_notional=_ZERO,
        fractional=False,
        calendar=US_EQUITY_CALENDAR,
        currency="USD",
    )
