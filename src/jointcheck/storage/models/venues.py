"""Venues and their checkpoints."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jointcheck.storage.models.base import CODE, Base


class VenueRow(Base):
    """A key place or residential quarter; ``category`` is a slug of SPEC §4."""

    __tablename__ = "venues"

    code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(CODE), index=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    operator_code: Mapped[str | None] = mapped_column(ForeignKey("organisations.code"),
                                                      index=True)

    checkpoints: Mapped[list[CheckpointRow]] = relationship(back_populates="venue",
                                                            lazy="raise")


class CheckpointRow(Base):
    """An entrance of a venue."""

    __tablename__ = "checkpoints"

    code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    venue_code: Mapped[str] = mapped_column(ForeignKey("venues.code", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str] = mapped_column(String(200))

    venue: Mapped[VenueRow] = relationship(back_populates="checkpoints", lazy="raise")
