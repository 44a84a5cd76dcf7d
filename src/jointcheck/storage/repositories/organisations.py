"""Queries of organisations and memberships, and of what the members' statuses need.

``facts`` reads birth dates, doses and contraindications of members without decrypting
anything; ``names`` decrypts names, for the lists that show a person (a roster, a meeting).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from jointcheck.organisations import PersonFacts
from jointcheck.registry.organisations import Membership, Organisation
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.storage.models import (
    MembershipRow,
    OrganisationRow,
    ResidentRow,
)
from jointcheck.storage.repositories._chunks import chunked, distinct
from jointcheck.storage.repositories.residents import context
from jointcheck.storage.repositories.status_facts import person_facts


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

    def members_with_pid(self, organisation: str, pid: str) -> list[Membership]:
        """Return the posts ``pid`` holds in an organisation."""
        rows = self.session.scalars(select(MembershipRow).where(
            MembershipRow.organisation_code == organisation, MembershipRow.pid == pid)
            .order_by(MembershipRow.post))
        return [Membership(row.organisation_code, row.pid, row.post) for row in rows]

    def posts_of(self, pid: str) -> list[Membership]:
        """Return every post a resident holds."""
        rows = self.session.scalars(select(MembershipRow).where(MembershipRow.pid == pid)
                                    .order_by(MembershipRow.organisation_code))
        return [Membership(row.organisation_code, row.pid, row.post) for row in rows]

    def listing(self, street: str | None = None,
                industry: str | None = None) -> list[Organisation]:
        """Return the organisations (of a street, of an industry, if given), by code."""
        query = select(OrganisationRow)
        if street is not None:
            query = query.where(OrganisationRow.street_code == street)
        if industry is not None:
            query = query.where(OrganisationRow.industry == industry)
        rows = self.session.scalars(query.order_by(OrganisationRow.code))
        return [_organisation(row) for row in rows]

    def member_counts(self) -> dict[str, int]:
        """Return ``organisation code -> distinct members`` for every organisation with any."""
        rows = self.session.execute(
            select(MembershipRow.organisation_code,
                   func.count(func.distinct(MembershipRow.pid)))
            .group_by(MembershipRow.organisation_code))
        return {code: count for code, count in rows}

    def members_of(self, codes: Iterable[str]) -> list[Membership]:
        """Return the memberships of the organisations ``codes``, by organisation and pid."""
        found: list[Membership] = []
        for batch in chunked(sorted(set(codes))):
            rows = self.session.execute(
                select(MembershipRow.organisation_code, MembershipRow.pid, MembershipRow.post)
                .where(MembershipRow.organisation_code.in_(batch))
                .order_by(MembershipRow.organisation_code, MembershipRow.pid,
                          MembershipRow.post))
            found.extend(Membership(code, pid, post) for code, pid, post in rows)
        return found

    def remove_member(self, organisation: str, pid: str, post: str) -> bool:
        """Take a post from a member; tell whether there was one to take."""
        result = self.session.execute(
            delete(MembershipRow).where(MembershipRow.organisation_code == organisation,
                                        MembershipRow.pid == pid, MembershipRow.post == post))
        return bool(getattr(result, "rowcount", 0))

    def facts(self, pids: Iterable[str]) -> dict[str, PersonFacts]:
        """Return the birth date, doses and contraindications of each stored pid."""
        return person_facts(self.session, pids)

    def names(self, pids: Iterable[str], cipher: FieldCipher) -> dict[str, str]:
        """Return the decrypted name of each stored pid."""
        found: dict[str, str] = {}
        for batch in chunked(distinct(list(pids))):
            for pid, blob in self.session.execute(
                    select(ResidentRow.pid, ResidentRow.name_enc)
                    .where(ResidentRow.pid.in_(batch))):
                found[pid] = cipher.decrypt(blob, context(pid, "name"))
        return found
