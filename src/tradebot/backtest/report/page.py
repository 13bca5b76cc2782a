"""The HTML report: one self-contained page, viewable offline, the same bytes for the same run.

Nothing is fetched: the charts are inline SVG, the stylesheet is inline, fonts are the
system's, and there is no script at all. A Content-Security-Policy that allows only inline
styles makes a browser refuse any outside reference (or any injected script) should one
ever slip in. No clock is read, so rendering twice gives identical files.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tradebot.backtest.metrics import monthly_returns
from tradebot.backtest.report.charts import (
    MAX_MARKED_TRADES,
    drawdown,
    drawdown_chart,
    equity_chart,
    price_chart,
)
from tradebot.backtest.report.data import ReportData, to_ns, to_values
from tradebot.backtest.report.formatting import money, stamp, utc
from tradebot.backtest.report.heatmap import monthly_heatmap
from tradebot.backtest.report.style import CSS
from tradebot.backtest.report.svg import esc
from tradebot.backtest.report.tables import (
    attribution_table,
    format_metric,
    metrics_table,
    skip_table,
    trades_table,
)
from tradebot.backtest.report.weights_chart import weights_chart
from tradebot.domain.messages import ClosedTrade

__all__ = ["MAX_PRICE_CHARTS", "render_html", "write_html"]

MAX_PRICE_CHARTS = 12
"""Symbols drawn with their trades; the most traded first."""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document (a ``str``; write it as UTF-8)."""
    t, equity = to_ns(data.equity_ts), to_values(data.equity)
    if t.size != equity.size:
        raise ValueError(f"{t.size} equity times for {equity.size} equity values")
    bench = None
    if data.benchmark is not None:
        bench = (to_ns(data.benchmark[0]), to_values(data.benchmark[1]))
    sections = [
        _header(data, t),
        _kpis(data),
        _section(
            "performance",
            "Equity and drawdown",
            equity_chart(t, equity, bench, data.benchmark_label)
            + drawdown_chart(t, drawdown(equity)),
        ),
        _section(
            "monthly",
            "Monthly returns",
            monthly_heatmap(monthly_returns(t.view("datetime64[ns]"), equity) if t.size else []),
        ),
        _section("metrics", "Metrics", metrics_table(data.metrics)),
        *_weights_section(data, t),
        _section("prices", "Trades on price", _price_charts(data)),
        '<div class="two-col">'
        + _section("strategies", "Strategy attribution", _attribution(data))
        + _section("skips", "Skipped decisions", skip_table(data.skip_reasons))
        + "</div>",
        _section("trade-list", "Closed trades", trades_table(data.trades)),
    ]
    footer = (
        f"<footer>tradebot backtest report · run {esc(data.run_id)} · all times UTC · "
        "money in the account currency</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{esc(data.title)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(sections)}{footer}</main></body></html>\n"
    )


def _weights_section(data: ReportData, t: npt.NDArray[np.int64]) -> list[str]:
    """The learned weights' chart, for a run that learned them (none otherwise)."""
    if not data.weights:
        return []
    span = (int(t[0]), int(t[-1])) if t.size else (0, 1)
    return [_section("weights", "Learned strategy weights", weights_chart(data.weights, *span))]


def write_html(path: Path | str, data: ReportData) -> Path:
    """Render the report into ``path`` (parent folders created) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(data), encoding="utf-8", newline="\n")
    return target


def _section(element_id: str, heading: str, body: str) -> str:
    return f'<section id="sec-{element_id}"><h2>{esc(heading)}</h2>{body}</section>'


def _symbols(data: ReportData) -> list[str]:
    traded = Counter(tr.symbol for tr in data.trades)
    return sorted(set(traded) | set(data.prices), key=lambda s: (-traded[s], s))


def _header(data: ReportData, t: npt.NDArray[np.int64]) -> str:
    span = (
        f"{stamp(utc(t[0]), time=False)} → {stamp(utc(t[-1]), time=False)}" if t.size else "no bars"
    )
    symbols = _symbols(data)
    shown = ", ".join(symbols[:20]) + (
        f" and {len(symbols) - 20} more" if len(symbols) > 20 else ""
    )
    facts = [
        f"Run <code>{esc(data.run_id)}</code>",
        f'<span class="status status-{esc(data.status)}">{esc(data.status)}</span>',
        esc(span),
    ]
    if symbols:
        facts.append(esc(shown))
    return f'<header><h1>{esc(data.title)}</h1><p class="sub">{" · ".join(facts)}</p></header>'


def _kpis(data: ReportData) -> str:
    """The headline figures as cards; green or red where the sign is good or bad news."""
    m = data.metrics
    cards = [
        ("Total return", "total_return", _signed(m.get("total_return"))),
        ("Annual return", "annual_return", _signed(m.get("annual_return"))),
        ("Sharpe", "sharpe", _signed(m.get("sharpe"))),
        ("Max drawdown", "max_drawdown", "neg" if (m.get("max_drawdown") or 0) < 0 else ""),
        ("Win rate", "win_rate", ""),
        ("Trades", "trades", ""),
        ("Profit factor", "profit_factor", ""),
    ]
    if m.get("benchmark_return") is not None:
        cards.append(("Benchmark return", "benchmark_return", _signed(m["benchmark_return"])))
    body = "".join(
        f'<div class="kpi" data-metric="{key}"><div class="kpi-label">{esc(label)}</div>'
        f'<div class="kpi-value {tone}">{esc(format_metric(key, m.get(key)))}</div></div>'
        for label, key, tone in cards
    )
    return f'<section id="sec-summary" class="kpis">{body}</section>'


def _signed(value: object) -> str:
    if isinstance(value, int | float) and value:
        return "pos" if value > 0 else "neg"
    return ""


def _price_charts(data: ReportData) -> str:
    by_symbol: dict[str, list[ClosedTrade]] = {}
    for tr in data.trades:
        by_symbol.setdefault(tr.symbol, []).append(tr)
    traded = [s for s in _symbols(data) if s in by_symbol]
    if not traded:
        return '<p class="note">No closed trades to mark.</p>'
    figures = []
    for index, symbol in enumerate(traded[:MAX_PRICE_CHARTS]):
        trades = by_symbol[symbol]
        wins = sum(1 for tr in trades if tr.pnl > 0)
        net = float(sum(tr.pnl for tr in trades))
        tone = "pos" if net > 0 else ("neg" if net < 0 else "")
        series = data.prices.get(symbol)
        t, close = (
            (to_ns(series[0]), to_values(series[1]))
            if series is not None
            else (np.empty(0, dtype=np.int64), np.empty(0))
        )
        caption = (
            f"<strong>{esc(symbol)}</strong> · {len(trades):,} trades · {wins:,} wins · "
            f'P&amp;L <span class="{tone}">{money(net)}</span>'
        )
        if len(trades) > MAX_MARKED_TRADES:
            caption += f" · marking the {MAX_MARKED_TRADES} largest by |P&amp;L|"
        if series is None:
            caption += " · no prices given"
        figures.append(
            f'<figure class="price"><figcaption>{caption}</figcaption>'
            f"{price_chart(index, symbol, t, close, trades)}</figure>"
        )
    note = ""
    if len(traded) > MAX_PRICE_CHARTS:
        note = (
            f'<p class="note">Showing the {MAX_PRICE_CHARTS} most traded of {len(traded)} '
            "symbols.</p>"
        )
    return f'<div class="price-grid">{"".join(figures)}</div>{note}'


def _attribution(data: ReportData) -> str:
    if not data.attribution:
        return '<p class="note">No strategy attribution recorded.</p>'
    net = sum(float(s.get("pnl", 0.0)) for s in data.attribution.values())
    note = (
        '<p class="note">A trade opened on several strategies\' signals splits its P&amp;L '
        f"equally between them; the shares add up to the net P&amp;L ({money(net)}).</p>"
    )
    return attribution_table(data.attribution) + note
