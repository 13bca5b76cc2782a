"""The tables: what the bot did, one typed declarative model per table.

Every row that belongs to a run (signals, decisions, orders, fills, positions, closed
trades, snapshots) is keyed by ``(run_id, <its own id>)``: ids are only unique within a run,
so replaying the same data twice (which yields the same deterministic ids) records two runs
side by side instead of colliding. Foreign keys that point inside a run are composite
``(run_id, id)`` keys, and deleting a run cascades to everything it recorded.

Articles and their sentiment scores are shared by all runs (the news is the same news);
``run_id`` there names the run that first saw them.

Money and quantities are :class:`~tradebot.adapters.sql.types.ExactDecimal`, timestamps
:class:`~tradebot.adapters.sql.types.UtcDateTime`, free-form structures
:class:`~tradebot.adapters.sql.types.JsonDoc`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tradebot.adapters.sql.types import ExactDecimal, JsonDoc, UtcDateTime

__all__ = [
    "ArticleRow",
    "Base",
    "ClosedTradeRow",
    "DecisionRow",
    "EarningsDateRow",
    "FillRow",
    "OperatorCommandRow",
    "OrderRow",
    "PositionRow",
    "ReconciliationRow",
    "RiskEventRow",
    "RiskStateRow",
    "RunRow",
    "SeenItemRow",
    "SentimentRow",
    "SignalRow",
    "SnapshotRow",
    "StrategyRow",
    "TradeOutcomeRow",
    "WeightAdjustmentRow",
    "WeightChangeRow",
]

# Deterministic constraint names: Alembic can then find, diff and drop every constraint,
# and SQLite batch migrations (which recreate tables) keep the same names.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(64)
SYMBOL = String(32)
_RUN_FK = "backtest_runs.id"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        Decimal: ExactDecimal(),
        dict[str, Any]: JsonDoc(),
        list[Any]: JsonDoc(),
        float: Float(),
        str: Text(),
    }


def _run_id() -> Mapped[str]:
    """The run a row belongs to: part of the primary key, deleted with the run."""
    return mapped_column(ID, ForeignKey(_RUN_FK, ondelete="CASCADE"), primary_key=True)


class RunRow(Base):
    """A backtest, paper or live session. Paper and live sessions are runs too.

    ``owner``/``heartbeat_at`` are the lease of the process driving the run (NULL when none
    does): :mod:`tradebot.adapters.sql.lease`."""

    __tablename__ = "backtest_runs"
    __table_args__ = (Index(None, "mode", "started_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    strategy: Mapped[str] = mapped_column(String(200))
    symbols: Mapped[list[Any]]
    timeframe: Mapped[str] = mapped_column(String(8))
    data_start: Mapped[datetime | None]
    data_end: Mapped[datetime | None]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    config: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any] | None]
    # The lease (see lease.py): which process drives the run, and when it last said so.
    owner: Mapped[str | None] = mapped_column(String(400))
    heartbeat_at: Mapped[datetime | None]


class ArticleRow(Base):
    __tablename__ = "articles"
    __table_args__ = (Index(None, "published_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    content_hash: Mapped[str] = mapped_column(String(128), unique=True)
    source: Mapped[str] = mapped_column(String(200))
    url: Mapped[str]
    title: Mapped[str]
    body: Mapped[str]
    published_at: Mapped[datetime]
    symbols_hint: Mapped[list[Any]]
    run_id: Mapped[str | None] = mapped_column(ID, ForeignKey(_RUN_FK, ondelete="SET NULL"))


class SentimentRow(Base):
    """One model's score of one article for one ticker (the article is named by its hash)."""

    __tablename__ = "article_sentiments"
    __table_args__ = (
        UniqueConstraint("article_hash", "ticker", "model"),
        Index(None, "ticker"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_hash: Mapped[str] = mapped_column(
        String(128), ForeignKey("articles.content_hash", ondelete="CASCADE")
    )
    ticker: Mapped[str] = mapped_column(SYMBOL)
    score: Mapped[float]
    confidence: Mapped[float]
    model: Mapped[str] = mapped_column(String(100))
    entities: Mapped[list[Any]]
    run_id: Mapped[str | None] = mapped_column(ID, ForeignKey(_RUN_FK, ondelete="SET NULL"))


class SignalRow(Base):
    __tablename__ = "signals"
    __table_args__ = (Index(None, "run_id", "ts"), Index(None, "symbol", "ts"))

    run_id: Mapped[str] = _run_id()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    ts: Mapped[datetime]
    symbol: Mapped[str] = mapped_column(SYMBOL)
    direction: Mapped[str] = mapped_column(String(16))
    strength: Mapped[float]
    confidence: Mapped[float]
    price: Mapped[float]
    sources: Mapped[dict[str, Any]]
    contributions: Mapped[dict[str, Any]] = mapped_column(server_default="{}")


class DecisionRow(Base):
    """A trading decision and its full reasoning trace (a JSON list of checks)."""

    __tablename__ = "trading_decisions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["run_id", "signal_id"], ["signals.run_id", "signals.id"], ondelete="CASCADE"
        ),
        Index(None, "run_id", "ts"),
        Index(None, "symbol", "ts"),
        Index(None, "run_id", "symbol", "action", "ts"),
    )

    run_id: Mapped[str] = _run_id()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    signal_id: Mapped[str] = mapped_column(ID)
    ts: Mapped[datetime]
    symbol: Mapped[str] = mapped_column(SYMBOL)
    action: Mapped[str] = mapped_column(String(16))
    side: Mapped[str | None] = mapped_column(String(8))
    quantity: Mapped[Decimal]
    notional: Mapped[Decimal | None]
    reference_price: Mapped[Decimal]
    reason: Mapped[str]
    trace: Mapped[list[Any]]
    strategies: Mapped[list[Any]]
    order_type: Mapped[str] = mapped_column(String(16), server_default="market")
    limit_price: Mapped[Decimal | None]
    stop_price: Mapped[Decimal | None]
    stop_loss: Mapped[Decimal | None]
    take_profit: Mapped[Decimal | None]


class OrderRow(Base):
    """The latest known state of an order; ``updated_at`` is when this row was last written."""

    __tablename__ = "orders"
    __table_args__ = (
        ForeignKeyConstraint(
            ["run_id", "decision_id"],
            ["trading_decisions.run_id", "trading_decisions.id"],
            ondelete="CASCADE",
        ),
        Index(None, "run_id", "status"),
        Index(None, "symbol"),
        Index(None, "broker_order_id"),
        Index(None, "run_id", "decision_id"),
    )

    run_id: Mapped[str] = _run_id()
    client_order_id: Mapped[str] = mapped_column(ID, primary_key=True)
    decision_id: Mapped[str] = mapped_column(ID)
    symbol: Mapped[str] = mapped_column(SYMBOL)
    side: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal | None]
    notional: Mapped[Decimal | None]
    limit_price: Mapped[Decimal | None]
    stop_price: Mapped[Decimal | None]
    status: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    broker_order_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str]


class FillRow(Base):
    __tablename__ = "fills"
    __table_args__ = (
        ForeignKeyConstraint(
            ["run_id", "client_order_id"],
            ["orders.run_id", "orders.client_order_id"],
            ondelete="CASCADE",
        ),
        Index(None, "run_id", "client_order_id"),
        Index(None, "run_id", "ts"),
    )

    run_id: Mapped[str] = _run_id()
    fill_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    client_order_id: Mapped[str] = mapped_column(ID)
    symbol: Mapped[str] = mapped_column(SYMBOL)
    side: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    commission: Mapped[Decimal]
    ts: Mapped[datetime]


class PositionRow(Base):
    """An open position as last saved; the set for a run is replaced as a whole."""

    __tablename__ = "positions"

    run_id: Mapped[str] = _run_id()
    symbol: Mapped[str] = mapped_column(SYMBOL, primary_key=True)
    quantity: Mapped[Decimal]
    avg_price: Mapped[Decimal]
    opened_at: Mapped[datetime]
    entry_decision_id: Mapped[str] = mapped_column(ID)
    entry_commission: Mapped[Decimal]
    last_price: Mapped[Decimal]
    strategies: Mapped[list[Any]]
    bought_quantity: Mapped[Decimal]
    bought_notional: Mapped[Decimal]
    sold_quantity: Mapped[Decimal]
    sold_notional: Mapped[Decimal]
    exit_commission: Mapped[Decimal]
    side: Mapped[str] = mapped_column(String(8), server_default="long")
    borrow_cost: Mapped[Decimal] = mapped_column(server_default="0")
    borrow_since: Mapped[datetime | None]


class ClosedTradeRow(Base):
    __tablename__ = "closed_trades"
    __table_args__ = (Index(None, "run_id", "exit_ts"), Index(None, "symbol"))

    run_id: Mapped[str] = _run_id()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    symbol: Mapped[str] = mapped_column(SYMBOL)
    quantity: Mapped[Decimal]
    entry_ts: Mapped[datetime]
    exit_ts: Mapped[datetime]
    entry_price: Mapped[Decimal]
    exit_price: Mapped[Decimal]
    pnl: Mapped[Decimal]
    commission: Mapped[Decimal]
    return_pct: Mapped[float]
    hold_seconds: Mapped[float]
    strategies: Mapped[list[Any]]
    entry_decision_id: Mapped[str] = mapped_column(ID)
    exit_decision_id: Mapped[str] = mapped_column(ID)
    direction: Mapped[str] = mapped_column(String(8), server_default="long")
    borrow_cost: Mapped[Decimal] = mapped_column(server_default="0")


class SnapshotRow(Base):
    """The ledger at one moment; one row per (run, ts), the last one recorded wins."""

    __tablename__ = "portfolio_snapshots"

    run_id: Mapped[str] = _run_id()
    ts: Mapped[datetime] = mapped_column(primary_key=True)
    cash: Mapped[Decimal]
    positions_value: Mapped[Decimal]
    equity: Mapped[Decimal]
    open_positions: Mapped[int]
    realised_pnl: Mapped[Decimal]


class StrategyRow(Base):
    """A strategy known to the ensemble and its current weight (learned across runs)."""

    __tablename__ = "strategies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str]
    weight: Mapped[float]
    active: Mapped[bool] = mapped_column(Boolean)


class WeightChangeRow(Base):
    """One change of a strategy's weight, and why (the learning engine's audit trail)."""

    __tablename__ = "strategy_weight_history"
    __table_args__ = (Index(None, "strategy_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    strategy_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("strategies.id", ondelete="CASCADE")
    )
    old_weight: Mapped[float]
    new_weight: Mapped[float]
    ts: Mapped[datetime]
    reason: Mapped[str]


class SeenItemRow(Base):
    """A key of a news item already taken in (``u:``/``h:``/``t:`` + sha256 hex), so the
    same story is scored once across sources and restarts. Not owned by a run."""

    __tablename__ = "seen_news_items"
    __table_args__ = (Index(None, "first_seen_at"),)

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    first_seen_at: Mapped[datetime]


class RiskStateRow(Base):
    """The risk engine's state document of a run (tiers, reserve, breakers, stops, pending
    entries and tranches, open tax lots, performance window) as of bar time ``as_of``; one
    per run, the latest save wins. A restart rebuilds the engine from it."""

    __tablename__ = "risk_states"

    run_id: Mapped[str] = _run_id()
    as_of: Mapped[datetime]
    state: Mapped[dict[str, Any]]
    saved_at: Mapped[datetime]


class RiskEventRow(Base):
    """One record of the risk engine's history (append-only): a tier change, a reserve
    ledger entry, a breaker trip or resolution, a stop move, a closed tax lot or a notice.
    ``payload`` is the exact event; ``id`` derives from it, so a repeat is stored once."""

    __tablename__ = "risk_events"
    __table_args__ = (Index(None, "run_id", "kind", "ts"), Index(None, "symbol", "ts"))

    run_id: Mapped[str] = _run_id()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    ts: Mapped[datetime]
    symbol: Mapped[str | None] = mapped_column(SYMBOL)
    payload: Mapped[dict[str, Any]]


class EarningsDateRow(Base):
    """A results-announcement date imported with ``tradebot data import-earnings``; the
    engine reads these on top of the bundled calendar. Not owned by a run."""

    __tablename__ = "earnings_dates"

    symbol: Mapped[str] = mapped_column(SYMBOL, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime]


class OperatorCommandRow(Base):
    """An operator command for a run (pause, resume, kill, flatten, close a position, set
    tier): written by whoever issued it, taken by the run's command poller, then applied
    or refused with one line saying why. ``id`` is the issuer's (unique everywhere), so a
    command read twice is applied once. ``status``: pending, taken, applied, refused."""

    __tablename__ = "operator_commands"
    __table_args__ = (Index(None, "run_id", "status"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    run_id: Mapped[str] = mapped_column(ID, ForeignKey(_RUN_FK, ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    symbol: Mapped[str | None] = mapped_column(SYMBOL)
    tier: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str]
    source: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    outcome: Mapped[str]


class ReconciliationRow(Base):
    """One reconciliation of a live session's book with its venue's (at a start, after a
    restart): whether they agreed (``ok``), how many reports it applied, the external
    orders and positions it found, and every difference as one line. A run that is not
    reconciled is halted; this says why."""

    __tablename__ = "reconciliations"
    __table_args__ = (Index(None, "run_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ID, ForeignKey(_RUN_FK, ondelete="CASCADE"))
    ts: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    applied: Mapped[int] = mapped_column(Integer)
    external_orders: Mapped[list[Any]]
    external_positions: Mapped[dict[str, Any]]
    differences: Mapped[list[Any]]


class TradeOutcomeRow(Base):
    """A closed trade as the learning engine evaluated it: its P&L, return, hold time and
    risk-adjusted return (R multiple), linked to the decision and signal that opened it,
    with each strategy's signed contribution to that signal (what its credit came from)."""

    __tablename__ = "trade_outcomes"
    __table_args__ = (Index(None, "run_id", "closed_at"),)

    run_id: Mapped[str] = _run_id()
    trade_id: Mapped[str] = mapped_column(ID, primary_key=True)
    symbol: Mapped[str] = mapped_column(SYMBOL)
    entry_decision_id: Mapped[str] = mapped_column(ID)
    signal_id: Mapped[str | None] = mapped_column(ID)
    closed_at: Mapped[datetime]
    pnl: Mapped[Decimal]
    return_pct: Mapped[float]
    hold_seconds: Mapped[float]
    risk_adjusted: Mapped[float]
    contributions: Mapped[dict[str, Any]]
    direction: Mapped[int] = mapped_column(Integer)


class WeightAdjustmentRow(Base):
    """One strategy's weight moved by the learning engine (or reset by a user): old and
    new weight, the reward and number of outcomes behind it, the guardrail that clipped
    it, the policy, when, and whether it was only a shadow (computed, never used). A reset
    belongs to no run."""

    __tablename__ = "weight_adjustments"
    __table_args__ = (Index(None, "run_id", "ts"), Index(None, "strategy", "ts"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str | None] = mapped_column(ID, ForeignKey(_RUN_FK, ondelete="CASCADE"))
    ts: Mapped[datetime]
    strategy: Mapped[str] = mapped_column(String(100))
    old_weight: Mapped[float]
    new_weight: Mapped[float]
    reward: Mapped[float]
    outcomes: Mapped[int] = mapped_column(Integer)
    clipped_by: Mapped[str | None] = mapped_column(String(16))
    policy: Mapped[str] = mapped_column(String(32))
    shadow: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str]


# The API's tables share this metadata (migrations are compared against all of it).
from tradebot.adapters.sql import api_models as _api_models  # noqa: E402, F401
