"""From a policy's targets to new weights that obey every guardrail at once.

The order, applied to each strategy's bounds before anything is normalised:

1. **min_trades** — a strategy with too few outcomes is frozen at its old weight, and the
   others share what the frozen ones leave (so it does not move at all, not even by
   normalisation).
2. **the policy's target** for each strategy that may move.
3. **max_shift** — each mover's band is ``old ± max_shift``.
4. **floor** — the band's low end is raised to the floor (the floor wins over max_shift).
5. **renormalise** — the targets are scaled by one factor ``λ`` so the movers sum to their
   budget, each held inside its band (water-filling: ``newᵢ = clamp(λ·tᵢ, loᵢ, hiᵢ)`` with
   the one ``λ`` that makes the sum right). So the floor and max shift still hold after
   normalising, which dividing by the sum alone would break.

When the bands cannot hold the budget (only when the old weights themselves broke the floor),
max_shift's low ends give way to the floor; if even that fails, the frozen strategies are
renormalised too. Guardrails bind in that order of precedence: floor, max_shift, min_trades.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tradebot.learning.guardrails import Guardrails

__all__ = ["constrain", "solve"]

_TOL = 1e-12


def constrain(
    old: Sequence[float], targets: Sequence[float | None], guardrails: Guardrails
) -> tuple[list[float], list[str | None]]:
    """New weights (summing to 1) and each one's binding guardrail. ``old`` sums to 1;
    ``targets[i]`` is ``None`` for a strategy frozen by min_trades, else ``≥ 0``."""
    n = len(old)
    floor, shift = guardrails.floor_for(n), guardrails.max_shift
    for t in targets:
        if t is not None and not (math.isfinite(t) and t >= 0.0):
            raise ValueError(f"a policy's target weight must be finite and ≥ 0, not {t}")
    movers = [i for i in range(n) if targets[i] is not None]
    new, reasons = list(old), [None if i in movers else "min_trades" for i in range(n)]
    if not movers:
        return new, reasons
    budget = 1.0 - math.fsum(old[i] for i in range(n) if targets[i] is None)
    lo = [max(floor, old[i] - shift) for i in movers]
    lo_why = ["floor" if floor >= old[i] - shift else "max_shift" for i in movers]
    hi = [min(1.0, max(old[i] + shift, low)) for i, low in zip(movers, lo, strict=True)]
    hi_why = ["max_shift"] * len(movers)
    if math.fsum(lo) > budget + _TOL:  # old weights below the floor: the floor wins
        lo, lo_why = [floor] * len(movers), ["floor"] * len(movers)
    if math.fsum(lo) > budget + _TOL:  # and the frozen ones must give way too
        movers, budget = list(range(n)), 1.0
        lo, lo_why = [floor] * n, ["floor"] * n
        hi, hi_why = [1.0] * n, ["normalise"] * n
    goal = [old[i] if targets[i] is None else float(targets[i] or 0.0) for i in movers]
    x, raw = _scaled(goal, lo, hi, budget)
    for k, i in enumerate(movers):
        new[i] = x[k]
        if raw[k] > hi[k] + _TOL:
            reasons[i] = hi_why[k]
        elif raw[k] < lo[k] - _TOL:
            reasons[i] = lo_why[k]
        elif abs(x[k] - goal[k]) > _TOL:
            reasons[i] = "normalise"
        else:
            reasons[i] = None
    return new, reasons


def _scaled(
    goal: list[float], lo: list[float], hi: list[float], budget: float
) -> tuple[list[float], list[float]]:
    """Scale ``goal`` by one factor into the bands (the seed's normalisation); where no factor
    can reach the budget (targets of zero), shift by one amount instead."""
    ones = [1.0] * len(goal)
    zeros = [0.0] * len(goal)
    reach = math.fsum(hi[i] if goal[i] > 0.0 else lo[i] for i in range(len(goal)))
    if math.fsum(goal) > 0.0 and reach >= budget - _TOL:
        s, x = solve(goal, zeros, lo, hi, budget)
        return x, [g * s for g in goal]
    s, x = solve(ones, goal, lo, hi, budget)
    return x, [g + s for g in goal]


def solve(
    a: Sequence[float], b: Sequence[float], lo: Sequence[float], hi: Sequence[float], total: float
) -> tuple[float, list[float]]:
    """The ``s`` with ``Σ clamp(aᵢ·s + bᵢ, loᵢ, hiᵢ) = total`` (``aᵢ ≥ 0``), and the values.

    Exact, not bisected: the sum is piecewise linear in ``s`` with a kink where a value
    meets a bound, so find the segment holding ``total`` and solve the line on it. Where
    ``total`` is out of reach, the nearest end (every value at its bound).
    """
    n = len(a)
    kinks = sorted({(bound[i] - b[i]) / a[i] for bound in (lo, hi) for i in range(n) if a[i] > 0})
    if not kinks:
        return 0.0, _values(a, b, lo, hi, 0.0, total)

    def f(s: float) -> float:
        return math.fsum(_clamp(a[i] * s + b[i], lo[i], hi[i]) for i in range(n))

    sums = [f(k) for k in kinks]
    if total <= sums[0]:
        return kinks[0], _values(a, b, lo, hi, kinks[0], total)
    if total >= sums[-1]:
        return kinks[-1], _values(a, b, lo, hi, kinks[-1], total)
    j = next(j for j in range(1, len(kinks)) if sums[j] >= total)
    left, right = kinks[j - 1], kinks[j]
    mid = (left + right) / 2.0
    free = [i for i in range(n) if a[i] > 0 and lo[i] < a[i] * mid + b[i] < hi[i]]
    fixed = math.fsum(_clamp(a[i] * mid + b[i], lo[i], hi[i]) for i in range(n) if i not in free)
    slope = math.fsum(a[i] for i in free)
    s = left if slope <= 0.0 else (total - fixed - math.fsum(b[i] for i in free)) / slope
    s = min(max(s, left), right)
    return s, _values(a, b, lo, hi, s, total)


def _values(
    a: Sequence[float],
    b: Sequence[float],
    lo: Sequence[float],
    hi: Sequence[float],
    s: float,
    total: float,
) -> list[float]:
    """The clamped values at ``s``, with the last rounding error of the sum handed to the
    values with room for it, so the sum is ``total`` to the last bit where it can be."""
    x = [_clamp(a[i] * s + b[i], lo[i], hi[i]) for i in range(len(a))]
    for _ in range(3):
        residual = total - math.fsum(x)
        if residual == 0.0:
            break
        room = [(hi[i] - x[i]) if residual > 0 else (x[i] - lo[i]) for i in range(len(x))]
        i = max(range(len(x)), key=lambda k: room[k])
        if room[i] <= 0.0:
            break
        x[i] = _clamp(x[i] + residual, lo[i], hi[i])
    return x


def _clamp(v: float, low: float, high: float) -> float:
    return low if v < low else high if v > high else v
