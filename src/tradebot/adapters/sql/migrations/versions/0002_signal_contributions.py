"""Signals record each strategy's signed share of the ensemble score (attribution).

Revision ID: 0002_signal_contributions
Revises: 0001_initial
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import JsonDoc

revision: str = "0002_signal_contributions"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        batch.add_column(sa.Column("contributions", JsonDoc(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        batch.drop_column("contributions")
