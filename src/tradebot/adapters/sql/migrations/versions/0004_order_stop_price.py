"""Stop and stop-limit orders: an order may carry the stop price that triggers it.

Revision ID: 0004_order_stop_price
Revises: 0003_notional_orders
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import ExactDecimal

revision: str = "0004_order_stop_price"
down_revision: str | None = "0003_notional_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("stop_price", ExactDecimal(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("stop_price")
