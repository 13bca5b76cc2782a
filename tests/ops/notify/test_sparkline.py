"""The equity sparkline is a valid, non-blank PNG of the asked size, the same bytes for the
same values, and never fails on bad input."""

from __future__ import annotations

import io
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tradebot.ops.notify import sparkline_png

WHITE = (255, 255, 255)


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image.convert("RGB")


def _inked(image: Image.Image) -> int:
    """Pixels that are not background."""
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    return sum(count for count, colour in colours if colour != WHITE)


def test_an_equity_curve_is_drawn_at_the_asked_size() -> None:
    image = _open(sparkline_png([100_000, 101_500, 99_800, 104_200], width=320, height=90))
    assert image.size == (320, 90)
    assert _inked(image) > 320 * 90 // 10  # the line and the area under it
    rising = _open(sparkline_png([1, 2, 3]))
    falling = _open(sparkline_png([3, 2, 1]))
    assert rising.getpixel((300, 145)) != falling.getpixel((300, 145))  # other colour


@pytest.mark.parametrize("values", [[], [42.0], [7, 7, 7], [float("nan")]])
def test_too_few_values_draw_a_flat_line(values: list[float]) -> None:
    image = _open(sparkline_png(values))
    assert image.size == (600, 160)
    row = [image.getpixel((x, 80)) for x in range(20, 580)]  # the middle row: the line
    assert WHITE not in row


def test_non_finite_values_are_dropped() -> None:
    clean = sparkline_png([1, 2, 3])
    assert sparkline_png([1, float("nan"), 2, float("inf"), 3, -math.inf]) == clean
    assert sparkline_png([Decimal(1), Decimal("NaN"), Decimal(2), Decimal("sNaN"), 3]) == clean


def test_same_values_give_the_same_bytes() -> None:
    values = [Decimal("100000.00"), Decimal("100250.50"), Decimal("99900.10")]
    first = sparkline_png(values)
    assert sparkline_png(list(values)) == first
    assert sparkline_png([float(v) for v in values]) == first
    assert sparkline_png([*values[:-1], Decimal("100100.00")]) != first


def test_a_tiny_canvas_is_refused() -> None:
    with pytest.raises(ValueError, match="pixels"):
        sparkline_png([1, 2], width=8)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=40),
    st.integers(min_value=16, max_value=200),
    st.integers(min_value=16, max_value=80),
)
def test_any_values_give_a_png_of_the_asked_size(
    values: list[float], width: int, height: int
) -> None:
    image = _open(sparkline_png(values, width=width, height=height))
    assert image.size == (width, height)
    assert _inked(image) > 0
