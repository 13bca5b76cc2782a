"""CSV exports of a report: the numbers behind the charts, for spreadsheets and notebooks.

Values are written so they read back exactly: money as the ledger's ``Decimal`` text,
floats with ``repr`` (the shortest text that round-trips), times as ISO 8601 UTC, and an
undefined figure as an empty cell. The trade columns are those ``tradebot demo`` writes,
with the holding time and the contributing strategies added.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tradebot.backtest.metrics import monthly_returns
from tradebot.backtest.report.charts import drawdown
from tradebot.backtest.report.data import ReportData, to_ns, to_values
from tradebot.backtest.report.formatting import MONTHS, utc

__all__ = ["CSV_FILES", "TRADE_FIELDS", "write_csv"]

TRADE_FIELDS = (
    "symbol",
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "quantity",
    "pnl",
    "commission",
    "return_pct",
    "hold_seconds",
    "strategies",
)
CSV_FILES = ("trades.csv", "equity.csv", "metrics.csv", "monthly_returns.csv", "skip_reasons.csv")


def write_csv(directory: Path | str, data: ReportData) -> list[Path]:
    """Write the CSV files of :data:`CSV_FILES` into ``directory`` (created) and list them.

    - ``trades.csv``: one row per closed trade, in exit order; strategies joined by ``;``.
    - ``equity.csv``: ``ts, equity, drawdown`` for every equity point (not down-sampled).
    - ``metrics.csv``: ``name, value`` for every scalar metric.
    - ``monthly_returns.csv``: ``year, Jan … Dec, total`` as fractions.
    - ``skip_reasons.csv``: ``reason, count``, most frequent first.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    t, equity = to_ns(data.equity_ts), to_values(data.equity)
    if t.size != equity.size:
        raise ValueError(f"{t.size} equity times for {equity.size} equity values")
    trades = sorted(data.trades, key=lambda tr: (tr.exit_ts, tr.entry_ts, tr.symbol))
    tables: dict[str, tuple[Sequence[str], list[list[str]]]] = {
        "trades.csv": (
            TRADE_FIELDS,
            [
                [
                    tr.symbol,
                    tr.entry_ts.isoformat(),
                    tr.exit_ts.isoformat(),
                    str(tr.entry_price),
                    str(tr.exit_price),
                    str(tr.quantity),
                    str(tr.pnl),
                    str(tr.commission),
                    repr(tr.return_pct),
                    repr(tr.hold_seconds),
                    ";".join(tr.strategies),
                ]
                for tr in trades
            ],
        ),
        "equity.csv": (
            ("ts", "equity", "drawdown"),
            [
                [utc(ns).isoformat(), repr(e), repr(d)]
                for ns, e, d in zip(
                    t.tolist(), equity.tolist(), drawdown(equity).tolist(), strict=True
                )
            ],
        ),
        "metrics.csv": (("name", "value"), _metric_rows(data.metrics)),
        "monthly_returns.csv": (
            ("year", *MONTHS, "total"),
            [
                [str(row.year), *(_cell(m) for m in row.months), _cell(row.total)]
                for row in (monthly_returns(t.view("datetime64[ns]"), equity) if t.size else [])
            ],
        ),
        "skip_reasons.csv": (
            ("reason", "count"),
            [
                [reason, str(count)]
                for reason, count in sorted(
                    data.skip_reasons.items(), key=lambda kv: (-kv[1], kv[0])
                )
            ],
        ),
    }
    written = []
    for name, (header, rows) in tables.items():
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written


def _cell(value: Any) -> str:
    """Exact text of a value; empty for ``None`` (undefined figures)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _metric_rows(metrics: Mapping[str, Any]) -> list[list[str]]:
    return [
        [name, _cell(value)]
        for name, value in metrics.items()
        if not isinstance(value, Mapping | list | tuple)
    ]
