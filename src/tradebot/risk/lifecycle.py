"""What happens between decisions: fills, tranches, the daily close, the weekly rebalance.

- :func:`apply_fill` — a buy opens a tax lot (and may turn an earlier loss into a wash
  sale) and sets the position's levels from its average price with the parameters the
  decision chose; a sell closes lots FIFO, and when the position is gone forgets its
  levels, records the trade for the performance window and siphons the reserve's share of
  a profit.
- :func:`next_tranches` — sends, waits or cancels each pending tranche plan.
- :func:`end_of_day` — records the daily close and lets the tier controller move a level.
- :func:`rebalance` — once a week, inside the window and with no global breaker, the sells
  that bring positions and sectors back inside the tier's caps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from tradebot.domain.enums import OrderSide
from tradebot.risk.calendar import local_day
from tradebot.risk.context import EngineContext
from tradebot.risk.events import Notice, NoticeKind, RiskEvent
from tradebot.risk.gradual_entry import TrancheConditions, TrancheVerdict, reevaluate_tranche
from tradebot.risk.outcome import ExitIntent, PositionReview, TrancheOrder, TrancheReview
from tradebot.risk.performance import (
    TradeResult,
    record_daily_close,
    record_trade,
    trade_stats,
)
from tradebot.risk.rebalancer import plan_rebalance, rebalance_due
from tradebot.risk.reserve import drawdown, high_water_reached, siphon_profit
from tradebot.risk.state import RiskState
from tradebot.risk.stops import ExitReason, StopAdjustment, StopLevels, initial_levels
from tradebot.risk.tax_lots import TaxLot, buy_lot, sell_fifo
from tradebot.risk.tiers import TierSignals, evaluate_tier
from tradebot.risk.views import AssetClass, MarketView, PortfolioView, PositionView

__all__ = ["FillView", "apply_fill", "end_of_day", "next_tranches", "rebalance"]


@dataclass(frozen=True, slots=True)
class FillView:
    fill_id: str
    symbol: str
    side: OrderSide
    quantity: Decimal
    price: Decimal
    ts: datetime


def apply_fill(
    ctx: EngineContext,
    state: RiskState,
    fill: FillView,
    position_after: PositionView | None,
    closed_pnl: Decimal | None = None,
) -> tuple[RiskState, list[RiskEvent]]:
    """Update lots, levels, reserve and performance for one fill."""
    if fill.side is OrderSide.BUY:
        return _bought(ctx, state, fill, position_after)
    return _sold(ctx, state, fill, position_after, closed_pnl)


def _bought(
    ctx: EngineContext, state: RiskState, fill: FillView, position: PositionView | None
) -> tuple[RiskState, list[RiskEvent]]:
    events: list[RiskEvent] = []
    lot = TaxLot(fill.fill_id, fill.symbol, fill.quantity, fill.price, fill.ts)
    lots, washed = buy_lot(state.lots, lot, ctx.config.wash_sale_days)
    events.extend(washed)
    entry = position.avg_price if position is not None else fill.price
    stops = dict(state.stops)
    pending = dict(state.pending)
    current = stops.get(fill.symbol)
    plan = pending.pop(fill.symbol, None)
    if current is not None:
        if not current.trailing_active and entry != current.entry_price:
            fresh = initial_levels(
                entry,
                Decimal(repr(current.atr)),
                current.atr_multiplier,
                current.reward_risk,
                current.tick,
            )
            if fresh is not None:
                moved = replace(
                    current,
                    entry_price=entry,
                    stop_loss=fresh[0],
                    take_profit=fresh[1],
                    updated_at=fill.ts,
                )
                stops[fill.symbol] = moved
                events.append(
                    StopAdjustment(
                        fill.symbol,
                        fill.ts,
                        "added_to_position",
                        current.stop_loss,
                        moved.stop_loss,
                        current.take_profit,
                        moved.take_profit,
                    )
                )
    elif plan is not None and plan.atr > 0:
        levels = initial_levels(
            entry, Decimal(repr(plan.atr)), plan.atr_multiplier, plan.reward_risk, plan.tick
        )
        if levels is not None:
            stops[fill.symbol] = StopLevels(
                symbol=fill.symbol,
                entry_price=entry,
                stop_loss=levels[0],
                take_profit=levels[1],
                atr=plan.atr,
                atr_multiplier=plan.atr_multiplier,
                reward_risk=plan.reward_risk,
                tick=plan.tick,
                confidence=plan.confidence,
                is_micro=plan.is_micro,
                opened_at=fill.ts,
                updated_at=fill.ts,
            )
    return state.evolve(lots=lots, stops=stops, pending=pending), events


def _sold(
    ctx: EngineContext,
    state: RiskState,
    fill: FillView,
    position: PositionView | None,
    closed_pnl: Decimal | None,
) -> tuple[RiskState, list[RiskEvent]]:
    events: list[RiskEvent] = []
    cfg = ctx.config
    lots = state.lots
    held = lots.held(fill.symbol)
    if held > 0:
        lots, closed = sell_fifo(
            lots, fill.symbol, min(fill.quantity, held), fill.price, fill.ts, cfg.wash_sale_days
        )
        events.extend(closed)
    changes: dict[str, object] = {"lots": lots}
    levels = state.stops.get(fill.symbol)
    if position is None or position.quantity <= 0:
        changes["stops"] = {s: v for s, v in state.stops.items() if s != fill.symbol}
        changes["pending"] = {s: v for s, v in state.pending.items() if s != fill.symbol}
        changes["tranches"] = {s: v for s, v in state.tranches.items() if s != fill.symbol}
    if closed_pnl is not None:
        trade = TradeResult(fill.symbol, closed_pnl, fill.ts, levels.is_micro if levels else False)
        window = timedelta(days=cfg.performance_window_days)
        changes["performance"] = record_trade(state.performance, trade, fill.ts, window)
        reserve, entry = siphon_profit(
            state.reserve, closed_pnl, cfg.reserve.siphon_pct, fill.ts, fill.fill_id
        )
        if entry is not None:
            events.append(entry)
            changes["reserve"] = reserve
            total = state.breakers.last_equity
            pct = cfg.reserve.high_water_pct
            if (
                total is not None
                and high_water_reached(reserve, total, pct)
                and not high_water_reached(state.reserve, total, pct)
            ):
                events.append(
                    Notice(
                        NoticeKind.RESERVE_HIGH_WATER,
                        fill.ts,
                        f"reserve {reserve.balance} is above {pct:.0%} of the portfolio",
                    )
                )
    return state.evolve(**changes), events


def next_tranches(
    ctx: EngineContext,
    portfolio: PortfolioView,
    market: MarketView,
    state: RiskState,
    now: datetime,
) -> TrancheReview:
    orders: list[TrancheOrder] = []
    events: list[RiskEvent] = []
    plans = dict(state.tranches)
    trips = state.breakers.global_trips(now)
    for symbol in sorted(state.tranches):
        plan = state.tranches[symbol]
        if symbol in portfolio.pending_symbols:
            continue  # the previous tranche has not filled yet
        price = market.last_price(symbol) or plan.reference_price
        held = portfolio.positions.get(symbol)
        kind = held.asset_class if held else AssetClass.EQUITY
        conditions = TrancheConditions(
            price=price,
            breaker_active=bool(trips) or state.breakers.ticker_trip(symbol, now) is not None,
            window_open=ctx.window.allows_entry(now, kind),
        )
        verdict = reevaluate_tranche(plan, conditions, now, ctx.config.gradual)
        if verdict.verdict is TrancheVerdict.SEND:
            index = plan.next_index
            orders.append(
                TrancheOrder(
                    plan.parent_decision_id,
                    plan.tranche_id(index),
                    symbol,
                    plan.quantities[index],
                    index,
                )
            )
            advanced = plan.advanced(now)
            if advanced.done:
                del plans[symbol]
            else:
                plans[symbol] = advanced
        elif verdict.verdict is TrancheVerdict.CANCEL:
            del plans[symbol]
            detail = f"{symbol} tranches of {plan.parent_decision_id} cancelled: {verdict.reason}"
            events.append(Notice(NoticeKind.TRANCHE_CANCELLED, now, detail))
    return TrancheReview(state.evolve(tranches=plans), tuple(orders), tuple(events))


def end_of_day(
    ctx: EngineContext, portfolio: PortfolioView, state: RiskState, now: datetime
) -> tuple[RiskState, list[RiskEvent]]:
    """Record the close and evaluate the tier (seed 9.1: at the market close, daily)."""
    cfg = ctx.config
    equity = portfolio.equity
    perf = record_daily_close(
        state.performance, local_day(now), equity, cfg.performance_window_days + 1
    )
    window = timedelta(days=cfg.performance_window_days)
    recent = [t for t in perf.trades if now - t.closed_at <= window]
    stats = trade_stats(recent)
    reserve_pct = float(state.reserve.balance / equity) if equity > 0 else 0.0
    win_rate = stats.win_rate if stats.count >= cfg.tier_policy.min_trades else None
    signals = TierSignals(win_rate, float(drawdown(perf.peak_equity, equity)), reserve_pct)
    change = evaluate_tier(state.tier, signals, cfg.tier_policy, now)
    state = state.evolve(performance=perf)
    if change is None:
        return state, []
    return state.evolve(tier=change.new), [change]


def rebalance(
    ctx: EngineContext, portfolio: PortfolioView, state: RiskState, now: datetime
) -> PositionReview:
    """The weekly rebalance's sells, when due; otherwise nothing."""
    cfg = ctx.config
    if not rebalance_due(state.last_rebalance, now, cfg.window.rebalance_weekday):
        return PositionReview(state, (), ())
    if state.breakers.global_trips(now) or not ctx.window.allows_entry(now, AssetClass.EQUITY):
        return PositionReview(state, (), ())
    confidence = {s: lv.confidence for s, lv in state.stops.items()}
    total = portfolio.equity
    sells = plan_rebalance(
        {s: p for s, p in portfolio.positions.items() if s not in portfolio.pending_symbols},
        confidence,
        ctx.sectors,
        ctx.tier(state),
        total - state.reserve.balance,
        total,
        cfg.portfolio.max_open_positions,
    )
    exits = tuple(
        ExitIntent(
            s.symbol,
            s.quantity,
            ExitReason.REBALANCE,
            portfolio.positions[s.symbol].last_price,
            f"rebalance: {s.reason}",
        )
        for s in sells
    )
    events: tuple[RiskEvent, ...] = ()
    if exits:
        detail = ", ".join(f"{e.symbol} {e.quantity}" for e in exits)
        events = (Notice(NoticeKind.REBALANCE, now, f"rebalance sells {detail}"),)
    return PositionReview(state.evolve(last_rebalance=local_day(now)), exits, events)
