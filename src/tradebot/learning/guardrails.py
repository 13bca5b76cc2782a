"""The guardrails every policy's proposal passes through, and the audit record of a change.

Each guardrail can be switched off on its own, which is how each is tested alone:
``min_trades=0``, ``max_shift=1.0``, ``floor=0.0``, ``half_life=math.inf``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["CLIP_REASONS", "Guardrails", "WeightChange", "apply_changes"]

CLIP_REASONS = ("min_trades", "max_shift", "floor", "normalise")


@dataclass(frozen=True, slots=True)
class Guardrails:
    """How far and how soon weights may move (the seed's defaults).

    ``learning_rate``: the seed's ``lr`` in ``w' = (1 − lr)·w + lr·reward`` (EMA policy).
    ``min_trades``: a strategy's weight stays put until it has this many evaluated trades.
    ``max_shift``: a weight moves at most this much per cycle, in absolute weight (weights
    sum to 1, so 0.10 is ten percentage points of the whole ensemble).
    ``floor``: no weight goes below this (so no strategy is starved of the trades it needs to
    prove itself again); with more than ``1/floor`` strategies it is ``1/n`` instead.
    ``half_life``: recency decay of outcomes, in closed trades (``inf``: no decay).
    """

    learning_rate: float = 0.1
    min_trades: int = 20
    max_shift: float = 0.10
    floor: float = 0.05
    half_life: float = 50.0

    def __post_init__(self) -> None:
        lr, shift, floor = self.learning_rate, self.max_shift, self.floor
        if not (isinstance(lr, int | float) and 0.0 < lr <= 1.0):
            raise ValueError(f"learning.learning_rate must lie in (0, 1], not {lr!r}")
        if isinstance(self.min_trades, bool) or not isinstance(self.min_trades, int):
            raise ValueError(f"learning.min_trades must be a whole number, not {self.min_trades!r}")
        if self.min_trades < 0:
            raise ValueError(f"learning.min_trades must be ≥ 0, not {self.min_trades}")
        if not (isinstance(shift, int | float) and 0.0 < shift <= 1.0):
            raise ValueError(f"learning.max_shift must lie in (0, 1], not {shift!r}")
        if not (isinstance(floor, int | float) and 0.0 <= floor < 1.0):
            raise ValueError(f"learning.floor must lie in [0, 1), not {floor!r}")
        hl = self.half_life
        if not (isinstance(hl, int | float) and hl > 0.0):  # NaN fails the comparison
            raise ValueError(f"learning.half_life must be > 0 trades (or inf), not {hl!r}")

    def floor_for(self, n: int) -> float:
        """The floor in force among ``n`` strategies: ``min(floor, 1/n)``, since ``n`` weights
        of more than ``1/n`` cannot sum to 1."""
        return min(self.floor, 1.0 / n) if n > 0 else self.floor


@dataclass(frozen=True, slots=True)
class WeightChange:
    """One strategy's weight in one cycle, for the audit trail.

    ``old`` is the strategy's share of the weights given (what the ensemble used: it divides
    by the sum), ``new`` its weight after the cycle; ``reward`` the decayed mean reward the
    book held for it, ``outcomes`` its evaluated trades; ``clipped_by`` the guardrail that
    bound it (``min_trades``, ``max_shift``, ``floor``, ``normalise``) or ``None``.
    """

    strategy: str
    old: float
    new: float
    reward: float
    outcomes: int
    clipped_by: str | None
    policy: str


def apply_changes(
    weights: Mapping[str, float], changes: Sequence[WeightChange]
) -> dict[str, float]:
    """``weights`` with each change's new weight (a later change of one strategy wins);
    strategies no change names keep their weight."""
    result = dict(weights)
    for change in changes:
        if not math.isfinite(change.new) or change.new < 0.0:
            raise ValueError(f"weight of {change.strategy} would be {change.new}")
        result[change.strategy] = change.new
    return result
