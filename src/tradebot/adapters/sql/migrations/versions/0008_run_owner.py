"""The lease on a run: which process drives it and when it last said so.

``backtest_runs.owner`` holds the driving process's token (pid, host and a random nonce)
and ``heartbeat_at`` the last time it renewed its claim; both are NULL when no process
drives the run. Two processes resuming one run used to drive it at once; now the second is
refused (:mod:`tradebot.adapters.sql.lease`). Adding nullable columns rewrites nothing.

Revision ID: 0008_run_owner
Revises: 0007_risk_state_and_events
Create Date: 2027-01-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import UtcDateTime

revision: str = "0008_run_owner"
down_revision: str | None = "0007_risk_state_and_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("backtest_runs") as batch:
        batch.add_column(sa.Column("owner", sa.String(400), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("backtest_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("owner")
