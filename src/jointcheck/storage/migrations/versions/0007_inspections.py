"""Venue inspections with their sanctions, and complaints about venues that do not check.

Revision ID: 0007_inspections
Revises: 0006_targets
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_inspections"
down_revision = "0006_targets"
branch_labels = None
depends_on = None

CODE = 64
SANCTIONS = "'none', 'warning', 'rectification-order', 'suspension'"


def _venue_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["venue_code"], ["venues.code"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_venue_code_venues"))


def upgrade() -> None:
    """Create the tables of inspections and venue complaints."""
    op.create_table(
        "inspections", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_code", sa.String(CODE), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("checked_everyone", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("sanction", sa.String(32), nullable=False),
        sa.Column("sanction_from", sa.Date(), nullable=True),
        sa.Column("sanction_until", sa.Date(), nullable=True),
        sa.Column("visitors_per_day", sa.Integer(), nullable=True),
        sa.Column("inspector", sa.String(CODE), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"sanction IN ({SANCTIONS})", name=op.f("ck_inspections_sanction")),
        _venue_key("inspections"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")))
    op.create_index(op.f("ix_inspections_venue_code_inspected_on"), "inspections",
                    ["venue_code", "inspected_on"])

    op.create_table(
        "venue_complaints", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_code", sa.String(CODE), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(CODE), nullable=False),
        sa.Column("recorded_role", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _venue_key("venue_complaints"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_complaints")))
    op.create_index(op.f("ix_venue_complaints_venue_code_received_on"), "venue_complaints",
                    ["venue_code", "received_on"])


def downgrade() -> None:
    """Drop the tables of venue complaints and inspections."""
    for table in ("venue_complaints", "inspections"):
        op.drop_table(table)
