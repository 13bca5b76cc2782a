"""SVG building blocks: a plot frame mapping data to pixels, nice ticks, axes, legends.

Charts are drawn in Python as inline SVG so the report is one file that needs no script,
no library and no network. Coordinates are written with one decimal: enough for a crisp
line at any zoom, and the same input always gives the same bytes. Every piece of text goes
through :func:`esc`, because symbols, strategy names and skip reasons come from users.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradebot.backtest.report.formatting import MONTHS, utc

__all__ = [
    "Frame",
    "esc",
    "legend",
    "marker_d",
    "nice_ticks",
    "path_d",
    "svg_close",
    "svg_open",
    "time_ticks",
    "x_axis",
    "y_axis",
]

NS_PER_S = 10**9


def esc(text: object) -> str:
    """``text`` safe inside an element or a quoted attribute (``& < > " '`` escaped)."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


@dataclass(frozen=True, slots=True)
class Frame:
    """The plot area of one chart: pixel box and the data ranges it shows."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    t0: int
    t1: int
    v0: float
    v1: float

    @property
    def x_end(self) -> float:
        return self.width - self.right

    @property
    def y_end(self) -> float:
        return self.height - self.bottom

    def xs(self, ns: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Pixel x of epoch-nanosecond times (the range's middle when it is one instant)."""
        t = np.asarray(ns, dtype=np.float64)
        span = float(self.t1 - self.t0)
        if span <= 0:
            return np.full(t.shape, (self.left + self.x_end) / 2)
        return self.left + (t - self.t0) / span * (self.x_end - self.left)

    def ys(self, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Pixel y of values (larger values higher up)."""
        v = np.asarray(values, dtype=np.float64)
        span = self.v1 - self.v0
        if span <= 0:
            return np.full(v.shape, (self.top + self.y_end) / 2)
        return self.y_end - (v - self.v0) / span * (self.y_end - self.top)


def nice_ticks(lo: float, hi: float, target: int = 5) -> tuple[list[float], float]:
    """Round tick values covering ``[lo, hi]`` (steps of 1, 2, 2.5 or 5 × 10^k) and the step.

    The first and last ticks lie at or outside the data, so they double as the axis range.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi < lo:
        lo, hi = hi, lo
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        pad = abs(hi) * 0.01 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(1, target)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step + 1e-9) * step
    count = math.ceil((hi - first) / step - 1e-9)
    ticks = [round(first + i * step, 12) for i in range(count + 1)]
    return [0.0 if t == 0 else t for t in ticks], step


# (unit, count) from finest to coarsest; the first that gives few enough ticks is used.
_TIME_STEPS: tuple[tuple[str, int], ...] = (
    *(("s", n * 60) for n in (1, 5, 15, 30)),
    *(("s", n * 3600) for n in (1, 3, 6, 12)),
    *(("D", n) for n in (1, 2, 7, 14)),
    *(("M", n) for n in (1, 2, 3, 6)),
    *(("Y", n) for n in (1, 2, 5, 10, 20, 50, 100)),
)


def time_ticks(t0: int, t1: int, most: int = 8) -> list[tuple[int, str]]:
    """Calendar-aligned ticks between two epoch-ns instants, labelled for their step.

    Steps snap to whole minutes, hours, days, Monday-aligned weeks, quarters or years, so
    the labels read as a calendar would: ``2019``, ``Apr 2019``, ``08 Apr 2019``. A step's
    tick count is estimated before any tick is made, so a long span costs no more than a
    short one.
    """
    if t1 <= t0:
        return [(t0, _label(t0, "D"))]
    ticks: list[int] = []
    unit = "Y"
    for unit, count in _TIME_STEPS:
        if (t1 - t0) / (_APPROX_NS[unit] * count) > most + 2:
            continue
        ticks = _ticks_for(t0, t1, unit, count)
        if len(ticks) <= most:
            break
    ticks = ticks[:: max(1, math.ceil(len(ticks) / most))]
    return [(t, _label(t, unit)) for t in ticks]


_APPROX_NS = {"s": NS_PER_S, "D": 86_400 * NS_PER_S, "M": 2_629_746 * NS_PER_S}
_APPROX_NS["Y"] = 12 * _APPROX_NS["M"]


def _ticks_for(t0: int, t1: int, unit: str, count: int) -> list[int]:
    if unit == "s":
        step = count * NS_PER_S
        first = -(-t0 // step) * step
        return list(range(first, t1 + 1, step))
    if unit == "D":
        day_ns = 86_400 * NS_PER_S
        offset = 4 if count == 7 or count == 14 else 0  # epoch day 4 was a Monday
        days = np.arange(-(-t0 // day_ns), t1 // day_ns + 1)
        days = days[(days - offset) % count == 0]
        return [int(d) * day_ns for d in days]
    months = np.arange(
        np.datetime64(t0, "ns").astype("datetime64[M]").astype(np.int64),
        np.datetime64(t1, "ns").astype("datetime64[M]").astype(np.int64) + 1,
    )
    months = months[months % (count * 12 if unit == "Y" else count) == 0]
    stamps = months.astype("datetime64[M]").astype("datetime64[ns]").astype(np.int64)
    return [int(s) for s in stamps if t0 <= s <= t1]


def _label(ns: int, unit: str) -> str:
    moment = utc(ns)
    if unit == "Y":
        return str(moment.year)
    if unit == "M":
        return f"{MONTHS[moment.month - 1]} {moment.year}"
    day = f"{moment.day:02d} {MONTHS[moment.month - 1]} {moment.year}"
    return day if unit == "D" else f"{day[:6]} {moment.hour:02d}:{moment.minute:02d}"


def path_d(xs: Sequence[float] | npt.NDArray[np.float64], ys: npt.ArrayLike) -> str:
    """An SVG path ``d`` drawing a polyline through the points (``M x y L x y …``)."""
    px = np.asarray(xs, dtype=np.float64)
    py = np.asarray(ys, dtype=np.float64)
    if px.size == 0:
        return ""
    coords = [f"{x:.1f} {y:.1f}" for x, y in zip(px.tolist(), py.tolist(), strict=True)]
    return "M" + " L".join(coords)


def svg_open(element_id: str, frame: Frame, label: str) -> str:
    """The opening tag: scales to the page width, described for screen readers."""
    return (
        f'<svg id="{esc(element_id)}" class="chart" viewBox="0 0 {frame.width:g} '
        f'{frame.height:g}" role="img" aria-label="{esc(label)}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f"<title>{esc(label)}</title>"
    )


def svg_close() -> str:
    return "</svg>"


def x_axis(frame: Frame, most: int = 8) -> str:
    """Vertical grid lines and date labels under the plot area."""
    parts = []
    for ns, text in time_ticks(frame.t0, frame.t1, most):
        x = float(frame.xs([ns])[0])
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{frame.top:.1f}" x2="{x:.1f}" '
            f'y2="{frame.y_end:.1f}"/>'
            f'<text class="tick" x="{x:.1f}" y="{frame.y_end + 16:.1f}" '
            f'text-anchor="middle">{esc(text)}</text>'
        )
    return (
        "".join(parts) + f'<line class="axis" x1="{frame.left:.1f}" y1="{frame.y_end:.1f}" '
        f'x2="{frame.x_end:.1f}" y2="{frame.y_end:.1f}"/>'
    )


def y_axis(frame: Frame, ticks: Iterable[float], fmt: Callable[[float], str], title: str) -> str:
    """Horizontal grid lines, value labels left of the plot and a rotated axis title."""
    parts = []
    for value in ticks:
        y = float(frame.ys([value])[0])
        parts.append(
            f'<line class="grid" x1="{frame.left:.1f}" y1="{y:.1f}" x2="{frame.x_end:.1f}" '
            f'y2="{y:.1f}"/><text class="tick" x="{frame.left - 6:.1f}" y="{y + 4:.1f}" '
            f'text-anchor="end">{esc(fmt(value))}</text>'
        )
    middle = (frame.top + frame.y_end) / 2
    parts.append(
        f'<text class="axis-title" transform="translate(14 {middle:.1f}) rotate(-90)" '
        f'text-anchor="middle">{esc(title)}</text>'
    )
    return "".join(parts)


def legend(frame: Frame, entries: Sequence[tuple[str, str, str]]) -> str:
    """Swatches and labels above the plot, left to right: ``(css class, label, shape)``.

    ``shape`` is ``line``, ``dash`` or a marker name (``up``, ``down``) drawn like the chart's.
    """
    parts = ['<g class="legend">']
    x = frame.left
    y = frame.top - 12
    for cls, label, shape in entries:
        if shape in ("line", "dash"):
            dash = ' stroke-dasharray="5 3"' if shape == "dash" else ""
            parts.append(
                f'<line class="{esc(cls)}" x1="{x:.1f}" y1="{y:.1f}" x2="{x + 18:.1f}" '
                f'y2="{y:.1f}"{dash}/>'
            )
        else:
            tip = y - 4 if shape == "up" else y + 4
            parts.append(f'<path class="{esc(cls)}" d="{marker_d(x + 9, tip, shape)}"/>')
        parts.append(
            f'<text class="legend-text" x="{x + 24:.1f}" y="{y + 4:.1f}">{esc(label)}</text>'
        )
        x += 24 + 7 * len(label) + 22
    parts.append("</g>")
    return "".join(parts)


def marker_d(x: float, y: float, shape: str, size: float = 5.0) -> str:
    """A small triangle whose tip is at ``(x, y)``: pointing up from below (``up``, an entry)
    or down from above (``down``, an exit), so the marker never hides the price it marks."""
    base = y + size * 1.7 if shape == "up" else y - size * 1.7
    return f"M{x:.1f} {y:.1f} L{x + size:.1f} {base:.1f} L{x - size:.1f} {base:.1f} Z"
