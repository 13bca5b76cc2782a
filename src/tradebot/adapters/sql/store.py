"""``SqlStore``: the :class:`tradebot.ports.Store` on SQLite or PostgreSQL.

``batch_size=1`` (paper, live) commits every record call before it returns, so a decision or
order is durable before anyone acts on it. A larger ``batch_size`` (backtests) buffers
records in memory and writes them in bulk when the buffer holds that many calls, on
:meth:`SqlStore.flush`, on :meth:`SqlStore.finish_run` and on :meth:`SqlStore.close`.
Any failure to write raises :class:`~tradebot.domain.errors.StoreError` and keeps the
unwritten records buffered, so nothing is dropped silently and a later flush retries them
(every write is idempotent). One store is used by one thread.

Operator commands (the :class:`~tradebot.ports.CommandLog` port) are :mod:`.commands`; the
learning engine's trade outcomes and weight adjustments are :mod:`.learning_rows`.

A store drives the runs it starts: it holds a lease on each (:mod:`.lease`), renewed as it
writes and released by ``finish_run`` and ``close``, and another process starting or
resuming such a run is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql import mapping, risk_tables, seen_items
from tradebot.adapters.sql.commands import CommandRows
from tradebot.adapters.sql.connect import is_memory, open_engine, store_error
from tradebot.adapters.sql.learning_rows import LearningRows
from tradebot.adapters.sql.lease import DEFAULT_LEASE_TTL, Lease
from tradebot.adapters.sql.migrate import current_on, head, upgrade, upgrade_engine
from tradebot.adapters.sql.models import (
    ReconciliationRow,
    RiskStateRow,
    RunRow,
    StrategyRow,
    WeightChangeRow,
)
from tradebot.adapters.sql.reads import StoreReads
from tradebot.adapters.sql.types import to_utc
from tradebot.adapters.sql.writer import WriteBuffer, Writer
from tradebot.domain.errors import StoreError
from tradebot.domain.messages import (
    Article,
    ClosedTrade,
    Fill,
    Order,
    PortfolioSnapshot,
    ScoredArticle,
    Signal,
    TradingDecision,
)
from tradebot.domain.position import Position
from tradebot.domain.run import RunInfo
from tradebot.ports import RiskCheckpoint, StateDocument, document_of
from tradebot.risk.earnings import EarningsCalendar
from tradebot.risk.events import RiskEvent

__all__ = ["SqlStore"]


class SqlStore(StoreReads, CommandRows, LearningRows):
    """Durable record of what the bot did (see the module docstring for the write modes)."""

    def __init__(
        self,
        url: str,
        *,
        batch_size: int = 1,
        auto_migrate: bool = True,
        lease_ttl: timedelta = DEFAULT_LEASE_TTL,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        """``lease_ttl``: how long a run this store drives stays claimed without a heartbeat
        for a process on another host (on this one, until this process ends); see
        :mod:`.lease`. ``now``: UTC wall time for the lease's heartbeats (a test passes a
        manual clock's ``now``)."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self._lease = Lease(lease_ttl, now=now)
        self._url = url
        self._batch_size = batch_size
        self._engine = open_engine(url, durable=batch_size == 1)
        try:
            self._prepare_schema(auto_migrate)
        except BaseException:
            self._engine.dispose()
            raise
        postgres = self._engine.dialect.name == "postgresql"
        self._insert = postgresql.insert if postgres else sqlite.insert
        self._writer = Writer(self._engine.dialect)
        self._buffer = WriteBuffer()
        self._closed = False

    def _prepare_schema(self, auto_migrate: bool) -> None:
        """A database at the current schema is used as it is (a read, no lock); otherwise
        it is migrated in one exclusive transaction that another process waits for."""
        expected = head()
        try:
            at = current_on(self._engine, self._url)
        except StoreError as exc:  # locked: another process is migrating a new file; the
            if not auto_migrate or "locked" not in exc.message:  # migration below waits
                raise
            at = None
        if at == expected:
            return
        if not auto_migrate:
            raise StoreError(
                f"database schema is at {at or 'nothing'}, this version needs {expected}",
                "run: tradebot db upgrade",
            )
        if is_memory(self._url):  # no other process can see it: migrate on this engine
            upgrade_engine(self._engine, self._url)
        else:
            upgrade(self._url)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def pending(self) -> int:
        """Record calls buffered and not yet written."""
        return self._buffer.pending

    # -- writing ---------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed", "open a new SqlStore")

    def _added(self) -> None:
        buffer = self._buffer
        buffer.pending += 1
        if buffer.pending >= self._batch_size:
            self.flush()

    def start_run(self, run: RunInfo) -> None:
        """Record a run as running, driven by this store. Starting a known run again (a
        restart) resumes it; :class:`StoreError` when another process drives it."""
        self._check_open()
        try:
            row = mapping.run_row(run, "running")
        except ValueError as exc:
            raise StoreError(f"cannot record run {run.id!r}: {exc}", "pass UTC datetimes") from exc
        lease = self._lease
        new = self._insert(RunRow.__table__).values(row | lease.stamp())  # type: ignore[arg-type]
        try:
            with self._engine.begin() as connection:
                if connection.execute(new.on_conflict_do_nothing()).rowcount != 1:
                    lease.claim(connection, run.id, {"status": "running", "finished_at": None})
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, f"recording the start of run {run.id!r}") from exc
        lease.held.add(run.id)

    def claim_run(self, run_id: str) -> bool:
        """Take ``run_id`` for this store before reading what it recorded (a resume), so no
        other process can finish or drive it in between; False when there is no such run,
        :class:`StoreError` when another process drives it. ``start_run`` keeps the claim."""
        self._check_open()
        try:
            with self._engine.begin() as connection:
                known = self._lease.claim(connection, run_id, {})
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, f"claiming run {run_id!r}") from exc
        if known:
            self._lease.held.add(run_id)
        return known

    def finish_run(
        self, run_id: str, status: str, finished_at: datetime, metrics: dict[str, Any]
    ) -> None:
        """Write everything buffered, then mark the run finished with its metrics and let
        it go (:class:`StoreError` when another process drives it)."""
        self._check_open()
        self.flush()
        ended = {
            "status": status,
            "finished_at": finished_at,
            "metrics": metrics,
            "owner": None,
            "heartbeat_at": None,
        }
        try:
            with self._engine.begin() as connection:
                known = self._lease.claim(connection, run_id, ended)
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, f"recording the end of run {run_id!r}") from exc
        if not known:
            raise StoreError(f"no run {run_id!r} in the store", "call start_run first")
        self._lease.held.discard(run_id)

    def record_article(self, run_id: str, article: Article) -> None:
        self._check_open()
        self._buffer.add_article(mapping.article_row(run_id, article))
        self._added()

    def record_sentiment(self, run_id: str, scored: ScoredArticle) -> None:
        """Record a score; its article is recorded too if it was not already."""
        self._check_open()
        self._buffer.add_article(mapping.article_row(run_id, scored.article))
        self._buffer.add_sentiment(mapping.sentiment_row(run_id, scored))
        self._added()

    def record_signal(self, run_id: str, signal: Signal) -> None:
        self._check_open()
        self._buffer.signals.append(mapping.signal_row(run_id, signal))
        self._added()

    def record_decision(self, run_id: str, decision: TradingDecision) -> None:
        self._check_open()
        self._buffer.decisions.append(mapping.decision_row(run_id, decision))
        self._added()

    def record_order(self, run_id: str, order: Order) -> None:
        """Insert the order, or replace the recorded state of this client order id."""
        self._check_open()
        self._buffer.add_order(run_id, order)
        self._added()

    def record_fill(self, run_id: str, fill: Fill) -> None:
        self._check_open()
        self._buffer.fills.append(mapping.fill_row(run_id, fill))
        self._added()

    def record_closed_trade(self, run_id: str, trade: ClosedTrade) -> None:
        self._check_open()
        self._buffer.closed_trades.append(mapping.closed_trade_row(run_id, trade))
        self._added()

    def record_snapshot(self, run_id: str, snapshot: PortfolioSnapshot) -> None:
        self._check_open()
        self._buffer.add_snapshot(run_id, snapshot)
        self._added()

    def save_positions(self, run_id: str, positions: Sequence[Position]) -> None:
        """Replace the run's open positions with (a copy of) these."""
        self._check_open()
        try:
            rows = [mapping.position_row(run_id, position) for position in positions]
        except ValueError as exc:
            raise StoreError(f"cannot save positions of run {run_id!r}: {exc}", "") from exc
        self._buffer.positions[run_id] = rows
        self._added()

    def save_risk_state(self, run_id: str, as_of: datetime, state: StateDocument) -> None:
        """Replace the run's risk-state document (the latest save wins; one given as the
        function that makes it is made when it is written, so a batch makes only its last)."""
        self._check_open()
        self._buffer.risk_states[run_id] = risk_tables.risk_state_row(run_id, as_of, state)
        self._added()

    def load_risk_state(self, run_id: str) -> RiskCheckpoint | None:
        """The run's last saved risk-state document (flushed saves only)."""
        self._check_open()
        with self.session() as session:
            row = session.get(RiskStateRow, run_id)
            return None if row is None else risk_tables.checkpoint_from(row)

    def record_risk_events(self, run_id: str, events: Sequence[RiskEvent]) -> None:
        """Append risk history records; one recorded before (same content) is ignored."""
        self._check_open()
        if not events:
            return
        try:
            rows = risk_tables.risk_event_rows(run_id, events)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"cannot record risk events of run {run_id!r}: {exc}", "") from exc
        for row in rows:
            self._buffer.add_risk_event(row)
        self._added()

    def record_reconciliation(
        self,
        run_id: str,
        ts: datetime,
        *,
        ok: bool,
        applied: int,
        external_orders: Sequence[Mapping[str, Any]],
        external_positions: Mapping[str, Any],
        differences: Sequence[str],
    ) -> None:
        """Record a reconciliation's outcome, committed at once whatever ``batch_size`` is
        (after what is buffered: the reports it applied come first)."""
        self.flush()
        try:
            row = {
                "run_id": run_id,
                "ts": to_utc(ts),
                "ok": ok,
                "applied": applied,
                "external_orders": [dict(o) for o in external_orders],
                "external_positions": dict(external_positions),
                "differences": list(differences),
            }
        except ValueError as exc:
            raise StoreError(
                f"cannot record a reconciliation of run {run_id!r}: {exc}", ""
            ) from exc
        table = ReconciliationRow.__table__
        assert isinstance(table, Table)
        try:
            with self._engine.begin() as connection:
                connection.execute(table.insert().values(row))
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, f"recording a reconciliation of {run_id!r}") from exc

    def import_earnings(self, calendar: EarningsCalendar, source: str, ts: datetime) -> int:
        """Add imported earnings dates (committed at once); return how many were new."""
        self._check_open()
        return risk_tables.import_earnings(
            self._engine, self._url, self._insert, calendar, source, ts
        )

    def imported_earnings(self) -> EarningsCalendar:
        """Every earnings date imported into this database."""
        self._check_open()
        return risk_tables.read_earnings(self._engine, self._url)

    def flush(self) -> None:
        """Make everything recorded so far durable, in one transaction."""
        buffer = self._buffer
        if self._closed or buffer.pending == 0:
            return
        lease = self._lease
        renew = lease.due()
        try:
            for row in buffer.risk_states.values():
                row["state"] = document_of(row["state"])
            with self._engine.begin() as connection:
                if renew:  # piggy-backed on this write: a lost lease refuses all of it
                    lease.renew(connection)
                self._writer.write(connection, buffer)
        except (SQLAlchemyError, ValueError, TypeError) as exc:
            # ValueError/TypeError: a value its column refuses (a naive datetime, NaN).
            raise store_error(exc, self._url, f"writing {buffer.pending} records") from exc
        self._buffer = WriteBuffer()
        if renew:
            lease.renewed()

    def close(self) -> None:
        """Flush, let go of the runs this store drives, release the connections. Raises if
        the final flush fails (the lease then lapses as the process ends or after its TTL)."""
        if self._closed:
            return
        try:
            self.flush()
            if self._lease.held:
                held = set(self._lease.held)
                try:
                    with self._engine.begin() as connection:
                        self._lease.release(connection, held)
                except SQLAlchemyError as exc:
                    raise store_error(exc, self._url, "releasing the runs it drove") from exc
                self._lease.held.clear()
        finally:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- news de-duplication (the SeenItems port) -------------------------------------------

    def seen(self, keys: Collection[str]) -> set[str]:
        """The subset of ``keys`` remembered before (:mod:`.seen_items`)."""
        self._check_open()
        return seen_items.select_seen(self._engine, self._url, keys)

    def remember(self, keys: Collection[str], ts: datetime) -> None:
        """Remember news keys, committed at once whatever ``batch_size`` is."""
        self._check_open()
        seen_items.insert_seen(self._engine, self._url, self._insert, keys, ts)

    # -- strategies ------------------------------------------------------------------------

    def seed_strategies(self, names: Sequence[str], weight: float | None = None) -> list[str]:
        """Add the strategies not yet known, active, with ``weight`` (default: equal shares).

        Known strategies keep their learned weight. Returns the names that were added.
        """
        self._check_open()
        unique = list(dict.fromkeys(names))
        if not unique:
            return []
        share = 1.0 / len(unique) if weight is None else weight
        with self.session() as session:
            known = set(session.scalars(select(StrategyRow.name)))
            added = [name for name in unique if name not in known]
            if added:
                rows = [
                    {"name": name, "description": "", "weight": share, "active": True}
                    for name in added
                ]
                table = StrategyRow.__table__
                assert isinstance(table, Table)
                session.execute(self._insert(table).on_conflict_do_nothing(), rows)
        return added

    def load_weights(self, names: Sequence[str]) -> dict[str, float]:
        """Weights of ``names`` for the ensemble; unknown ones are registered first with the
        mean of the known weights (an equal share when none is known). Inactive strategies
        weigh 0, which silences them in the ensemble."""
        known = self.strategy_weights(active_only=False)
        default = sum(known.values()) / len(known) if known else None
        self.seed_strategies(names, weight=default)
        active = self.strategy_weights(active_only=True)
        return {name: active.get(name, 0.0) for name in names}

    def set_strategy_weight(self, name: str, weight: float, ts: datetime, reason: str) -> None:
        """Change a strategy's weight and append the change to its history, atomically."""
        self._check_open()
        try:
            when = to_utc(ts)
        except ValueError as exc:
            raise StoreError(f"cannot record weight of {name!r}: {exc}", "") from exc
        with self.session() as session:
            row = session.scalar(
                select(StrategyRow).where(StrategyRow.name == name).with_for_update()
            )
            if row is None:
                raise StoreError(f"unknown strategy {name!r}", "seed it first: seed_strategies")
            session.add(
                WeightChangeRow(
                    strategy_id=row.id,
                    old_weight=row.weight,
                    new_weight=weight,
                    ts=when,
                    reason=reason,
                )
            )
            row.weight = weight
