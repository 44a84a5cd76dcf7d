"""Daily roll-ups: fact tables keyed by a local day of the district and their dimensions.

``daily_street_checks`` holds a day's checks per street, venue, venue category and outcome;
``daily_street_totals`` a day's registrations and new vaccinations per street. Both are
rebuilt a whole day at a time (delete, then insert), so a rerun gives the same rows and a late
upload is counted by the next rerun. Counts only: no person is named here (SPEC §5).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.models.checks import OUTCOMES
from jointcheck.storage.types import UTCDateTime


class DailyStreetCheckRow(Base):
    """How many checks a venue of a street made on a local day with one outcome."""

    __tablename__ = "daily_street_checks"
    __table_args__ = (CheckConstraint(f"outcome IN ({OUTCOMES})", name="outcome"),
                      CheckConstraint("count > 0", name="count_positive"))

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    venue_code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    category: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class DailyStreetTotalRow(Base):
    """A street's registrations and new vaccinations on a local day, and when it was rolled up."""

    __tablename__ = "daily_street_totals"
    __table_args__ = (CheckConstraint("registrations >= 0", name="registrations_positive"),
                      CheckConstraint("new_vaccinations >= 0", name="vaccinations_positive"))

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(CODE))
    registrations: Mapped[int] = mapped_column(Integer)
    new_vaccinations: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
