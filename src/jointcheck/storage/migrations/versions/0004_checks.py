"""Check events: receipts (each event counted once), hourly counts, and registrations.

Revision ID: 0004_checks
Revises: 0003_credentials
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_checks"
down_revision = "0003_credentials"
branch_labels = None
depends_on = None

CODE = 64
EVENT_ID = 36
OUTCOMES = "'admit', 'register', 'persuade', 'restrict', 'deny'"
REGISTERING = "'register', 'persuade', 'restrict'"


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _venue_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["venue_code"], ["venues.code"],
                                   name=op.f(f"fk_{table}_venue_code_venues"))


def upgrade() -> None:
    """Create the tables of check receipts, hourly check counts and registrations."""
    op.create_table(
        "check_receipts", sa.Column("event_id", sa.String(EVENT_ID), nullable=False),
        sa.Column("venue_code", sa.String(CODE), nullable=False), _instant("hour"),
        sa.Column("outcome", sa.String(16), nullable=False), _instant("received_at"),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_check_receipts_outcome")),
        _venue_key("check_receipts"),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_check_receipts")))
    op.create_index(op.f("ix_check_receipts_hour"), "check_receipts", ["hour"])

    op.create_table(
        "check_counts", sa.Column("venue_code", sa.String(CODE), nullable=False),
        _instant("hour"), sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_check_counts_outcome")),
        sa.CheckConstraint("count > 0", name=op.f("ck_check_counts_count_positive")),
        _venue_key("check_counts"),
        sa.PrimaryKeyConstraint("venue_code", "hour", "outcome", "basis",
                                name=op.f("pk_check_counts")))

    op.create_table(
        "registrations", sa.Column("event_id", sa.String(EVENT_ID), nullable=False),
        sa.Column("venue_code", sa.String(CODE), nullable=False), _instant("registered_at"),
        _instant("checked_hour"), sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("pid", sa.String(CODE), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False), _instant("purge_after"),
        _instant("received_at"),
        sa.CheckConstraint(f"outcome IN ({REGISTERING})", name=op.f("ck_registrations_outcome")),
        sa.ForeignKeyConstraint(["event_id"], ["check_receipts.event_id"],
                                name=op.f("fk_registrations_event_id_check_receipts")),
        _venue_key("registrations"),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_registrations")))
    op.create_index(op.f("ix_registrations_pid"), "registrations", ["pid"])
    op.create_index(op.f("ix_registrations_purge_after"), "registrations", ["purge_after"])
    op.create_index(op.f("ix_registrations_venue_code_registered_at"), "registrations",
                    ["venue_code", "registered_at"])


def downgrade() -> None:
    """Drop the tables of registrations, check counts and check receipts."""
    for table in ("registrations", "check_counts", "check_receipts"):
        op.drop_table(table)
