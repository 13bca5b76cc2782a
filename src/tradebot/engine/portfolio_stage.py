"""Connects the ledger to the bus: fills move money, bars move marks, time makes snapshots.

The equity curve gets one point per distinct timestamp (floats, for metrics); the store gets
one Decimal snapshot per ``snapshot_interval_s`` bucket — the state at the last timestamp of
the bucket — so a million minute bars do not become a million rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from tradebot.domain.bar import Bar
from tradebot.domain.batch import epoch_nanoseconds
from tradebot.domain.messages import ClosedTrade, Fill
from tradebot.engine.curve_buffer import CurveBuffer
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.topics import TRADES_CLOSED
from tradebot.ports import Bus, Store

__all__ = ["PortfolioStage"]


class PortfolioStage:
    stage = "portfolio"

    def __init__(
        self,
        *,
        run_id: str,
        portfolio: Portfolio,
        store: Store,
        bus: Bus,
        snapshot_interval_s: int,
        record_snapshots: bool = True,
    ) -> None:
        """``record_snapshots=False`` when the store keeps nothing: the Decimal snapshot of
        each bucket would be built only to be thrown away (the benchmark is priced anyway)."""
        self.records_snapshots = record_snapshots
        self._run_id = run_id
        self.portfolio = portfolio
        self._store = store
        self._bus = bus
        self._interval = snapshot_interval_s
        self.closed_trades: list[ClosedTrade] = []
        self.curve = CurveBuffer()
        """Equity, exposure and buy-and-hold at each distinct bar time. Buy-and-hold holds
        the run's symbols with equal weights, scaled to the initial equity; it is priced at
        the last point of each snapshot bucket (daily), which is all the daily returns
        behind alpha and beta read, and carried between those points."""
        self._benchmark_now = float(portfolio.initial_cash)
        self._first_close: dict[str, float] = {}
        self.snapshots = 0
        self._applied: set[str] = set()
        self._bucket_of_current: int | None = None
        self._bucket_known_for: datetime | None = None  # the time _bucket_of_current is of
        self.open_bucket: datetime | None = None
        """The time of a curve point closed early, while it is not known whether it is
        its bucket's last (see :meth:`close_time`); None otherwise."""
        self._waiting: tuple[int, float, bool] | None = None
        self._last_fill: datetime | None = None
        self.saves_positions_as_they_change = False
        """Set for a run in real time (paced replay, paper, live): the store's open positions follow
        every fill and every snapshot, so a reader (the API, the dashboard) sees the book
        while the run goes on. A backtest saves them once, at its end."""
        """The last curve point's time while its bucket is not snapshotted yet (see
        :meth:`advance`); None otherwise."""

    def on_bar(self, bar: Bar) -> None:
        self.portfolio.on_bar(bar)
        if bar.symbol not in self._first_close:
            self._first_close[bar.symbol] = bar.close

    def on_fill(self, fill: Fill) -> None:
        if fill.fill_id in self._applied:
            return  # redelivered: money moves once per venue trade
        self._applied.add(fill.fill_id)
        self._last_fill = fill.ts
        trade = self.portfolio.apply_fill(fill)
        if self.saves_positions_as_they_change:
            self.save_positions()
        if trade is None:
            return
        self.closed_trades.append(trade)
        self._store.record_closed_trade(self._run_id, trade)
        self._bus.publish(TRADES_CLOSED, trade)

    def close_time(self, ts: datetime, next_ts: datetime | None, *, early: bool = False) -> None:
        """All events at bar time ``ts`` are done and the next event comes at ``next_ts``
        (``None``: the run ends): add the curve point; snapshot if ``next_ts`` starts a new
        bucket (and price the benchmark there). ``early``: the next event is not a bar (a
        timer, a fill report): in the same bucket it cannot say whether ``ts`` is the
        bucket's last point, so the point waits (:attr:`open_bucket`) until
        :meth:`advance` knows — the curve and the benchmark come out as if no such event
        had been, the snapshot shows what the event changed."""
        equity, held = self.portfolio.equity_float(), bool(self.portfolio.positions)
        bucket = self._bucket_of_current if ts == self._bucket_known_for else self._bucket(ts)
        following = None if next_ts is None else self._bucket(next_ts)
        self._bucket_of_current, self._bucket_known_for = following, next_ts
        if following == bucket and early:
            self.open_bucket, self._waiting = ts, (epoch_nanoseconds(ts), equity, held)
            return
        if following != bucket:  # the bucket's last point: snapshot, and price the benchmark
            if self.records_snapshots:
                self.bucket_end(ts)
            self._benchmark_now = self._buy_and_hold()
        self.curve.append(epoch_nanoseconds(ts), equity, held, self._benchmark_now)

    def advance(self, ts: datetime | None, *, bar: bool = False) -> None:
        """Time moves on to ``ts`` (``None``: the run ends; ``bar``: a bar opens a new bar
        time) with the last bar time closed early (:meth:`close_time`): if that leaves its
        bucket, the waiting point was the bucket's last — snapshot now, after whatever
        arrived since that point (a fill reported between two bars) and before anything of
        ``ts``, as of the last change (that point, or a later fill), and price the
        benchmark; a bar in the same bucket says it was not."""
        last, waiting = self.open_bucket, self._waiting
        if last is None or waiting is None:
            return
        ends = ts is None or self._bucket(ts) != self._bucket(last)
        if not ends and not bar:
            return  # another timer or report in the same bucket: still undecided
        if ends:
            if self.records_snapshots:
                filled = self._last_fill
                self.bucket_end(last if filled is None or filled < last else filled)
            self._benchmark_now = self._buy_and_hold()
        self.curve.append(*waiting, self._benchmark_now)
        self.open_bucket = self._waiting = None

    def note_first_close(self, symbol: str, close: float) -> None:
        """The first close of ``symbol`` in the trading period (the batch path's
        ``on_bar``): where its buy-and-hold share starts."""
        if symbol not in self._first_close:
            self._first_close[symbol] = close

    def bucket_end(self, ts: datetime) -> None:
        """The last point of a snapshot bucket (the per-bar path's close of a bucket, or the
        batch path reaching it): snapshot."""
        self._store.record_snapshot(self._run_id, self.portfolio.snapshot(ts))
        self.snapshots += 1
        if self.saves_positions_as_they_change:
            self.save_positions()  # their marks, as of the snapshot

    def bucket_ends(self, times: Sequence[datetime], marks: Mapping[str, Sequence[float]]) -> None:
        """The snapshots of :meth:`bucket_end` at each of ``times`` with no fill between
        them (the batch path's quiet stretch), each position marked at ``marks[symbol][k]``
        at ``times[k]``: one :meth:`Portfolio.snapshots` call instead of a visit per bucket.
        A run that saves positions as they change saves them once, at the last time (the
        batch path never does: it runs on an instant clock, where positions are saved at
        the end)."""
        record, run_id = self._store.record_snapshot, self._run_id
        for snapshot in self.portfolio.snapshots(times, marks):
            record(run_id, snapshot)
        self.snapshots += len(times)
        if self.saves_positions_as_they_change and times:
            self.save_positions()

    @property
    def first_closes(self) -> dict[str, float]:
        """Each symbol's first close in the trading period, in the order they joined the
        benchmark (read-only view for the batch path's bulk benchmark)."""
        return self._first_close

    @property
    def benchmark_now(self) -> float:
        return self._benchmark_now

    @benchmark_now.setter
    def benchmark_now(self, value: float) -> None:
        self._benchmark_now = value

    def save_positions(self) -> None:
        self._store.save_positions(self._run_id, list(self.portfolio.positions.values()))

    def _buy_and_hold(self) -> float:
        """Each symbol bought with an equal share at its first close (symbols that start
        later join with their share then), marked at the last close."""
        first = self._first_close
        if not first:
            return float(self.portfolio.initial_cash)
        mark = self.portfolio.mark
        growth = sum((mark(s) or c0) / c0 for s, c0 in first.items()) / len(first)
        return float(self.portfolio.initial_cash) * growth

    def _bucket(self, ts: datetime) -> int:
        return int(ts.timestamp()) // self._interval
