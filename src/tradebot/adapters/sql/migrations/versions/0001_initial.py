"""Initial schema: runs, news and sentiment, signals, decisions, orders, fills, positions,
closed trades, portfolio snapshots, strategies and their weight history.

Hand-written (checked against the models by the autogenerate-drift test). It uses the
project's column types, so money is exact NUMERIC on PostgreSQL and decimal text on
SQLite, and timestamps are UTC on both.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import ExactDecimal, JsonDoc, UtcDateTime

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables in creation order; downgrade drops them in reverse.
TABLES = (
    "backtest_runs",
    "strategies",
    "strategy_weight_history",
    "articles",
    "article_sentiments",
    "signals",
    "trading_decisions",
    "orders",
    "fills",
    "positions",
    "closed_trades",
    "portfolio_snapshots",
)


def _id(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=False)


def _money(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, ExactDecimal(), nullable=nullable)


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _json(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, JsonDoc(), nullable=nullable)


def _float(name: str) -> sa.Column[float]:
    return sa.Column(name, sa.Float(), nullable=False)


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=False)


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id"],
        ["backtest_runs.id"],
        name=op.f(f"fk_{table}_run_id_backtest_runs"),
        ondelete="CASCADE",
    )


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def upgrade() -> None:
    op.create_table(
        "backtest_runs",
        _id("id"),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("strategy", sa.String(200), nullable=False),
        _json("symbols"),
        sa.Column("timeframe", sa.String(8), nullable=False),
        _ts("data_start", nullable=True),
        _ts("data_end", nullable=True),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        _json("config"),
        _json("metrics", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backtest_runs")),
    )
    _index("backtest_runs", "mode", "started_at")

    op.create_table(
        "strategies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        _text("description"),
        _float("weight"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategies")),
        sa.UniqueConstraint("name", name=op.f("uq_strategies_name")),
    )
    op.create_table(
        "strategy_weight_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        _float("old_weight"),
        _float("new_weight"),
        _ts("ts"),
        _text("reason"),
        sa.ForeignKeyConstraint(
            ["strategy_id"],
            ["strategies.id"],
            name=op.f("fk_strategy_weight_history_strategy_id_strategies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_weight_history")),
    )
    _index("strategy_weight_history", "strategy_id", "ts")

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        _text("url"),
        _text("title"),
        _text("body"),
        _ts("published_at"),
        _json("symbols_hint"),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["backtest_runs.id"],
            name=op.f("fk_articles_run_id_backtest_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_articles_content_hash")),
    )
    _index("articles", "published_at")

    op.create_table(
        "article_sentiments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_hash", sa.String(128), nullable=False),
        sa.Column("ticker", sa.String(32), nullable=False),
        _float("score"),
        _float("confidence"),
        sa.Column("model", sa.String(100), nullable=False),
        _json("entities"),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_hash"],
            ["articles.content_hash"],
            name=op.f("fk_article_sentiments_article_hash_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["backtest_runs.id"],
            name=op.f("fk_article_sentiments_run_id_backtest_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_sentiments")),
        sa.UniqueConstraint(
            "article_hash",
            "ticker",
            "model",
            name=op.f("uq_article_sentiments_article_hash_ticker_model"),
        ),
    )
    _index("article_sentiments", "ticker")

    op.create_table(
        "signals",
        _id("run_id"),
        _id("id"),
        _ts("ts"),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        _float("strength"),
        _float("confidence"),
        _float("price"),
        _json("sources"),
        _run_fk("signals"),
        sa.PrimaryKeyConstraint("run_id", "id", name=op.f("pk_signals")),
    )
    _index("signals", "run_id", "ts")
    _index("signals", "symbol", "ts")

    op.create_table(
        "trading_decisions",
        _id("run_id"),
        _id("id"),
        _id("signal_id"),
        _ts("ts"),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        _money("quantity"),
        _money("reference_price"),
        _text("reason"),
        _json("trace"),
        _json("strategies"),
        _run_fk("trading_decisions"),
        sa.ForeignKeyConstraint(
            ["run_id", "signal_id"],
            ["signals.run_id", "signals.id"],
            name=op.f("fk_trading_decisions_run_id_signal_id_signals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "id", name=op.f("pk_trading_decisions")),
    )
    _index("trading_decisions", "run_id", "ts")
    _index("trading_decisions", "symbol", "ts")

    op.create_table(
        "orders",
        _id("run_id"),
        _id("client_order_id"),
        _id("decision_id"),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        _money("quantity"),
        _money("limit_price", nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.Column("broker_order_id", sa.String(128), nullable=True),
        _text("reason"),
        _run_fk("orders"),
        sa.ForeignKeyConstraint(
            ["run_id", "decision_id"],
            ["trading_decisions.run_id", "trading_decisions.id"],
            name=op.f("fk_orders_run_id_decision_id_trading_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "client_order_id", name=op.f("pk_orders")),
    )
    _index("orders", "run_id", "status")
    _index("orders", "symbol")
    _index("orders", "broker_order_id")

    op.create_table(
        "fills",
        _id("run_id"),
        sa.Column("fill_id", sa.String(128), nullable=False),
        _id("client_order_id"),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        _money("quantity"),
        _money("price"),
        _money("commission"),
        _ts("ts"),
        _run_fk("fills"),
        sa.ForeignKeyConstraint(
            ["run_id", "client_order_id"],
            ["orders.run_id", "orders.client_order_id"],
            name=op.f("fk_fills_run_id_client_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "fill_id", name=op.f("pk_fills")),
    )
    _index("fills", "run_id", "client_order_id")
    _index("fills", "run_id", "ts")

    op.create_table(
        "positions",
        _id("run_id"),
        sa.Column("symbol", sa.String(32), nullable=False),
        _money("quantity"),
        _money("avg_price"),
        _ts("opened_at"),
        _id("entry_decision_id"),
        _money("entry_commission"),
        _money("last_price"),
        _json("strategies"),
        _money("bought_quantity"),
        _money("bought_notional"),
        _money("sold_quantity"),
        _money("sold_notional"),
        _money("exit_commission"),
        _run_fk("positions"),
        sa.PrimaryKeyConstraint("run_id", "symbol", name=op.f("pk_positions")),
    )

    op.create_table(
        "closed_trades",
        _id("run_id"),
        _id("id"),
        sa.Column("symbol", sa.String(32), nullable=False),
        _money("quantity"),
        _ts("entry_ts"),
        _ts("exit_ts"),
        _money("entry_price"),
        _money("exit_price"),
        _money("pnl"),
        _money("commission"),
        _float("return_pct"),
        _float("hold_seconds"),
        _json("strategies"),
        _id("entry_decision_id"),
        _id("exit_decision_id"),
        _run_fk("closed_trades"),
        sa.PrimaryKeyConstraint("run_id", "id", name=op.f("pk_closed_trades")),
    )
    _index("closed_trades", "run_id", "exit_ts")
    _index("closed_trades", "symbol")

    op.create_table(
        "portfolio_snapshots",
        _id("run_id"),
        _ts("ts"),
        _money("cash"),
        _money("positions_value"),
        _money("equity"),
        sa.Column("open_positions", sa.Integer(), nullable=False),
        _money("realised_pnl"),
        _run_fk("portfolio_snapshots"),
        sa.PrimaryKeyConstraint("run_id", "ts", name=op.f("pk_portfolio_snapshots")),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints; children go before parents.
    for table in reversed(TABLES):
        op.drop_table(table)
