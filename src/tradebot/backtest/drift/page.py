"""The drift report as one self-contained HTML page.

The page follows the backtest report's rules (:mod:`tradebot.backtest.report`) and reuses its
stylesheet and SVG helpers: inline CSS and SVG drawn here, no script, no outside URL, a
Content-Security-Policy that refuses any fetch, everything user-given escaped, no clock read
(the same report gives the same bytes). Charts: a box of each symbol's bps (quartiles,
median, whiskers to the 5th and 95th percentiles, the mean as a dot) and a histogram of
every fill's bps; tables of the summaries, the unmatched orders and the fills.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from tradebot.backtest.drift.model import DriftReport, FillDrift, Unmatched
from tradebot.backtest.report.formatting import DASH, compact, duration, number
from tradebot.backtest.report.style import CSS
from tradebot.backtest.report.svg import esc, nice_ticks

__all__ = ["MAX_FILL_ROWS", "render_html", "write_html"]

MAX_FILL_ROWS = 500
"""Fills listed on the page (the CSV has them all)."""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_EXTRA_CSS = (
    ".box { fill:#93c5fd; stroke:var(--blue); stroke-width:1; } "
    ".whisker, .median { stroke:var(--ink); stroke-width:1.4; } "
    ".mean { fill:var(--red); } .outlier { fill:none; stroke:var(--ink); stroke-width:1; } "
    ".zero { stroke:var(--red); stroke-dasharray:4 3; } "
    ".hist { fill:var(--blue); fill-opacity:.75; } .row-label { fill:#374151; font-size:12px; }"
)


def write_html(path: Path, report: DriftReport, title: str) -> None:
    path.write_text(render_html(report, title), encoding="utf-8", newline="\n")


def render_html(report: DriftReport, title: str) -> str:
    """The whole page as one HTML document."""
    samples = {
        s: np.array(
            [float(b) for r in report.rows if r.fill.symbol == s and (b := r.bps) is not None]
        )
        for s in report.by_symbol
    }
    samples = {s: v for s, v in samples.items() if v.size}
    sections = [
        f'<header><h1>{esc(title)}</h1><p class="sub">Run <code>{esc(report.run_id)}</code>'
        " · bps &gt; 0: the real fill was worse for us than the simulated one</p></header>",
        _section("boxes", "bps by symbol", _boxes(samples)),
        _section("histogram", "bps of every fill", _histogram(samples)),
        _section("summary", "Summary", _summary_table(report)),
        _section("unmatched", "Filled on one side only", _unmatched_table(report.unmatched)),
        _section("fills", "Fills", _fills_table(report.rows)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{esc(title)}</title><style>{CSS} {_EXTRA_CSS}</style></head>"
        f"<body><main>{''.join(sections)}<footer>tradebot drift report · all times UTC"
        "</footer></main></body></html>\n"
    )


def _section(element_id: str, heading: str, body: str) -> str:
    return f'<section id="sec-{element_id}"><h2>{esc(heading)}</h2>{body}</section>'


def _scale(values: Sequence[float]) -> tuple[list[float], float, float]:
    ticks, _ = nice_ticks(min([0.0, *values]), max([0.0, *values]))
    return ticks, ticks[0], ticks[-1]


def _svg(element_id: str, height: float, label: str, body: str) -> str:
    return (
        f'<svg id="{element_id}" class="chart" viewBox="0 0 900 {height:g}" role="img" '
        f'aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg"><title>{esc(label)}'
        f"</title>{body}</svg>"
    )


def _x_axis(ticks: list[float], x: Any, top: float, bottom: float) -> str:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    parts = [
        f'<line class="grid" x1="{x(t):.1f}" y1="{top:.1f}" x2="{x(t):.1f}" y2="{bottom:.1f}"/>'
        f'<text class="tick" x="{x(t):.1f}" y="{bottom + 16:.1f}" text-anchor="middle">'
        f"{esc(compact(t, step))}</text>"
        for t in ticks
    ]
    zero = x(0.0)
    return "".join(parts) + (
        f'<line class="zero" x1="{zero:.1f}" y1="{top:.1f}" x2="{zero:.1f}" y2="{bottom:.1f}"/>'
    )


def _boxes(samples: dict[str, np.ndarray[Any, Any]]) -> str:
    if not samples:
        return '<p class="note">No fill was compared.</p>'
    everything = [float(v) for values in samples.values() for v in values]
    ticks, lo, hi = _scale(everything)
    left, right, row = 110.0, 880.0, 34.0
    bottom = 10 + row * len(samples)

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    parts = [_x_axis(ticks, x, 6, bottom)]
    for i, (symbol, values) in enumerate(samples.items()):
        p5, q1, med, q3, p95 = (float(q) for q in np.percentile(values, [5, 25, 50, 75, 95]))
        mid = 10 + row * i + row / 2
        parts.append(
            f'<text class="row-label" x="{left - 8:.1f}" y="{mid + 4:.1f}" text-anchor="end">'
            f"{esc(symbol)}</text>"
            f'<line class="whisker" x1="{x(p5):.1f}" y1="{mid:.1f}" x2="{x(p95):.1f}" '
            f'y2="{mid:.1f}"/>'
            f'<rect class="box" x="{x(q1):.1f}" y="{mid - 9:.1f}" '
            f'width="{max(x(q3) - x(q1), 1.0):.1f}" height="18"/>'
            f'<line class="median" x1="{x(med):.1f}" y1="{mid - 9:.1f}" x2="{x(med):.1f}" '
            f'y2="{mid + 9:.1f}"/><circle class="mean" cx="{x(float(values.mean())):.1f}" '
            f'cy="{mid:.1f}" r="3"/>'
        )
        outside = sorted({float(v) for v in values if v < p5 or v > p95})
        parts.extend(
            f'<circle class="outlier" cx="{x(v):.1f}" cy="{mid:.1f}" r="2.5"/>' for v in outside
        )
    return _svg("chart-bps-box", bottom + 26, "bps by symbol", "".join(parts))


def _histogram(samples: dict[str, np.ndarray[Any, Any]]) -> str:
    everything = [float(v) for values in samples.values() for v in values]
    if not everything:
        return '<p class="note">No fill was compared.</p>'
    ticks, lo, hi = _scale(everything)
    counts, edges = np.histogram(everything, bins=40, range=(lo, hi))
    left, right, top, bottom = 50.0, 880.0, 10.0, 190.0
    most = max(int(counts.max()), 1)

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    parts = [_x_axis(ticks, x, top, bottom)]
    for count, start, end in zip(
        counts.tolist(), edges[:-1].tolist(), edges[1:].tolist(), strict=True
    ):
        if count:
            height = (bottom - top) * count / most
            parts.append(
                f'<rect class="hist" x="{x(start):.1f}" y="{bottom - height:.1f}" '
                f'width="{max(x(end) - x(start) - 1, 1.0):.1f}" height="{height:.1f}">'
                f"<title>{count} fills</title></rect>"
            )
    parts.append(
        f'<text class="tick" x="{left - 6:.1f}" y="{top + 8:.1f}" text-anchor="end">{most}</text>'
    )
    return _svg("chart-bps-histogram", bottom + 26, "bps of every fill", "".join(parts))


def _cell(value: object, *, num: bool = True) -> str:
    return f'<td class="num">{esc(value)}</td>' if num else f"<td>{esc(value)}</td>"


def _bps(value: float | Decimal | None) -> str:
    return DASH if value is None or not math.isfinite(float(value)) else number(float(value), 2)


def _table(element_id: str, head: Sequence[str], rows: list[str]) -> str:
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    return (
        f'<table id="{element_id}" class="data"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _summary_table(report: DriftReport) -> str:
    lines = [*report.by_symbol.values(), *([report.overall] if report.overall else [])]
    rows = [
        f'<tr data-symbol="{esc(s.symbol)}"><th>{esc(s.symbol)}</th>'
        + _cell(s.fills)
        + "".join(_cell(_bps(v)) for v in (s.mean_bps, s.median_bps, s.p95_bps))
        + _cell(duration(s.mean_latency_s))
        + _cell(duration(s.mean_sim_latency_s))
        + _cell(number(float(s.cost), 2))
        + _cell(f"{s.quantity_diff.normalize():f}")
        + _cell(s.venue_only)
        + _cell(s.sim_only)
        + "</tr>"
        for s in lines
    ]
    head = ("symbol", "fills", "mean bps", "median bps", "p95 bps", "latency", "sim latency")
    return _table("drift-summary", (*head, "cost", "qty diff", "venue only", "sim only"), rows)


def _unmatched_table(unmatched: Sequence[Unmatched]) -> str:
    if not unmatched:
        return '<p class="note">Every order either side filled, the other filled too.</p>'
    rows = [
        "<tr>"
        + "".join(
            _cell(v, num=False)
            for v in (u.order.symbol, u.order.client_order_id, u.order.side.value)
        )
        + _cell(u.order.type.value, num=False)
        + _cell(f"{u.quantity.normalize():f}")
        + _cell(_bps(None) if u.price is None else f"{u.price:.4f}")
        + _cell(u.what, num=False)
        + "</tr>"
        for u in unmatched[:MAX_FILL_ROWS]
    ]
    return _table(
        "drift-unmatched", ("symbol", "order", "side", "type", "qty", "price", "what"), rows
    )


def _fills_table(rows: Sequence[FillDrift]) -> str:
    shown = rows[:MAX_FILL_ROWS]
    body = [
        "<tr>"
        + _cell(r.fill.symbol, num=False)
        + _cell(r.fill.fill_id, num=False)
        + _cell(r.fill.side.value, num=False)
        + _cell(f"{r.fill.quantity.normalize():f}")
        + _cell(f"{r.fill.price:.4f}")
        + _cell(DASH if r.sim_price is None else f"{r.sim_price:.4f}")
        + _cell(_bps(r.bps))
        + _cell(duration(r.latency.total_seconds()))
        + _cell(DASH if r.sim_latency is None else duration(r.sim_latency.total_seconds()))
        + "</tr>"
        for r in shown
    ]
    note = (
        f'<p class="note">The first {MAX_FILL_ROWS} of {len(rows)} fills; the CSV has them all.</p>'
        if len(rows) > MAX_FILL_ROWS
        else ""
    )
    head = ("symbol", "fill", "side", "qty", "price", "sim price", "bps", "latency", "sim latency")
    return _table("drift-fills", head, body) + note
