"""Venue inspections with their sanctions, and complaints about venues that do not check.

An inspection row says who inspected (the user id), on which local day, whether the venue
checked every person, what was found, the sanction and its dates, and the inspector's estimate
of the venue's visitors a day (what "too few checks" is measured against). A complaint row
says which venue, on which day, what was complained of and which user took it down; the
complainant's identity is not stored.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.types import UTCDateTime

SANCTIONS = "'none', 'warning', 'rectification-order', 'suspension'"


class InspectionRow(Base):
    """One inspection of a venue."""

    __tablename__ = "inspections"
    __table_args__ = (CheckConstraint(f"sanction IN ({SANCTIONS})", name="sanction"),
                      Index(None, "venue_code", "inspected_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_code: Mapped[str] = mapped_column(ForeignKey("venues.code", ondelete="CASCADE"))
    inspected_on: Mapped[date] = mapped_column(Date)
    checked_everyone: Mapped[bool] = mapped_column(Boolean)
    findings: Mapped[str] = mapped_column(Text)
    sanction: Mapped[str] = mapped_column(String(32))
    sanction_from: Mapped[date | None] = mapped_column(Date)
    sanction_until: Mapped[date | None] = mapped_column(Date)
    visitors_per_day: Mapped[int | None] = mapped_column(Integer)
    inspector: Mapped[str] = mapped_column(String(CODE))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ComplaintRow(Base):
    """A complaint that a venue does not check; it names no complainant."""

    __tablename__ = "venue_complaints"
    __table_args__ = (Index(None, "venue_code", "received_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_code: Mapped[str] = mapped_column(ForeignKey("venues.code", ondelete="CASCADE"))
    received_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(CODE))
    recorded_role: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
