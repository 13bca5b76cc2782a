"""Per-ticker decayed sentiment: bounds, half-life, no look-ahead, order independence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.sentiment import SentimentBook, SentimentContext

T0 = datetime(2015, 1, 2, 14, 30, tzinfo=UTC)
scores = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
confidences = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
offsets = st.integers(min_value=0, max_value=3 * 24 * 3600)
items = st.lists(st.tuples(offsets, scores, confidences), min_size=1, max_size=30)


def _context(rows: list[tuple[int, float, float]], **kwargs: timedelta) -> SentimentContext:
    context = SentimentContext(**kwargs)
    for offset, score, confidence in rows:
        context.add(T0 + timedelta(seconds=offset), score, confidence)
    return context


@given(items, offsets)
def test_snapshot_is_bounded_and_counts_only_the_visible_past(
    rows: list[tuple[int, float, float]], at: int
) -> None:
    now = T0 + timedelta(seconds=at)
    snap = _context(rows).snapshot(now)
    assert -1.0 <= snap.score <= 1.0
    assert 0.0 <= snap.confidence <= 1.0
    assert snap.article_count == sum(offset <= at for offset, _, _ in rows)
    if snap.latest is not None:
        assert snap.latest.ts <= now
        assert snap.latest.ts == T0 + timedelta(seconds=max(o for o, _, _ in rows if o <= at))


@given(items, st.randoms())
def test_insertion_order_does_not_matter(rows: list[tuple[int, float, float]], rnd: object) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    now = T0 + timedelta(days=3)
    a, b = _context(rows).snapshot(now), _context(shuffled).snapshot(now)
    assert a.article_count == b.article_count
    assert a.score == pytest.approx(b.score, abs=1e-9)
    assert a.confidence == pytest.approx(b.confidence, abs=1e-9)


@given(scores, confidences, st.integers(min_value=1, max_value=48))
def test_one_half_life_halves_an_items_weight(score: float, confidence: float, hours: int) -> None:
    half_life = timedelta(hours=hours)
    context = SentimentContext(half_life=half_life, max_age=timedelta(days=10))
    context.add(T0, score, confidence)  # old: weight 1/2 at the end
    context.add(T0 + half_life, -score, confidence)  # new: weight 1
    expected = (0.5 * score - score) / 1.5
    assert context.score(T0 + half_life) == pytest.approx(expected, abs=1e-9)


@given(items)
def test_a_single_ticker_view_equals_the_old_methods(rows: list[tuple[int, float, float]]) -> None:
    context = _context(rows)
    now = T0 + timedelta(days=2)
    snap = context.snapshot(now)
    assert (snap.score, snap.confidence, snap.article_count, snap.latest) == (
        context.score(now),
        context.confidence(now),
        context.article_count(now),
        context.latest(now),
    )


def test_items_older_than_max_age_are_dropped_for_good() -> None:
    context = SentimentContext(max_age=timedelta(hours=1))
    context.add(T0, 0.9, 0.9)
    assert context.article_count(T0 + timedelta(hours=2)) == 0
    assert context.article_count(T0) == 0  # never revived
    assert context.snapshot(T0).score == 0.0


def test_confident_items_weigh_more() -> None:
    context = SentimentContext()
    context.add(T0, 1.0, 0.9)
    context.add(T0, -1.0, 0.1)
    assert context.score(T0) == pytest.approx(0.8)
    assert context.confidence(T0) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("ts", "score", "confidence", "problem"),
    [
        (datetime(2015, 1, 2), 0.1, 0.5, "timezone-aware"),
        (T0, 1.5, 0.5, "score must be in -1..1"),
        (T0, 0.1, float("nan"), "confidence must be in 0..1"),
    ],
)
def test_bad_items_are_refused(ts: datetime, score: float, confidence: float, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        SentimentContext().add(ts, score, confidence)


def test_the_book_keeps_one_context_per_ticker_with_shared_settings() -> None:
    book = SentimentBook(half_life=timedelta(hours=1))
    book.add("AAPL", T0, 0.8, 0.9)
    book.add("MSFT", T0, -0.4, 0.6)
    assert book.tickers() == ["AAPL", "MSFT"]
    assert book.snapshot("AAPL", T0).score == pytest.approx(0.8)
    assert book.snapshot("MSFT", T0).score == pytest.approx(-0.4)
    assert book.context("AAPL").half_life == timedelta(hours=1)
    assert book.snapshot("XOM", T0).article_count == 0
    with pytest.raises(ValueError, match="half_life must be positive"):
        SentimentBook(half_life=timedelta(0))
