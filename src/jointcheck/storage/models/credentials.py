"""Health-code colors, the changes that set them, and the credentials issued to residents.

A resident without a row in ``health_code_status`` has a green code. Every change of color is
a row in ``color_changes`` with its reason, who asked for it and, for red or yellow, who
approved it; the resident reads that history. ``issued_credentials`` lets the authority find
and revoke what it issued to a person, and carries no personal field.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.types import UTCDateTime

COLORS = "'green', 'yellow', 'red'"


class HealthCodeStatusRow(Base):
    """The color a resident's health code has now."""

    __tablename__ = "health_code_status"
    __table_args__ = (CheckConstraint(f"color IN ({COLORS})", name="color"),)

    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"),
                                     primary_key=True)
    color: Mapped[str] = mapped_column(String(8))
    change_id: Mapped[int] = mapped_column(ForeignKey("color_changes.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ColorChangeRow(Base):
    """A request to set a resident's color: applied at once, or pending a second user."""

    __tablename__ = "color_changes"
    __table_args__ = (
        CheckConstraint(f"to_color IN ({COLORS})", name="to_color"),
        CheckConstraint("status IN ('pending', 'applied', 'rejected')", name="status"),
        Index(None, "pid", "requested_at"),
        Index(None, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"))
    from_color: Mapped[str] = mapped_column(String(8))
    to_color: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(CODE))
    requested_role: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(8))
    decided_by: Mapped[str | None] = mapped_column(String(CODE))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class IssuedCredentialRow(Base):
    """A credential issued to a resident: what, when, by which key; revoked or not."""

    __tablename__ = "issued_credentials"
    __table_args__ = (Index(None, "pid", "issued_at"),)

    certificate_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    pid: Mapped[str] = mapped_column(ForeignKey("residents.pid", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    kid: Mapped[str] = mapped_column(String(CODE))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[str] = mapped_column(String(CODE))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
