"""The drift report as files a program reads: JSON (everything) and CSV (one row per real
fill, exact: decimals as the ledger's text, times ISO 8601 UTC, latencies in seconds, an
empty cell where the simulation has no counterpart)."""

from __future__ import annotations

import csv
from dataclasses import asdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradebot.backtest.drift.model import DriftReport, FillDrift, SymbolDrift, Unmatched

__all__ = [
    "FILL_COLUMNS",
    "drift_payload",
    "fill_record",
    "summary_record",
    "unmatched_record",
    "write_csv",
]

FILL_COLUMNS = (
    "symbol",
    "client_order_id",
    "fill_id",
    "side",
    "type",
    "created_at",
    "ts",
    "sim_ts",
    "quantity",
    "sim_quantity",
    "quantity_diff",
    "price",
    "sim_price",
    "price_diff",
    "bps",
    "cost",
    "commission",
    "sim_commission",
    "latency_s",
    "sim_latency_s",
)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return repr(value.total_seconds())
    if isinstance(value, Decimal) and not value:
        return "0"  # not "0E-19": a difference of exact prices that agree
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(getattr(value, "value", value))


def fill_record(row: FillDrift) -> dict[str, str | None]:
    """One fill's columns as exact text (decimals as the ledger's, times ISO 8601 UTC,
    latencies in seconds); ``None`` where the simulation has no counterpart."""
    fill, order = row.fill, row.order
    values: dict[str, object] = {
        "symbol": fill.symbol,
        "client_order_id": fill.client_order_id,
        "fill_id": fill.fill_id,
        "side": fill.side,
        "type": order.type,
        "created_at": order.created_at,
        "ts": fill.ts,
        "sim_ts": row.sim_ts,
        "quantity": fill.quantity,
        "sim_quantity": row.sim_quantity,
        "quantity_diff": row.quantity_diff,
        "price": fill.price,
        "sim_price": row.sim_price,
        "price_diff": row.price_diff,
        "bps": row.bps,
        "cost": row.cost,
        "commission": fill.commission,
        "sim_commission": row.sim_commission if row.sim_price is not None else None,
        "latency_s": row.latency,
        "sim_latency_s": row.sim_latency,
    }
    return {k: _text(values[k]) for k in FILL_COLUMNS}


def unmatched_record(item: Unmatched) -> dict[str, str | None]:
    order = item.order
    return {
        "symbol": order.symbol,
        "client_order_id": order.client_order_id,
        "side": order.side.value,
        "type": order.type.value,
        "created_at": order.created_at.isoformat(),
        "status": order.status.value,
        "filled_by": "venue" if item.venue else "simulation",
        "quantity": str(item.quantity),
        "price": _text(item.price),
        "what": item.what,
    }


def summary_record(summary: SymbolDrift) -> dict[str, Any]:
    return {k: (_text(v) if isinstance(v, Decimal) else v) for k, v in asdict(summary).items()}


def drift_payload(report: DriftReport, **about: str) -> dict[str, Any]:
    """Everything in the report as JSON-ready values; ``about``: run facts (mode, data)."""
    return {
        "run_id": report.run_id,
        **about,
        "overall": summary_record(report.overall) if report.overall else None,
        "symbols": {s: summary_record(v) for s, v in report.by_symbol.items()},
        "fills": [fill_record(r) for r in report.rows],
        "unmatched": [unmatched_record(u) for u in report.unmatched],
    }


def write_csv(path: Path, report: DriftReport) -> None:
    """One row per real fill (its order's unmatched fills too, with empty simulated cells)."""
    rows = list(report.rows)
    for item in report.unmatched:
        if item.venue:
            rows.extend(
                FillDrift(item.order, f, Decimal(0), None, Decimal(0), None) for f in item.fills
            )
    rows.sort(key=lambda r: (r.fill.ts, r.fill.fill_id))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FILL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in fill_record(row).items()})
