"""The kernel's batch path: the same stages, visited only where something happens.

A backtest spends nearly all its bars doing nothing: no opinion, no working order, no
snapshot. This driver reads the replay a block at a time (:class:`BarBatch`), lets each
symbol's strategies see the block's bars in order — through their bulk hook ``on_bars``
where they have one, one ``Bar`` at a time otherwise — and then *visits* only the bars that
matter, in time order, calling the very stages the per-bar path calls:

* a bar of a symbol with an order working at the venue → the execution stage (fills);
* a bar after which the strategies had an opinion → the signal stage's ``emit`` → decision
  → order manager → broker;
* the last bar of a snapshot bucket → the ledger's snapshot and benchmark (a quiet run of
  them — no order working, no opinion in between — as one call, with the same values).

Between visits only prices move, so the equity curve (one point per distinct time) is
computed in bulk afterwards from the ledger's state after each visit and the closes. The
result is the per-bar path's, bit for bit — signals, decisions, orders, fills, trades,
snapshots, equity, benchmark and exposure (a property test compares the two paths).

The kernel uses this path only when nothing else needs every bar: an instant clock, a feed
with blocks, a venue that says which symbols have working orders, and no news source.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from tradebot.domain.batch import (
    BarBatch,
    SymbolBars,
    epoch_nanoseconds,
    utc_datetime,
    utc_datetimes,
)
from tradebot.engine.batch_curve import benchmark_points, equity_points, marks_at
from tradebot.engine.execution_stage import ExecutionStage
from tradebot.engine.portfolio import FloatHoldings, Portfolio
from tradebot.engine.portfolio_stage import PortfolioStage
from tradebot.engine.signal_stage import SignalStage
from tradebot.ports import Clock, SimulatedVenue
from tradebot.strategies.base import BatchStrategy, Opinion, Strategy

__all__ = ["BatchDriver"]

_NS_PER_S = 1_000_000_000
_NEVER = 1 << 62

Votes = list[tuple[str, Opinion]]


@dataclass(slots=True)
class _Symbol:
    """One symbol's bars in the current block: positions and closes, as lists for the
    walk's bisects and as arrays for the bulk curves."""

    name: str
    positions: list[int]
    closes: list[float]
    position_array: NDArray[np.int64]
    close_array: NDArray[np.float64]

    @classmethod
    def of(cls, part: SymbolBars) -> _Symbol:
        closes = part.close
        return cls(part.symbol, part.positions.tolist(), closes.tolist(), part.positions, closes)

    def last_close(self, i: int) -> float | None:
        """Close of this symbol's last bar at or before block position ``i``."""
        j = bisect_right(self.positions, i) - 1
        return self.closes[j] if j >= 0 else None

    def next_position(self, i: int) -> int | None:
        j = bisect_right(self.positions, i)
        return self.positions[j] if j < len(self.positions) else None


class BatchDriver:
    """Drives the kernel's stages block by block (see the module docstring)."""

    def __init__(
        self,
        *,
        clock: Clock,
        venue: SimulatedVenue,
        execution: ExecutionStage,
        ledger: PortfolioStage,
        signals: SignalStage,
        portfolio: Portfolio,
        trade_from: datetime | None,
        snapshot_interval_s: int,
    ) -> None:
        self._clock = clock
        self._venue = venue
        self._execution = execution
        self._ledger = ledger
        self._signals = signals
        self._portfolio = portfolio
        self._trade_from_ns = None if trade_from is None else epoch_nanoseconds(trade_from)
        self._interval_ns = snapshot_interval_s * _NS_PER_S
        self.bars = 0
        self.warmup_bars = 0

    # --- one block -----------------------------------------------------------------------
    def run_block(self, block: BarBatch) -> None:
        n = len(block)
        if n == 0:
            return
        ts = block.ts
        start = 0
        if self._trade_from_ns is not None:
            start = int(np.searchsorted(ts, self._trade_from_ns, side="left"))
        self.warmup_bars += start
        self.bars += n - start
        parts = block.by_symbol()
        votes = self._opinions(parts, start)
        if start == n:
            return
        symbols = {k: _Symbol.of(part) for k, part in parts.items()}
        groups = self._group_ends(ts, start, n)
        bucket_ends = self._bucket_ends(ts, groups, block.next_ts)
        snapshots = set(bucket_ends.tolist()) if self._ledger.records_snapshots else set()
        walk = _Walk(self, block, symbols, votes, snapshots, start)
        walk.run()
        self._close_curve(block, symbols, groups, bucket_ends, walk, start)
        for k, sym in symbols.items():  # the next block and the end of the run see these
            self._portfolio.set_mark(sym.name, sym.closes[-1])
            self._signals.seen(sym.name, utc_datetime(int(parts[k].ts[-1])))

    def _opinions(self, parts: dict[int, SymbolBars], start: int) -> dict[int, Votes]:
        """Every strategy sees every bar; opinions before ``start`` (warm-up) are dropped.
        Votes at a position keep the ensemble's strategy order."""
        votes: dict[int, Votes] = {}
        for part in parts.values():
            strategies = self._signals.strategies(part.symbol)
            per_strategy = _run_strategies(strategies, part, self._signals)
            positions = part.positions
            for name, found in per_strategy:  # in strategy order, so each slot is too
                for j, opinion in found:
                    i = int(positions[j])
                    if i >= start:
                        votes.setdefault(i, []).append((name, opinion))
        return votes

    @staticmethod
    def _group_ends(ts: NDArray[np.int64], start: int, n: int) -> NDArray[np.int64]:
        """Block positions of the last bar of each distinct time from ``start`` on (a block
        holds whole times, so its last bar ends a group)."""
        inner = np.flatnonzero(ts[start + 1 :] != ts[start : n - 1]) + start
        return np.append(inner, n - 1).astype(np.int64)

    def _bucket_ends(
        self, ts: NDArray[np.int64], groups: NDArray[np.int64], next_ts: int | None
    ) -> NDArray[np.int64]:
        """Group ends whose following time lies in another snapshot bucket (or is none)."""
        buckets = ts[groups] // self._interval_ns
        following = np.empty_like(buckets)
        following[:-1] = buckets[1:]
        following[-1] = -1 if next_ts is None else next_ts // self._interval_ns
        ends: NDArray[np.int64] = groups[buckets != following]
        return ends

    # --- the curves in bulk ---------------------------------------------------------------
    def _close_curve(
        self,
        block: BarBatch,
        symbols: dict[int, _Symbol],
        groups: NDArray[np.int64],
        bucket_ends: NDArray[np.int64],
        walk: _Walk,
        start: int,
    ) -> None:
        """Equity, exposure and buy-and-hold at every group end (see :mod:`batch_curve`);
        symbols trading for the first time join the benchmark, in order of their first bar."""
        by_name = {sym.name: sym for sym in symbols.values()}

        def marks(name: str, at: NDArray[np.int64]) -> NDArray[np.float64]:
            sym = by_name.get(name)
            before = walk.marks_before.get(name)
            if sym is None:
                return np.full(len(at), before or 0.0)
            return marks_at(sym.position_array, sym.close_array, before or 0.0, at)

        states = walk.states
        change_at = np.array(walk.change_at, dtype=np.int64)
        equity, held = equity_points(states, change_at, groups, marks)
        ledger = self._ledger
        joined = [(name, close, -1) for name, close in ledger.first_closes.items()]
        newcomers = sorted(
            (sym.positions[j], sym.name, sym.closes[j])
            for sym in symbols.values()
            if sym.name not in ledger.first_closes
            and (j := bisect_right(sym.positions, start - 1)) < len(sym.positions)
        )
        joined += [(name, close, at) for at, name, close in newcomers]
        benchmark, ledger.benchmark_now = benchmark_points(
            bucket_ends,
            joined,
            marks,
            float(self._portfolio.initial_cash),
            groups,
            ledger.benchmark_now,
        )
        for _, name, close in newcomers:
            ledger.note_first_close(name, close)
        ledger.curve.extend(block.ts[groups], equity, held, benchmark)


class _Walk:
    """The visits of one block, in position order."""

    def __init__(
        self,
        driver: BatchDriver,
        block: BarBatch,
        symbols: dict[int, _Symbol],
        votes: dict[int, Votes],
        snapshots: set[int],
        start: int,
    ) -> None:
        self.d = driver
        self.block = block
        self.symbols = symbols
        self.by_name = {sym.name: sym for sym in symbols.values()}
        self.votes = votes
        self.snapshots = snapshots
        self.portfolio = driver._portfolio
        self.initial: FloatHoldings = self.portfolio.float_holdings()
        self.marks_before = {name: self.portfolio.mark(name) for name in block.symbols}
        self.states: list[FloatHoldings] = [self.initial]
        """The ledger after each visit that moved it (``states[0]``: as the block began)."""
        self.change_at: list[int] = []
        """Block position of each change (``states[k + 1]`` holds from ``change_at[k]``)."""
        self._version = self.portfolio.version
        self._wakes: dict[str, int] = {}
        self._times: dict[int, datetime] = {}
        # the stages' entry points, looked up once per block rather than once per visit
        self._advance = driver._clock.advance_to
        self._working = driver._venue.working_symbols
        self._execute = driver._execution.on_bar
        self._emit = driver._signals.emit
        self._schedule(start - 1)

    def run(self) -> None:
        events = sorted(self.votes.keys() | self.snapshots)
        self._times = self._datetimes(events)
        wakes = self._wakes
        e, n_events = 0, len(events)
        while True:
            nxt = events[e] if e < n_events else _NEVER
            if wakes:
                wake = min(wakes.values())
                if wake < nxt:
                    nxt = wake
            if nxt == _NEVER:
                break
            if e < n_events and events[e] == nxt:
                e += 1
                if not wakes and nxt not in self.votes:
                    quiet = self._quiet_stretch(events, e - 1)
                    if quiet > e:
                        self._snapshot_stretch(events[e - 1 : quiet])
                        e = quiet
                        continue
            self._visit(nxt)

    def _quiet_stretch(self, events: list[int], first: int) -> int:
        """The end (exclusive) of the run of snapshot-only events from ``events[first]``
        on, when nothing can happen in it but snapshots: no order works at the venue (so no
        fill and no wake), no opinion comes before its end. ``first`` itself when the
        stretch cannot be taken in bulk."""
        if self._working():
            return first
        votes, end, n = self.votes, first + 1, len(events)
        while end < n and events[end] not in votes:
            end += 1
        return end

    def _snapshot_stretch(self, stretch: list[int]) -> None:
        """Visit a quiet stretch of snapshot events (see :meth:`_quiet_stretch`) at once:
        what :meth:`_visit` would do at each — marks, the ledger's snapshot, the clock —
        with the held positions' marks read from the block in one vectorised lookup.
        (At a visit every held symbol is marked at its last close, which is what
        :func:`marks_at` gives; the visited symbol's own close is its last close too.)"""
        block, portfolio = self.block, self.portfolio
        at = np.asarray(stretch, dtype=np.int64)
        marks: dict[str, list[float]] = {}
        for name in portfolio.positions:
            before = portfolio.mark(name)
            sym = self.by_name.get(name)
            if before is None and (sym is None or sym.positions[0] > stretch[0]):
                for i in stretch:  # an unmarked position (priced at cost): the slow way
                    self._visit(i)
                return
            if sym is None:
                marks[name] = [before] * len(stretch)  # type: ignore[list-item]
            else:  # (the fallback, for times before the symbol's first bar of the block)
                fallback = 0.0 if before is None else before
                marks[name] = marks_at(sym.position_array, sym.close_array, fallback, at).tolist()
        times = [self._times.get(i) or utc_datetime(int(block.ts[i])) for i in stretch]
        self._advance(times[-1])
        names = block.symbols
        last_of: dict[str, int] = {}
        for i in stretch:
            last_of[names[0] if len(names) == 1 else names[int(block.symbol[i])]] = i
        for name, i in last_of.items():
            portfolio.set_mark(name, float(block.close[i]))
        self.d._ledger.bucket_ends(times, marks)

    def _visit(self, i: int) -> None:
        block, portfolio = self.block, self.portfolio
        names = block.symbols
        symbol = names[0] if len(names) == 1 else names[int(block.symbol[i])]
        ts = self._times.get(i) or utc_datetime(int(block.ts[i]))
        self._advance(ts)
        wakes = self._wakes
        if wakes.get(symbol) == i:
            del wakes[symbol]
        working = self._working()
        if symbol in working:
            self._execute(block.bar(i, symbol, ts))
        close = float(block.close[i])
        portfolio.set_mark(symbol, close)
        votes = self.votes.get(i)
        positions = portfolio.positions
        others = len(positions) > 1 or (positions and symbol not in positions)
        if votes:
            if others:
                self._mark(positions, i, symbol)
            self._emit(symbol, ts, close, votes)
        if i in self.snapshots:
            if others:
                self._mark(positions, i, symbol)
            self.d._ledger.bucket_end(ts)
        if portfolio.version != self._version:
            self._version = portfolio.version
            self.change_at.append(i)
            self.states.append(portfolio.float_holdings())
        if working:
            self._schedule(i, working)

    def _datetimes(self, events: list[int]) -> dict[int, datetime]:
        """The times of the bars the walk will visit — the events and, for a signal, its
        symbol's next bar (where an order would fill) — made in one vectorised call."""
        block = self.block
        votes = np.fromiter(self.votes, dtype=np.int64, count=len(self.votes))
        parts = [np.asarray(events, dtype=np.int64)]
        for k, sym in self.symbols.items():
            mine = votes if len(self.symbols) == 1 else votes[block.symbol[votes] == k]
            after = np.searchsorted(sym.position_array, mine, side="right")
            parts.append(sym.position_array[after[after < len(sym.position_array)]])
        at = np.concatenate(parts)  # repeats are harmless: the dict keeps one of each
        return dict(zip(at.tolist(), utc_datetimes(block.ts[at]), strict=True))

    def _schedule(self, i: int, working: Collection[str] | None = None) -> None:
        """Visit the next bar of every symbol with a working order (``working``: the
        venue's live view, when the caller has just asked for it)."""
        for symbol in self._working() if working is None else working:
            if self._wakes.get(symbol, -1) > i:
                continue
            sym = self.by_name.get(symbol)
            nxt = None if sym is None else sym.next_position(i)
            if nxt is None:
                self._wakes.pop(symbol, None)  # its next bar is in a later block
            else:
                self._wakes[symbol] = nxt

    def _mark(self, names: Iterable[str], i: int, marked: str) -> None:
        """Mark ``names`` at their last close up to position ``i`` (``marked``: the visited
        symbol, marked already)."""
        for name in names:
            if name == marked:
                continue
            sym = self.by_name.get(name)
            close = None if sym is None else sym.last_close(i)
            if close is not None:
                self.portfolio.set_mark(name, close)


def _run_strategies(
    strategies: list[tuple[str, Strategy]], part: SymbolBars, stage: SignalStage
) -> list[tuple[str, list[tuple[int, Opinion]]]]:
    """Each strategy's opinions over ``part``: through ``on_bars`` where it has the hook,
    else bar by bar with the symbol's context kept up to date (history, as on the per-bar
    path)."""
    out: list[tuple[str, list[tuple[int, Opinion]]]] = []
    plain: list[tuple[int, str, Strategy]] = []
    for rank, (name, strategy) in enumerate(strategies):
        if isinstance(strategy, BatchStrategy):  # the bulk hook, declared by its protocol
            out.append((name, strategy.on_bars(part)))
        else:
            out.append((name, []))
            plain.append((rank, name, strategy))
    if plain:
        ctx = stage.context(part.symbol)
        append = ctx.history.append
        for j in range(len(part)):
            bar = part.bar(j)
            append(bar)
            for rank, _, strategy in plain:
                opinion = strategy.on_bar(bar, ctx)
                if opinion is not None:
                    out[rank][1].append((j, opinion))
    return out
