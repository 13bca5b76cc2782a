"""News de-duplication: the keys of news items already taken in, kept across restarts.

Revision ID: 0005_seen_news_items
Revises: 0004_order_stop_price
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import UtcDateTime

revision: str = "0005_seen_news_items"
down_revision: str | None = "0004_order_stop_price"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_news_items",
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("first_seen_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_seen_news_items")),
    )
    op.create_index(op.f("ix_seen_news_items_first_seen_at"), "seen_news_items", ["first_seen_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_seen_news_items_first_seen_at"), table_name="seen_news_items")
    op.drop_table("seen_news_items")
