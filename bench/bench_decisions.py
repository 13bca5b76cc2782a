"""Decision latency of the autonomous risk engine: signal in → decision persisted (SQLite).

The kernel is built as ``tradebot paper`` builds it — the risk stage, the order manager, the
paper venue and a SQL store that commits every record before the next step (durable
SQLite: WAL, ``synchronous=FULL``) — and warmed up on the first half of 2019 of the
bundled daily bars of ten stocks, so the book holds six positions with stops, the market
state has ATRs and 90 days of returns and the correlation and heat checks have work to
do. Then ``--signals``
signals (random symbol, direction and confidence, two minutes apart) go one at a time
through ``RiskStage.on_signal``:

- *persisted*: from the call until ``record_decision`` has committed the decision;
- *handled*: until the handler returns (the entry's order and bracket are recorded too and
  the venue has them).

Entries that acted are cancelled again after each measurement (outside the timing), so
every signal meets the same kind of book instead of one that fills up with pending orders.
The collector runs with the thresholds the kernel's run loop sets. Wall time and this
thread's CPU time are both reported (on a shared machine the wall-time tail is partly the
scheduler's and the disk's).

    .venv/bin/python bench/bench_decisions.py --signals 10000 [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tradebot.adapters.sql.store import SqlStore
from tradebot.config import load_settings
from tradebot.data import sample_data_dir
from tradebot.domain.enums import DecisionAction, Direction
from tradebot.domain.messages import Signal, TradingDecision
from tradebot.engine.ids import client_order_id, signal_id
from tradebot.engine.risk_stage import RiskStage
from tradebot.ops.logging import configure_logging
from tradebot.runtime.wiring import RunRequest, build_kernel

SYMBOLS = ("AAPL", "AMZN", "GOOGL", "JNJ", "JPM", "KO", "MSFT", "NVDA", "TSLA", "XOM")


class TimedStore(SqlStore):
    """The SQL store, noting when each ``record_decision`` has returned (committed)."""

    writing_ns = 0
    persisted_ns = 0

    def record_decision(self, run_id: str, decision: TradingDecision) -> None:
        self.writing_ns = time.perf_counter_ns()
        super().record_decision(run_id, decision)
        self.persisted_ns = time.perf_counter_ns()


def _percentiles(values_ns: list[int]) -> dict[str, float]:
    ms = np.array(values_ns) / 1e6
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "max_ms": float(ms.max()),
    }


def run(signals: int, seed: int) -> dict[str, Any]:
    configure_logging("WARNING", json_output=False)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = load_settings(store={"url": url})
        request = RunRequest(
            symbols=SYMBOLS,
            start=datetime(2019, 1, 1, tzinfo=UTC),
            end=datetime(2019, 6, 28, tzinfo=UTC),
            strategies=("momentum", "macd", "mean_reversion"),
            data_dir=sample_data_dir("equities_daily"),
        )
        store = TimedStore(url, batch_size=1)
        try:
            kernel = build_kernel(settings, request, store)
            warm = kernel.run()
            stage = kernel.decisions
            assert isinstance(stage, RiskStage)
            book = len(kernel.portfolio.positions)
            return {
                "signals": signals,
                "warm_up": {"bars": warm.counts["bars"], "positions_held": book},
                **_measure(kernel, stage, store, signals, seed),
            }
        finally:
            store.close()


def _measure(kernel: Any, stage: RiskStage, store: TimedStore, n: int, seed: int) -> dict[str, Any]:
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)  # the collector as the kernel's run loop sets it
    try:
        return _signals(kernel, stage, store, n, seed)
    finally:
        gc.set_threshold(*before)


def _signals(kernel: Any, stage: RiskStage, store: TimedStore, n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    start = datetime(2019, 7, 1, 13, 30, tzinfo=UTC)
    persisted, handled, cpu, decide, commit = [], [], [], [], []
    outcomes = {"act": 0, "skip": 0}
    prices = {s: kernel.portfolio.mark(s) or 100.0 for s in SYMBOLS}
    for i in range(n):
        symbol = rng.choice(SYMBOLS)
        ts = start + timedelta(minutes=2 * i)
        signal = Signal(
            id=signal_id(kernel.run_info.id, symbol, ts, f"bench-{i}"),
            ts=ts,
            symbol=symbol,
            direction=Direction.LONG if rng.random() < 0.7 else Direction.SHORT,
            strength=0.6,
            confidence=round(rng.uniform(0.45, 0.9), 3),
            price=prices[symbol],
            sources={"momentum": 0.6},
        )
        store.record_signal(kernel.run_info.id, signal)  # as the signal stage does, untimed
        c0 = time.thread_time_ns()
        t0 = time.perf_counter_ns()
        stage.on_signal(signal)
        t1 = time.perf_counter_ns()
        cpu.append(time.thread_time_ns() - c0)
        persisted.append(store.persisted_ns - t0)
        decide.append(store.writing_ns - t0)
        commit.append(store.persisted_ns - store.writing_ns)
        handled.append(t1 - t0)
        decided = store.recent_decisions(run_id=kernel.run_info.id, limit=1)[0]
        acted = decided.action is DecisionAction.ACT
        outcomes["act" if acted else "skip"] += 1
        if acted:  # put the book back (not timed): cancel the order and its bracket
            _cancel(kernel, client_order_id(decided.id))
    return {
        "outcomes": outcomes,
        "persisted": _percentiles(persisted),
        "of_which_deciding": _percentiles(decide),
        "of_which_committing": _percentiles(commit),
        "handled": _percentiles(handled),
        "handled_cpu": _percentiles(cpu),
    }


def _cancel(kernel: Any, coid: str) -> None:
    broker = kernel._broker
    broker.cancel(coid)
    cancelled = broker.lookup(coid)
    if cancelled is not None:
        kernel.orders.on_venue_update(cancelled)
    for update in broker.order_updates():
        kernel.orders.on_venue_update(update)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = run(args.signals, args.seed)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
