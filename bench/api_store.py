"""A large store for the API benchmark: one finished paper run with 100,000 signals and
decisions (each with a realistic eight-check trace), 10,000 closed trades with their
orders, fills and learning outcomes, a daily snapshot for ten years, 20,000 scored
articles and the weight history of four strategies — written through ``SqlStore`` (the
same rows the engine writes), deterministic from a seed.

    .venv/bin/python bench/api_store.py OUT.db [--decisions 100000] [--trades 10000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.enums import (
    DecisionAction,
    Direction,
    Mode,
    OrderSide,
    OrderStatus,
    Timeframe,
)
from tradebot.domain.messages import (
    Article,
    ClosedTrade,
    DecisionCheck,
    Fill,
    Order,
    PortfolioSnapshot,
    ScoredArticle,
    Signal,
    TradingDecision,
)
from tradebot.domain.run import RunInfo

__all__ = ["RUN_ID", "build_store"]

RUN_ID = "paper-bench-api"
SYMBOLS = ("AAPL", "MSFT", "AMZN", "GOOG", "META", "NVDA", "TSLA", "JPM", "XOM", "JNJ")
STRATEGIES = ("momentum", "macd", "mean_reversion", "news")
CHECKS = (
    "operator",
    "trading_window",
    "breakers",
    "earnings",
    "correlation",
    "sector",
    "heat",
    "sizing",
)
START = datetime(2015, 1, 2, 14, 30, tzinfo=UTC)


def _trace(rng: random.Random, act: bool) -> tuple[DecisionCheck, ...]:
    failed = len(CHECKS) if act else rng.randrange(len(CHECKS))
    return tuple(
        DecisionCheck(
            check=name,
            passed=i != failed,
            detail=f"{name} {'ok' if i != failed else 'refused'}",
            inputs={"value": round(rng.random(), 4), "limit": 0.5},
        )
        for i, name in enumerate(CHECKS[: failed + 1])
    )


def build_store(url: str, *, decisions: int = 100_000, trades: int = 10_000, seed: int = 7) -> str:
    """Write the benchmark run into ``url``; its run id."""
    rng = random.Random(seed)
    step = timedelta(minutes=10)
    with SqlStore(url, batch_size=5000) as store:
        store.start_run(
            RunInfo(
                id=RUN_ID,
                mode=Mode.PAPER,
                started_at=START,
                strategy="ensemble",
                symbols=SYMBOLS,
                timeframe=Timeframe.M5,
                data_start=START,
                data_end=START + step * decisions,
            )
        )
        store.seed_strategies(STRATEGIES)
        acted: list[TradingDecision] = []
        for i in range(decisions):
            ts = START + step * i
            symbol = SYMBOLS[i % len(SYMBOLS)]
            price = 100 + 20 * rng.random()
            act = i % 5 == 0
            weights = {name: round(rng.uniform(-1, 1), 3) for name in STRATEGIES}
            signal = Signal(
                id=f"sig-{i}",
                ts=ts,
                symbol=symbol,
                direction=Direction.LONG if i % 2 else Direction.SHORT,
                strength=round(rng.random(), 3),
                confidence=round(rng.random(), 3),
                price=price,
                sources=weights,
            )
            store.record_signal(RUN_ID, signal)
            decision = TradingDecision(
                id=f"dec-{i}",
                signal_id=signal.id,
                ts=ts,
                symbol=symbol,
                action=DecisionAction.ACT if act else DecisionAction.SKIP,
                side=OrderSide.BUY if act else None,
                quantity=Decimal(10) if act else Decimal(0),
                reference_price=Decimal(f"{price:.2f}"),
                reason="all checks passed" if act else "refused by a check",
                trace=_trace(rng, act),
                strategies=STRATEGIES[: 1 + i % 4],
            )
            store.record_decision(RUN_ID, decision)
            if act and len(acted) < trades * 2:
                acted.append(decision)
        for n in range(min(trades, len(acted) // 2)):
            entry, exit_ = acted[2 * n], acted[2 * n + 1]
            for leg, decision in (("in", entry), ("out", exit_)):
                order_id = f"tb-{decision.id}"
                store.record_order(
                    RUN_ID,
                    Order(
                        client_order_id=order_id,
                        decision_id=decision.id,
                        symbol=entry.symbol,
                        side=OrderSide.BUY if leg == "in" else OrderSide.SELL,
                        quantity=Decimal(10),
                        status=OrderStatus.FILLED,
                        created_at=decision.ts,
                    ),
                )
                store.record_fill(
                    RUN_ID,
                    Fill(
                        fill_id=f"fill-{decision.id}",
                        client_order_id=order_id,
                        symbol=entry.symbol,
                        side=OrderSide.BUY if leg == "in" else OrderSide.SELL,
                        quantity=Decimal(10),
                        price=decision.reference_price,
                        commission=Decimal("0.05"),
                        ts=decision.ts + timedelta(minutes=5),
                    ),
                )
            pnl = (exit_.reference_price - entry.reference_price) * 10
            store.record_closed_trade(
                RUN_ID,
                ClosedTrade(
                    id=f"trade-{n}",
                    symbol=entry.symbol,
                    quantity=Decimal(10),
                    entry_ts=entry.ts + timedelta(minutes=5),
                    exit_ts=exit_.ts + timedelta(minutes=5),
                    entry_price=entry.reference_price,
                    exit_price=exit_.reference_price,
                    pnl=pnl,
                    commission=Decimal("0.10"),
                    return_pct=float(pnl / (entry.reference_price * 10)),
                    hold_seconds=(exit_.ts - entry.ts).total_seconds(),
                    strategies=entry.strategies,
                    entry_decision_id=entry.id,
                    exit_decision_id=exit_.id,
                ),
            )
        equity = Decimal(100_000)
        days = (step * decisions).days + 1
        for d in range(days):
            equity += Decimal(f"{rng.gauss(20, 400):.2f}")
            store.record_snapshot(
                RUN_ID,
                PortfolioSnapshot(
                    ts=START + timedelta(days=d, hours=6),
                    cash=equity / 2,
                    positions_value=equity / 2,
                    equity=equity,
                    open_positions=3,
                    realised_pnl=equity - 100_000,
                ),
            )
        for a in range(20_000):
            symbol = SYMBOLS[a % len(SYMBOLS)]
            article = Article(
                source="bench",
                url=f"https://example.invalid/{a}",
                title=f"{symbol} headline number {a}",
                body="",
                published_at=START + timedelta(minutes=50 * a),
                content_hash=f"bench-{a:08d}",
                symbols_hint=(symbol,),
            )
            store.record_article(RUN_ID, article)
            store.record_sentiment(
                RUN_ID,
                ScoredArticle(
                    article=article,
                    ticker=symbol,
                    score=round(rng.uniform(-1, 1), 3),
                    confidence=round(rng.random(), 3),
                    model="lexicon",
                ),
            )
        for w in range(200):
            for name in STRATEGIES:
                store.set_strategy_weight(
                    name, round(rng.uniform(0.1, 0.4), 4), START + timedelta(days=w), "bench"
                )
        store.finish_run(RUN_ID, "completed", START + step * decisions, {"trades": trades})
    return RUN_ID


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--trades", type=int, default=10_000)
    args = parser.parse_args()
    began = time.perf_counter()
    build_store(f"sqlite:///{args.out}", decisions=args.decisions, trades=args.trades)
    print(f"wrote {args.out} in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
