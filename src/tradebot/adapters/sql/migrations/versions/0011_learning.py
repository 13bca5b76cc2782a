"""The learning engine's records: each closed trade as evaluated (``trade_outcomes``) and
each weight it moved (``weight_adjustments``: old and new weight, reward, outcomes, the
guardrail that clipped it, policy, time, shadow or used; a user's reset belongs to no
run). New tables: nothing existing is rewritten.

Revision ID: 0011_learning
Revises: 0010_reconciliations
Create Date: 2027-04-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import ExactDecimal, JsonDoc, UtcDateTime

revision: str = "0011_learning"
down_revision: str | None = "0010_reconciliations"
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
        "trade_outcomes",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("trade_id", sa.String(64), nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("entry_decision_id", sa.String(64), nullable=False),
        sa.Column("signal_id", sa.String(64), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=False),
        sa.Column("pnl", ExactDecimal(), nullable=False),
        sa.Column("return_pct", sa.Float(), nullable=False),
        sa.Column("hold_seconds", sa.Float(), nullable=False),
        sa.Column("risk_adjusted", sa.Float(), nullable=False),
        sa.Column("contributions", JsonDoc(), nullable=False),
        sa.Column("direction", sa.Integer(), nullable=False),
        _run_fk("trade_outcomes"),
        sa.PrimaryKeyConstraint("run_id", "trade_id", name=op.f("pk_trade_outcomes")),
    )
    op.create_index(
        op.f("ix_trade_outcomes_run_id_closed_at"), "trade_outcomes", ["run_id", "closed_at"]
    )
    op.create_table(
        "weight_adjustments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.Column("ts", UtcDateTime(), nullable=False),
        sa.Column("strategy", sa.String(100), nullable=False),
        sa.Column("old_weight", sa.Float(), nullable=False),
        sa.Column("new_weight", sa.Float(), nullable=False),
        sa.Column("reward", sa.Float(), nullable=False),
        sa.Column("outcomes", sa.Integer(), nullable=False),
        sa.Column("clipped_by", sa.String(16), nullable=True),
        sa.Column("policy", sa.String(32), nullable=False),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _run_fk("weight_adjustments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weight_adjustments")),
    )
    op.create_index(op.f("ix_weight_adjustments_run_id_ts"), "weight_adjustments", ["run_id", "ts"])
    op.create_index(
        op.f("ix_weight_adjustments_strategy_ts"), "weight_adjustments", ["strategy", "ts"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_weight_adjustments_strategy_ts"), table_name="weight_adjustments")
    op.drop_index(op.f("ix_weight_adjustments_run_id_ts"), table_name="weight_adjustments")
    op.drop_table("weight_adjustments")
    op.drop_index(op.f("ix_trade_outcomes_run_id_closed_at"), table_name="trade_outcomes")
    op.drop_table("trade_outcomes")
