"""Health-code colours and their changes, and the credentials issued to residents.

Revision ID: 0003_credentials
Revises: 0002_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_credentials"
down_revision = "0002_access"
branch_labels = None
depends_on = None

CODE = 64
COLORS = "'green', 'yellow', 'red'"


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the tables of colour changes, current colours and issued credentials."""
    op.create_table(
        "color_changes", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pid", sa.String(CODE), nullable=False),
        sa.Column("from_color", sa.String(8), nullable=False),
        sa.Column("to_color", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(CODE), nullable=False),
        sa.Column("requested_role", sa.String(32), nullable=False),
        _instant("requested_at"),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("decided_by", sa.String(CODE), nullable=True),
        _instant("decided_at", True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint(f"to_color IN ({COLORS})", name=op.f("ck_color_changes_to_color")),
        sa.CheckConstraint("status IN ('pending', 'applied', 'rejected')",
                           name=op.f("ck_color_changes_status")),
        sa.ForeignKeyConstraint(["pid"], ["residents.pid"],
                                name=op.f("fk_color_changes_pid_residents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_color_changes")))
    op.create_index(op.f("ix_color_changes_pid_requested_at"), "color_changes",
                    ["pid", "requested_at"])
    op.create_index(op.f("ix_color_changes_status"), "color_changes", ["status"])

    op.create_table(
        "health_code_status", sa.Column("pid", sa.String(CODE), nullable=False),
        sa.Column("color", sa.String(8), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False), _instant("changed_at"),
        sa.CheckConstraint(f"color IN ({COLORS})", name=op.f("ck_health_code_status_color")),
        sa.ForeignKeyConstraint(["change_id"], ["color_changes.id"],
                                name=op.f("fk_health_code_status_change_id_color_changes")),
        sa.ForeignKeyConstraint(["pid"], ["residents.pid"],
                                name=op.f("fk_health_code_status_pid_residents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pid", name=op.f("pk_health_code_status")))

    op.create_table(
        "issued_credentials", sa.Column("certificate_id", sa.String(200), nullable=False),
        sa.Column("pid", sa.String(CODE), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("kid", sa.String(CODE), nullable=False),
        _instant("issued_at"), _instant("expires_at"),
        sa.Column("issued_by", sa.String(CODE), nullable=False),
        _instant("revoked_at", True),
        sa.ForeignKeyConstraint(["pid"], ["residents.pid"],
                                name=op.f("fk_issued_credentials_pid_residents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_issued_credentials")))
    op.create_index(op.f("ix_issued_credentials_pid_issued_at"), "issued_credentials",
                    ["pid", "issued_at"])


def downgrade() -> None:
    """Drop the tables of colours and issued credentials."""
    for table in ("issued_credentials", "health_code_status", "color_changes"):
        op.drop_table(table)
