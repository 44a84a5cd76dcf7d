"""Follow-up of unvaccinated residents: cases, their outcomes, door-to-door surveys.

Revision ID: 0008_followup
Revises: 0007_inspections
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_followup"
down_revision = "0007_inspections"
branch_labels = None
depends_on = None

CODE = 64
NOTE = 200
SOURCES = "'registration', 'registry', 'survey'"
STATUSES = "'open', 'closed'"
OUTCOMES = ("'contacted', 'policy-explained', 'appointment-booked', 'vaccinated', "
            "'exemption-presented', 'declined', 'moved-away', 'unreachable'")
MEMBER_STATUSES = ("'vaccinated', 'partly-vaccinated', 'unvaccinated', 'exempt', "
                   "'not-eligible', 'away'")


def _resident_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["pid"], ["residents.pid"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_pid_residents"))


def _area_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["area_code"], ["areas.code"],
                                   name=op.f(f"fk_{table}_area_code_areas"))


def upgrade() -> None:
    """Create the tables of follow-up cases, their outcomes, surveys and survey members."""
    op.create_table(
        "followup_cases", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pid", sa.String(CODE), nullable=False),
        sa.Column("open_pid", sa.String(CODE), nullable=True),
        sa.Column("area_code", sa.String(CODE), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("last_outcome", sa.String(32), nullable=True),
        sa.Column("last_outcome_on", sa.Date(), nullable=True),
        sa.CheckConstraint(f"source IN ({SOURCES})", name=op.f("ck_followup_cases_source")),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_followup_cases_status")),
        sa.CheckConstraint(f"last_outcome IN ({OUTCOMES})",
                           name=op.f("ck_followup_cases_last_outcome")),
        _resident_key("followup_cases"), _area_key("followup_cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_cases")),
        sa.UniqueConstraint("open_pid", name=op.f("uq_followup_cases_open_pid")))
    op.create_index(op.f("ix_followup_cases_pid"), "followup_cases", ["pid"])
    op.create_index(op.f("ix_followup_cases_area_code_status"), "followup_cases",
                    ["area_code", "status"])

    op.create_table(
        "followup_outcomes", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("outcome_on", sa.Date(), nullable=False),
        sa.Column("worker", sa.String(CODE), nullable=False),
        sa.Column("note", sa.String(NOTE), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})",
                           name=op.f("ck_followup_outcomes_outcome")),
        sa.ForeignKeyConstraint(["case_id"], ["followup_cases.id"], ondelete="CASCADE",
                                name=op.f("fk_followup_outcomes_case_id_followup_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_outcomes")))
    op.create_index(op.f("ix_followup_outcomes_case_id"), "followup_outcomes", ["case_id"])

    op.create_table(
        "surveys", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(CODE), nullable=False),
        sa.Column("surveyed_on", sa.Date(), nullable=False),
        sa.Column("address_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.String(CODE), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _area_key("surveys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")))
    op.create_index(op.f("ix_surveys_area_code_surveyed_on"), "surveys",
                    ["area_code", "surveyed_on"])

    op.create_table(
        "survey_members", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("pid", sa.String(CODE), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("note", sa.String(NOTE), nullable=True),
        sa.CheckConstraint(f"status IN ({MEMBER_STATUSES})",
                           name=op.f("ck_survey_members_status")),
        sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"], ondelete="CASCADE",
                                name=op.f("fk_survey_members_survey_id_surveys")),
        _resident_key("survey_members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_members")))
    op.create_index(op.f("ix_survey_members_survey_id"), "survey_members", ["survey_id"])
    op.create_index(op.f("ix_survey_members_pid"), "survey_members", ["pid"])


def downgrade() -> None:
    """Drop the tables of survey members, surveys, follow-up outcomes and cases."""
    for table in ("survey_members", "surveys", "followup_outcomes", "followup_cases"):
        op.drop_table(table)
