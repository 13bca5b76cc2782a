"""Operator commands: the rows through which ``tradebot kill|pause|resume|close|set-tier``
reach a running paper or live process without a server.

The CLI inserts a pending row; the run's poller takes it (``taken_at``) and queues it into
the kernel's event stream; the command stage records it applied or refused with one line
(``decided_at``, ``outcome``). A new table: nothing existing is rewritten.

Revision ID: 0009_operator_commands
Revises: 0008_run_owner
Create Date: 2027-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import UtcDateTime

revision: str = "0009_operator_commands"
down_revision: str | None = "0008_run_owner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operator_commands",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("symbol", sa.String(32), nullable=True),
        sa.Column("tier", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("taken_at", UtcDateTime(), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["backtest_runs.id"],
            name=op.f("fk_operator_commands_run_id_backtest_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_commands")),
    )
    op.create_index(
        op.f("ix_operator_commands_run_id_status"), "operator_commands", ["run_id", "status"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_operator_commands_run_id_status"), table_name="operator_commands")
    op.drop_table("operator_commands")
