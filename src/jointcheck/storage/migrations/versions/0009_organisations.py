"""Organisations: school investigations and what they record.

Revision ID: 0009_organisations
Revises: 0008_followup
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_organisations"
down_revision = "0008_followup"
branch_labels = None
depends_on = None

CODE = 64
STATUSES = "'complete', 'partial', 'unvaccinated', 'exempt', 'not-eligible'"


def upgrade() -> None:
    """Create the tables of school investigations and their entries."""
    op.create_table(
        "school_investigations", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_code", sa.String(CODE), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(CODE), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("deadline > term_start",
                           name=op.f("ck_school_investigations_period")),
        sa.ForeignKeyConstraint(
            ["organisation_code"], ["organisations.code"], ondelete="CASCADE",
            name=op.f("fk_school_investigations_organisation_code_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_investigations")),
        sa.UniqueConstraint("organisation_code", "term_start",
                            name=op.f("uq_school_investigations_organisation_code_term_start")))
    op.create_table(
        "investigation_entries", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        sa.Column("pid", sa.String(CODE), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.String(CODE), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})",
                           name=op.f("ck_investigation_entries_status")),
        sa.ForeignKeyConstraint(
            ["investigation_id"], ["school_investigations.id"], ondelete="CASCADE",
            name=op.f("fk_investigation_entries_investigation_id_school_investigations")),
        sa.ForeignKeyConstraint(["pid"], ["residents.pid"], ondelete="CASCADE",
                                name=op.f("fk_investigation_entries_pid_residents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation_entries")),
        sa.UniqueConstraint("investigation_id", "pid",
                            name=op.f("uq_investigation_entries_investigation_id_pid")))


def downgrade() -> None:
    """Drop the tables of school investigations."""
    op.drop_table("investigation_entries")
    op.drop_table("school_investigations")
