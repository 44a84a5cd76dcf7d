"""Queries of venues and checkpoints."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointcheck.registry.venues import Checkpoint, Venue
from jointcheck.storage.models import CheckpointRow, VenueRow


def _venue(row: VenueRow) -> Venue:
    return Venue(row.code, row.name, row.category, row.street_code, row.operator_code)


class VenueRepository:
    """Venues by code and street, and their checkpoints."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, venue: Venue) -> None:
        """Store a venue."""
        self.session.add(VenueRow(code=venue.code, name=venue.name, category=venue.category,
                                  street_code=venue.street, operator_code=venue.operator))
        self.session.flush()

    def get(self, code: str) -> Venue | None:
        """Return the venue with ``code``, or None."""
        row = self.session.get(VenueRow, code)
        return _venue(row) if row is not None else None

    def in_street(self, street: str, category: str | None = None) -> list[Venue]:
        """Return the venues of a street, of one category if given."""
        query = select(VenueRow).where(VenueRow.street_code == street)
        if category is not None:
            query = query.where(VenueRow.category == category)
        return [_venue(row) for row in self.session.scalars(query.order_by(VenueRow.code))]

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Store a checkpoint of a venue."""
        self.session.add(CheckpointRow(code=checkpoint.code, venue_code=checkpoint.venue,
                                       name=checkpoint.name))
        self.session.flush()

    def checkpoints(self, venue: str) -> list[Checkpoint]:
        """Return the checkpoints of a venue."""
        rows = self.session.scalars(select(CheckpointRow).where(CheckpointRow.venue_code == venue)
                                    .order_by(CheckpointRow.code))
        return [Checkpoint(row.code, row.venue_code, row.name) for row in rows]
