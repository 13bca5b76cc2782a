"""The report's line charts as inline SVG: equity against a benchmark, drawdown, and price
with the trades marked on it.

Each function takes plain arrays (epoch-ns times, float values) and returns one ``<svg>``
element with a stable ``id``; curves longer than :data:`~.downsample.MAX_POINTS` are
down-sampled keeping every bucket's extremes. Colours live in the page's stylesheet (CSS
classes), so the charts and the legend can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from tradebot.backtest.report.data import to_ns
from tradebot.backtest.report.downsample import MAX_POINTS, downsample
from tradebot.backtest.report.formatting import compact, money, pct, stamp, utc
from tradebot.backtest.report.svg import (
    Frame,
    esc,
    legend,
    marker_d,
    nice_ticks,
    path_d,
    svg_close,
    svg_open,
    x_axis,
    y_axis,
)
from tradebot.domain.messages import ClosedTrade

__all__ = ["MAX_MARKED_TRADES", "drawdown", "drawdown_chart", "equity_chart", "price_chart"]

MAX_MARKED_TRADES = 300
"""Trades marked per price chart; beyond that the largest by |P&L| are shown."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_WIDE = {"width": 960.0, "left": 78.0, "right": 20.0, "top": 34.0, "bottom": 30.0}


def drawdown(equity: FloatArray) -> FloatArray:
    """``equity / running peak - 1`` at every point (0 at a new high, negative below it).

    Computed here because :mod:`tradebot.backtest.metrics` reports the deepest drawdown and
    its longest spell, not the series a chart and ``equity.csv`` need.
    """
    if equity.size == 0:
        return np.empty(0)
    peaks = np.maximum.accumulate(equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peaks > 0, equity / peaks - 1.0, 0.0)


def _frame(
    height: float, t: IntArray, lo: float, hi: float, *, pin_top: bool = False, **box: float
) -> tuple[Frame, list[float], float]:
    """A frame whose value range hugs the data (4 % margin; none above when ``pin_top``), with
    the round ticks that fall inside it, so a curve fills its chart."""
    pad = (hi - lo) * 0.04 or abs(hi) * 0.01 or 1.0
    v0, v1 = lo - pad, (hi if pin_top else hi + pad)
    ticks, step = nice_ticks(v0, v1, 5)
    inside = [tick for tick in ticks if v0 - 1e-12 <= tick <= v1 + 1e-12]
    dims = _WIDE | box
    frame = Frame(
        width=dims["width"],
        height=height,
        left=dims["left"],
        right=dims["right"],
        top=dims["top"],
        bottom=dims["bottom"],
        t0=int(t.min()),
        t1=int(t.max()),
        v0=v0,
        v1=v1,
    )
    return frame, inside, step


def _empty(element_id: str, label: str, height: float = 120.0) -> str:
    frame = Frame(960.0, height, 0, 0, 0, 0, 0, 0, 0.0, 1.0)
    return (
        svg_open(element_id, frame, label)
        + f'<text class="empty" x="480" y="{height / 2:.0f}" text-anchor="middle">'
        "No data to draw</text>" + svg_close()
    )


def _line(frame: Frame, t: IntArray, v: FloatArray, cls: str) -> str:
    xs, ys = downsample(t, v, MAX_POINTS)
    return f'<path class="{cls}" d="{path_d(frame.xs(xs), frame.ys(ys))}"/>'


def _area(frame: Frame, t: IntArray, v: FloatArray, cls: str, base: float) -> str:
    """A line closed down (or up) to ``base``: the shaded band under a curve."""
    xs, ys = downsample(t, v, MAX_POINTS)
    px = frame.xs(xs)
    floor = float(frame.ys([base])[0])
    d = path_d(px, frame.ys(ys))
    return f'<path class="{cls}" d="{d} L{px[-1]:.1f} {floor:.1f} L{px[0]:.1f} {floor:.1f} Z"/>'


def equity_chart(
    t: IntArray,
    equity: FloatArray,
    bench: tuple[IntArray, FloatArray] | None,
    bench_label: str,
) -> str:
    """The account's equity (blue, shaded) over the benchmark (grey, dashed) and the start line."""
    label = "Equity curve" + (f" against {bench_label}" if bench is not None else "")
    if t.size == 0:
        return _empty("chart-equity", label)
    all_t = t if bench is None else np.concatenate([t, bench[0]])
    all_v = equity if bench is None else np.concatenate([equity, bench[1]])
    finite = all_v[np.isfinite(all_v)]
    frame, ticks, step = _frame(340.0, all_t, float(finite.min()), float(finite.max()))
    start_y = float(frame.ys([equity[0]])[0])
    entries = [("eq-line", "Strategy", "line")]
    parts = [svg_open("chart-equity", frame, label), x_axis(frame)]
    parts.append(y_axis(frame, ticks, lambda v: compact(v, step), "Equity"))
    parts.append(
        f'<line class="start-line" x1="{frame.left:.1f}" y1="{start_y:.1f}" '
        f'x2="{frame.x_end:.1f}" y2="{start_y:.1f}"/>'
    )
    parts.append(_area(frame, t, equity, "eq-area", frame.v0))
    if bench is not None and bench[0].size:
        parts.append(_line(frame, bench[0], bench[1], "bench-line"))
        entries.append(("bench-line", bench_label, "dash"))
    parts.append(_line(frame, t, equity, "eq-line"))
    entries.append(("start-line", f"Initial equity {compact(float(equity[0]), step)}", "dash"))
    parts.append(legend(frame, entries))
    parts.append(_end_label(frame, t, equity, step))
    parts.append(svg_close())
    return "".join(parts)


def _end_label(frame: Frame, t: IntArray, v: FloatArray, step: float) -> str:
    x = float(frame.xs([t[-1]])[0])
    y = float(frame.ys([v[-1]])[0])
    return (
        f'<circle class="eq-end" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>'
        f'<text class="end-label" x="{x - 6:.1f}" y="{y - 8:.1f}" text-anchor="end">'
        f"{esc(compact(float(v[-1]), step / 10))}</text>"
    )


def drawdown_chart(t: IntArray, dd: FloatArray) -> str:
    """Time under water: the fall below the running peak as a red band, deepest point labelled."""
    label = "Drawdown from the running peak"
    if t.size == 0:
        return _empty("chart-drawdown", label)
    deepest = int(np.argmin(dd))
    frame, ticks, step = _frame(
        200.0, t, float(min(dd[deepest], -1e-4)), 0.0, pin_top=True, top=18.0
    )
    parts = [svg_open("chart-drawdown", frame, label), x_axis(frame)]
    parts.append(y_axis(frame, ticks, lambda v: pct(v, _pct_places(step)), "Drawdown"))
    parts.append(_area(frame, t, dd, "dd-area", 0.0))
    if dd[deepest] < 0:
        x = float(frame.xs([t[deepest]])[0])
        y = float(frame.ys([dd[deepest]])[0])
        anchor = "start" if x < frame.width / 2 else "end"
        dx = 7 if anchor == "start" else -7
        text = f"{pct(float(dd[deepest]))} on {stamp(utc(t[deepest]), time=False)}"
        parts.append(
            f'<circle class="dd-point" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>'
            f'<text class="end-label" x="{x + dx:.1f}" y="{y - 7:.1f}" '
            f'text-anchor="{anchor}">{esc(text)}</text>'
        )
    parts.append(svg_close())
    return "".join(parts)


def _pct_places(step: float) -> int:
    for places in range(5):
        scaled = step * 100 * 10**places
        if abs(scaled - round(scaled)) < 1e-6:
            return places
    return 4


def price_chart(
    index: int, symbol: str, t: IntArray, close: FloatArray, trades: Sequence[ClosedTrade]
) -> str:
    """Closes of one symbol with each trade's entry (▲ long, ▼ short) and exit marked at its
    fill price, the exit green for a win and red for a loss, joined by a dashed line."""
    element_id = f"chart-price-{index}"
    label = f"{symbol}: price with trade entries and exits"
    if t.size == 0:
        return _empty(element_id, label, 80.0)
    marked = _largest(trades, MAX_MARKED_TRADES)
    fills = [float(p) for tr in marked for p in (tr.entry_price, tr.exit_price)]
    finite = close[np.isfinite(close)]
    lo = min([float(finite.min()), *fills]) if finite.size else min(fills or [0.0])
    hi = max([float(finite.max()), *fills]) if finite.size else max(fills or [1.0])
    frame, ticks, step = _frame(270.0, t, lo, hi, width=560.0, left=62.0, right=14.0)
    parts = [svg_open(element_id, frame, label), x_axis(frame, most=5)]
    parts.insert(1, f'<desc class="symbol">{esc(symbol)}</desc>')
    parts.append(y_axis(frame, ticks, lambda v: compact(v, step), "Price"))
    parts.append(_line(frame, t, close, "price-line"))
    parts.extend(_trade_marks(frame, marked))
    parts.append(
        legend(
            frame,
            [
                ("m-entry", "Entry", "up"),
                ("m-win", "Exit, win", "down"),
                ("m-loss", "Exit, loss", "down"),
            ],
        )
    )
    parts.append(svg_close())
    return "".join(parts)


def _largest(trades: Sequence[ClosedTrade], most: int) -> list[ClosedTrade]:
    """The ``most`` trades with the largest |P&L|, in time order (ties by entry time)."""
    if len(trades) <= most:
        return sorted(trades, key=lambda tr: (tr.entry_ts, tr.exit_ts))
    chosen = sorted(trades, key=lambda tr: (-abs(tr.pnl), tr.entry_ts, tr.exit_ts))[:most]
    return sorted(chosen, key=lambda tr: (tr.entry_ts, tr.exit_ts))


def _trade_marks(frame: Frame, trades: Sequence[ClosedTrade]) -> list[str]:
    if not trades:
        return []
    ex = frame.xs(to_ns([tr.entry_ts for tr in trades]))
    xx = frame.xs(to_ns([tr.exit_ts for tr in trades]))
    ey = frame.ys(np.array([float(tr.entry_price) for tr in trades]))
    xy = frame.ys(np.array([float(tr.exit_price) for tr in trades]))
    links: list[str] = []
    marks: list[str] = []
    for i, tr in enumerate(trades):
        outcome = "win" if tr.pnl > 0 else "loss"
        long = tr.quantity >= 0
        links.append(
            f'<line class="link-{outcome}" x1="{ex[i]:.1f}" y1="{ey[i]:.1f}" '
            f'x2="{xx[i]:.1f}" y2="{xy[i]:.1f}"/>'
        )
        side = "long" if long else "short"
        entry_tip = (
            f"Entry ({side}) {stamp(tr.entry_ts)} at {money(float(tr.entry_price))}, "
            f"quantity {tr.quantity.normalize():f}"
        )
        exit_tip = (
            f"Exit {stamp(tr.exit_ts)} at {money(float(tr.exit_price))}: P&L "
            f"{money(float(tr.pnl))} ({pct(tr.return_pct, signed=True)})"
        )
        marks.append(
            f'<path class="m-entry" d="{marker_d(ex[i], ey[i], "up" if long else "down")}">'
            f"<title>{esc(entry_tip)}</title></path>"
            f'<path class="m-{outcome}" d="{marker_d(xx[i], xy[i], "down" if long else "up")}">'
            f"<title>{esc(exit_tip)}</title></path>"
        )
    return ['<g class="links">', *links, "</g>", '<g class="marks">', *marks, "</g>"]
