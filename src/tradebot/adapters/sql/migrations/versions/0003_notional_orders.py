"""All-in sizing: decisions and orders may name a cash amount (notional) instead of a
quantity, which the venue turns into units at the fill price.

Revision ID: 0003_notional_orders
Revises: 0002_signal_contributions
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import ExactDecimal

revision: str = "0003_notional_orders"
down_revision: str | None = "0002_signal_contributions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trading_decisions") as batch:
        batch.add_column(sa.Column("notional", ExactDecimal(), nullable=True))
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("notional", ExactDecimal(), nullable=True))
        batch.alter_column("quantity", existing_type=ExactDecimal(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("notional")
        batch.alter_column("quantity", existing_type=ExactDecimal(), nullable=False)
    with op.batch_alter_table("trading_decisions") as batch:
        batch.drop_column("notional")
