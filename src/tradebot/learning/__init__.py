"""The learning engine's pure maths: closed trades become outcomes, outcomes become credit
per strategy, and a policy moves the ensemble's weights inside configurable guardrails.

Pure: no I/O, no clock reads (time comes in on the outcomes), no globals; every random draw
is seeded. A kernel stage (``tradebot.engine``) drives it on ``trades.closed`` and persists
what it returns. The invariants, and the tests that hold each, are in ``learning/README.md``.
"""

from tradebot.learning.book import OutcomeBook, StrategyStats
from tradebot.learning.credit import credit, responsibility
from tradebot.learning.fit import constrain
from tradebot.learning.guardrails import CLIP_REASONS, Guardrails, WeightChange, apply_changes
from tradebot.learning.outcome import TradeOutcome, evaluate_outcome, reward
from tradebot.learning.policies import (
    POLICIES,
    EmaPolicy,
    Exp3Policy,
    ThompsonPolicy,
    WeightPolicy,
    make_policy,
)

__all__ = [
    "CLIP_REASONS",
    "POLICIES",
    "EmaPolicy",
    "Exp3Policy",
    "Guardrails",
    "OutcomeBook",
    "StrategyStats",
    "ThompsonPolicy",
    "TradeOutcome",
    "WeightChange",
    "WeightPolicy",
    "apply_changes",
    "constrain",
    "credit",
    "evaluate_outcome",
    "make_policy",
    "responsibility",
    "reward",
]
