"""A decision stays well under a millisecond on a ten-position book (the design target).

Median of a few hundred decisions, so a busy machine does not decide the outcome; the
measured figures (p50 ≈ 0.1 ms) are in ``src/tradebot/risk/README.md``.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tradebot.data.reference import bundled_earnings, bundled_sectors
from tradebot.domain.enums import Direction
from tradebot.risk import (
    PositionView,
    ReturnSeries,
    RiskConfig,
    RiskEngine,
    SignalView,
    StaticMarket,
    StaticPortfolio,
    exchange_sessions,
)
from tradebot.risk.config import PortfolioRules
from tradebot.risk.stops import StopLevels

NOW = datetime(2021, 3, 2, 16, tzinfo=UTC)
HELD = ("AAPL", "MSFT", "AMZN", "JPM", "XOM", "KO", "JNJ", "NVDA", "TSLA", "BAC")
CANDIDATES = ("GOOGL", "INTC", "FB", "SPY")


def test_median_decision_under_one_millisecond_with_ten_positions() -> None:
    engine = RiskEngine(
        RiskConfig(portfolio=PortfolioRules(max_open_positions=20)),  # room for an 11th
        sectors=bundled_sectors(),
        earnings=bundled_earnings(),
        calendar=exchange_sessions(date(2021, 1, 1), date(2021, 12, 31)),
    )
    rnd = random.Random(7)
    days = tuple(date(2020, 6, 1) + timedelta(days=i) for i in range(120))
    returns = {
        s: ReturnSeries(days, tuple(rnd.gauss(0, 0.01) for _ in days)) for s in HELD + CANDIDATES
    }
    positions = [
        PositionView(s, Decimal(20), Decimal(100), Decimal("101.3"), NOW - timedelta(days=3))
        for s in HELD
    ]
    stops = {
        s: StopLevels(
            s,
            Decimal(100),
            Decimal(96),
            Decimal(108),
            2.0,
            Decimal(2),
            Decimal(2),
            Decimal("0.01"),
            0.6,
            False,
            NOW,
            NOW,
        )
        for s in HELD
    }
    state = engine.initial_state().evolve(stops=stops)
    portfolio = StaticPortfolio.of(Decimal(200_000), *positions)
    market = StaticMarket(atrs=dict.fromkeys(HELD + CANDIDATES, 2.0), returns=returns)
    timings = []
    for i in range(400):
        signal = SignalView(f"s{i}", CANDIDATES[i % 4], NOW, Direction.LONG, 0.7, Decimal(150))
        start = time.perf_counter()
        outcome = engine.decide(signal, portfolio, market, state, NOW)
        outcome.to_decision(signal)
        timings.append(time.perf_counter() - start)
    assert len(outcome.checks) > 10  # the full path ran, not an early skip
    assert statistics.median(timings[50:]) < 0.001
