"""Follow-up cases (R7) with their outcomes, and door-to-door surveys (R8).

A case row is one person (by pseudonymous id) followed up in an area: where it came from,
when it opened, whether it is still open, and its latest outcome (kept on the row so that a
worklist and the funnel read one table). ``open_pid`` holds the pid while the case is open
and is NULL once closed; its unique constraint keeps a person to one open case on SQLite
and PostgreSQL alike. An outcome row says what came of a contact, on which local day, by
which worker, with an optional short note. A survey row is one household: its grid, local
day and address label (AES-GCM ciphertext bound to ``survey/<id>/address``); a member row is
one person of it by pid, with the status the household reported.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.types import UTCDateTime

SOURCES = "'registration', 'registry', 'survey'"
STATUSES = "'open', 'closed'"
OUTCOMES = ("'contacted', 'policy-explained', 'appointment-booked', 'vaccinated', "
            "'exemption-presented', 'declined', 'moved-away', 'unreachable'")
MEMBER_STATUSES = ("'vaccinated', 'partly-vaccinated', 'unvaccinated', 'exempt', "
                   "'not-eligible', 'away'")
NOTE = 200


class FollowupCaseRow(Base):
    """One person followed up in an area until vaccinated, exempt or gone."""

    __tablename__ = "followup_cases"
    __table_args__ = (CheckConstraint(f"source IN ({SOURCES})", name="source"),
                      CheckConstraint(f"status IN ({STATUSES})", name="status"),
                      CheckConstraint(f"last_outcome IN ({OUTCOMES})", name="last_outcome"),
                      Index(None, "area_code", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"),
                                     index=True)
    open_pid: Mapped[str | None] = mapped_column(String(CODE), unique=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))
    opened_on: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date)
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    last_outcome_on: Mapped[date | None] = mapped_column(Date)


class FollowupOutcomeRow(Base):
    """What came of one contact with the person of a case."""

    __tablename__ = "followup_outcomes"
    __table_args__ = (CheckConstraint(f"outcome IN ({OUTCOMES})", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("followup_cases.id", ondelete="CASCADE"),
                                         index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    outcome_on: Mapped[date] = mapped_column(Date)
    worker: Mapped[str] = mapped_column(String(CODE))
    note: Mapped[str | None] = mapped_column(String(NOTE))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyRow(Base):
    """One household visited door to door."""

    __tablename__ = "surveys"
    __table_args__ = (Index(None, "area_code", "surveyed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    surveyed_on: Mapped[date] = mapped_column(Date)
    address_enc: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by: Mapped[str] = mapped_column(String(CODE))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyMemberRow(Base):
    """One member of a surveyed household and the status the household reported."""

    __tablename__ = "survey_members"
    __table_args__ = (CheckConstraint(f"status IN ({MEMBER_STATUSES})", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"),
                                     index=True)
    status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(String(NOTE))
