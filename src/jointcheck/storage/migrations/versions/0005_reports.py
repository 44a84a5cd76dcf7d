"""Daily roll-ups: a day's checks per street, venue, category and outcome; street totals.

Revision ID: 0005_reports
Revises: 0004_checks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_reports"
down_revision = "0004_checks"
branch_labels = None
depends_on = None

CODE = 64
OUTCOMES = "'admit', 'register', 'persuade', 'restrict', 'deny'"


def _street_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["street_code"], ["areas.code"],
                                   name=op.f(f"fk_{table}_street_code_areas"))


def upgrade() -> None:
    """Create the daily fact tables of street checks and street totals."""
    op.create_table(
        "daily_street_checks", sa.Column("day", sa.Date(), nullable=False),
        sa.Column("street_code", sa.String(CODE), nullable=False),
        sa.Column("venue_code", sa.String(CODE), nullable=False),
        sa.Column("category", sa.String(CODE), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})",
                           name=op.f("ck_daily_street_checks_outcome")),
        sa.CheckConstraint("count > 0", name=op.f("ck_daily_street_checks_count_positive")),
        _street_key("daily_street_checks"),
        sa.PrimaryKeyConstraint("day", "street_code", "venue_code", "category", "outcome",
                                name=op.f("pk_daily_street_checks")))
    op.create_table(
        "daily_street_totals", sa.Column("day", sa.Date(), nullable=False),
        sa.Column("street_code", sa.String(CODE), nullable=False),
        sa.Column("timezone", sa.String(CODE), nullable=False),
        sa.Column("registrations", sa.Integer(), nullable=False),
        sa.Column("new_vaccinations", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("registrations >= 0",
                           name=op.f("ck_daily_street_totals_registrations_positive")),
        sa.CheckConstraint("new_vaccinations >= 0",
                           name=op.f("ck_daily_street_totals_vaccinations_positive")),
        _street_key("daily_street_totals"),
        sa.PrimaryKeyConstraint("day", "street_code", name=op.f("pk_daily_street_totals")))


def downgrade() -> None:
    """Drop the daily fact tables."""
    for table in ("daily_street_totals", "daily_street_checks"):
        op.drop_table(table)
