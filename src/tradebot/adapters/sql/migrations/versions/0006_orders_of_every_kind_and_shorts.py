"""Decisions carry their order type, prices and bracket; positions and trades can be short.

A decision now says how its order goes out (market, limit, stop, stop-limit and their
prices) and which stop-loss and take-profit are attached to an entry; a position and a
closed trade say whether they were long or short and what borrowing the shares cost.

Revision ID: 0006_orders_and_shorts
Revises: 0005_seen_news_items
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import ExactDecimal, UtcDateTime

revision: str = "0006_orders_and_shorts"
down_revision: str | None = "0005_seen_news_items"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DECISION_PRICES = ("limit_price", "stop_price", "stop_loss", "take_profit")


def upgrade() -> None:
    with op.batch_alter_table("trading_decisions") as batch:
        batch.add_column(
            sa.Column("order_type", sa.String(16), server_default="market", nullable=False)
        )
        for name in _DECISION_PRICES:
            batch.add_column(sa.Column(name, ExactDecimal(), nullable=True))
    with op.batch_alter_table("positions") as batch:
        batch.add_column(sa.Column("side", sa.String(8), server_default="long", nullable=False))
        batch.add_column(
            sa.Column("borrow_cost", ExactDecimal(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("borrow_since", UtcDateTime(), nullable=True))
    with op.batch_alter_table("closed_trades") as batch:
        batch.add_column(
            sa.Column("direction", sa.String(8), server_default="long", nullable=False)
        )
        batch.add_column(
            sa.Column("borrow_cost", ExactDecimal(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("closed_trades") as batch:
        batch.drop_column("borrow_cost")
        batch.drop_column("direction")
    with op.batch_alter_table("positions") as batch:
        batch.drop_column("borrow_since")
        batch.drop_column("borrow_cost")
        batch.drop_column("side")
    with op.batch_alter_table("trading_decisions") as batch:
        for name in reversed(_DECISION_PRICES):
            batch.drop_column(name)
        batch.drop_column("order_type")
