"""The report's HTML tables: metrics in groups, skip reasons, strategy attribution, trades.

Known metric keys (those of :func:`tradebot.backtest.metrics.summarise` and the kernel's
additions) get a label, a group and a format; any other scalar key is still shown, under
"Other", so a metric added later is never silently dropped. Lists and dicts in the metrics
(the monthly table, the attribution) have their own sections and are skipped here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tradebot.backtest.report.formatting import DASH, duration, money, number, pct, stamp
from tradebot.backtest.report.svg import esc
from tradebot.domain.messages import ClosedTrade

__all__ = [
    "MAX_TRADE_ROWS",
    "METRICS",
    "attribution_table",
    "format_metric",
    "metric_rows",
    "metrics_table",
    "skip_table",
    "trades_table",
]

MAX_TRADE_ROWS = 500
"""Trades listed in the page; the CSV export always has all of them."""

# key: (group, label, kind)
METRICS: dict[str, tuple[str, str, str]] = {
    "initial_equity": ("Returns", "Initial equity", "money"),
    "final_equity": ("Returns", "Final equity", "money"),
    "net_pnl": ("Returns", "Net P&L", "money"),
    "total_return": ("Returns", "Total return", "pct"),
    "annual_return": ("Returns", "Annual return (CAGR)", "pct"),
    "benchmark_return": ("Returns", "Benchmark return", "pct"),
    "alpha": ("Returns", "Alpha (annual)", "pct"),
    "beta": ("Returns", "Beta", "ratio"),
    "annual_volatility": ("Risk", "Annual volatility", "pct"),
    "sharpe": ("Risk", "Sharpe ratio", "ratio"),
    "sortino": ("Risk", "Sortino ratio", "ratio"),
    "calmar": ("Risk", "Calmar ratio", "ratio"),
    "max_drawdown": ("Risk", "Max drawdown", "pct"),
    "max_drawdown_duration_s": ("Risk", "Longest drawdown", "duration"),
    "max_drawdown_duration_bars": ("Risk", "Longest drawdown (bars)", "int"),
    "max_drawdown_start": ("Risk", "Longest drawdown from", "time"),
    "max_drawdown_end": ("Risk", "Longest drawdown until", "time"),
    "max_drawdown_recovered": ("Risk", "Recovered", "bool"),
    "exposure": ("Risk", "Exposure (time in market)", "pct"),
    "trades": ("Trades", "Closed trades", "int"),
    "wins": ("Trades", "Wins", "int"),
    "losses": ("Trades", "Losses", "int"),
    "win_rate": ("Trades", "Win rate", "pct"),
    "profit_factor": ("Trades", "Profit factor", "ratio"),
    "expectancy": ("Trades", "Expectancy per trade", "money"),
    "avg_win": ("Trades", "Average win", "money"),
    "avg_loss": ("Trades", "Average loss", "money"),
    "largest_win": ("Trades", "Largest win", "money"),
    "largest_loss": ("Trades", "Largest loss", "money"),
    "gross_profit": ("Trades", "Gross profit", "money"),
    "gross_loss": ("Trades", "Gross loss", "money"),
    "avg_hold_s": ("Trades", "Average holding time", "duration"),
    "open_positions": ("Trades", "Positions open at the end", "int"),
    "decisions_acted": ("Run", "Decisions acted on", "int"),
    "decisions_skipped": ("Run", "Decisions skipped", "int"),
    "start": ("Run", "First bar", "time"),
    "end": ("Run", "Last bar", "time"),
    "daily_returns": ("Run", "Daily returns", "int"),
    "days": ("Run", "Days", "int"),
    "periods_per_year": ("Run", "Periods per year", "number"),
    "risk_free_rate": ("Run", "Risk-free rate (per day)", "pct"),
}
GROUPS = ("Returns", "Risk", "Trades", "Run", "Other")


def _time(value: Any) -> str:
    if isinstance(value, datetime):
        return stamp(value)
    try:
        return stamp(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


_FORMATS: dict[str, Callable[[Any], str]] = {
    "money": lambda v: money(float(v)),
    "pct": lambda v: pct(float(v)),
    "ratio": lambda v: number(float(v), 2) if math.isfinite(float(v)) else "∞",
    "int": lambda v: number(float(v), 0),
    "number": lambda v: number(float(v), 4).rstrip("0").rstrip("."),
    "duration": lambda v: duration(float(v)),
    "time": _time,
    "bool": lambda v: "yes" if v else "no",
}


def format_metric(key: str, value: Any) -> str:
    """The text of one metric value in the report (``—`` for ``None``)."""
    if value is None:
        return DASH
    kind = METRICS.get(key, ("", "", "auto"))[2]
    if kind == "auto":
        if isinstance(value, bool):
            kind = "bool"
        elif isinstance(value, int):
            kind = "int"
        elif isinstance(value, float):
            kind = "number"
        else:
            return str(value)
    try:
        return _FORMATS[kind](value)
    except (TypeError, ValueError):
        return str(value)


def metric_rows(metrics: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """``(group, key, label, text)`` for each scalar metric, by group then the known order."""
    known = [k for k in METRICS if k in metrics]
    other = [k for k in metrics if k not in METRICS]
    rows = []
    for key in known + other:
        value = metrics[key]
        if isinstance(value, Mapping | list | tuple):
            continue
        group, label, _ = METRICS.get(key, ("Other", key.replace("_", " ").capitalize(), ""))
        rows.append((group, key, label, format_metric(key, value)))
    return sorted(rows, key=lambda row: GROUPS.index(row[0]))


def _tone(key: str, value: Any) -> str:
    """``pos``/``neg`` for figures whose sign is good or bad news, else nothing."""
    signed = {"net_pnl", "total_return", "annual_return", "alpha", "sharpe", "sortino"}
    if key in signed and isinstance(value, int | float) and math.isfinite(value) and value:
        return ' class="pos"' if value > 0 else ' class="neg"'
    return ""


def metrics_table(metrics: Mapping[str, Any]) -> str:
    """The metrics as one table per group, side by side, inside ``#metrics-table``."""
    groups: dict[str, list[str]] = {}
    for group, key, label, text in metric_rows(metrics):
        groups.setdefault(group, []).append(
            f'<tr data-metric="{esc(key)}"><th scope="row">{esc(label)}</th>'
            f"<td{_tone(key, metrics[key])}>{esc(text)}</td></tr>"
        )
    tables = [
        f'<table class="metrics"><caption>{esc(group)}</caption><tbody>{"".join(rows)}</tbody>'
        "</table>"
        for group, rows in groups.items()
    ]
    return f'<div id="metrics-table" class="metric-groups">{"".join(tables)}</div>'


def skip_table(reasons: Mapping[str, int]) -> str:
    """Skipped decisions by the check that stopped them, most frequent first, with shares."""
    if not reasons:
        return '<p id="skip-reasons" class="note">No decision was skipped.</p>'
    total = sum(reasons.values())
    rows = []
    for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        share = count / total if total else 0.0
        rows.append(
            f'<tr><td class="reason">{esc(reason)}</td><td class="num">{count:,}</td>'
            f'<td class="num">{pct(share, 1)}</td><td class="bar-cell"><span class="bar" '
            f'style="width:{share * 100:.1f}%"></span></td></tr>'
        )
    return (
        '<table id="skip-reasons" class="data"><thead><tr><th>Reason</th>'
        '<th class="num">Count</th><th class="num">Share</th><th></th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody><tfoot><tr><th>Total</th>"
        f'<td class="num">{total:,}</td><td class="num">100.0%</td><td></td></tr></tfoot></table>'
    )


def attribution_table(attribution: Mapping[str, Mapping[str, float]]) -> str:
    """P&L share and trade counts per strategy, best first."""
    rows = []
    ordered = sorted(attribution.items(), key=lambda kv: (-float(kv[1].get("pnl", 0.0)), kv[0]))
    for name, share in ordered:
        trades = int(share.get("trades", 0))
        wins = int(share.get("wins", 0))
        pnl = float(share.get("pnl", 0.0))
        tone = (
            ' class="num pos"' if pnl > 0 else (' class="num neg"' if pnl < 0 else ' class="num"')
        )
        rows.append(
            f'<tr><td>{esc(name)}</td><td class="num">{trades:,}</td>'
            f'<td class="num">{wins:,}</td><td class="num">{int(share.get("losses", 0)):,}</td>'
            f'<td class="num">{pct(wins / trades if trades else None, 1)}</td>'
            f"<td{tone}>{money(pnl)}</td></tr>"
        )
    return (
        '<table id="attribution" class="data"><thead><tr><th>Strategy</th>'
        '<th class="num">Trades</th><th class="num">Wins</th><th class="num">Losses</th>'
        '<th class="num">Win rate</th><th class="num">P&amp;L share</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def trades_table(trades: Sequence[ClosedTrade]) -> str:
    """The closed trades in time order, the first :data:`MAX_TRADE_ROWS` of them."""
    ordered = sorted(trades, key=lambda tr: (tr.exit_ts, tr.entry_ts, tr.symbol))
    rows = []
    for tr in ordered[:MAX_TRADE_ROWS]:
        tone = "pos" if tr.pnl > 0 else ("neg" if tr.pnl < 0 else "")
        rows.append(
            f"<tr><td>{esc(tr.symbol)}</td><td>{esc(stamp(tr.entry_ts))}</td>"
            f"<td>{esc(stamp(tr.exit_ts))}</td>"
            f'<td class="num">{esc(f"{tr.quantity.normalize():f}")}</td>'
            f'<td class="num">{money(float(tr.entry_price))}</td>'
            f'<td class="num">{money(float(tr.exit_price))}</td>'
            f'<td class="num {tone}">{money(float(tr.pnl))}</td>'
            f'<td class="num {tone}">{pct(tr.return_pct, 2, signed=True)}</td>'
            f'<td class="num">{duration(tr.hold_seconds)}</td>'
            f"<td>{esc(', '.join(tr.strategies))}</td></tr>"
        )
    more = len(ordered) - MAX_TRADE_ROWS
    note = (
        f'<p class="note">Showing the first {MAX_TRADE_ROWS:,} of {len(ordered):,} trades; '
        "trades.csv has all of them.</p>"
        if more > 0
        else ""
    )
    return (
        '<table id="trades" class="data"><thead><tr><th>Symbol</th><th>Entry</th><th>Exit</th>'
        '<th class="num">Quantity</th><th class="num">Entry price</th>'
        '<th class="num">Exit price</th><th class="num">P&amp;L</th><th class="num">Return</th>'
        f'<th class="num">Held</th><th>Strategies</th></tr></thead><tbody>{"".join(rows)}'
        f"</tbody></table>{note}"
    )
