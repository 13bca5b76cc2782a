"""The monthly returns heat map: one row per year, one cell per month, and the year's total.

Colours run from red (loss) through a pale neutral to green (gain). Months and year totals
each get their own scale (the largest absolute value of their kind), because a year's
total is usually several times a month's and would otherwise wash the months out. Each
cell carries its exact value as text and as a tooltip, so the colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence

from tradebot.backtest.metrics import MonthlyRow
from tradebot.backtest.report.formatting import MONTHS, pct
from tradebot.backtest.report.svg import Frame, esc, svg_close, svg_open

__all__ = ["cell_colour", "monthly_heatmap"]

_NEUTRAL = (248, 250, 252)
_GAIN = (21, 128, 61)
_LOSS = (185, 28, 28)
_YEAR_W = 58.0
_CELL_H = 30.0
_HEAD = 26.0
_GAP = 10.0


def cell_colour(value: float, scale: float) -> str:
    """``#rrggbb`` for a return on a diverging scale saturating at ``±scale``.

    The intensity is ``(|value| / scale) ** 0.6``, so small months are still visibly tinted.
    """
    if scale <= 0:
        return "#{:02x}{:02x}{:02x}".format(*_NEUTRAL)
    strength = min(1.0, abs(value) / scale) ** 0.6
    end = _GAIN if value > 0 else _LOSS
    rgb = [round(n + (e - n) * strength) for n, e in zip(_NEUTRAL, end, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _ink(value: float, scale: float) -> str:
    return "cell-text-light" if scale > 0 and abs(value) / scale > 0.45 else "cell-text"


def monthly_heatmap(rows: Sequence[MonthlyRow], width: float = 960.0) -> str:
    """The heat map as one ``<svg id="chart-monthly">``; an empty note when there are no rows."""
    height = _HEAD + max(1, len(rows)) * _CELL_H + 6
    frame = Frame(width, height, 0, 0, 0, 0, 0, 0, 0.0, 1.0)
    label = "Monthly returns by year"
    parts = [svg_open("chart-monthly", frame, label)]
    if not rows:
        parts.append(
            f'<text class="empty" x="{width / 2:.0f}" y="{height / 2 + 4:.0f}" '
            'text-anchor="middle">No monthly returns</text>'
        )
        return "".join(parts) + svg_close()
    cell_w = (width - _YEAR_W - _GAP - 4) / 13
    months = [m for row in rows for m in row.months if m is not None]
    month_scale = max((abs(m) for m in months), default=0.0)
    year_scale = max((abs(row.total) for row in rows), default=0.0)
    for col, name in enumerate((*MONTHS, "Year")):
        x = _YEAR_W + col * cell_w + (_GAP if col == 12 else 0) + cell_w / 2
        parts.append(
            f'<text class="heat-head" x="{x:.1f}" y="{_HEAD - 9:.1f}" '
            f'text-anchor="middle">{name}</text>'
        )
    for r, row in enumerate(rows):
        y = _HEAD + r * _CELL_H
        parts.append(
            f'<text class="heat-year" x="{_YEAR_W - 10:.1f}" y="{y + _CELL_H / 2 + 4:.1f}" '
            f'text-anchor="end">{row.year}</text>'
        )
        for col, value in enumerate(row.months):
            x = _YEAR_W + col * cell_w
            parts.append(_cell(x, y, cell_w, value, month_scale, f"{MONTHS[col]} {row.year}"))
        x = _YEAR_W + 12 * cell_w + _GAP
        parts.append(_cell(x, y, cell_w, row.total, year_scale, f"{row.year} total", "year"))
    parts.append(svg_close())
    return "".join(parts)


def _cell(
    x: float, y: float, w: float, value: float | None, scale: float, name: str, kind: str = "month"
) -> str:
    box = f'x="{x + 1:.1f}" y="{y + 1:.1f}" width="{w - 2:.1f}" height="{_CELL_H - 2:.1f}" rx="3"'
    if value is None:
        return f'<rect class="heat-none" {box}><title>{esc(name)}: no data</title></rect>'
    text = pct(value, 1, signed=True)
    return (
        f'<g class="heat-{kind}"><rect {box} fill="{cell_colour(value, scale)}">'
        f"<title>{esc(name)}: {esc(pct(value, 2, signed=True))}</title></rect>"
        f'<text class="{_ink(value, scale)}" x="{x + w / 2:.1f}" y="{y + _CELL_H / 2 + 4:.1f}" '
        f'text-anchor="middle">{esc(text)}</text></g>'
    )
