"""School investigations (R11) and the entries a school records for the people it checked.

An investigation belongs to a school organisation and a term (its first day; the deadline is
the seventh day of term). An entry says that the school checked a person on a day, and keeps
the registry's status of that person on that day; one entry per person, the latest kept.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.types import UTCDateTime

STATUSES = "'complete', 'partial', 'unvaccinated', 'exempt', 'not-eligible'"


class SchoolInvestigationRow(Base):
    """A school's investigation of a term."""

    __tablename__ = "school_investigations"
    __table_args__ = (CheckConstraint("deadline > term_start", name="period"),
                      UniqueConstraint("organisation_code", "term_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_code: Mapped[str] = mapped_column(
        ForeignKey("organisations.code", ondelete="CASCADE"))
    term_start: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(CODE))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InvestigationEntryRow(Base):
    """That a school checked a person on a day, and the person's status then."""

    __tablename__ = "investigation_entries"
    __table_args__ = (CheckConstraint(f"status IN ({STATUSES})", name="status"),
                      UniqueConstraint("investigation_id", "pid"))

    id: Mapped[int] = mapped_column(primary_key=True)
    investigation_id: Mapped[int] = mapped_column(
        ForeignKey("school_investigations.id", ondelete="CASCADE"))
    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"))
    checked_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(CODE))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
