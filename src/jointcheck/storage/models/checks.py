"""Check events as the server keeps them: receipts, hourly counts, and registrations.

``check_receipts`` holds one row per event id ever counted, so that an event uploaded twice
(a batch resent, two uploads at once) is counted once; it names no one. ``check_counts`` is
what the reports read: per venue, UTC hour, outcome and basis, a number. Admitted people exist
only there, as numbers (SPEC §5). ``registrations`` holds the identities a worker took down
where the outcome asks for it; name, identity number and phone are AES-GCM ciphertexts bound
to ``registration/<event id>/<field>``, the identity number is also kept as the registry's
pseudonymous id (``pid``) so that follow-up finds the resident, and each row is deleted once
``purge_after`` has passed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jointcheck.storage.models.base import CODE, Base
from jointcheck.storage.types import UTCDateTime

EVENT_ID = 36
"""Length of an event id (a UUID in text)."""
OUTCOMES = "'admit', 'register', 'persuade', 'restrict', 'deny'"
REGISTERING = "'register', 'persuade', 'restrict'"


class CheckReceiptRow(Base):
    """An event counted once: its id, venue, UTC hour and outcome; no identity."""

    __tablename__ = "check_receipts"
    __table_args__ = (CheckConstraint(f"outcome IN ({OUTCOMES})", name="outcome"),)

    event_id: Mapped[str] = mapped_column(String(EVENT_ID), primary_key=True)
    venue_code: Mapped[str] = mapped_column(ForeignKey("venues.code"))
    hour: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckCountRow(Base):
    """How many checks a venue made in one UTC hour with one outcome on one basis."""

    __tablename__ = "check_counts"
    __table_args__ = (CheckConstraint(f"outcome IN ({OUTCOMES})", name="outcome"),
                      CheckConstraint("count > 0", name="count_positive"))

    venue_code: Mapped[str] = mapped_column(ForeignKey("venues.code"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    basis: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class RegistrationRow(Base):
    """The identity taken down at a door for one check event, kept until ``purge_after``."""

    __tablename__ = "registrations"
    __table_args__ = (CheckConstraint(f"outcome IN ({REGISTERING})", name="outcome"),
                      Index(None, "venue_code", "registered_at"))

    event_id: Mapped[str] = mapped_column(ForeignKey("check_receipts.event_id"),
                                          primary_key=True)
    venue_code: Mapped[str] = mapped_column(ForeignKey("venues.code"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_hour: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    pid: Mapped[str] = mapped_column(String(CODE), index=True)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
