"""Weight policies: the seed's EMA update and two bandits, behind one protocol.

A policy only says where each strategy *should* go (its target); :func:`propose` applies the
guardrails (``fit.py``) and writes the audit records, the same way for every policy. Each
policy is pure: the same weights, book and guardrails give the same changes — Thompson
sampling too, whose random draws are seeded from its seed and the book's contents.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np

from tradebot.learning.book import OutcomeBook
from tradebot.learning.fit import constrain
from tradebot.learning.guardrails import Guardrails, WeightChange

__all__ = [
    "POLICIES",
    "EmaPolicy",
    "Exp3Policy",
    "ThompsonPolicy",
    "WeightPolicy",
    "make_policy",
    "propose",
]


class WeightPolicy(Protocol):
    name: str

    def propose(
        self, weights: Mapping[str, float], book: OutcomeBook, guardrails: Guardrails
    ) -> list[WeightChange]:
        """One change per strategy in ``weights`` (in their order); the new weights sum to 1."""
        ...


TargetFn = Callable[[list[str], OutcomeBook, Guardrails, dict[str, float]], dict[str, float]]


def propose(
    policy: str,
    weights: Mapping[str, float],
    book: OutcomeBook,
    guardrails: Guardrails,
    targets: TargetFn,
) -> list[WeightChange]:
    """The shared cycle: normalise the old weights, freeze strategies short of min_trades,
    ask ``targets`` for the movers' targets, fit them inside the guardrails, audit."""
    names = list(weights)
    if not names:
        return []
    raw = [float(weights[n]) for n in names]
    if any(not math.isfinite(w) or w < 0.0 for w in raw):
        raise ValueError(f"weights must be finite and ≥ 0, not {dict(weights)}")
    total = math.fsum(raw)
    old = [w / total for w in raw] if total > 0.0 else [1.0 / len(names)] * len(names)
    movers = [n for n in names if book.count(n) >= guardrails.min_trades]
    current = dict(zip(names, old, strict=True))
    wanted = targets(movers, book, guardrails, current) if movers else {}
    new, why = constrain(old, [wanted.get(n) for n in names], guardrails)
    return [
        WeightChange(
            strategy=n,
            old=old[i],
            new=new[i],
            reward=book.decayed_reward(n, guardrails.half_life),
            outcomes=book.count(n),
            clipped_by=why[i],
            policy=policy,
        )
        for i, n in enumerate(names)
    ]


class EmaPolicy:
    """The seed's update, ``w' = (1 − lr)·w + lr·reward``, with the decayed mean reward
    mapped from [-1, 1] to [0, 1] (``(1 + r) / 2``), then renormalised."""

    name: str = "ema"

    def propose(
        self, weights: Mapping[str, float], book: OutcomeBook, guardrails: Guardrails
    ) -> list[WeightChange]:
        return propose(self.name, weights, book, guardrails, _ema_targets)

    def __repr__(self) -> str:
        return "EmaPolicy()"


def _ema_targets(
    movers: list[str], book: OutcomeBook, g: Guardrails, current: dict[str, float]
) -> dict[str, float]:
    lr = g.learning_rate
    return {
        n: (1.0 - lr) * current[n] + lr * (1.0 + book.decayed_reward(n, g.half_life)) / 2.0
        for n in movers
    }


class Exp3Policy:
    """Exponential weights on the decayed cumulative reward, with uniform exploration:
    ``pᵢ = (1 − γ)·exp(η·Gᵢ) / Σ exp(η·Gⱼ) + γ / K``.

    Exp3 proper divides each reward by the probability of having played the arm, because a
    bandit sees only the arm it pulled. Here every trade reveals the reward of every strategy
    that voted on it, so no such estimate is needed: this is Exp3's full-information form
    (Hedge), which keeps its regret bound. ``Gᵢ`` sums each outcome's reward at full
    responsibility (``± tanh R``), decayed, so it does not depend on the weights themselves.
    """

    name: str = "exp3"

    def __init__(self, eta: float = 0.1, exploration: float = 0.1) -> None:
        if not (math.isfinite(eta) and eta > 0.0):
            raise ValueError(f"exp3 eta must be > 0, not {eta}")
        if not 0.0 <= exploration <= 1.0:
            raise ValueError(f"exp3 exploration must lie in [0, 1], not {exploration}")
        self.eta, self.exploration = eta, exploration

    def propose(
        self, weights: Mapping[str, float], book: OutcomeBook, guardrails: Guardrails
    ) -> list[WeightChange]:
        return propose(self.name, weights, book, guardrails, self._targets)

    def _targets(
        self, movers: list[str], book: OutcomeBook, g: Guardrails, current: dict[str, float]
    ) -> dict[str, float]:
        gains = {n: self.eta * book.stats(n, g.half_life).gain for n in movers}
        top = max(gains.values())
        exps = {n: math.exp(v - top) for n, v in gains.items()}
        return _mix(exps, self.exploration)

    def __repr__(self) -> str:
        return f"Exp3Policy(eta={self.eta}, exploration={self.exploration})"


class ThompsonPolicy:
    """Thompson sampling on wins and losses: each strategy's win rate has a
    ``Beta(1 + wins, 1 + losses)`` posterior (decayed counts); the target is the probability
    that it has the best win rate, estimated from ``draws`` joint draws, mixed with uniform
    exploration. Deterministic: a numpy generator seeded from ``seed`` and the book's contents."""

    name: str = "thompson"

    def __init__(self, seed: int = 0, draws: int = 256, exploration: float = 0.1) -> None:
        if draws < 1:
            raise ValueError(f"thompson draws must be ≥ 1, not {draws}")
        if not 0.0 <= exploration <= 1.0:
            raise ValueError(f"thompson exploration must lie in [0, 1], not {exploration}")
        self.seed, self.draws, self.exploration = seed, draws, exploration

    def propose(
        self, weights: Mapping[str, float], book: OutcomeBook, guardrails: Guardrails
    ) -> list[WeightChange]:
        return propose(self.name, weights, book, guardrails, self._targets)

    def _targets(
        self, movers: list[str], book: OutcomeBook, g: Guardrails, current: dict[str, float]
    ) -> dict[str, float]:
        ordered = sorted(movers)  # draws must not depend on the weights' key order
        key = f"{self.seed}|{book.fingerprint()}|{g.half_life}|{','.join(ordered)}"
        # a pure package draws only from a seeded numpy generator (tests/unit/test_layering)
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(key.encode()).digest()[:16]))
        stats = [book.stats(n, g.half_life) for n in ordered]
        alpha = np.array([1.0 + s.wins for s in stats])
        beta = np.array([1.0 + s.losses for s in stats])
        samples = rng.beta(alpha, beta, size=(self.draws, len(ordered)))
        wins = np.bincount(np.argmax(samples, axis=1), minlength=len(ordered))
        best = {n: float(wins[i]) for i, n in enumerate(ordered)}
        return _mix(best, self.exploration)

    def __repr__(self) -> str:
        return f"ThompsonPolicy(seed={self.seed}, draws={self.draws})"


def _mix(scores: dict[str, float], exploration: float) -> dict[str, float]:
    """Normalise ``scores`` to a distribution and mix in ``exploration`` of uniform."""
    total = math.fsum(scores.values())
    k = len(scores)
    return {n: (1.0 - exploration) * v / total + exploration / k for n, v in scores.items()}


POLICIES: dict[str, Callable[[], WeightPolicy]] = {
    "ema": EmaPolicy,
    "exp3": Exp3Policy,
    "thompson": ThompsonPolicy,
}


def make_policy(name: str, seed: int = 0) -> WeightPolicy:
    """The named policy (``learning.policy``); ``seed`` seeds Thompson's draws."""
    if name == "thompson":
        return ThompsonPolicy(seed=seed)
    factory = POLICIES.get(name)
    if factory is None:
        raise ValueError(f"unknown learning policy {name!r}; choose one of {sorted(POLICIES)}")
    return factory()
