"""Organisations and the posts residents hold in them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jointcheck.storage.models.base import CODE, Base


class OrganisationRow(Base):
    """An organisation: type, industry, supervising department, street."""

    __tablename__ = "organisations"

    code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(CODE))
    industry: Mapped[str] = mapped_column(String(CODE), index=True)
    supervising_department: Mapped[str] = mapped_column(String(200))
    street_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)


class MembershipRow(Base):
    """A resident's post in an organisation."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_code", "pid", "post"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_code: Mapped[str] = mapped_column(
        ForeignKey("organisations.code", ondelete="CASCADE"))
    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"), index=True)
    post: Mapped[str] = mapped_column(String(CODE))

    organisation: Mapped[OrganisationRow] = relationship(lazy="raise")
