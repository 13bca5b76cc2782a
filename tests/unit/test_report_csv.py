"""The CSV exports read back to exactly what the run produced."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import numpy as np

from tests.unit.test_report_html import HOSTILE, sample, trade
from tradebot.backtest.report import CSV_FILES, write_csv
from tradebot.backtest.report.data import to_values


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_file_is_written_and_listed(tmp_path: Path) -> None:
    written = write_csv(tmp_path / "out", sample())
    assert [p.name for p in written] == list(CSV_FILES)
    assert all(p.parent == tmp_path / "out" and p.stat().st_size > 0 for p in written)


def test_trades_round_trip_exactly(tmp_path: Path) -> None:
    data = sample(trades=[trade("MSFT", 20, 7, "200.125", "210.5"), trade(HOSTILE, 1, 2, "1", "2")])
    write_csv(tmp_path, data)
    rows = _read(tmp_path / "trades.csv")
    assert [r["symbol"] for r in rows] == [HOSTILE, "MSFT"]  # in exit order
    msft = rows[1]
    original = data.trades[0]
    assert Decimal(msft["entry_price"]) == original.entry_price
    assert Decimal(msft["pnl"]) == original.pnl
    assert float(msft["return_pct"]) == original.return_pct
    assert float(msft["hold_seconds"]) == original.hold_seconds
    assert msft["entry_time"] == original.entry_ts.isoformat()
    assert msft["strategies"] == "macd"


def test_equity_has_every_point_with_its_drawdown(tmp_path: Path) -> None:
    data = sample(n=3_000)
    write_csv(tmp_path, data)
    rows = _read(tmp_path / "equity.csv")
    equity = to_values(data.equity)
    assert len(rows) == equity.size
    assert [float(r["equity"]) for r in rows] == equity.tolist()
    drawdown = np.array([float(r["drawdown"]) for r in rows])
    assert drawdown.max() == 0.0
    assert drawdown.min() == equity.min() / np.maximum.accumulate(equity)[equity.argmin()] - 1
    assert rows[0]["ts"] == "2019-01-02T21:00:00+00:00"


def test_metrics_are_name_value_rows_of_the_scalars(tmp_path: Path) -> None:
    data = sample()
    write_csv(tmp_path, data)
    rows = {r["name"]: r["value"] for r in _read(tmp_path / "metrics.csv")}
    assert float(rows["total_return"]) == data.metrics["total_return"]
    assert rows["profit_factor"] == ""
    assert rows["trades"] == "3"
    assert "monthly_returns" not in rows and "strategies" not in rows


def test_monthly_returns_and_skip_reasons(tmp_path: Path) -> None:
    write_csv(tmp_path, sample())
    months = _read(tmp_path / "monthly_returns.csv")
    assert [r["year"] for r in months] == ["2019", "2020"]
    assert months[0]["Jan"] != "" and months[1]["Dec"] == ""  # 500 days end in May 2020
    growth = np.prod([1 + float(months[0][m]) for m in months[0] if m not in ("year", "total")])
    assert abs(growth - 1 - float(months[0]["total"])) < 1e-12
    reasons = _read(tmp_path / "skip_reasons.csv")
    assert reasons == [
        {"reason": "holding to exit", "count": "12"},
        {"reason": "max open positions", "count": "7"},
    ]
