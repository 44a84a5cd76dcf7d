"""Residents (personal fields encrypted), vaccinations and contraindication certificates.

A resident is stored by pseudonymous id (``pid``). Name, national id number, phone and address
are AES-GCM ciphertexts bound to ``resident/<pid>/<field>``. Sex and birth date stay in clear:
age eligibility and coverage by age and sex are computed in SQL over the whole district, and
neither identifies a person alone. ``content_digest`` is a keyed hash of the clear fields,
so a re-import can tell "unchanged" without decrypting every row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.types import UTCDateTime


class ResidentRow(Base):
    """A resident of the district."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    pid: Mapped[str] = mapped_column(String(CODE), unique=True)
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes] = mapped_column(LargeBinary)
    content_digest: Mapped[str] = mapped_column(String(CODE))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    vaccinations: Mapped[list[VaccinationRow]] = relationship(
        back_populates="resident", lazy="raise")


class VaccinationRow(Base):
    """One dose given; (pid, product, dose, date) is unique, so a re-import finds it."""

    __tablename__ = "vaccinations"
    __table_args__ = (
        UniqueConstraint("pid", "product", "dose_number", "vaccinated_on"),
        Index(None, "vaccinated_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"))
    product: Mapped[str] = mapped_column(String(CODE))
    dose_number: Mapped[int] = mapped_column(SmallInteger)
    series_total: Mapped[int] = mapped_column(SmallInteger)
    vaccinated_on: Mapped[date] = mapped_column(Date)
    site: Mapped[str] = mapped_column(String(200))
    lot: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str | None] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    resident: Mapped[ResidentRow] = relationship(back_populates="vaccinations", lazy="raise")


class ContraindicationRow(Base):
    """A contraindication (exemption) certificate of a resident."""

    __tablename__ = "contraindications"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[str] = mapped_column(String(200), unique=True)
    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"), index=True)
    institution: Mapped[str] = mapped_column(String(200))
    institution_level: Mapped[int] = mapped_column(SmallInteger)
    reason_category: Mapped[str] = mapped_column(String(CODE))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
