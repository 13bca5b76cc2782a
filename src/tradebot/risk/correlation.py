"""Pairwise correlation of trailing daily returns, cached by its inputs.

Two symbols' returns are aligned on the dates they share and the last ``lookback`` (90)
shared days are correlated (Pearson). Fewer than ``min_overlap`` shared days, or a flat
series, give None ("unknown"). A pair is computed once per pair of inputs: the cache is
keyed by each series' last date and length and a hit is confirmed against the series
themselves (identity first, then equality), so a decision on an unchanged market costs a
lookup per held position and a changed series can never be answered from the cache.

The sizer asks for the candidate's **value-weighted average** correlation with what is
held; an unknown pair counts as 0.0 there (seed 11.1: "0.0 if unknown").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

from tradebot.risk.views import ReturnSeries

__all__ = ["CorrelationCache", "aligned_correlation", "pearson", "weighted_correlation"]


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Sample correlation of two equal-length sequences; None when either is constant."""
    n = len(xs)
    if n != len(ys) or n < 2:
        return None
    mx = math.fsum(xs) / n
    my = math.fsum(ys) / n
    dx = [x - mx for x in xs]
    dy = [y - my for y in ys]
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    if sxx <= 0.0 or syy <= 0.0:
        return None
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def aligned_correlation(
    a: ReturnSeries, b: ReturnSeries, lookback: int, min_overlap: int
) -> float | None:
    """Correlation over the last ``lookback`` dates both series share."""
    if a.dates == b.dates:
        xs, ys = a.values[-lookback:], b.values[-lookback:]
    else:
        by_date = dict(zip(b.dates, b.values, strict=True))
        pairs = [(x, by_date[d]) for d, x in zip(a.dates, a.values, strict=True) if d in by_date]
        pairs = pairs[-lookback:]
        xs = tuple(p[0] for p in pairs)
        ys = tuple(p[1] for p in pairs)
    if len(xs) < min_overlap:
        return None
    return pearson(xs, ys)


class CorrelationCache:
    """Memoised :func:`aligned_correlation` per symbol pair; bounded, deterministic."""

    __slots__ = ("_cache", "_lookback", "_max_entries", "_min_overlap")

    def __init__(self, lookback: int, min_overlap: int, max_entries: int = 4096) -> None:
        self._lookback = lookback
        self._min_overlap = min_overlap
        self._max_entries = max_entries
        self._cache: dict[tuple[object, ...], tuple[ReturnSeries, ReturnSeries, float | None]] = {}

    def correlation(
        self, sym_a: str, a: ReturnSeries | None, sym_b: str, b: ReturnSeries | None
    ) -> float | None:
        if a is None or b is None or not a.dates or not b.dates:
            return None
        if sym_b < sym_a:
            sym_a, a, sym_b, b = sym_b, b, sym_a, a
        key = (sym_a, sym_b, a.dates[-1], len(a.dates), b.dates[-1], len(b.dates))
        hit = self._cache.get(key)
        if hit is not None and _same(hit[0], a) and _same(hit[1], b):
            return hit[2]
        if len(self._cache) >= self._max_entries:
            self._cache.clear()
        value = aligned_correlation(a, b, self._lookback, self._min_overlap)
        self._cache[key] = (a, b, value)
        return value

    def __len__(self) -> int:
        return len(self._cache)


def _same(cached: ReturnSeries, given: ReturnSeries) -> bool:
    return cached is given or cached == given


def weighted_correlation(
    weights: Mapping[str, Decimal], correlations: Mapping[str, float | None]
) -> float | None:
    """Σ wᵢ·ρᵢ / Σ wᵢ over held symbols (unknown ρ = 0); None when nothing is held."""
    total = math.fsum(float(w) for w in weights.values() if w > 0)
    if total <= 0.0:
        return None
    acc = math.fsum(float(w) * (correlations.get(s) or 0.0) for s, w in weights.items() if w > 0)
    return acc / total
