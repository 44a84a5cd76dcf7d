"""Users, API and session tokens, the hash-chained audit log and its anchors.

Revision ID: 0002_access
Revises: 0001_registry
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_access"
down_revision = "0001_registry"
branch_labels = None
depends_on = None

CODE = 64
NAME = 200
HASH = 64


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the tables of users, tokens and the audit log."""
    op.create_table(
        "users", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(CODE), nullable=False),
        sa.Column("display_name", sa.String(NAME), nullable=False),
        sa.Column("password_hash", sa.String(NAME), nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(CODE), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False), _instant("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")))

    op.create_table(
        "api_tokens", sa.Column("token_id", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(HASH), nullable=False),
        sa.Column("label", sa.String(NAME), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("permissions", sa.String(500), nullable=True),
        _instant("created_at"), _instant("expires_at", True), _instant("revoked_at", True),
        _instant("last_used_at", True),
        sa.CheckConstraint("kind IN ('session', 'api')", name=op.f("ck_api_tokens_kind")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_api_tokens")))
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])

    op.create_table(
        "audit_log", sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        _instant("at"), sa.Column("actor_id", sa.String(CODE), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(CODE), nullable=False),
        sa.Column("subject", sa.String(NAME), nullable=True),
        sa.Column("area", sa.String(CODE), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(HASH), nullable=False),
        sa.Column("hash", sa.String(HASH), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_audit_log")))
    op.create_index(op.f("ix_audit_log_subject"), "audit_log", ["subject"])

    op.create_table(
        "audit_anchors", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(HASH), nullable=False), _instant("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")))


def downgrade() -> None:
    """Drop the tables of users, tokens and the audit log."""
    for table in ("audit_anchors", "audit_log", "api_tokens", "users"):
        op.drop_table(table)
