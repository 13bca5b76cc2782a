"""Speed-ups change no record: the digest of everything the demo and the standard cases
store is the recorded one.

Each case runs as ``tradebot backtest`` runs it (``build_kernel`` on a fresh SQLite file,
a fixed run id so that ids are comparable) and :func:`record_digest` hashes the stored
signals, decisions with their traces, orders, fills, trades, snapshots, positions, risk
events and states, learning records and the run's metrics, byte for byte. The recorded
values were taken before the performance work of issue 17; a change to one of them is a
change of behaviour, to be explained and re-recorded on purpose, never to make a test pass.

The standard cases use the peer harness's data (``../shared/bench/gen_data.py``, fixed
seed): the 20 daily symbols, and slices of the 1,000,000 minute bars (the whole series
takes too long for a test; the benchmark runs it).
"""

from __future__ import annotations

import decimal
import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from tradebot.adapters.parquet import available_symbols
from tradebot.adapters.parquet.layout import OhlcvArrays, bar_file, write_ohlcv_files
from tradebot.config import load_settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.domain.enums import Timeframe
from tradebot.runtime.wiring import RunRequest, build_kernel, open_store
from tradebot.testing.record_digest import record_counts, record_digest, table_digests

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
RUN_ID = "digest-run"
NINE = (
    "momentum",
    "mean_reversion",
    "news",
    "macd",
    "bollinger",
    "ema_cross",
    "vwap",
    "volume_profile",
    "grid",
)
MINUTE_BARS = 60_000
ENSEMBLE_BARS = 20_000

RECORDED = {
    "demo": "6af171c4e8fc1fef194ce1f0c2b6478bad96e4b65136f59daaa021d8b3811061",
    "daily_reference": "e793785a22165b3b43d45be8b26bf5b5a586bc0802e2457683338e595c657bdb",
    "daily_autonomous": "f80a68aae6c8c24132d20706b288798f98f8c3fc84158536a1c7e5e71496161f",
    "daily_all_in": "60bfdad1910d950b5a489e39a08e0050ed043b5241926eb0dceac907cf429d45",
    "minute_reference": "36532e84b8adf680c2506a6fdd49a195cff9e62e60a7ccc8e4619264177d3a41",
    "minute_ensemble": "a644367905142d3b507c6f8ab2e024e56718f06e362b1356b62c392b092248ed",
}
"""The digests before issue 17's speed-ups (commit 82c7ce8's behaviour)."""


def _gen_data() -> Any:
    path = SHARED / "bench" / "gen_data.py"
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; CI runs with shared/ beside the clone")
        pytest.skip(f"{path} not available (shared/ is not beside this clone)")
    spec = importlib.util.spec_from_file_location("peer_gen_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _arrays(frame: pd.DataFrame) -> OhlcvArrays:
    ts = pd.DatetimeIndex(frame["timestamp"]).tz_convert("UTC").as_unit("ns").asi8
    cols = [frame[c].to_numpy(np.float64) for c in ("open", "high", "low", "close", "volume")]
    return OhlcvArrays(np.asarray(ts, dtype=np.int64), *cols)


@pytest.fixture(scope="module")
def standard_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The harness's daily symbols and the first minute bars, as tradebot Parquet files."""
    generate = _gen_data()
    out = tmp_path_factory.mktemp("standard")
    daily = generate.gen_daily()
    files = {
        bar_file(out, str(symbol), Timeframe.D1): _arrays(group)
        for symbol, group in daily.groupby("symbol", sort=True)
    }
    minute = generate.gen_minute().iloc[:MINUTE_BARS]
    files[bar_file(out, "MIN", Timeframe.M1)] = _arrays(minute)
    write_ohlcv_files(files)
    return out


def _run(tmp: Path, request: RunRequest, **overrides: Any) -> str:
    url = f"sqlite:///{tmp / 'digest.db'}"
    settings = load_settings(store={"url": url}, **overrides)
    store = open_store(settings, request.mode)
    try:
        build_kernel(settings, request, store).run()
    finally:
        store.close()
    return url


def _demo(tmp: Path, data: Path) -> str:
    del data
    demo = sample_data_dir("stocknet")
    request = RunRequest(
        symbols=tuple(available_symbols(demo, Timeframe.D1)),
        start=datetime(2014, 1, 1, tzinfo=UTC),
        end=datetime(2015, 12, 31, 23, 59, 59, tzinfo=UTC),
        data_dir=demo,
        news_file=sample_news_file(),
        run_id=RUN_ID,
    )
    return _run(tmp, request, learning={"enabled": True})


def _standard(timeframe: Timeframe, strategies: tuple[str, ...], data: Path) -> RunRequest:
    return RunRequest(
        symbols=tuple(available_symbols(data, timeframe)),
        data_dir=data,
        timeframe=timeframe,
        strategies=strategies,
        params={"sma_cross": {"fast": 10, "slow": 30}},
        run_id=RUN_ID,
    )


def _daily(engine: str) -> Callable[[Path, Path], str]:
    def run(tmp: Path, data: Path) -> str:
        request = _standard(Timeframe.D1, ("sma_cross",), data)
        equities = {symbol: {"asset_class": "equity"} for symbol in request.symbols}
        return _run(tmp, request, risk={"engine": engine}, instruments=equities)

    return run


def _daily_all_in(tmp: Path, data: Path) -> str:
    """The peers' case as ``bench/peers.py`` runs it (all-in, one position), on one symbol."""
    request = RunRequest(
        symbols=("SYM03",),
        data_dir=data,
        timeframe=Timeframe.D1,
        strategies=("sma_cross",),
        params={"sma_cross": {"fast": 10, "slow": 30}},
        run_id=RUN_ID,
    )
    return _run(
        tmp,
        request,
        broker={"commission_rate": "0.001", "slippage_bps": 0, "initial_cash": 100_000},
        risk={"engine": "reference", "sizing": "all_in", "max_open_positions": 1},
        instruments={"SYM03": {"asset_class": "equity"}},
    )


def _minute_reference(tmp: Path, data: Path) -> str:
    return _run(tmp, _standard(Timeframe.M1, ("sma_cross",), data), risk={"engine": "reference"})


def _minute_ensemble(tmp: Path, data: Path) -> str:
    end = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=ENSEMBLE_BARS - 1)
    request = replace(_standard(Timeframe.M1, NINE, data), end=end)
    return _run(tmp, request, risk={"engine": "reference"})


CASES: dict[str, Callable[[Path, Path], str]] = {
    "demo": _demo,
    "daily_reference": _daily("reference"),
    "daily_autonomous": _daily("autonomous"),
    "daily_all_in": _daily_all_in,
    "minute_reference": _minute_reference,
    "minute_ensemble": _minute_ensemble,
}


_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from tests.integration import test_record_digest as cases
from tradebot.ops.logging import configure_logging
configure_logging("WARNING", json_output=True)
print(cases.CASES[sys.argv[1]](Path(sys.argv[2]), Path(sys.argv[3])))
"""


@pytest.mark.parametrize("case", list(CASES))
def test_the_stored_records_are_byte_for_byte_the_recorded_ones(
    case: str, tmp_path: Path, standard_data: Path
) -> None:
    """Each case runs in a fresh interpreter, as ``tradebot backtest`` would: what a run
    stores must not depend on what else the test process did before."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _IN_A_FRESH_PROCESS, case, str(tmp_path), str(standard_data)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    url = done.stdout.strip().splitlines()[-1]
    counts = record_counts(url, RUN_ID)
    assert counts["signals"] > 0 and counts["trading_decisions"] > 0 and counts["fills"] > 0
    digest = record_digest(url, RUN_ID)
    assert digest == RECORDED[case], (
        f"{case}: the stored records changed ({counts}); per table: {table_digests(url, RUN_ID)}"
    )


def test_the_digest_sees_one_changed_byte_and_ignores_the_wall_clock(
    tmp_path: Path, standard_data: Path
) -> None:
    url = _daily_all_in(tmp_path, standard_data)
    before = table_digests(url, RUN_ID)
    engine = create_engine(url)
    with engine.begin() as connection:  # when rows were written: not part of the run
        connection.execute(text("UPDATE orders SET updated_at = '2099-01-01 00:00:00'"))
        connection.execute(text("UPDATE backtest_runs SET finished_at = '2099-01-01 00:00:00'"))
    assert record_digest(url, RUN_ID) == RECORDED["daily_all_in"]
    with engine.begin() as connection:  # one character of one decision's trace
        trace = connection.execute(text("SELECT id, trace FROM trading_decisions")).first()
        assert trace is not None
        changed = trace.trace.replace('"', "'", 1)
        connection.execute(
            text("UPDATE trading_decisions SET trace = :t WHERE id = :i"),
            {"t": changed, "i": trace.id},
        )
    after = table_digests(url, RUN_ID)
    assert [table for table in after if after[table] != before[table]] == ["trading_decisions"]
    assert record_digest(url, RUN_ID) != RECORDED["daily_all_in"]


def test_a_library_changing_the_threads_decimal_context_changes_no_record(
    tmp_path: Path, standard_data: Path
) -> None:
    """What ccxt's ``decimal_to_precision`` does to the calling thread (found when this
    test's cases ran after the CCXT tests in one process): the run computes in its own
    ledger context regardless."""
    context = decimal.getcontext()
    saved = context.copy()
    context.rounding = decimal.ROUND_HALF_UP
    context.traps[decimal.Underflow] = True
    try:
        url = CASES["daily_autonomous"](tmp_path, standard_data)
    finally:
        decimal.setcontext(saved)
    assert record_digest(url, RUN_ID) == RECORDED["daily_autonomous"]
