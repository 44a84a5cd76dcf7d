"""Dose targets (R13): a number of doses assigned to an area for a period, split to streets.

A target row says which area, how many doses, the first and last local day, how the doses
were split (``proportional`` or ``manual``), the age the eligible residents were counted from
(proportional splits only), who assigned it and when. A share row is one street's doses and,
for a proportional split, the eligible unvaccinated residents it was weighted by.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.types import UTCDateTime


class DoseTargetRow(Base):
    """A target of doses for an area within a period of local days."""

    __tablename__ = "dose_targets"
    __table_args__ = (CheckConstraint("doses > 0", name="doses_positive"),
                      CheckConstraint("end_on >= start_on", name="period"),
                      CheckConstraint("split IN ('proportional', 'manual')", name="split"))

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    doses: Mapped[int] = mapped_column(Integer)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    split: Mapped[str] = mapped_column(String(16))
    eligible_from: Mapped[int | None] = mapped_column(SmallInteger)
    assigned_by: Mapped[str] = mapped_column(String(CODE))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DoseTargetShareRow(Base):
    """One street's share of a target."""

    __tablename__ = "dose_target_shares"
    __table_args__ = (CheckConstraint("doses >= 0", name="doses_not_negative"),)

    target_id: Mapped[int] = mapped_column(ForeignKey("dose_targets.id", ondelete="CASCADE"),
                                           primary_key=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    doses: Mapped[int] = mapped_column(Integer)
    eligible_unvaccinated: Mapped[int | None] = mapped_column(Integer)
