"""A small PNG line chart of the equity curve, for the daily summary and the weekly digest.

Telegram shows it under the message and the HTML mail inlines it, so the owner sees the
week's shape at a glance without opening the dashboard. It is drawn with Pillow (no
matplotlib: one small dependency, no font cache, no display backend) and is deterministic —
the same values give the same bytes — so a test can pin it and a digest re-sent after an
outage is identical to the one that failed.

Bad input never raises: non-finite values (NaN, ±inf) are dropped, and with fewer than two
values left the chart is a flat line across the middle.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

__all__ = ["sparkline_png"]

_BACKGROUND = (255, 255, 255)
_UP = (22, 128, 60)
_DOWN = (196, 40, 40)
_FLAT = (90, 90, 90)
_LABEL = (80, 80, 80)
_AREA_ALPHA = 0.15
_MIN_SIDE = 16


def sparkline_png(
    values: Sequence[float | Decimal],
    *,
    width: int = 600,
    height: int = 160,
    labels: bool = True,
) -> bytes:
    """``values`` as a ``width`` x ``height`` PNG: a line, a light area under it, the first
    and last points marked, and (``labels``) the minimum and maximum written at the left.

    Green when the last value is above the first, red when below, grey when level.
    """
    if width < _MIN_SIDE or height < _MIN_SIDE:
        raise ValueError(f"a sparkline needs at least {_MIN_SIDE}x{_MIN_SIDE} pixels")
    points = [f for f in map(_as_float, values) if f is not None]
    image = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = max(4, min(width, height) // 16)
    left, right = margin, width - 1 - margin
    top, bottom = margin, height - 1 - margin
    shares = _shares(points) if len(points) >= 2 else None
    if shares is None:
        level = points[0] if points else None
        _draw_flat(draw, left, right, (top + bottom) // 2, bottom, level, labels)
    else:
        _draw_curve(draw, points, shares, (left, top, right, bottom), labels)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _as_float(value: float | Decimal) -> float | None:
    """``value`` as a finite float, or None (NaN, ±inf, a signalling Decimal NaN)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _shares(points: Sequence[float]) -> list[float] | None:
    """Each point's height between the lowest (0) and the highest (1); None when level.

    Scaled by the largest magnitude first, so ``high - low`` cannot overflow to infinity
    for values near the float's limits."""
    scale = max(abs(p) for p in points)
    if scale == 0:
        return None
    scaled = [p / scale for p in points]
    low, high = min(scaled), max(scaled)
    if high == low:
        return None
    return [(p - low) / (high - low) for p in scaled]


def _colour(points: Sequence[float]) -> tuple[int, int, int]:
    if points[-1] > points[0]:
        return _UP
    if points[-1] < points[0]:
        return _DOWN
    return _FLAT


def _area(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """``colour`` blended onto the white background (Pillow's RGB draw has no alpha)."""
    return tuple(round(255 + (c - 255) * _AREA_ALPHA) for c in colour)  # type: ignore[return-value]


def _draw_curve(
    draw: ImageDraw.ImageDraw,
    points: Sequence[float],
    shares: Sequence[float],
    box: tuple[int, int, int, int],
    labels: bool,
) -> None:
    left, top, right, bottom = box
    step = (right - left) / (len(points) - 1)
    xy = [(left + i * step, bottom - share * (bottom - top)) for i, share in enumerate(shares)]
    colour = _colour(points)
    draw.polygon([(left, bottom), *xy, (right, bottom)], fill=_area(colour))
    draw.line(xy, fill=colour, width=3, joint="curve")
    for x, y in (xy[0], xy[-1]):
        _mark(draw, x, y, colour)
    if labels:
        _text_below(draw, left + 8, top, _label(max(points)))
        _text_above(draw, left + 8, bottom, _label(min(points)))


def _draw_flat(
    draw: ImageDraw.ImageDraw,
    left: int,
    right: int,
    y: int,
    bottom: int,
    level: float | None,
    labels: bool,
) -> None:
    draw.rectangle((left, y, right, bottom), fill=_area(_FLAT))
    draw.line([(left, y), (right, y)], fill=_FLAT, width=2)
    if level is None:
        return
    _mark(draw, left, y, _FLAT)
    _mark(draw, right, y, _FLAT)
    if labels:
        _text_above(draw, left + 8, y - 3, _label(level))


def _text_below(draw: ImageDraw.ImageDraw, x: int, y: int, text: str) -> None:
    """``text`` with its top at ``y``."""
    _text(draw, x, y, text, above=False)


def _text_above(draw: ImageDraw.ImageDraw, x: int, y: int, text: str) -> None:
    """``text`` with its bottom at ``y``."""
    _text(draw, x, y, text, above=True)


def _text(draw: ImageDraw.ImageDraw, x: int, y: int, text: str, *, above: bool) -> None:
    """A label on a white box, so the curve under it cannot hide it. Placed by its box, not
    ``anchor``: the bitmap fallback font of a Pillow built without FreeType refuses it."""
    font = ImageFont.load_default()
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    origin_y = y - y1 if above else y - y0
    draw.rectangle((x + x0 - 1, origin_y + y0 - 1, x + x1 + 1, origin_y + y1 + 1), fill=_BACKGROUND)
    draw.text((x, origin_y), text, fill=_LABEL, font=font)


def _mark(draw: ImageDraw.ImageDraw, x: float, y: float, colour: tuple[int, int, int]) -> None:
    radius = 3
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)


def _label(value: float) -> str:
    """Money-like labels: thousands separated, cents only below 1,000."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
