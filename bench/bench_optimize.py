"""``tradebot optimize`` on the daily standard case: does a sweep scale with the cores?

100 parameter sets of ``sma_cross`` (fast 5..14 × slow 20..38, step 2) over the harness's
20 daily symbols (2015-03-01..2024-12-31), each a full kernel backtest (``evaluate``: the
reference decision stage, an in-memory store), run twice through the optimiser's own
:class:`~tradebot.backtest.optimize.executor.Executor`:

- **serial**: ``jobs=1``, in this process — the sum of the single-run times;
- **parallel**: ``jobs=<cores>`` worker processes (forkserver with the kernel preloaded),
  wall time from the pool's start to the last result.

The target (issue 17): parallel wall ≤ 1.5 × serial / cores. The metrics of every set are
checked equal between the two runs.

    .venv/bin/python bench/bench_optimize.py [--jobs 2] [--json optimize.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from tradebot.adapters.parquet.layout import available_symbols
from tradebot.backtest.optimize.evaluate import evaluate, make_task, settings_payload
from tradebot.backtest.optimize.executor import Executor
from tradebot.config import load_settings
from tradebot.domain.enums import Timeframe

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_throughput import prepare  # noqa: E402

WINDOW = {"start": "2015-03-01", "end": "2024-12-31"}


def tasks(data: Path) -> list[dict[str, Any]]:
    symbols = tuple(available_symbols(data, Timeframe.D1))
    settings = load_settings(
        store={"url": "none"},
        risk={"engine": "reference"},
        instruments={symbol: {"asset_class": "equity"} for symbol in symbols},
    )
    payload = settings_payload(settings)
    return [
        make_task(
            settings=payload,
            strategy="sma_cross",
            params={"fast": fast, "slow": slow},
            symbols=symbols,
            window=WINDOW,
            data_dir=data,
            timeframe="1d",
        )
        for fast in range(5, 15)
        for slow in range(20, 40, 2)
    ]


def run(jobs: int, work: list[dict[str, Any]], label: str) -> tuple[float, list[dict[str, Any]]]:
    with Progress(transient=True) as progress:
        bar = progress.add_task(label, total=len(work))
        started = time.perf_counter()
        with Executor(
            jobs=jobs, progress=lambda done, _: progress.update(bar, completed=done)
        ) as ex:
            ex.total = len(work)
            results = ex.map(work)
        return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--work", type=Path, default=HERE / ".peer-bench")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    data = prepare(args.shared.resolve(), args.work.resolve())
    work = tasks(data)
    evaluate(work[0])  # imports and first-use caches, as a worker's preload has them
    serial, expected = run(1, work, "serial")
    parallel, got = run(args.jobs, work, f"{args.jobs} workers")
    assert [r["metrics"] for r in got] == [r["metrics"] for r in expected], "results differ"
    assert all(r["error"] is None for r in got), [r["error"] for r in got if r["error"]]
    ideal = serial / args.jobs
    row = {
        "sets": len(work),
        "jobs": args.jobs,
        "serial_s": round(serial, 2),
        "per_set_ms": round(1000 * serial / len(work), 1),
        "parallel_s": round(parallel, 2),
        "ideal_s": round(ideal, 2),
        "ratio": round(parallel / ideal, 2),
    }
    table = Table(title="tradebot optimize: 100 sets, daily standard case")
    for key in row:
        table.add_column(key, justify="right")
    table.add_row(*(str(v) for v in row.values()))
    Console().print(table)
    if args.json is not None:
        args.json.write_text(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
