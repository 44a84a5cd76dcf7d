"""Queries of organisations and memberships."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jointcheck.registry.organisations import Membership, Organisation
from jointcheck.storage.models import MembershipRow, OrganisationRow


def _organisation(row: OrganisationRow) -> Organisation:
    return Organisation(row.code, row.name, row.type, row.industry, row.supervising_department,
                        row.street_code)


class OrganisationRepository:
    """Organisations by code, their members by post."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, organisation: Organisation) -> None:
        """Store an organisation."""
        self.session.add(OrganisationRow(
            code=organisation.code, name=organisation.name, type=organisation.type,
            industry=organisation.industry,
            supervising_department=organisation.supervising_department,
            street_code=organisation.street))
        self.session.flush()

    def get(self, code: str) -> Organisation | None:
        """Return the organisation with ``code``, or None."""
        row = self.session.get(OrganisationRow, code)
        return _organisation(row) if row is not None else None

    def in_industry(self, industry: str) -> list[Organisation]:
        """Return the organisations of an industry, by code."""
        rows = self.session.scalars(select(OrganisationRow)
                                    .where(OrganisationRow.industry == industry)
                                    .order_by(OrganisationRow.code))
        return [_organisation(row) for row in rows]

    def add_member(self, membership: Membership) -> None:
        """Give a resident a post in an organisation."""
        self.session.add(MembershipRow(organisation_code=membership.organisation,
                                       pid=membership.pid, post=membership.post))
        self.session.flush()

    def add_members(self, memberships: Sequence[Membership]) -> None:
        """Give residents posts, in one statement (a school's roster at once)."""
        if memberships:
            self.session.execute(insert(MembershipRow), [
                {"organisation_code": m.organisation, "pid": m.pid, "post": m.post}
                for m in memberships])

    def members(self, organisation: str, post: str | None = None) -> list[Membership]:
        """Return the memberships of an organisation, of one post if given."""
        query = select(MembershipRow).where(MembershipRow.organisation_code == organisation)
        if post is not None:
            query = query.where(MembershipRow.post == post)
        rows = self.session.scalars(query.order_by(MembershipRow.pid, MembershipRow.post))
        return [Membership(row.organisation_code, row.pid, row.post) for row in rows]

    def posts_of(self, pid: str) -> list[Membership]:
        """Return every post a resident holds."""
        rows = self.session.scalars(select(MembershipRow).where(MembershipRow.pid == pid)
                                    .order_by(MembershipRow.organisation_code))
        return [Membership(row.organisation_code, row.pid, row.post) for row in rows]
