"""Notification delivery key: a number the sender chooses for each delivery record and
updates it by, so the records are written in batches by the delivery log's own thread
without waiting for the row's id. A new nullable column with a unique index: nothing
existing is rewritten (rows written before it keep no key and are never updated again).

Revision ID: 0014_notification_delivery_key
Revises: 0013_notification_delivery
Create Date: 2027-06-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_notification_delivery_key"
down_revision: str | None = "0013_notification_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("delivery_key", sa.BigInteger(), nullable=True))
    op.create_index(
        op.f("ix_notifications_delivery_key"), "notifications", ["delivery_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_delivery_key"), table_name="notifications")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("delivery_key")
