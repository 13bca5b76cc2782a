"""The write buffer: rows grouped per table, written in bulk in foreign-key order.

One code path serves both durability modes. Paper and live flush after every record (the
buffer never holds more than one call's rows); a backtest lets it fill up and writes each
table with one executemany. Either way a flush is one transaction: all of it becomes
durable, or none of it does and the rows stay buffered for the next attempt.

Semantics per table, identical whether rows meet in one batch or across batches:

* signals, decisions, fills, closed trades, articles, sentiments: insert, ignore a row
  whose key already exists (a redelivered message changes nothing);
* orders: upsert by ``(run_id, client_order_id)`` — the last recorded state wins, and a
  broker order id once known is never forgotten;
* portfolio snapshots: upsert by ``(run_id, ts)`` — the last one recorded wins;
* positions: each save replaces the run's whole set;
* risk states: upsert by ``run_id`` — the latest save wins; risk events: insert, ignore a
  record whose (content-derived) id exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from tradebot.adapters.sql.mapping import Row, order_row
from tradebot.adapters.sql.models import (
    ArticleRow,
    ClosedTradeRow,
    DecisionRow,
    FillRow,
    OrderRow,
    PositionRow,
    RiskEventRow,
    RiskStateRow,
    SentimentRow,
    SignalRow,
    SnapshotRow,
)
from tradebot.adapters.sql.types import column_form
from tradebot.domain.messages import Order, PortfolioSnapshot

__all__ = ["WriteBuffer", "Writer"]


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


class WriteBuffer:
    """Rows recorded but not yet written. ``pending`` counts record calls since the flush."""

    def __init__(self) -> None:
        self.articles: dict[str, Row] = {}
        self.sentiments: dict[tuple[str, str, str], Row] = {}
        self.signals: list[Row] = []
        self.decisions: list[Row] = []
        self.orders: dict[tuple[str, str], tuple[str, Order, str | None]] = {}
        """The last recorded state of each order (run id, the order, its broker order id as
        last known): the row is made once, at the write — an order is saved three or more
        times in its life, and within one batch only its last state is written."""
        self.fills: list[Row] = []
        self.closed_trades: list[Row] = []
        self.snapshots: dict[tuple[str, datetime], PortfolioSnapshot] = {}
        """Kept as the ledger's own objects: the writer reads them column by column."""
        self.positions: dict[str, list[Row]] = {}
        self.risk_states: dict[str, Row] = {}
        self.risk_events: dict[tuple[str, str], Row] = {}
        self.pending = 0

    def add_article(self, row: Row) -> None:
        self.articles.setdefault(row["content_hash"], row)

    def add_sentiment(self, row: Row) -> None:
        self.sentiments.setdefault((row["article_hash"], row["ticker"], row["model"]), row)

    def add_order(self, run_id: str, order: Order) -> None:
        key = (run_id, order.client_order_id)
        broker_order_id = order.broker_order_id
        if broker_order_id is None:
            earlier = self.orders.get(key)
            if earlier is not None:
                broker_order_id = earlier[2]
        self.orders[key] = (run_id, order, broker_order_id)

    def order_rows(self) -> list[Row]:
        """The orders' rows, each with the broker order id once known kept."""
        rows = []
        for run_id, order, broker_order_id in self.orders.values():
            row = order_row(run_id, order)
            row["broker_order_id"] = broker_order_id
            rows.append(row)
        return rows

    def add_snapshot(self, run_id: str, snapshot: PortfolioSnapshot) -> None:
        self.snapshots[(run_id, snapshot.ts)] = snapshot

    def add_risk_event(self, row: Row) -> None:
        self.risk_events.setdefault((row["run_id"], row["id"]), row)


class _Bulk:
    """An INSERT compiled once, run as one raw ``executemany`` per batch.

    Going around SQLAlchemy's per-row parameter handling roughly doubles the write rate.
    Each value still passes through its column type's own bind processor (the same one a
    normal statement uses), so what is stored is identical either way.
    """

    __slots__ = ("_forms", "_get", "_names", "_positional", "sql")

    def __init__(self, statement: Insert, dialect: Dialect) -> None:
        table = statement.table
        assert isinstance(table, Table)
        # Every column is a parameter, except those the statement sets itself (updated_at)
        # and a generated integer id.
        generated = table.autoincrement_column
        keys = [c.key for c in table.c if c is not generated]
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        self.sql = compiled.string
        self._positional = compiled.positional
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        assert len(names) > 1, "itemgetter of one name would not return a tuple"
        self._names = tuple(names)
        self._get = itemgetter(*names)
        self._forms: list[tuple[int, Callable[[Sequence[Any]], list[Any]]]] = []
        for index, name in enumerate(names):
            column_type = compiled.binds[name].type
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._forms.append((index, column_form(processor)))

    @property
    def names(self) -> tuple[str, ...]:
        """The parameters' names, in the statement's order."""
        return self._names

    def params(self, rows: Sequence[Row]) -> list[Any]:
        """The rows' parameters, converted column by column (a whole column per call to
        its type's :func:`column_form`, where a loop per row was Python's)."""
        if not rows:
            return []
        return self.column_params(list(zip(*map(self._get, rows), strict=True)))

    def column_params(self, columns: list[Sequence[Any]]) -> list[Any]:
        """Parameters from whole columns, one per name of :attr:`names` in that order."""
        for index, form in self._forms:
            columns[index] = form(columns[index])
        params = list(zip(*columns, strict=True))
        if not self._positional:
            names = self._names
            return [dict(zip(names, values, strict=True)) for values in params]
        return params

    def execute(self, connection: Connection, rows: Sequence[Row]) -> None:
        connection.exec_driver_sql(self.sql, self.params(rows))

    def execute_columns(self, connection: Connection, columns: list[Sequence[Any]]) -> None:
        connection.exec_driver_sql(self.sql, self.column_params(columns))


def _snapshot_columns(
    names: Sequence[str], snapshots: dict[tuple[str, datetime], PortfolioSnapshot]
) -> list[Sequence[Any]]:
    """The snapshot table's columns straight from the ledger's snapshots (one ``map`` per
    column; a row dict per bar cost more than the rest of writing it)."""
    runs = [run_id for run_id, _ in snapshots]
    values = list(snapshots.values())
    return [runs if name == "run_id" else list(map(attrgetter(name), values)) for name in names]


class Writer:
    """Statements prepared once per dialect; :meth:`write` empties a buffer into a connection."""

    def __init__(self, dialect: Dialect) -> None:
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert

        def ignore(model: type[Any]) -> _Bulk:
            return _Bulk(insert(_table(model)).on_conflict_do_nothing(), dialect)

        self._articles = ignore(ArticleRow)
        self._sentiments = ignore(SentimentRow)
        self._signals = ignore(SignalRow)
        self._decisions = ignore(DecisionRow)
        self._fills = ignore(FillRow)
        self._closed_trades = ignore(ClosedTradeRow)

        orders = _table(OrderRow)
        order_insert = insert(orders).values(updated_at=func.now())
        order_upsert = order_insert.on_conflict_do_update(
            index_elements=[orders.c.run_id, orders.c.client_order_id],
            set_={
                "status": order_insert.excluded.status,
                "broker_order_id": func.coalesce(
                    order_insert.excluded.broker_order_id, orders.c.broker_order_id
                ),
                "reason": order_insert.excluded.reason,
                "updated_at": func.now(),
            },
        )
        self._orders = _Bulk(order_upsert, dialect)

        snapshots = _table(SnapshotRow)
        snapshot_insert = insert(snapshots)
        snapshot_upsert = snapshot_insert.on_conflict_do_update(
            index_elements=[snapshots.c.run_id, snapshots.c.ts],
            set_={
                name: snapshot_insert.excluded[name]
                for name in ("cash", "positions_value", "equity", "open_positions", "realised_pnl")
            },
        )
        self._snapshots = _Bulk(snapshot_upsert, dialect)

        states = _table(RiskStateRow)
        state_insert = insert(states).values(saved_at=func.now())
        state_upsert = state_insert.on_conflict_do_update(
            index_elements=[states.c.run_id],
            set_={
                "as_of": state_insert.excluded.as_of,
                "state": state_insert.excluded.state,
                "saved_at": func.now(),
            },
        )
        self._risk_states = _Bulk(state_upsert, dialect)
        self._risk_events = ignore(RiskEventRow)

        self._positions_table = _table(PositionRow)
        self._positions = _Bulk(insert(self._positions_table), dialect)

    def write(self, connection: Connection, buffer: WriteBuffer) -> int:
        """Write everything in ``buffer`` (parents before children); return the row count."""
        batches: Sequence[tuple[_Bulk, Sequence[Row]]] = (
            (self._articles, list(buffer.articles.values())),
            (self._sentiments, list(buffer.sentiments.values())),
            (self._signals, buffer.signals),
            (self._decisions, buffer.decisions),
            (self._orders, buffer.order_rows()),
            (self._fills, buffer.fills),
            (self._closed_trades, buffer.closed_trades),
            (self._risk_states, list(buffer.risk_states.values())),
            (self._risk_events, list(buffer.risk_events.values())),
        )
        written = 0
        for bulk, rows in batches:
            if rows:
                bulk.execute(connection, rows)
                written += len(rows)
        if buffer.snapshots:
            columns = _snapshot_columns(self._snapshots.names, buffer.snapshots)
            self._snapshots.execute_columns(connection, columns)
            written += len(buffer.snapshots)
        for run_id, positions in buffer.positions.items():
            table = self._positions_table
            connection.execute(delete(table).where(table.c.run_id == run_id))
            if positions:
                self._positions.execute(connection, positions)
                written += len(positions)
        return written
