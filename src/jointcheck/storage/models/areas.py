"""The area hierarchy: district, street, community, grid, keyed by the dotted code."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jointcheck.storage.models.base import CODE, Base


class AreaRow(Base):
    """An area; its parent is the code less the last segment."""

    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint("level IN ('district', 'street', 'community', 'grid')", name="level"),
    )

    code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)

    parent: Mapped[AreaRow | None] = relationship(remote_side=[code], lazy="raise")
