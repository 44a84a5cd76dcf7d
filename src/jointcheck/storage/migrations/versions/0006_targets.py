"""Dose targets: a number of doses assigned to an area for a period, and its streets' shares.

Revision ID: 0006_targets
Revises: 0005_reports
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_targets"
down_revision = "0005_reports"
branch_labels = None
depends_on = None

CODE = 64


def upgrade() -> None:
    """Create the tables of dose targets and their shares."""
    op.create_table(
        "dose_targets", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(CODE), nullable=False),
        sa.Column("doses", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("split", sa.String(16), nullable=False),
        sa.Column("eligible_from", sa.SmallInteger(), nullable=True),
        sa.Column("assigned_by", sa.String(CODE), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("doses > 0", name=op.f("ck_dose_targets_doses_positive")),
        sa.CheckConstraint("end_on >= start_on", name=op.f("ck_dose_targets_period")),
        sa.CheckConstraint("split IN ('proportional', 'manual')",
                           name=op.f("ck_dose_targets_split")),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"],
                                name=op.f("fk_dose_targets_area_code_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dose_targets")))
    op.create_index(op.f("ix_dose_targets_area_code"), "dose_targets", ["area_code"])
    op.create_table(
        "dose_target_shares", sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("street_code", sa.String(CODE), nullable=False),
        sa.Column("doses", sa.Integer(), nullable=False),
        sa.Column("eligible_unvaccinated", sa.Integer(), nullable=True),
        sa.CheckConstraint("doses >= 0", name=op.f("ck_dose_target_shares_doses_not_negative")),
        sa.ForeignKeyConstraint(["target_id"], ["dose_targets.id"], ondelete="CASCADE",
                                name=op.f("fk_dose_target_shares_target_id_dose_targets")),
        sa.ForeignKeyConstraint(["street_code"], ["areas.code"],
                                name=op.f("fk_dose_target_shares_street_code_areas")),
        sa.PrimaryKeyConstraint("target_id", "street_code", name=op.f("pk_dose_target_shares")))


def downgrade() -> None:
    """Drop the tables of dose targets."""
    op.drop_table("dose_target_shares")
    op.drop_index(op.f("ix_dose_targets_area_code"), table_name="dose_targets")
    op.drop_table("dose_targets")
