"""The decision for one signal: the checks, in a fixed order, and the resulting outcome.

Order (each a trace step; the first failure ends the trace and names the skip reason):

0. **de-duplication** — a signal id seen within the TTL returns ``duplicate=True`` and no
   trace (the caller persists nothing for it);
1. **direction** — neutral skips; short exits a held long (exits pass every gate below);
2. **circuit breakers** — any active global trip skips the entry;
3. **ticker cooldown** — a single-position trip on this symbol skips it;
4. **trading window** — 9:45–15:45 ET on sessions, 24/7 for crypto;
5. **not already in** — no position, open order or unfinished tranche plan in the symbol;
6. **micro-trading** — for micro signals: mode enabled and daily count left;
7. **max open positions**; 8. **declining positions**;
9. **stop levels** — ATR known, stop above zero (tightened ×0.7 near earnings, ×0.5 in an
   event; micro: 1.0 × ATR and 1.5 R:R);
10. **sizing** — the sizer's eleven steps (:mod:`tradebot.risk.sizing`);
11. **gradual entry** — above the threshold the quantity becomes a tranche plan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from tradebot.domain.enums import DecisionAction, Direction, OrderSide
from tradebot.risk.calendar import local_day
from tradebot.risk.context import BookFacts, EngineContext, book_facts
from tradebot.risk.correlation import weighted_correlation
from tradebot.risk.dedupe import first_sighting
from tradebot.risk.gradual_entry import TranchePlan, needs_gradual_entry, split_quantity
from tradebot.risk.micro import count_micro_entry, micro_entry_allowed
from tradebot.risk.outcome import RiskOutcome
from tradebot.risk.portfolio_rules import declining_count, declining_halt, slots_in_use
from tradebot.risk.sizing import SizingRequest
from tradebot.risk.state import PendingEntry, RiskState
from tradebot.risk.stops import initial_levels
from tradebot.risk.tiers import RiskTierConfig
from tradebot.risk.trace import RiskCheck, SizeEffect
from tradebot.risk.views import AssetClass, MarketView, PortfolioView, SignalView

__all__ = ["decide"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class _Extra:
    """Decision-record fields known once the sizing stage has run."""

    breakers: tuple[str, ...] = ()
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    correlation: float | None = None
    sector: str | None = None
    earnings_days: int | None = None
    tranche_plan: TranchePlan | None = None
    notional: Decimal = _ZERO


class _Trace:
    """Collects checks and builds the outcome; one per decision."""

    __slots__ = ("checks", "ctx", "decision_id", "facts", "signal", "state")

    def __init__(
        self,
        ctx: EngineContext,
        signal: SignalView,
        state: RiskState,
        decision_id: str,
        facts: BookFacts,
    ) -> None:
        self.ctx = ctx
        self.signal = signal
        self.state = state
        self.decision_id = decision_id
        self.checks: list[RiskCheck] = []
        self.facts = facts

    def check(
        self, name: str, passed: bool, detail: str, inputs: dict[str, object] | None = None
    ) -> bool:
        effect = SizeEffect.NONE if passed else SizeEffect.REJECT
        self.checks.append(RiskCheck(name, passed, detail, inputs or {}, effect))
        return passed

    def skip(self, reason: str, extra: _Extra | None = None) -> RiskOutcome:
        failed = next((c.name for c in self.checks if not c.passed), None)
        return self._outcome(DecisionAction.SKIP, None, _ZERO, reason, failed, extra or _Extra())

    def act(
        self, side: OrderSide, quantity: Decimal, reason: str, extra: _Extra | None = None
    ) -> RiskOutcome:
        return self._outcome(DecisionAction.ACT, side, quantity, reason, None, extra or _Extra())

    def _outcome(
        self,
        action: DecisionAction,
        side: OrderSide | None,
        quantity: Decimal,
        reason: str,
        skip_reason: str | None,
        extra: _Extra,
    ) -> RiskOutcome:
        facts = self.facts
        return RiskOutcome(
            decision_id=self.decision_id,
            action=action,
            side=side,
            quantity=quantity,
            reference_price=self.signal.price,
            reason=reason,
            checks=tuple(self.checks),
            state=self.state,
            tier=self.state.tier,
            skip_reason=skip_reason,
            stop_loss=extra.stop_loss,
            take_profit=extra.take_profit,
            tranche_plan=extra.tranche_plan,
            notional=extra.notional,
            heat_pct=facts.heat_pct,
            active_pool=facts.active_pool,
            reserve_pool=self.state.reserve.balance,
            breakers_active=extra.breakers,
            correlation=extra.correlation,
            sector=extra.sector,
            earnings_days=extra.earnings_days,
            is_micro=self.signal.is_micro,
        )


def decide(
    ctx: EngineContext,
    signal: SignalView,
    portfolio: PortfolioView,
    market: MarketView,
    state: RiskState,
    now: datetime,
    decision_id: str,
) -> RiskOutcome:
    fresh, seen = first_sighting(state.seen, signal.id, now, ctx.config.entry.dedupe_ttl)
    if not fresh:
        return RiskOutcome(
            decision_id=decision_id,
            action=DecisionAction.SKIP,
            side=None,
            quantity=_ZERO,
            reference_price=signal.price,
            reason=f"signal {signal.id} was already decided",
            checks=(),
            state=state,
            tier=state.tier,
            duplicate=True,
            skip_reason="duplicate",
        )
    marked = state.evolve(seen=seen)
    trace = _Trace(ctx, signal, marked, decision_id, book_facts(ctx, portfolio, marked))
    if signal.direction is Direction.NEUTRAL:
        trace.check("direction", False, "neutral signal: nothing to do")
        return trace.skip("neutral signal")
    if signal.direction is Direction.SHORT:
        return _exit(trace, portfolio)
    trace.check("direction", True, "long signal: evaluate an entry")
    return _entry(trace, portfolio, market, now)


def _exit(trace: _Trace, portfolio: PortfolioView) -> RiskOutcome:
    symbol = trace.signal.symbol
    pos = portfolio.positions.get(symbol)
    if not trace.check(
        "direction",
        pos is not None,
        "short signal exits the long position" if pos else "short signal and no long to exit",
        {"held": str(pos.quantity) if pos else "0"},
    ):
        return trace.skip(f"no long position in {symbol} to exit (short selling disabled)")
    assert pos is not None
    pending = symbol in portfolio.pending_symbols
    if not trace.check(
        "no open order", not pending, "an order is still open" if pending else "none"
    ):
        return trace.skip(f"an order for {symbol} is still open")
    tranches = dict(trace.state.tranches)
    tranches.pop(symbol, None)
    trace.state = trace.state.evolve(tranches=tranches)
    return trace.act(OrderSide.SELL, pos.quantity, "exit long: short signal")


def _entry(
    trace: _Trace, portfolio: PortfolioView, market: MarketView, now: datetime
) -> RiskOutcome:
    ctx, signal, state = trace.ctx, trace.signal, trace.state
    symbol = signal.symbol
    tier = ctx.tier(state)
    trips = state.breakers.global_trips(now)
    kinds = tuple(t.kind.value for t in trips)
    if not trace.check(
        "circuit breakers",
        not trips,
        f"active: {', '.join(kinds)}" if trips else "none active",
        {"active": list(kinds)},
    ):
        return trace.skip(f"circuit breaker active ({', '.join(kinds)})", _Extra(breakers=kinds))
    cooled = state.breakers.ticker_trip(symbol, now)
    if not trace.check(
        "ticker cooldown",
        cooled is None,
        f"{symbol} cooling down until {cooled.expires_at}" if cooled else "none",
    ):
        return trace.skip(f"{symbol} is in a re-entry cooldown")
    verdict = ctx.window.entry_verdict(now, signal.asset_class)
    if not trace.check("trading window", verdict.allowed, verdict.detail, {"now": now}):
        return trace.skip("outside the entry window")
    busy = (
        symbol in portfolio.positions
        or symbol in portfolio.pending_symbols
        or symbol in state.tranches
    )
    if not trace.check("not already in", not busy, f"{symbol} held or pending" if busy else "flat"):
        return trace.skip(f"already holding or entering {symbol}")
    if signal.is_micro:
        ok, detail = micro_entry_allowed(state.micro, ctx.config.micro, local_day(now))
        if not trace.check("micro-trading", ok, detail):
            return trace.skip(detail)
    limit = ctx.config.portfolio.max_open_positions
    used = slots_in_use(portfolio.positions, portfolio.pending_symbols, state.tranches)
    if not trace.check(
        "max open positions",
        used < limit,
        f"{used} of {limit} in use",
        {"open": used, "max": limit},
    ):
        return trace.skip(f"max open positions reached ({limit})")
    rules = ctx.config.portfolio
    halted = declining_halt(portfolio.positions, rules)
    down = declining_count(portfolio.positions, rules)
    if not trace.check(
        "declining positions",
        not halted,
        f"{down} of {len(portfolio.positions)} positions down over {rules.declining_loss_pct:%}",
        {"declining": down, "open": len(portfolio.positions)},
    ):
        return trace.skip("too many positions declining")
    return _size(trace, tier, portfolio, market, now)


def _size(
    trace: _Trace,
    tier_cfg: RiskTierConfig,
    portfolio: PortfolioView,
    market: MarketView,
    now: datetime,
) -> RiskOutcome:
    ctx, signal, state = trace.ctx, trace.signal, trace.state
    symbol = signal.symbol
    cfg = ctx.config
    earnings_days = (
        ctx.earnings_days(symbol, now) if signal.asset_class is AssetClass.EQUITY else None
    )
    atr = market.atr(symbol)
    multiplier = (
        cfg.micro.stop_loss_atr_multiplier if signal.is_micro else tier_cfg.stop_loss_atr_multiplier
    )
    reward_risk = cfg.micro.reward_risk_ratio if signal.is_micro else tier_cfg.reward_risk_ratio
    tightened: list[str] = []
    if earnings_days is not None and earnings_days <= cfg.stops.earnings_tighten_within_days:
        multiplier *= cfg.stops.earnings_tighten_multiplier
        tightened.append("earnings")
    if market.high_severity_event():
        multiplier *= cfg.stops.event_tighten_multiplier
        tightened.append("event")
    levels = None
    if atr is not None and atr > 0.0:
        levels = initial_levels(
            signal.price, Decimal(repr(atr)), multiplier, reward_risk, signal.tick_size
        )
    stop_in: dict[str, object] = {
        "atr": atr,
        "atr_multiplier": multiplier,
        "reward_risk": reward_risk,
        "tightened_for": tightened,
    }
    if levels is None:
        why = (
            "no ATR for the symbol" if atr is None or atr <= 0.0 else "stop would be at or below 0"
        )
        trace.check("stop levels", False, why, stop_in)
        return trace.skip(why)
    stop, take_profit = levels
    stop_in.update({"stop_loss": stop, "take_profit": take_profit})
    trace.check("stop levels", True, f"stop {stop}, take profit {take_profit}", stop_in)

    facts = trace.facts
    correlation = _correlation(ctx, symbol, facts, market)
    sector = ctx.sectors.sector(symbol)
    spendable = portfolio.cash - portfolio.reserved_cash - state.reserve.balance
    result = ctx.sizer.size(
        SizingRequest(
            confidence=signal.confidence,
            price=signal.price,
            lot_size=signal.lot_size,
            active_pool=facts.active_pool,
            total_value=facts.total_value,
            spendable_cash=spendable,
            stop_distance=signal.price - stop,
            current_heat=facts.heat,
            sector=sector,
            sector_exposure=facts.sector_exposure,
            correlation=correlation,
            earnings_days=earnings_days,
            is_micro=signal.is_micro,
        ),
        tier_cfg,
    )
    trace.checks.extend(result.checks)
    extra = _Extra(
        stop_loss=stop,
        take_profit=take_profit,
        correlation=correlation,
        sector=sector,
        earnings_days=earnings_days,
    )
    if result.rejected:
        return trace.skip(result.reason, extra)
    quantity = result.quantity
    plan = None
    first = quantity
    if needs_gradual_entry(result.dollars, facts.active_pool, cfg.gradual):
        parts = split_quantity(quantity, cfg.gradual.tranches, signal.lot_size)
        if len(parts) > 1:
            plan = TranchePlan(
                parent_decision_id=trace.decision_id,
                symbol=symbol,
                quantities=parts,
                reference_price=signal.price,
                stop_loss=stop,
                next_index=1,
                next_due=now + cfg.gradual.interval,
                interval=cfg.gradual.interval,
            )
            first = parts[0]
    trace.checks.append(
        RiskCheck(
            "gradual entry",
            True,
            f"{len(plan.quantities)} tranches: {', '.join(map(str, plan.quantities))}"
            if plan
            else "single order",
            {"tranches": [str(q) for q in (plan.quantities if plan else (quantity,))]},
            SizeEffect.SET if plan else SizeEffect.NONE,
            quantity * signal.price,
            first * signal.price,
        )
    )
    pending = dict(state.pending)
    pending[symbol] = PendingEntry(
        decision_id=trace.decision_id,
        decided_at=now,
        confidence=signal.confidence,
        is_micro=signal.is_micro,
        atr=float(atr) if atr is not None else 0.0,
        atr_multiplier=multiplier,
        reward_risk=reward_risk,
        tick=signal.tick_size,
    )
    changes: dict[str, object] = {"pending": pending}
    if plan is not None:
        changes["tranches"] = {**state.tranches, symbol: plan}
    if signal.is_micro:
        changes["micro"] = count_micro_entry(state.micro, local_day(now))
    trace.state = state.evolve(**changes)
    reason = f"enter long {symbol}: confidence {signal.confidence:.2f}, {trace.state.tier} tier"
    extra = replace(extra, tranche_plan=plan, notional=first * signal.price)
    return trace.act(OrderSide.BUY, first, reason, extra)


def _correlation(
    ctx: EngineContext, symbol: str, facts: BookFacts, market: MarketView
) -> float | None:
    if not facts.values:
        return None
    own = market.daily_returns(symbol)
    pairs = {
        held: ctx.correlations.correlation(symbol, own, held, market.daily_returns(held))
        for held in facts.values
    }
    return weighted_correlation(facts.values, pairs)
