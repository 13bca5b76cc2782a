"""A snapshot with a neutral band is the snapshot of the directional items alone, while
every visible item still counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.sentiment import SentimentContext

T0 = datetime(2015, 1, 2, 14, 30, tzinfo=UTC)
scores = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
confidences = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
offsets = st.integers(min_value=0, max_value=3 * 24 * 3600)
items = st.lists(st.tuples(offsets, scores, confidences), min_size=0, max_size=30)
bands = st.floats(min_value=0.0, max_value=0.99, allow_nan=False)


def _context(rows: list[tuple[int, float, float]]) -> SentimentContext:
    context = SentimentContext()
    for offset, score, confidence in rows:
        context.add(T0 + timedelta(seconds=offset), score, confidence)
    return context


@given(items, bands, offsets)
def test_the_band_keeps_only_directional_items_in_the_averages(
    rows: list[tuple[int, float, float]], band: float, at: int
) -> None:
    now = T0 + timedelta(seconds=at)
    banded = _context(rows).snapshot(now, neutral_band=band)
    directional = _context([r for r in rows if abs(r[1]) >= band]).snapshot(now)
    assert banded.score == pytest.approx(directional.score, abs=1e-9)
    assert banded.confidence == pytest.approx(directional.confidence, abs=1e-9)
    assert banded.latest == directional.latest
    assert banded.article_count == _context(rows).snapshot(now).article_count


@given(items, offsets)
def test_a_zero_band_changes_nothing(rows: list[tuple[int, float, float]], at: int) -> None:
    now = T0 + timedelta(seconds=at)
    assert _context(rows).snapshot(now, neutral_band=0.0) == _context(rows).snapshot(now)


@pytest.mark.parametrize("band", [-0.1, 1.0, float("nan")])
def test_a_band_outside_0_1_is_refused(band: float) -> None:
    with pytest.raises(ValueError, match="neutral_band"):
        SentimentContext().snapshot(T0, neutral_band=band)
