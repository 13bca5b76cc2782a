"""Credit assignment: each strategy's share of a trade's reward, by its vote on the signal.

A strategy's responsibility for a trade is its share of the signal's total absolute
contribution, ``|cᵢ| / Σ|c|``; whether that is credit or blame is the sign of
``cᵢ · direction`` (did it vote with the trade?) times the sign of the outcome. So a
strategy that voted against a trade that lost is credited for being right, and one that
voted for it is blamed — in proportion to how loudly each spoke.
"""

from __future__ import annotations

import math

from tradebot.learning.outcome import TradeOutcome, reward

__all__ = ["credit", "responsibility"]


def responsibility(outcome: TradeOutcome) -> dict[str, float]:
    """Each contributing strategy's share ``|cᵢ| / Σ|c|`` (they sum to 1); strategies with a
    zero contribution are left out: they said nothing, so nothing is learned about them."""
    total = math.fsum(abs(c) for c in outcome.contributions.values())
    if total <= 0.0:
        return {}
    return {name: abs(c) / total for name, c in outcome.contributions.items() if c != 0.0}


def credit(outcome: TradeOutcome) -> dict[str, float]:
    """Per strategy reward share in [-1, 1]: ``shareᵢ · sign(cᵢ · direction) · tanh(R)``.

    The shares of the strategies that voted with the trade and against it carry opposite
    signs; ``|creditᵢ| ≤ shareᵢ``, so the credits' absolute values sum to at most 1.
    """
    r = reward(outcome)
    return {
        name: share * (1.0 if outcome.contributions[name] * outcome.direction > 0 else -1.0) * r
        for name, share in responsibility(outcome).items()
    }
