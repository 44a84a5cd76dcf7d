"""Organisations and schools on SQLite and PostgreSQL: rosters, post rules, the school
investigation, meeting checks and coverage (R10-R12, R14)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointcheck.clock import FixedClock
from jointcheck.config import RegistryKeys
from jointcheck.credentials.model import COVID_19, ExemptionEntry
from jointcheck.errors import AccessDenied, NotFoundError
from jointcheck.organisations import (
    MeetingKind,
    OrganisationError,
    PersonFacts,
    Status,
    status_of,
)
from jointcheck.policy_sources import find_pack
from jointcheck.registry.organisations import Membership, Organisation
from jointcheck.registry.people import Contraindication
from jointcheck.security.access import Principal, Role
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.services.demo_district import generate_district
from jointcheck.services.demo_seed import seed_district
from jointcheck.services.organisations import (
    coverage_by_industry,
    coverage_by_organisation,
    list_organisations,
    meeting_check,
    post_check,
    roster,
)
from jointcheck.services.registry_import import import_residents, import_vaccinations
from jointcheck.services.rosters import add_member, import_roster, remove_member
from jointcheck.services.school_investigations import (
    check_all,
    investigation_report,
    list_investigations,
    open_investigation,
    record_entry,
)
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import AuditLogRow, MembershipRow, SchoolInvestigationRow
from jointcheck.storage.repositories.organisations import OrganisationRepository
from jointcheck.storage.repositories.residents import ContraindicationRepository
from jointcheck.storage.repositories.school_investigations import SchoolInvestigationRepository
from tests.integration.conftest import AT, TZ, Database, write

PACK = find_pack("fangzi-2021")
AUDIT_KEY = b"a" * 32
DAY = date(2026, 11, 23)  # AT's local day
AUTHORITY = Principal("cdc", Role.HEALTH_AUTHORITY, "fz")
SCHOOL_ADMIN = Principal("head", Role.ORG_ADMIN, "sch-1")
CAFE_ADMIN = Principal("boss", Role.ORG_ADMIN, "rest-1")
STREET_ONE = Principal("street1", Role.STREET_OFFICER, "fz.s01")
STREET_TWO = Principal("street2", Role.STREET_OFFICER, "fz.s02")
CATERING = Principal("catering", Role.INDUSTRY_SUPERVISOR, "catering")

# who: (birth date, home area, doses as (product, n, day), exemption in force)
PEOPLE: dict[str, tuple[str, str, tuple[tuple[str, int, str], ...], bool]] = {
    "t1": ("1980-01-01", "fz.s01.c01.g01",
           (("BBIBP-CorV", 1, "2021-05-01"), ("BBIBP-CorV", 2, "2021-06-01")), False),
    "t2": ("1981-01-01", "fz.s01.c02", (), False),  # unvaccinated teacher: flagged
    "t3": ("1982-01-01", "fz.s01.c02", (), True),  # exempt teacher
    "t4": ("1983-01-01", "fz.s01.c02", (("CoronaVac", 1, "2021-08-01"),), False),  # partial
    "s1": ("2016-05-01", "fz.s01.c02", (), False),  # ten years old: not eligible
    "s2": ("2012-05-01", "fz.s01.c02", (), False),  # fourteen, unvaccinated
    "f1": ("1985-01-01", "fz.s01.c02",
           (("BBIBP-CorV", 1, "2021-05-01"), ("BBIBP-CorV", 2, "2021-06-01")), False),
    "w1": ("1995-01-01", "fz.s02.c01", (("BBIBP-CorV", 1, "2021-07-01"),), False),  # partial
    "w2": ("1996-01-01", "fz.s02.c01",
           (("BBIBP-CorV", 1, "2021-05-01"), ("BBIBP-CorV", 2, "2021-06-01")), False),
    "w3": ("1997-01-01", "fz.s02.c01", (), True),  # exempt waiter
    "m1": ("1990-01-01", "fz.s02.c01", (), False),  # unvaccinated factory worker
    "x1": ("1970-01-01", "fz.s02.c01", (), False),  # in the registry, in no organisation
}
ORGANISATIONS = (
    Organisation("sch-1", "No. 1 Primary School", "school", "education", "Education Bureau",
                 "fz.s01"),
    Organisation("rest-1", "Riverside Restaurant", "enterprise", "catering",
                 "Commerce Bureau", "fz.s01"),
    Organisation("fac-1", "Fangzi Textile", "enterprise", "manufacturing", "Industry Bureau",
                 "fz.s02"),
)
POSTS = (("sch-1", "t1", "first-line-teaching"), ("sch-1", "t2", "first-line-teaching"),
         ("sch-1", "t3", "first-line-teaching"), ("sch-1", "t4", "first-line-teaching"),
         ("sch-1", "s1", "student"), ("sch-1", "s2", "student"),
         ("sch-1", "f1", "family-member"), ("sch-1", "t1", "family-member"),
         ("rest-1", "w1", "front-line-service"), ("rest-1", "w2", "front-line-service"),
         ("rest-1", "w3", "front-line-service"), ("rest-1", "w2", "leadership"),
         ("fac-1", "m1", "front-line-service"), ("fac-1", "w1", "logistics"))


def id_number(who: str) -> str:
    """Return the identity number of a test person."""
    return f"11010119{sum(map(ord, who)):04d}{who.upper()}0000"[:18]


def pid_of(keys: RegistryKeys, who: str) -> str:
    return pseudonymise(id_number(who), keys.pseudonym_key)


def seed_people(db: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    """Store the people of ``PEOPLE`` with their doses and exemptions (areas exist)."""
    residents = "id_number,name,sex,birth_date,phone,address,area\n" + "\n".join(
        f"{id_number(who)},Name {who.upper()},M,{born},,,{area}"
        for who, (born, area, _, _) in PEOPLE.items())
    doses = "id_number,product,dose_number,series_total,date,site,lot\n" + "\n".join(
        f"{id_number(who)},{product},{n},2,{day},Fangzi CDC,L{n}"
        for who, (_, _, given, _) in PEOPLE.items() for product, n, day in given)
    with unit_of_work(db.sessions) as session:
        report = import_residents(session, write(tmp_path / "people.csv", residents), keys,
                                  AT, TZ)
        assert report.imported == len(PEOPLE), report.as_dict()
        import_vaccinations(session, write(tmp_path / "doses.csv", doses), keys, AT, TZ)
        certificates = ContraindicationRepository(session)
        for who, (_, _, _, exempt) in PEOPLE.items():
            if exempt:
                certificates.add(Contraindication(
                    pid_of(keys, who), "Fangzi Hospital", 2, "allergy", date(2026, 1, 1),
                    date(2027, 1, 1), f"EX-{who}"))


def seed_organisations(db: Database, keys: RegistryKeys) -> None:
    """Store the organisations and the posts of ``POSTS``."""
    with unit_of_work(db.sessions) as session:
        repository = OrganisationRepository(session)
        for organisation in ORGANISATIONS:
            repository.add(organisation)
        repository.add_members([Membership(code, pid_of(keys, who), post)
                                for code, who, post in POSTS])


@pytest.fixture
def district(areas: Database, keys: RegistryKeys, tmp_path: Path) -> Database:
    seed_people(areas, keys, tmp_path)
    seed_organisations(areas, keys)
    return areas


def trail(session: Session) -> AuditTrail:
    return AuditTrail(session, AUDIT_KEY, FixedClock(AT))


def audit_count(db: Database, action: str) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditLogRow)
                              .where(AuditLogRow.action == action)) or 0


def names_of(keys: RegistryKeys, pids: list[str]) -> list[str]:
    by_pid = {pid_of(keys, who): who for who in PEOPLE}
    return [by_pid[pid] for pid in pids]


def test_roster_shows_each_post_with_its_verdict_and_is_audited(
        district: Database, keys: RegistryKeys) -> None:
    with unit_of_work(district.sessions) as session:
        found = roster(session, trail(session), keys, SCHOOL_ADMIN, PACK, "sch-1", DAY)
    lines = {(names_of(keys, [m.pid])[0], m.verdict.post): m for m in found.members}
    assert len(lines) == 8
    t2 = lines[("t2", "first-line-teaching")]
    assert (t2.verdict.status, t2.verdict.may_hold) == ("unvaccinated", False)
    assert (t2.name, t2.birth_year) == ("Name T2", 1981)
    assert lines[("t3", "first-line-teaching")].verdict.status == "exempt"
    assert lines[("t3", "first-line-teaching")].verdict.may_hold
    assert lines[("t4", "first-line-teaching")].verdict.status == "partial"
    assert lines[("t4", "first-line-teaching")].verdict.may_hold
    assert lines[("s1", "student")].verdict.status == "not-eligible"
    assert lines[("s2", "student")].verdict.status == "unvaccinated"
    assert audit_count(district, "organisations.roster.read") == 1


def test_post_check_flags_the_unvaccinated_teacher_and_partial_waiter(
        district: Database, keys: RegistryKeys) -> None:
    with unit_of_work(district.sessions) as session:
        school = post_check(session, trail(session), keys, SCHOOL_ADMIN, PACK, "sch-1", DAY)
        cafe = post_check(session, trail(session), keys, CAFE_ADMIN, PACK, "rest-1", DAY)
        factory = post_check(session, trail(session), keys, AUTHORITY, PACK, "fac-1", DAY)
    assert names_of(keys, [m.pid for m in school.violations]) == ["t2"]
    teaching = school.by_post["first-line-teaching"]
    assert (teaching.members, teaching.may_hold, teaching.may_not_hold) == (4, 3, 1)
    assert names_of(keys, [m.pid for m in cafe.violations]) == ["w1"]
    assert cafe.violations[0].verdict.status == "partial"
    front = cafe.by_post["front-line-service"]
    assert (front.members, front.may_hold, front.may_not_hold) == (3, 2, 1)
    assert cafe.by_post["leadership"].may_not_hold == 0
    # manufacturing is not a listed service industry: its front line has no requirement
    assert factory.violations == []
    assert audit_count(district, "organisations.posts.read") == 3


def test_a_post_becomes_allowed_once_the_series_completes(
        district: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    second = (f"id_number,product,dose_number,series_total,date,site,lot\n"
              f"{id_number('w1')},BBIBP-CorV,2,2,2026-11-01,Fangzi CDC,L9\n")
    with unit_of_work(district.sessions) as session:
        import_vaccinations(session, write(tmp_path / "second.csv", second), keys, AT, TZ)
    with unit_of_work(district.sessions) as session:
        before = post_check(session, trail(session), keys, CAFE_ADMIN, PACK, "rest-1",
                            date(2026, 11, 10))  # 9 days after: not complete yet
        after = post_check(session, trail(session), keys, CAFE_ADMIN, PACK, "rest-1", DAY)
    assert names_of(keys, [m.pid for m in before.violations]) == ["w1"]
    assert after.violations == []


def test_scopes_of_reading_organisations(district: Database, keys: RegistryKeys) -> None:
    with unit_of_work(district.sessions) as session:
        assert [s.organisation.code for s in list_organisations(session, STREET_ONE)] == [
            "rest-1", "sch-1"]
        assert [s.organisation.code for s in list_organisations(session, STREET_TWO)] == [
            "fac-1"]
        assert [(s.organisation.code, s.members)
                for s in list_organisations(session, SCHOOL_ADMIN)] == [("sch-1", 7)]
        assert [s.organisation.code for s in list_organisations(
            session, AUTHORITY, industry="catering")] == ["rest-1"]
        for principal, code in ((CAFE_ADMIN, "sch-1"), (STREET_TWO, "sch-1"),
                                (CATERING, "rest-1")):
            with pytest.raises(AccessDenied):
                roster(session, trail(session), keys, principal, PACK, code, DAY)
        with pytest.raises(AccessDenied) as refused:
            add_member(session, trail(session), keys, STREET_ONE, "sch-1", id_number("x1"),
                       "office")  # a street office reads, it does not change rosters
        assert refused.value.code == "role-not-allowed"
        with pytest.raises(NotFoundError):
            roster(session, trail(session), keys, AUTHORITY, PACK, "nowhere", DAY)
    assert audit_count(district, "organisations.roster.read") == 0


def memberships(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(MembershipRow)) or 0


def test_roster_import_adds_and_counts_unchanged(district: Database,
                                                 keys: RegistryKeys) -> None:
    text = (f"id_number,post\n{id_number('x1')},office\n{id_number('t1')},"
            f"first-line-teaching\n\n{id_number('x1')},leadership\n")
    with unit_of_work(district.sessions) as session:
        found = import_roster(session, trail(session), keys, SCHOOL_ADMIN, "sch-1", text)
    assert (found.added, found.unchanged) == (2, 1)
    assert memberships(district) == len(POSTS) + 2
    with unit_of_work(district.sessions) as session:
        again = import_roster(session, trail(session), keys, SCHOOL_ADMIN, "sch-1", text)
    assert (again.added, again.unchanged) == (0, 3)
    assert memberships(district) == len(POSTS) + 2


@pytest.mark.parametrize(("text", "code", "line"), [
    ("id_number,post\n{x1},office\n99999999999999999X,office\n", "unknown-person", "line 3"),
    ("id_number,post\n{x1},office\n{t1},janitor\n", "unknown-post", "line 3"),
    ("id_number,post\n{x1},office\n{t1},student\n{x1},office\n", "duplicate-member", "line 4"),
    ("id,post\n{x1},office\n", "bad-csv", "line 1"),
    ("id_number,post\n{x1},office,extra\n", "bad-csv", "line 2"),
    ("id_number,post\n", "bad-csv", "no lines"),
], ids=["unknown-person", "unknown-post", "duplicate", "bad-header", "extra-field", "empty"])
def test_a_bad_roster_file_is_refused_and_stores_nothing(
        district: Database, keys: RegistryKeys, text: str, code: str, line: str) -> None:
    body = text.format(x1=id_number("x1"), t1=id_number("t1"))
    with pytest.raises(OrganisationError) as refused, \
            unit_of_work(district.sessions) as session:
        import_roster(session, trail(session), keys, SCHOOL_ADMIN, "sch-1", body)
    assert refused.value.code == code
    assert line in refused.value.message
    assert memberships(district) == len(POSTS)


def test_add_and_remove_one_member(district: Database, keys: RegistryKeys) -> None:
    with unit_of_work(district.sessions) as session:
        pid, added = add_member(session, trail(session), keys, CAFE_ADMIN, "rest-1",
                                id_number("x1"), "logistics")
        assert added and pid == pid_of(keys, "x1")
        assert add_member(session, trail(session), keys, CAFE_ADMIN, "rest-1",
                          id_number("x1"), "logistics") == (pid, False)
        with pytest.raises(OrganisationError) as refused:
            add_member(session, trail(session), keys, CAFE_ADMIN, "rest-1", "NOBODY1",
                       "office")
        assert refused.value.code == "unknown-person"
        with pytest.raises(OrganisationError):
            add_member(session, trail(session), keys, CAFE_ADMIN, "rest-1", id_number("x1"),
                       "chef")
    assert memberships(district) == len(POSTS) + 1
    with unit_of_work(district.sessions) as session:
        remove_member(session, trail(session), CAFE_ADMIN, "rest-1", pid, "logistics")
        with pytest.raises(NotFoundError) as missing:
            remove_member(session, trail(session), CAFE_ADMIN, "rest-1", pid, "logistics")
        assert missing.value.code == "not-a-member"
    assert memberships(district) == len(POSTS)


def test_school_investigation_progress_deadline_and_idempotent_checks(
        district: Database, keys: RegistryKeys) -> None:
    term = date(2026, 11, 17)
    with unit_of_work(district.sessions) as session:
        opened = open_investigation(session, SCHOOL_ADMIN, "sch-1", term, AT, DAY)
        number = opened.investigation.id
        # R11: within one week of term start, the seventh day of term
        assert opened.progress.deadline == date(2026, 11, 23)
        assert opened.progress.days_left == 0 and not opened.progress.overdue
        groups = opened.progress.groups
        assert {g: (p.total, p.checked) for g, p in groups.items()} == {
            "staff": (4, 0), "students": (2, 0), "family": (2, 0)}
        with pytest.raises(OrganisationError) as twice:
            open_investigation(session, SCHOOL_ADMIN, "sch-1", term, AT, DAY)
        assert twice.value.code == "investigation-exists"
        with pytest.raises(OrganisationError) as not_school:
            open_investigation(session, AUTHORITY, "rest-1", term, AT, DAY)
        assert not_school.value.code == "not-a-school"

        one = record_entry(session, trail(session), SCHOOL_ADMIN, PACK, "sch-1", number,
                           pid_of(keys, "t2"), DAY, AT, DAY)
        again = record_entry(session, trail(session), SCHOOL_ADMIN, PACK, "sch-1", number,
                             pid_of(keys, "t2"), DAY, AT, DAY)
        assert one.progress.groups["staff"].checked == 1
        assert again.progress.groups["staff"].checked == 1  # counted once
        assert again.progress.groups["staff"].by_status["unvaccinated"] == 1
        with pytest.raises(OrganisationError) as outsider:
            record_entry(session, trail(session), SCHOOL_ADMIN, PACK, "sch-1", number,
                         pid_of(keys, "x1"), DAY, AT, DAY)
        assert outsider.value.code == "not-a-member"
        with pytest.raises(OrganisationError) as future:
            record_entry(session, trail(session), SCHOOL_ADMIN, PACK, "sch-1", number,
                         pid_of(keys, "t2"), DAY + timedelta(days=5), AT, DAY)
        assert future.value.code == "bad-day"

    late = DAY + timedelta(days=1)
    with unit_of_work(district.sessions) as session:
        overdue = investigation_report(session, STREET_ONE, "sch-1", number, late)
        assert overdue.progress.overdue and not overdue.progress.complete
        done = check_all(session, trail(session), SCHOOL_ADMIN, PACK, "sch-1", number, DAY,
                         AT, late)
        redone = check_all(session, trail(session), SCHOOL_ADMIN, PACK, "sch-1", number, DAY,
                           AT, late)
    for result in (done, redone):
        found = result.progress
        assert found.complete and not found.overdue
        assert found.groups["staff"].by_status == {
            "complete": 1, "partial": 1, "unvaccinated": 1, "exempt": 1, "not-eligible": 0}
        assert found.groups["students"].by_status == {
            "complete": 0, "partial": 0, "unvaccinated": 1, "exempt": 0, "not-eligible": 1}
        assert found.groups["family"].by_status["complete"] == 2
        assert found.groups["family"].checked == 2
    with unit_of_work(district.sessions) as session:
        listed = list_investigations(session, SCHOOL_ADMIN, "sch-1", late)
        assert [r.investigation.id for r in listed] == [number]
        with pytest.raises(AccessDenied):
            investigation_report(session, CAFE_ADMIN, "sch-1", number, late)
        with pytest.raises(NotFoundError):
            investigation_report(session, SCHOOL_ADMIN, "sch-1", number + 99, late)
    assert audit_count(district, "organisations.investigation.checked") == 4


def test_school_investigation_keeps_the_deadline_it_was_opened_with(
        district: Database) -> None:
    term = date(2026, 11, 16)
    with unit_of_work(district.sessions) as session:
        number = open_investigation(session, SCHOOL_ADMIN, "sch-1", term, AT,
                                    DAY).investigation.id
        row = session.get(SchoolInvestigationRow, number)
        assert row is not None and row.deadline == date(2026, 11, 22)
        row.deadline = date(2026, 11, 23)  # as opened under a rule of eight days
    with district.session() as session:
        found = investigation_report(session, SCHOOL_ADMIN, "sch-1", number, DAY)
        assert found.progress.deadline == found.investigation.deadline == date(2026, 11, 23)
        assert not found.progress.overdue
        later = list_investigations(session, SCHOOL_ADMIN, "sch-1", DAY + timedelta(days=1))
        assert [r.progress.overdue for r in later] == [True]


def test_meeting_check_answers_members_and_refuses_others(
        district: Database, keys: RegistryKeys) -> None:
    refs = [id_number("t1"), pid_of(keys, "t2"), id_number("t3"), id_number("t4"),
            id_number("s1"), id_number("s2")]
    with unit_of_work(district.sessions) as session:
        found = meeting_check(session, trail(session), keys, SCHOOL_ADMIN, PACK, "sch-1", DAY,
                              MeetingKind.TRAINING, refs)
    answers = {a.ref: (a.answer.may_attend, a.answer.status) for a in found.attendees}
    assert answers == {
        refs[0]: (True, "complete"), refs[1]: (False, "unvaccinated"),
        refs[2]: (True, "exempt"), refs[3]: (True, "partial"),
        refs[4]: (True, "not-eligible"), refs[5]: (False, "unvaccinated")}
    assert (found.may_attend, found.may_not_attend) == (4, 2)
    assert found.attendees[0].name == "Name T1" and found.attendees[0].birth_year == 1980
    assert audit_count(district, "organisations.meeting.checked") == 1
    with unit_of_work(district.sessions) as session:
        with pytest.raises(OrganisationError) as outsider:
            meeting_check(session, trail(session), keys, SCHOOL_ADMIN, PACK, "sch-1", DAY,
                          MeetingKind.MEETING, [id_number("t1"), id_number("x1")])
        assert outsider.value.code == "unknown-attendee"
        assert "attendee 2" in outsider.value.message
        with pytest.raises(OrganisationError) as twice:
            meeting_check(session, trail(session), keys, SCHOOL_ADMIN, PACK, "sch-1", DAY,
                          MeetingKind.MEETING, [id_number("t1"), pid_of(keys, "t1")])
        assert twice.value.code == "bad-attendees"
    assert audit_count(district, "organisations.meeting.checked") == 1


def test_coverage_per_organisation_and_industry_matches_a_hand_count(
        district: Database) -> None:
    with unit_of_work(district.sessions) as session:
        orgs = coverage_by_organisation(session, AUTHORITY, PACK, DAY)
        industries = coverage_by_industry(session, AUTHORITY, PACK, DAY)
        supervised = coverage_by_organisation(session, CATERING, PACK, DAY)
        by_street = coverage_by_organisation(session, STREET_TWO, PACK, DAY)
        cafe_only = coverage_by_industry(session, CAFE_ADMIN, PACK, DAY)
        with pytest.raises(AccessDenied):  # organisations.read is not reports.read
            coverage_by_organisation(session, Principal("g", Role.RESIDENT, "p1-x"), PACK,
                                     DAY)

    def figures(c: object) -> tuple[int, ...]:
        cov = c.coverage  # type: ignore[attr-defined]
        return (cov.members, cov.complete, cov.partial, cov.unvaccinated, cov.exempt,
                cov.not_eligible)

    # sch-1: t1 complete, t2 unvacc., t3 exempt, t4 partial, s1 not-elig., s2 unvacc., f1
    # complete (t1 holds two posts and counts once)
    assert [c.organisation.code for c in orgs] == ["fac-1", "rest-1", "sch-1"]
    assert [figures(c) for c in orgs] == [(2, 0, 1, 1, 0, 0), (3, 1, 1, 0, 1, 0),
                                          (7, 2, 1, 2, 1, 1)]
    assert [round(c.coverage.complete_rate or 0, 4) for c in orgs] == [0.0, 0.3333, 0.2857]
    assert [(c.industry, c.service_industry, c.organisations, figures(c))
            for c in industries] == [
        ("catering", True, 1, (3, 1, 1, 0, 1, 0)),
        ("education", False, 1, (7, 2, 1, 2, 1, 1)),
        ("manufacturing", False, 1, (2, 0, 1, 1, 0, 0))]
    assert [c.organisation.code for c in supervised] == ["rest-1"]
    assert [c.organisation.code for c in by_street] == ["fac-1"]
    assert [c.industry for c in cafe_only] == ["catering"]


def test_coverage_of_a_generated_district_matches_a_count_from_its_values(
        db: Database, keys: RegistryKeys) -> None:
    district = generate_district(7, 400, today=DAY, pseudonym_key=keys.pseudonym_key)
    with unit_of_work(db.sessions) as session:
        seed_district(session, district, pseudonym_key=keys.pseudonym_key, cipher=keys.cipher,
                      at=AT)
    born = {entry.resident.pid: entry.resident.birth_date for entry in district.residents}
    doses: dict[str, list[tuple[str, int, date]]] = {}
    for record in district.vaccinations:
        doses.setdefault(record.pid, []).append((record.product, record.dose_number,
                                                 record.date))
    exemptions: dict[str, list[ExemptionEntry]] = {}
    for c in district.contraindications:
        exemptions.setdefault(c.pid, []).append(ExemptionEntry(
            COVID_19, c.institution, c.institution_level, c.reason_category, c.valid_from,
            c.valid_until, "CN", c.certificate_id))
    people: dict[str, set[str]] = {}
    for membership in district.memberships:
        people.setdefault(membership.organisation, set()).add(membership.pid)
    expected = {}
    for code, pids in people.items():
        statuses = [status_of(PACK, PersonFacts(pid, born[pid], tuple(doses.get(pid, ())),
                                                tuple(exemptions.get(pid, ()))), DAY).value
                    for pid in pids]
        expected[code] = (len(pids), statuses.count("complete"), statuses.count("partial"),
                          statuses.count("unvaccinated"), statuses.count("exempt"),
                          statuses.count("not-eligible"))
    with unit_of_work(db.sessions) as session:
        found = coverage_by_organisation(session, AUTHORITY, PACK, DAY)
    assert len(found) == len(district.organisations)
    assert [c.organisation.code for c in found] == sorted(o.code for o in
                                                          district.organisations)
    for item in found:
        cov = item.coverage
        assert (cov.members, cov.complete, cov.partial, cov.unvaccinated, cov.exempt,
                cov.not_eligible) == expected.get(item.organisation.code, (0, 0, 0, 0, 0, 0))
    assert sum(c.coverage.members for c in found) > 0


def test_two_requests_at_once_open_one_investigation_and_keep_one_entry_a_person(
        district: Database, keys: RegistryKeys) -> None:
    """A second request that began before the first committed the same investigation gets
    ``investigation-exists`` (not a failed unique key), and two checks of one person in two
    transactions leave one entry: the one committed last."""
    term = date(2026, 11, 16)
    pid = pid_of(keys, "t2")
    late = district.session()
    try:
        assert OrganisationRepository(late).get("sch-1") is not None  # the request began
        with unit_of_work(district.sessions) as session:
            number = open_investigation(session, SCHOOL_ADMIN, "sch-1", term, AT,
                                        DAY).investigation.id
        with pytest.raises(OrganisationError) as twice:
            open_investigation(late, SCHOOL_ADMIN, "sch-1", term, AT, DAY)
        assert twice.value.code == "investigation-exists"
        late.rollback()  # as the refused request does
        with unit_of_work(district.sessions) as session:
            SchoolInvestigationRepository(session).record(number, {pid: Status.UNVACCINATED},
                                                          DAY, "head", AT)
        SchoolInvestigationRepository(late).record(number, {pid: Status.EXEMPT}, DAY,
                                                   "deputy", AT)
        late.commit()
    finally:
        late.close()
    with district.session() as session:
        assert SchoolInvestigationRepository(session).entries(number) == {pid: Status.EXEMPT}
        assert len(SchoolInvestigationRepository(session).of_organisation("sch-1")) == 1
