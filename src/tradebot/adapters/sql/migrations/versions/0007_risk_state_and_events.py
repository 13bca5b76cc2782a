"""The risk engine's state and history, and imported earnings dates.

``risk_states`` keeps one JSON document per run (the latest save wins) from which a restart
rebuilds tiers, reserve, breakers, stops and open tax lots; ``risk_events`` is the
append-only history (tier changes, reserve ledger, breaker events, stop moves, closed tax
lots, notices); ``earnings_dates`` holds dates imported with ``tradebot data
import-earnings``, read on top of the bundled calendar.

Revision ID: 0007_risk_state_and_events
Revises: 0006_orders_and_shorts
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import JsonDoc, UtcDateTime

revision: str = "0007_risk_state_and_events"
down_revision: str | None = "0006_orders_and_shorts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id"],
        ["backtest_runs.id"],
        name=op.f(f"fk_{table}_run_id_backtest_runs"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "risk_states",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("as_of", UtcDateTime(), nullable=False),
        sa.Column("state", JsonDoc(), nullable=False),
        sa.Column("saved_at", UtcDateTime(), nullable=False),
        _run_fk("risk_states"),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_risk_states")),
    )
    op.create_table(
        "risk_events",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("ts", UtcDateTime(), nullable=False),
        sa.Column("symbol", sa.String(32), nullable=True),
        sa.Column("payload", JsonDoc(), nullable=False),
        _run_fk("risk_events"),
        sa.PrimaryKeyConstraint("run_id", "id", name=op.f("pk_risk_events")),
    )
    op.create_index(op.f("ix_risk_events_run_id_kind_ts"), "risk_events", ["run_id", "kind", "ts"])
    op.create_index(op.f("ix_risk_events_symbol_ts"), "risk_events", ["symbol", "ts"])
    op.create_table(
        "earnings_dates",
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "day", name=op.f("pk_earnings_dates")),
    )


def downgrade() -> None:
    op.drop_table("earnings_dates")
    op.drop_index(op.f("ix_risk_events_symbol_ts"), table_name="risk_events")
    op.drop_index(op.f("ix_risk_events_run_id_kind_ts"), table_name="risk_events")
    op.drop_table("risk_events")
    op.drop_table("risk_states")
