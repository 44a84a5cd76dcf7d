"""Organisations (R10, R12): the list, rosters, who may hold which post, meeting checks.

``/api/organisations...`` needs ``organisations.read`` (``.write`` to change a roster) over
the organisation: an org-admin's own, a street office's street, the health authority's
district. Rosters, post violations and meeting checks show people (name and birth year) and
are audited. Statuses are those of the district's policy pack on a local day of the
district. A school's investigation is in ``school_investigations``, coverage figures in
``coverage``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field, StrictStr

from jointcheck.api.deps import AuditDep, ContextDep, PrincipalDep, SessionDep, district_today
from jointcheck.api.errors import AUTH_RESPONSES
from jointcheck.api.routers.checks import PackDep
from jointcheck.organisations import OrganisationError
from jointcheck.organisations.meetings import parse_kind
from jointcheck.services.organisations import (
    RosterMember,
    list_organisations,
    meeting_check,
    post_check,
    roster,
)
from jointcheck.services.rosters import add_member, import_roster, remove_member

router = APIRouter(prefix="/api", tags=["organisations"], responses=AUTH_RESPONSES)
OnQuery = Query(None, description="The local day of the statuses; default today.")


class OrganisationOut(BaseModel):
    """An organisation and its number of members (distinct people)."""

    code: str
    name: str
    type: str
    industry: str
    service_industry: bool
    street: str
    members: int


class OrganisationsOut(BaseModel):
    """The organisations the caller may read."""

    organisations: list[OrganisationOut]


class MemberOut(BaseModel):
    """A member's post and whether the member may hold it (name and birth year only)."""

    pid: str
    name: str
    birth_year: int
    post: str
    status: str
    may_hold: bool
    reason_en: str
    reason_zh: str


class RosterOut(BaseModel):
    """An organisation's roster, one line per post held."""

    organisation: str
    on: date
    members: list[MemberOut]


class MemberIn(BaseModel):
    """A resident to give a post, by identity number."""

    id_number: StrictStr
    post: StrictStr


class MemberAddedOut(BaseModel):
    """The member's pid, and whether the post was new."""

    organisation: str
    pid: str
    post: str
    added: bool


class ImportOut(BaseModel):
    """Posts added by an import, and posts that were already held."""

    organisation: str
    added: int
    unchanged: int


class PostFiguresOut(BaseModel):
    """Members holding a post, and how many of them may or may not hold it."""

    members: int
    may_hold: int
    may_not_hold: int


class PostsOut(BaseModel):
    """Members holding a post they may not hold, and the figures per post."""

    organisation: str
    on: date
    violations: list[MemberOut]
    by_post: dict[str, PostFiguresOut]


class MeetingIn(BaseModel):
    """An attendee list (identity numbers or pids) for a meeting, reception or training."""

    on: date
    kind: StrictStr = Field(description="meeting, reception or training.")
    attendees: list[StrictStr]


class AttendeeOut(BaseModel):
    """Whether an attendee may attend (name and birth year only)."""

    ref: str
    name: str
    birth_year: int
    may_attend: bool
    status: str
    reason_en: str
    reason_zh: str


class MeetingOut(BaseModel):
    """Who may attend, and how many may or may not."""

    on: date
    kind: str
    attendees: list[AttendeeOut]
    may_attend: int
    may_not_attend: int


def local_today(context: ContextDep) -> date:
    """Return today in the district's time zone (``district_today``)."""
    return district_today(context)


def _member(member: RosterMember) -> MemberOut:
    verdict = member.verdict
    return MemberOut(pid=member.pid, name=member.name, birth_year=member.birth_year,
                     post=verdict.post, status=verdict.status.value, may_hold=verdict.may_hold,
                     reason_en=verdict.reason_en, reason_zh=verdict.reason_zh)


@router.get("/organisations", response_model=OrganisationsOut)
def get_organisations(principal: PrincipalDep, session: SessionDep,
                      street: str | None = Query(None), industry: str | None = Query(None)
                      ) -> OrganisationsOut:
    """List the organisations the caller may read (``organisations.read``)."""
    found = list_organisations(session, principal, street, industry)
    return OrganisationsOut(organisations=[OrganisationOut(
        code=s.organisation.code, name=s.organisation.name, type=s.organisation.type,
        industry=s.organisation.industry, service_industry=s.organisation.is_service_industry,
        street=s.organisation.street, members=s.members) for s in found])


@router.get("/organisations/{code}/roster", response_model=RosterOut)
def get_roster(code: str, principal: PrincipalDep, session: SessionDep, context: ContextDep,
               audit: AuditDep, pack: PackDep, on: date | None = OnQuery) -> RosterOut:
    """Return the roster with who may hold which post (audited)."""
    day = on or local_today(context)
    found = roster(session, audit, context.keys, principal, pack, code, day)
    return RosterOut(organisation=code, on=day, members=[_member(m) for m in found.members])


@router.post("/organisations/{code}/roster", response_model=MemberAddedOut, status_code=201)
def post_member(code: str, body: MemberIn, principal: PrincipalDep, session: SessionDep,
                context: ContextDep, audit: AuditDep) -> MemberAddedOut:
    """Give a resident a post (``organisations.write``)."""
    pid, added = add_member(session, audit, context.keys, principal, code, body.id_number,
                            body.post)
    return MemberAddedOut(organisation=code, pid=pid, post=body.post, added=added)


@router.delete("/organisations/{code}/roster/{pid}", status_code=204)
def delete_member(code: str, pid: str, principal: PrincipalDep, session: SessionDep,
                  audit: AuditDep, post: str = Query(description="The post to take away.")
                  ) -> None:
    """Take a post from a member (``organisations.write``)."""
    remove_member(session, audit, principal, code, pid, post)


@router.post("/organisations/{code}/roster/import", response_model=ImportOut)
def post_roster_import(code: str, principal: PrincipalDep, session: SessionDep,
                       context: ContextDep, audit: AuditDep,
                       body: Annotated[bytes, Body(media_type="text/csv")]) -> ImportOut:
    """Add the posts of a CSV roster (``id_number,post``); all or nothing."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise OrganisationError("bad-csv", "the roster file is not UTF-8 text") from None
    found = import_roster(session, audit, context.keys, principal, code, text)
    return ImportOut(organisation=code, added=found.added, unchanged=found.unchanged)


@router.get("/organisations/{code}/posts", response_model=PostsOut)
def get_posts(code: str, principal: PrincipalDep, session: SessionDep, context: ContextDep,
              audit: AuditDep, pack: PackDep, on: date | None = OnQuery) -> PostsOut:
    """Return the members holding a post they may not hold, and figures per post."""
    day = on or local_today(context)
    found = post_check(session, audit, context.keys, principal, pack, code, day)
    return PostsOut(organisation=code, on=day,
                    violations=[_member(m) for m in found.violations],
                    by_post={post: PostFiguresOut(members=f.members, may_hold=f.may_hold,
                                                  may_not_hold=f.may_not_hold)
                             for post, f in found.by_post.items()})


@router.post("/organisations/{code}/meetings/check", response_model=MeetingOut)
def post_meeting_check(code: str, body: MeetingIn, principal: PrincipalDep,
                       session: SessionDep, context: ContextDep, audit: AuditDep,
                       pack: PackDep) -> MeetingOut:
    """Answer who of an attendee list may attend (members only; audited)."""
    found = meeting_check(session, audit, context.keys, principal, pack, code, body.on,
                          parse_kind(body.kind), body.attendees)
    return MeetingOut(on=found.on, kind=found.kind.value, may_attend=found.may_attend,
                      may_not_attend=found.may_not_attend,
                      attendees=[AttendeeOut(ref=a.ref, name=a.name, birth_year=a.birth_year,
                                             may_attend=a.answer.may_attend,
                                             status=a.answer.status.value,
                                             reason_en=a.answer.reason_en,
                                             reason_zh=a.answer.reason_zh)
                                 for a in found.attendees])
