"""Notification delivery: how many attempts a notification took, when it was delivered
(a failed one is delivered later, when its channel is back), and the decision id it stems
from (the correlation id the logs carry); an index on the event, which the history filters by.
New nullable columns and an index: nothing existing is rewritten.

Revision ID: 0013_notification_delivery
Revises: 0012_api
Create Date: 2027-06-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import UtcDateTime

revision: str = "0013_notification_delivery"
down_revision: str | None = "0012_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("delivered_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("correlation_id", sa.String(64), nullable=True))
    op.create_index(op.f("ix_notifications_event_ts"), "notifications", ["event", "ts"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_event_ts"), table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("correlation_id")
        batch.drop_column("delivered_at")
        batch.drop_column("attempts")
