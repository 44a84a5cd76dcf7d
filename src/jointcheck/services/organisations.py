"""Use cases of organisations (R10-R12, R14): the list, a roster with who may hold which post,
the members holding a post they may not hold, who may attend a meeting, coverage figures.

``organisations.read`` over the organisation (an org-admin's own organisation, a street
office's street, the health authority's district) reads the list, the roster, the post check
and the meeting check; the roster, the post violations and the meeting check show people
(name and birth year, never a medical detail beyond the status) and each call is audited.
Coverage needs ``reports.read`` over the organisation (its industry for an industry
supervisor, its street for a street office, itself for its admin) and reads figures only.

Statuses are worked out on a local day under the policy pack in force, passed in by the edge
(``jointcheck.rules.status``, the reading follow-up shares).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.errors import NotFoundError
from jointcheck.organisations import (
    Attendance,
    Coverage,
    MeetingKind,
    OrganisationError,
    PostFigures,
    PostVerdict,
    Status,
    attendance,
    clean_attendees,
    figures_by_post,
    post_verdict,
    status_of,
    tally,
)
from jointcheck.organisations.status import PersonFacts
from jointcheck.registry.organisations import Membership, Organisation
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import Permission, Principal, Target, authorize, is_allowed
from jointcheck.security.pseudonym import PREFIX, pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.storage.repositories.organisations import OrganisationRepository


def organisation_target(organisation: Organisation) -> Target:
    """Return the access target of an organisation: its street, itself and its industry."""
    return Target(area=organisation.street, organisation=organisation.code,
                  industry=organisation.industry)


def check_role(principal: Principal, permission: Permission) -> None:
    """Raise ``AccessDenied`` unless the principal's role (and token) holds ``permission``."""
    own = principal.scope
    authorize(principal, permission,
              Target(area=own, venue=own, organisation=own, industry=own, pid=own))


def organisation_for(session: Session, principal: Principal, permission: Permission,
                     code: str) -> Organisation:
    """Return organisation ``code`` once ``principal`` may do ``permission`` on it.

    The role is checked before the lookup, so that only someone allowed to look learns
    whether a code exists (``unknown-organisation``).
    """
    check_role(principal, permission)
    organisation = OrganisationRepository(session).get(code)
    if organisation is None:
        raise NotFoundError("unknown-organisation", f"the organisation {code} is not registered")
    authorize(principal, permission, organisation_target(organisation))
    return organisation


def statuses(session: Session, pack: PolicyPack, pids: Sequence[str],
             day: date) -> dict[str, Status]:
    """Return the status of each pid on the local ``day`` under ``pack``."""
    facts = OrganisationRepository(session).facts(pids)
    return {pid: status_of(pack, person, day) for pid, person in facts.items()}


@dataclass(frozen=True, slots=True)
class OrganisationSummary:
    """An organisation and how many people are its members."""

    organisation: Organisation
    members: int


def list_organisations(session: Session, principal: Principal, street: str | None = None,
                       industry: str | None = None) -> list[OrganisationSummary]:
    """Return the organisations ``principal`` may read, of a street or industry if given."""
    check_role(principal, Permission.ORGANISATIONS_READ)
    repository = OrganisationRepository(session)
    counts = repository.member_counts()
    return [OrganisationSummary(org, counts.get(org.code, 0))
            for org in repository.listing(street, industry)
            if is_allowed(principal, Permission.ORGANISATIONS_READ, organisation_target(org))]


@dataclass(frozen=True, slots=True)
class RosterMember:
    """A member's post with the verdict on it: name and birth year, nothing else of the
    person."""

    pid: str
    name: str
    birth_year: int
    verdict: PostVerdict


@dataclass(frozen=True, slots=True)
class Roster:
    """An organisation's members, one line per post held, by pid and post."""

    organisation: Organisation
    day: date
    members: list[RosterMember]

    @property
    def violations(self) -> list[RosterMember]:
        """Return the members holding a post they may not hold."""
        return [member for member in self.members if not member.verdict.may_hold]

    @property
    def by_post(self) -> dict[str, PostFigures]:
        """Return the figures per post."""
        return figures_by_post(member.verdict for member in self.members)


def _roster(session: Session, keys: RegistryKeys, pack: PolicyPack,
            organisation: Organisation, day: date) -> Roster:
    repository = OrganisationRepository(session)
    memberships = repository.members(organisation.code)
    pids = [m.pid for m in memberships]
    facts = repository.facts(pids)
    names = repository.names(pids, keys.cipher)
    members = [RosterMember(m.pid, names[m.pid], facts[m.pid].birth_date.year,
                            post_verdict(m.post, organisation.is_service_industry,
                                         status_of(pack, facts[m.pid], day)))
               for m in memberships]
    return Roster(organisation, day, members)


def roster(session: Session, trail: AuditTrail, keys: RegistryKeys, principal: Principal,
           pack: PolicyPack, code: str, day: date) -> Roster:
    """Return an organisation's roster with the post verdicts on ``day``; audit the read."""
    organisation = organisation_for(session, principal, Permission.ORGANISATIONS_READ, code)
    found = _roster(session, keys, pack, organisation, day)
    trail.read(principal, "organisations.roster.read", code, organisation.street,
               {"day": day.isoformat(), "members": len(found.members)})
    return found


def post_check(session: Session, trail: AuditTrail, keys: RegistryKeys, principal: Principal,
               pack: PolicyPack, code: str, day: date) -> Roster:
    """Return the roster for its post figures and violations on ``day``; audit the read."""
    organisation = organisation_for(session, principal, Permission.ORGANISATIONS_READ, code)
    found = _roster(session, keys, pack, organisation, day)
    trail.read(principal, "organisations.posts.read", code, organisation.street,
               {"day": day.isoformat(), "violations": len(found.violations)})
    return found


@dataclass(frozen=True, slots=True)
class Attendee:
    """One attendee as given (``ref``), the person's name and birth year, and the answer."""

    ref: str
    name: str
    birth_year: int
    answer: Attendance


@dataclass(frozen=True, slots=True)
class MeetingCheck:
    """Who of an attendee list may attend a meeting, reception or training on a day."""

    organisation: Organisation
    on: date
    kind: MeetingKind
    attendees: list[Attendee]

    @property
    def may_attend(self) -> int:
        """Return how many may attend."""
        return sum(1 for a in self.attendees if a.answer.may_attend)

    @property
    def may_not_attend(self) -> int:
        """Return how many may not attend."""
        return len(self.attendees) - self.may_attend


def _attendee_pid(ref: str, keys: RegistryKeys) -> str:
    return ref if ref.startswith(PREFIX) else pseudonymise(ref, keys.pseudonym_key)


def meeting_check(session: Session, trail: AuditTrail, keys: RegistryKeys,
                  principal: Principal, pack: PolicyPack, code: str, on: date,
                  kind: MeetingKind, refs: Sequence[str]) -> MeetingCheck:
    """Answer who of ``refs`` (identity numbers or pids) may attend; audit the read.

    Only members of the organisation are answered for: an attendee who is not a member
    (``unknown-attendee``) refuses the whole list, so that an attendee list cannot be used to
    look up anyone's status.
    """
    organisation = organisation_for(session, principal, Permission.ORGANISATIONS_READ, code)
    cleaned = clean_attendees(refs)
    pids = [_attendee_pid(ref, keys) for ref in cleaned]
    if len(set(pids)) != len(pids):
        raise OrganisationError("bad-attendees", "the attendee list names a person twice")
    repository = OrganisationRepository(session)
    members = {m.pid for m in repository.members(code)}
    for number, pid in enumerate(pids, start=1):
        if pid not in members:
            raise OrganisationError("unknown-attendee", f"attendee {number} is not a member "
                                    f"of {code}; only members are checked")
    facts = repository.facts(pids)
    names = repository.names(pids, keys.cipher)
    attendees = [Attendee(ref, names[pid], facts[pid].birth_date.year,
                          attendance(status_of(pack, facts[pid], on)))
                 for ref, pid in zip(cleaned, pids, strict=True)]
    trail.read(principal, "organisations.meeting.checked", code, organisation.street,
               {"on": on.isoformat(), "kind": kind.value, "attendees": len(attendees)})
    return MeetingCheck(organisation, on, kind, attendees)


@dataclass(frozen=True, slots=True)
class OrganisationCoverage:
    """An organisation's coverage figures."""

    organisation: Organisation
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class IndustryCoverage:
    """An industry's coverage: its organisations (that the reader sees) and their distinct
    members' figures."""

    industry: str
    service_industry: bool
    organisations: int
    coverage: Coverage


def _visible_memberships(session: Session, principal: Principal, street: str | None,
                         industry: str | None
                         ) -> tuple[list[Organisation], dict[str, list[Membership]]]:
    check_role(principal, Permission.REPORTS_READ)
    repository = OrganisationRepository(session)
    organisations = [org for org in repository.listing(street, industry)
                     if is_allowed(principal, Permission.REPORTS_READ, organisation_target(org))]
    codes = {org.code for org in organisations}
    by_code: dict[str, list[Membership]] = {code: [] for code in codes}
    for membership in repository.members_of(codes):
        by_code[membership.organisation].append(membership)
    return organisations, by_code


def _facts(session: Session, by_code: dict[str, list[Membership]]) -> dict[str, PersonFacts]:
    pids = sorted({m.pid for members in by_code.values() for m in members})
    return OrganisationRepository(session).facts(pids)


def coverage_by_organisation(session: Session, principal: Principal, pack: PolicyPack,
                             day: date, industry: str | None = None,
                             street: str | None = None) -> list[OrganisationCoverage]:
    """Return the coverage of each organisation the reader may see, by code (figures only)."""
    organisations, by_code = _visible_memberships(session, principal, street, industry)
    facts = _facts(session, by_code)
    found = {pid: status_of(pack, person, day) for pid, person in facts.items()}
    return [OrganisationCoverage(org, tally(found[pid] for pid in
                                            sorted({m.pid for m in by_code[org.code]})))
            for org in organisations]


def coverage_by_industry(session: Session, principal: Principal, pack: PolicyPack,
                         day: date) -> list[IndustryCoverage]:
    """Return the coverage of each industry the reader sees, by industry name.

    A person who is a member of two organisations of one industry counts once in it.
    """
    organisations, by_code = _visible_memberships(session, principal, None, None)
    facts = _facts(session, by_code)
    found = {pid: status_of(pack, person, day) for pid, person in facts.items()}
    industries: dict[str, list[Organisation]] = {}
    for org in organisations:
        industries.setdefault(org.industry, []).append(org)
    result = []
    for name in sorted(industries):
        orgs = industries[name]
        people = sorted({m.pid for org in orgs for m in by_code[org.code]})
        result.append(IndustryCoverage(name, orgs[0].is_service_industry, len(orgs),
                                       tally(found[pid] for pid in people)))
    return result
