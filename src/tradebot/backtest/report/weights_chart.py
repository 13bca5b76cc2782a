"""The strategy weights over a run that learned them: one step line per strategy.

A weight holds from the adjustment that set it until the next one, so each line is drawn
as steps (never interpolated: between two adjustments the ensemble used the first one's
weights), from the run's first equity time to its last. Colours are the stylesheet's
``wt-0`` … ``wt-7`` classes, shared with the legend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from tradebot.backtest.report.svg import (
    Frame,
    esc,
    legend,
    nice_ticks,
    path_d,
    svg_close,
    svg_open,
    x_axis,
    y_axis,
)

__all__ = ["WEIGHT_COLOURS", "weights_chart"]

WEIGHT_COLOURS = 8
"""Distinct line classes; the ninth strategy reuses the first colour."""

IntArray = npt.NDArray[np.int64]
WeightSteps = Mapping[str, Sequence[tuple[int, float]]]
"""Per strategy, ``(epoch ns, weight)`` from each adjustment on, in time order."""


def weights_chart(steps: WeightSteps, t0: int, t1: int) -> str:
    """The step lines of ``steps`` between ``t0`` and ``t1`` (epoch ns)."""
    label = "Strategy weights over the run (learned)"
    top = max((w for points in steps.values() for _, w in points), default=1.0)
    ticks, _ = nice_ticks(0.0, max(top * 1.1, 0.05), 5)
    frame = Frame(960.0, 260.0, 78.0, 20.0, 34.0, 30.0, t0, max(t1, t0 + 1), 0.0, ticks[-1])
    parts = [svg_open("chart-weights", frame, label), x_axis(frame)]
    parts.append(y_axis(frame, ticks, lambda v: f"{v:.2f}", "Weight"))
    entries = []
    for index, (name, points) in enumerate(steps.items()):
        cls = f"wt-{index % WEIGHT_COLOURS}"
        xs, ys = _steps(points, frame.t1)
        parts.append(f'<path class="{cls}" d="{path_d(frame.xs(xs), frame.ys(ys))}"/>')
        entries.append((cls, esc(name), "line"))
    parts.append(legend(frame, entries))
    parts.append(svg_close())
    return "".join(parts)


def _steps(
    points: Sequence[tuple[int, float]], end: int
) -> tuple[IntArray, npt.NDArray[np.float64]]:
    """Corner points of a step line through ``points``, held flat to ``end``."""
    xs: list[int] = []
    ys: list[float] = []
    for i, (ts, weight) in enumerate(points):
        if i:
            xs.append(ts)
            ys.append(ys[-1])
        xs.append(ts)
        ys.append(weight)
    if xs:
        xs.append(max(end, xs[-1]))
        ys.append(ys[-1])
    return np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.float64)
