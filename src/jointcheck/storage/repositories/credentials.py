"""Queries of health-code colours, their changes, and credentials issued to residents."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jointcheck.storage.models import ColorChangeRow, HealthCodeStatusRow, IssuedCredentialRow

DEFAULT_COLOR = "green"


class ColorChange(NamedTuple):
    """A request to set a resident's colour, and what became of it."""

    id: int
    pid: str
    from_color: str
    to_color: str
    reason: str
    requested_by: str
    requested_role: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


def _change(row: ColorChangeRow) -> ColorChange:
    return ColorChange(row.id, row.pid, row.from_color, row.to_color, row.reason,
                       row.requested_by, row.requested_role, row.requested_at, row.status,
                       row.decided_by, row.decided_at, row.decision_note)


class HealthCodeRepository:
    """Current colours and the history of changes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def color_of(self, pid: str, *, for_update: bool = False) -> str:
        """Return a resident's colour now (green where nothing was ever set).

        ``for_update`` locks the row until the transaction ends, so that two approvals of
        requests on one resident cannot both apply a change made from the same colour.
        """
        statement = select(HealthCodeStatusRow.color).where(HealthCodeStatusRow.pid == pid)
        if for_update:
            statement = statement.with_for_update()
        color = self.session.scalar(statement)
        return color or DEFAULT_COLOR

    def add_change(self, pid: str, from_color: str, to_color: str, reason: str,
                   requested_by: str, requested_role: str, at: datetime) -> int:
        """Record a pending change request; return its id."""
        row = ColorChangeRow(pid=pid, from_color=from_color, to_color=to_color, reason=reason,
                             requested_by=requested_by, requested_role=requested_role,
                             requested_at=at, status="pending")
        self.session.add(row)
        self.session.flush()
        return row.id

    def get_change(self, change_id: int, *, for_update: bool = False) -> ColorChange | None:
        """Return one change request."""
        statement = select(ColorChangeRow).where(ColorChangeRow.id == change_id)
        if for_update:  # two approvers of one request: the second waits and sees it decided
            statement = statement.with_for_update()
        row = self.session.scalar(statement)
        return _change(row) if row else None

    def decide(self, change_id: int, status: str, by: str, at: datetime,
               note: str | None) -> None:
        """Mark a pending change applied or rejected."""
        self.session.execute(update(ColorChangeRow).where(ColorChangeRow.id == change_id)
                             .values(status=status, decided_by=by, decided_at=at,
                                     decision_note=note))

    def apply(self, change_id: int, pid: str, color: str, at: datetime) -> None:
        """Make ``color`` the resident's colour now, as set by change ``change_id``."""
        row = self.session.get(HealthCodeStatusRow, pid)
        if row is None:
            self.session.add(HealthCodeStatusRow(pid=pid, color=color, change_id=change_id,
                                                 changed_at=at))
        else:
            row.color, row.change_id, row.changed_at = color, change_id, at
        self.session.flush()

    def history(self, pid: str) -> list[ColorChange]:
        """Return every change request of a resident, newest first."""
        rows = self.session.scalars(select(ColorChangeRow).where(ColorChangeRow.pid == pid)
                                    .order_by(ColorChangeRow.requested_at.desc(),
                                              ColorChangeRow.id.desc()))
        return [_change(row) for row in rows]

    def pending(self, limit: int = 100) -> list[ColorChange]:
        """Return pending requests, oldest first."""
        rows = self.session.scalars(select(ColorChangeRow)
                                    .where(ColorChangeRow.status == "pending")
                                    .order_by(ColorChangeRow.requested_at).limit(limit))
        return [_change(row) for row in rows]


class IssuedCredentialRepository:
    """What was issued to whom, for finding and revoking it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, certificate_id: str, pid: str, kind: str, kid: str, issued_at: datetime,
            expires_at: datetime, issued_by: str) -> None:
        """Record an issued credential."""
        self.session.add(IssuedCredentialRow(
            certificate_id=certificate_id, pid=pid, type=kind, kid=kid, issued_at=issued_at,
            expires_at=expires_at, issued_by=issued_by))

    def get(self, certificate_id: str) -> IssuedCredentialRow | None:
        """Return one issued credential."""
        return self.session.get(IssuedCredentialRow, certificate_id)

    def for_person(self, pid: str) -> list[IssuedCredentialRow]:
        """Return what was issued to a resident, newest first."""
        return list(self.session.scalars(select(IssuedCredentialRow)
                                         .where(IssuedCredentialRow.pid == pid)
                                         .order_by(IssuedCredentialRow.issued_at.desc())))

    def mark_revoked(self, certificate_id: str, at: datetime) -> None:
        """Mark an issued credential revoked."""
        self.session.execute(update(IssuedCredentialRow)
                             .where(IssuedCredentialRow.certificate_id == certificate_id)
                             .values(revoked_at=at))
