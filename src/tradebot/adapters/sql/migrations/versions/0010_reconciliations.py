"""Reconciliations: each comparison of a live session's book with its venue's.

A live session reconciles before it trades (a cold start, a restart after a crash): it
applies what it missed and halts on what it cannot explain. Each outcome is a row — ok,
reports applied, external orders and positions (JSON), every difference (JSON list of
lines) — so the halt's reason can be read back. A new table: nothing existing is rewritten.

Revision ID: 0010_reconciliations
Revises: 0009_operator_commands
Create Date: 2027-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import JsonDoc, UtcDateTime

revision: str = "0010_reconciliations"
down_revision: str | None = "0009_operator_commands"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconciliations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("ts", UtcDateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("external_orders", JsonDoc(), nullable=False),
        sa.Column("external_positions", JsonDoc(), nullable=False),
        sa.Column("differences", JsonDoc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["backtest_runs.id"],
            name=op.f("fk_reconciliations_run_id_backtest_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliations")),
    )
    op.create_index(op.f("ix_reconciliations_run_id_ts"), "reconciliations", ["run_id", "ts"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reconciliations_run_id_ts"), table_name="reconciliations")
    op.drop_table("reconciliations")
