"""The outcome book: every evaluated trade's credits, per strategy, with recency decay.

Outcomes are kept in closing order (``closed_at``, then the symbol and the credits, then
``trade_id``), so the book is a function of the *set* of trades it was given, whatever order
they came in — and of nothing else: trade ids carry the run's id, so ties at one closing
time are broken by what the trades are before their ids (two runs of the same bars learn
the same weights). Decay is
exponential in trades: an outcome ``k`` closed trades older than the newest counts
``0.5 ** (k / half_life)``. The age is counted over all trades, not a strategy's own,
so every strategy's evidence ages on one clock (the one Exp3 needs).

The decayed sums are folded in closing order with the recurrence ``S ← q·S + x``; appending
the newest trade is one more step of the same fold, so a book rebuilt by adding the run's
recorded outcomes again (a resumed run: ``LearningStage.restore``), or from
:meth:`OutcomeBook.to_state`, gives bit-for-bit the sums of the book never interrupted.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tradebot.learning.credit import credit, responsibility
from tradebot.learning.outcome import TradeOutcome

__all__ = ["OutcomeBook", "StrategyStats"]

_STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class _Entry:
    closed_at: datetime
    trade_id: str
    credits: dict[str, tuple[float, float]]  # strategy → (credit, share)
    symbol: str = ""

    @property
    def key(self) -> tuple[datetime, str, str, str]:
        return (self.closed_at, self.symbol, repr(sorted(self.credits.items())), self.trade_id)


@dataclass(slots=True)
class StrategyStats:
    """One strategy's decayed evidence. ``weight`` is Σ decay·share, ``total`` Σ decay·credit,
    ``gain`` Σ decay·(credit / share) (the reward at full responsibility), ``wins`` and
    ``losses`` the decayed counts of trades it was credited or blamed for; ``count`` is
    not decayed."""

    count: int = 0
    weight: float = 0.0
    total: float = 0.0
    gain: float = 0.0
    wins: float = 0.0
    losses: float = 0.0

    @property
    def mean(self) -> float:
        """The responsibility-weighted mean reward in [-1, 1] (0 with no evidence)."""
        if self.weight <= 0.0:
            return 0.0
        return max(-1.0, min(1.0, self.total / self.weight))

    def step(self, q: float, credit_share: tuple[float, float] | None) -> None:
        self.weight *= q
        self.total *= q
        self.gain *= q
        self.wins *= q
        self.losses *= q
        if credit_share is None:
            return
        c, share = credit_share
        self.count += 1
        self.weight += share
        self.total += c
        self.gain += c / share
        if c > 0.0:
            self.wins += 1.0
        elif c < 0.0:
            self.losses += 1.0


def _decay_factor(half_life: float) -> float:
    if not half_life > 0.0:  # also refuses NaN
        raise ValueError(f"half_life must be > 0 trades, not {half_life}")
    return 1.0 if math.isinf(half_life) else 0.5 ** (1.0 / half_life)


class OutcomeBook:
    """The evaluated outcomes a policy learns from. :meth:`add` is idempotent by trade id."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._ids: set[str] = set()
        self._counts: dict[str, int] = {}
        self._stats: dict[float, dict[str, StrategyStats]] = {}  # per half-life, folded

    def add(self, outcome: TradeOutcome) -> bool:
        """Add one outcome; ``False`` (and nothing changes) when its trade id was added before."""
        if outcome.trade_id in self._ids:
            return False
        shares = responsibility(outcome)
        credits = credit(outcome)
        entry = _Entry(
            outcome.closed_at,
            outcome.trade_id,
            {name: (credits[name], shares[name]) for name in shares},
            outcome.symbol,
        )
        self._insert(entry)
        return True

    def _insert(self, entry: _Entry) -> None:
        self._ids.add(entry.trade_id)
        for name in entry.credits:
            self._counts[name] = self._counts.get(name, 0) + 1
        if not self._entries or self._entries[-1].key < entry.key:
            self._entries.append(entry)
            for half_life, stats in self._stats.items():
                _fold(stats, entry, _decay_factor(half_life))
        else:  # a late arrival: keep closing order, refold on the next query
            bisect.insort(self._entries, entry, key=lambda e: e.key)
            self._stats.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, trade_id: object) -> bool:
        return trade_id in self._ids

    def strategies(self) -> list[str]:
        """Every strategy that has at least one outcome, sorted."""
        return sorted(self._counts)

    def count(self, strategy: str) -> int:
        """How many evaluated trades ``strategy`` contributed to (not decayed)."""
        return self._counts.get(strategy, 0)

    def stats(self, strategy: str, half_life: float) -> StrategyStats:
        """``strategy``'s decayed evidence (a copy; all zero when it has none)."""
        found = self._folded(half_life).get(strategy)
        if found is None:
            return StrategyStats()
        return StrategyStats(
            found.count, found.weight, found.total, found.gain, found.wins, found.losses
        )

    def decayed_reward(self, strategy: str, half_life: float) -> float:
        """``strategy``'s recency-weighted mean credit per unit of responsibility, in
        [-1, 1]: Σ decay·credit / Σ decay·share. Dividing by the share keeps a strategy's
        reward from shrinking just because its weight (hence its share) is small."""
        return self.stats(strategy, half_life).mean

    def fingerprint(self) -> str:
        """Names the book's contents (equal books, equal fingerprints): seeds Thompson."""
        if not self._entries:
            return "0"
        last = self._entries[-1]  # not its trade id, which carries the run's id
        return f"{len(self._entries)}|{last.closed_at.isoformat()}|{last.key[1]}|{last.key[2]}"

    def as_of(self, t: datetime) -> OutcomeBook:
        """A new book of the outcomes closed strictly before ``t``: what was known at ``t``."""
        book = OutcomeBook()
        for entry in self._entries:
            if entry.closed_at >= t:
                break
            book._insert(entry)
        return book

    def _folded(self, half_life: float) -> dict[str, StrategyStats]:
        stats = self._stats.get(half_life)
        if stats is None:
            q = _decay_factor(half_life)
            stats = {}
            for entry in self._entries:
                _fold(stats, entry, q)
            self._stats[half_life] = stats
        return stats

    def to_state(self) -> dict[str, Any]:
        """JSON-able; :meth:`from_state` rebuilds an equal book."""
        return {
            "version": _STATE_VERSION,
            "outcomes": [
                {
                    "trade_id": e.trade_id,
                    "symbol": e.symbol,
                    "closed_at": e.closed_at.isoformat(),
                    "credits": {name: [c, s] for name, (c, s) in e.credits.items()},
                }
                for e in self._entries
            ],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> OutcomeBook:
        if state.get("version") != _STATE_VERSION:
            raise ValueError(f"unknown outcome-book state version {state.get('version')!r}")
        book = cls()
        for row in state["outcomes"]:
            credits = {str(n): (float(c), float(s)) for n, (c, s) in row["credits"].items()}
            closed_at = datetime.fromisoformat(row["closed_at"])
            if closed_at.tzinfo is None:
                raise ValueError(f"outcome {row['trade_id']}: closed_at must be timezone-aware")
            entry = _Entry(closed_at, str(row["trade_id"]), credits, str(row.get("symbol", "")))
            if entry.trade_id not in book._ids:
                book._insert(entry)
        return book

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OutcomeBook):
            return NotImplemented
        return self._entries == other._entries

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OutcomeBook({len(self._entries)} outcomes, strategies={self.strategies()})"


def _fold(stats: dict[str, StrategyStats], entry: _Entry, q: float) -> None:
    for name in entry.credits:
        stats.setdefault(name, StrategyStats())
    for name, acc in stats.items():
        acc.step(q, entry.credits.get(name))
