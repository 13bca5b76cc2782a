"""The HTTP API's tables: users, passkeys, WebAuthn challenges, refresh tokens, setup
codes and invitations, the configuration change audit and the notifications sent; and two
indexes its views read by (a decision's orders; decisions of one symbol and outcome). New
tables and indexes: nothing existing is rewritten.

Revision ID: 0012_api
Revises: 0011_learning
Create Date: 2027-05-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tradebot.adapters.sql.types import JsonDoc, UtcDateTime

revision: str = "0012_api"
down_revision: str | None = "0011_learning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"],
        ["api_users.id"],
        name=op.f(f"fk_{table}_user_id_api_users"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_index(op.f("ix_orders_run_id_decision_id"), "orders", ["run_id", "decision_id"])
    op.create_index(
        op.f("ix_trading_decisions_run_id_symbol_action_ts"),
        "trading_decisions",
        ["run_id", "symbol", "action", "ts"],
    )
    op.create_table(
        "api_users",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_users")),
        sa.UniqueConstraint("name", name=op.f("uq_api_users_name")),
    )
    op.create_table(
        "api_passkeys",
        sa.Column("id", sa.String(1400), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("transports", JsonDoc(), nullable=False),
        sa.Column("aaguid", sa.String(64), nullable=False),
        sa.Column("backed_up", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        _user_fk("api_passkeys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_passkeys")),
    )
    op.create_index(op.f("ix_api_passkeys_user_id"), "api_passkeys", ["user_id"])
    op.create_table(
        "api_challenges",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("challenge", sa.String(200), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("payload", JsonDoc(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_challenges")),
    )
    op.create_index(op.f("ix_api_challenges_expires_at"), "api_challenges", ["expires_at"])
    op.create_table(
        "api_refresh_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("family_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("replaced_by", sa.String(64), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(100), nullable=True),
        _user_fk("api_refresh_tokens"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_api_refresh_tokens")),
    )
    op.create_index(op.f("ix_api_refresh_tokens_family_id"), "api_refresh_tokens", ["family_id"])
    op.create_index(op.f("ix_api_refresh_tokens_user_id"), "api_refresh_tokens", ["user_id"])
    op.create_table(
        "api_invites",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("used_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_api_invites")),
    )
    op.create_table(
        "config_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ts", UtcDateTime(), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("previous", JsonDoc(), nullable=False),
        sa.Column("new", JsonDoc(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_changes")),
    )
    op.create_index(op.f("ix_config_changes_path_ts"), "config_changes", ["path", "ts"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ts", UtcDateTime(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_ts"), "notifications", ["ts"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_ts"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_config_changes_path_ts"), table_name="config_changes")
    op.drop_table("config_changes")
    op.drop_table("api_invites")
    op.drop_index(op.f("ix_api_refresh_tokens_user_id"), table_name="api_refresh_tokens")
    op.drop_index(op.f("ix_api_refresh_tokens_family_id"), table_name="api_refresh_tokens")
    op.drop_table("api_refresh_tokens")
    op.drop_index(op.f("ix_api_challenges_expires_at"), table_name="api_challenges")
    op.drop_table("api_challenges")
    op.drop_index(op.f("ix_api_passkeys_user_id"), table_name="api_passkeys")
    op.drop_table("api_passkeys")
    op.drop_table("api_users")
    op.drop_index(
        op.f("ix_trading_decisions_run_id_symbol_action_ts"), table_name="trading_decisions"
    )
    op.drop_index(op.f("ix_orders_run_id_decision_id"), table_name="orders")
