"""The exit path: review every open position and say what must be sold now, and why.

Run on every price update (each bar, or the seed's 5-minute stop check). In order:

1. expired breaker trips resolve; the day's starting equity rolls over at a new New York
   date (it is the last equity seen before the new day);
2. the peak equity moves up; a drawdown beyond the emergency threshold releases the whole
   reserve into the active pool and drops the tier to conservative (once per episode);
3. each position's levels: ATR re-evaluation, trailing to breakeven, tightening near
   earnings and during a high-severity event;
4. heat above 80 % of the tier's cap tightens the lowest-confidence positions first;
5. exits, at most one per symbol, first reason wins: stop-loss / take-profit crossing,
   single-position loss breaker, stale price (> 15 min without a price while the market is
   open), micro-trade held past its maximum. A stop-loss exit counts towards the volatility
   breaker. Symbols with an order still open get no second exit;
6. breaker rules run on the result (daily loss, single position, volatility).

Exits are never held back by breakers, the entry window or the active-pool minimum.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from tradebot.risk.breakers import (
    BreakerInputs,
    BreakerKind,
    BreakerState,
    evaluate_breakers,
    expire_trips,
)
from tradebot.risk.calendar import local_day
from tradebot.risk.context import EngineContext
from tradebot.risk.events import BreakerEvent, Notice, NoticeKind, RiskEvent
from tradebot.risk.heat import heat_tightening_order, portfolio_heat
from tradebot.risk.micro import micro_hold_expired
from tradebot.risk.outcome import ExitIntent, PositionReview
from tradebot.risk.reserve import drawdown, emergency_release
from tradebot.risk.state import RiskState
from tradebot.risk.stops import (
    ExitReason,
    StopAdjustment,
    StopLevels,
    apply_trailing,
    crossing,
    reevaluate_atr,
    tighten,
)
from tradebot.risk.tiers import TierChange, TierName
from tradebot.risk.views import AssetClass, MarketView, PortfolioView

__all__ = ["review_positions"]


def review_positions(
    ctx: EngineContext,
    portfolio: PortfolioView,
    market: MarketView,
    state: RiskState,
    now: datetime,
) -> PositionReview:
    events: list[RiskEvent] = []
    equity = portfolio.equity
    breakers, resolved = expire_trips(state.breakers, now)
    events.extend(BreakerEvent(t, True, now) for t in resolved)
    breakers = _roll_day(breakers, equity, now)
    state = state.evolve(breakers=breakers)
    state = _emergency(ctx, state, equity, now, events)

    prices = {s: market.last_price(s) or p.last_price for s, p in portfolio.positions.items()}
    stops = _adjust_levels(ctx, state, market, prices, now, events)
    stops = _heat_tightening(ctx, state, stops, portfolio, prices, now, events)

    exits: dict[str, ExitIntent] = {}
    stop_hits = list(state.breakers.stop_hits)
    for symbol in sorted(portfolio.positions):
        if symbol in portfolio.pending_symbols:
            continue
        pos = portfolio.positions[symbol]
        price = prices[symbol]
        levels = stops.get(symbol)
        reason = crossing(levels, price) if levels else None
        if reason is not None and levels is not None:
            level = levels.stop_loss if reason is ExitReason.STOP_LOSS else levels.take_profit
            exits[symbol] = ExitIntent(
                symbol, pos.quantity, reason, price, f"price {price} crossed {reason} {level}"
            )
            if reason is ExitReason.STOP_LOSS:
                stop_hits.append(now)
            continue
        stale = _stale_detail(ctx, market, symbol, pos.asset_class, now)
        if stale:
            exits[symbol] = ExitIntent(symbol, pos.quantity, ExitReason.STALE_PRICE, price, stale)
            continue
        if levels is not None and micro_hold_expired(levels, now, ctx.config.micro):
            held = now - levels.opened_at
            exits[symbol] = ExitIntent(
                symbol, pos.quantity, ExitReason.MICRO_MAX_HOLD, price, f"micro-trade held {held}"
            )

    window = ctx.config.breakers.volatility_window
    recent_hits = tuple(t for t in stop_hits if now - t <= window)
    breakers = replace(state.breakers, stop_hits=recent_hits)
    breakers, trips = evaluate_breakers(
        breakers,
        ctx.breaker_rules,
        BreakerInputs(now, equity, breakers.day_start_equity, portfolio.positions, recent_hits),
    )
    for trip in trips:
        events.append(BreakerEvent(trip, False, now))
        hit = trip.symbol
        if (
            trip.kind is BreakerKind.SINGLE_POSITION
            and hit is not None
            and hit not in exits
            and hit not in portfolio.pending_symbols
        ):
            exits[hit] = ExitIntent(
                hit,
                portfolio.positions[hit].quantity,
                ExitReason.SINGLE_POSITION_LOSS,
                prices[hit],
                f"loss {trip.actual:.2%} beyond {trip.threshold:.2%}",
            )
    state = state.evolve(breakers=breakers, stops=stops)
    ordered = tuple(exits[s] for s in sorted(exits))
    return PositionReview(state, ordered, tuple(events))


def _roll_day(breakers: BreakerState, equity: Decimal, now: datetime) -> BreakerState:
    day = local_day(now)
    if breakers.day != day:
        start = breakers.last_equity if breakers.last_equity is not None else equity
        breakers = replace(breakers, day=day, day_start_equity=start)
    return replace(breakers, last_equity=equity)


def _emergency(
    ctx: EngineContext, state: RiskState, equity: Decimal, now: datetime, events: list[RiskEvent]
) -> RiskState:
    perf = state.performance
    peak = max(perf.peak_equity, equity)
    state = state.evolve(performance=replace(perf, peak_equity=peak))
    deep = drawdown(peak, equity) > ctx.config.reserve.emergency_drawdown_pct
    if not deep:
        return state.evolve(emergency_since=None) if state.emergency_since else state
    if state.emergency_since is not None:
        return state
    reserve, entry = emergency_release(state.reserve, now, "emergency drawdown")
    if entry is not None:
        events.append(entry)
    depth = drawdown(peak, equity)
    events.append(
        Notice(
            NoticeKind.EMERGENCY_LIQUIDATION,
            now,
            f"drawdown {depth:.2%} beyond {ctx.config.reserve.emergency_drawdown_pct:.2%}: "
            f"reserve {state.reserve.balance} released, tier set to conservative",
        )
    )
    if state.tier is not TierName.CONSERVATIVE:
        metrics: dict[str, float | None] = {"drawdown": float(depth)}
        events.append(
            TierChange(now, state.tier, TierName.CONSERVATIVE, "emergency_liquidation", metrics)
        )
    return state.evolve(reserve=reserve, tier=TierName.CONSERVATIVE, emergency_since=now)


def _adjust_levels(
    ctx: EngineContext,
    state: RiskState,
    market: MarketView,
    prices: dict[str, Decimal],
    now: datetime,
    events: list[RiskEvent],
) -> dict[str, StopLevels]:
    rules = ctx.config.stops
    event = market.high_severity_event()
    stops = dict(state.stops)
    for symbol, levels in state.stops.items():
        price = prices.get(symbol)
        if price is None:
            continue
        notes: list[StopAdjustment | None] = []
        atr = market.atr(symbol)
        if atr is not None:
            levels, note = reevaluate_atr(levels, atr, rules.atr_change_reevaluate, now)
            notes.append(note)
        levels, note = apply_trailing(levels, price, rules.trailing_trigger_fraction, now)
        notes.append(note)
        days = ctx.earnings_days(symbol, now)
        if days is not None and days <= rules.earnings_tighten_within_days:
            levels, note = tighten(
                levels, price, rules.earnings_tighten_multiplier, "earnings", now
            )
            notes.append(note)
        if event:
            levels, note = tighten(levels, price, rules.event_tighten_multiplier, "event", now)
            notes.append(note)
        events.extend(n for n in notes if n is not None)
        stops[symbol] = levels
    return stops


def _heat_tightening(
    ctx: EngineContext,
    state: RiskState,
    stops: dict[str, StopLevels],
    portfolio: PortfolioView,
    prices: dict[str, Decimal],
    now: datetime,
    events: list[RiskEvent],
) -> dict[str, StopLevels]:
    rules = ctx.config.stops
    tier = ctx.tier(state)
    values = {s: p.market_value for s, p in portfolio.positions.items()}
    limit = tier.max_portfolio_heat * portfolio.equity * rules.heat_tighten_at
    live = {s: lv for s, lv in stops.items() if s in prices}
    if portfolio_heat(live, values) <= limit:
        return stops

    def tightened(lv: StopLevels) -> StopLevels:
        return tighten(lv, prices[lv.symbol], rules.heat_tighten_multiplier, "heat", now)[0]

    for symbol in heat_tightening_order(live, values, limit, tightened):
        levels, note = tighten(
            stops[symbol], prices[symbol], rules.heat_tighten_multiplier, "heat", now
        )
        stops[symbol] = levels
        if note is not None:
            events.append(note)
    return stops


def _stale_detail(
    ctx: EngineContext, market: MarketView, symbol: str, asset_class: AssetClass, now: datetime
) -> str:
    seen = market.last_price_time(symbol)
    if seen is None or not ctx.window.market_open(now, asset_class):
        return ""
    age = now - seen
    if age <= ctx.config.stops.stale_after:
        return ""
    return f"no price for {age} while the market is open (limit {ctx.config.stops.stale_after})"
