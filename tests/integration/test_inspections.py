"""Inspections, complaints, the venue compliance list and case investigation, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jointcheck.clock import FixedClock
from jointcheck.compliance import Complaint, Inspection, InspectionError, Sanction
from jointcheck.config import RegistryKeys
from jointcheck.errors import AccessDenied, NotFoundError
from jointcheck.registry.venues import Venue
from jointcheck.security.access import Principal, Role
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.services.case_investigation import case_status
from jointcheck.services.health_codes import approve_color_change, request_color_change
from jointcheck.services.inspections import (
    record_complaint,
    record_inspection,
    venue_compliance,
    venue_inspections,
)
from jointcheck.services.registry_import import import_residents, import_vaccinations
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import AuditLogRow, CheckCountRow, ComplaintRow
from jointcheck.storage.repositories.venues import VenueRepository
from tests.integration.conftest import AT, TZ, Database, write

AUDIT_KEY = b"a" * 32
DAY = date(2026, 11, 23)  # AT is 16:30 on this day in the district
INSPECTOR = Principal("inspector", Role.INSPECTOR, "fz")
AUTHORITY = Principal("authority", Role.HEALTH_AUTHORITY, "fz")
APPROVER = Principal("approver", Role.HEALTH_AUTHORITY, "fz")
STREET_ONE = Principal("street1", Role.STREET_OFFICER, "fz.s01")
STREET_TWO = Principal("street2", Role.STREET_OFFICER, "fz.s02")
ZHANG = "110101199003070011"


@pytest.fixture
def venues(areas: Database) -> Database:
    """Return the database with four venues: three in street s01, one in s02."""
    with unit_of_work(areas.sessions) as session:
        repository = VenueRepository(session)
        repository.add(Venue("v-good", "Good", "restaurant", "fz.s01", None))
        repository.add(Venue("v-quiet", "Quiet", "gym", "fz.s01", None))
        repository.add(Venue("v-bad", "Bad", "mall-supermarket", "fz.s01", None))
        repository.add(Venue("v-far", "Far", "hotel", "fz.s02", None))
    return areas


def local(day: date, hour: int) -> datetime:
    """Return the UTC instant of ``hour``:00 on a local day of the district."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(UTC)


def add_checks(db: Database, venue: str, hours: list[datetime], count: int = 10) -> None:
    with unit_of_work(db.sessions) as session:
        for hour in hours:
            session.add(CheckCountRow(venue_code=venue, hour=hour, outcome="admit",
                                      basis="vaccinated", count=count))
            session.add(CheckCountRow(venue_code=venue, hour=hour, outcome="persuade",
                                      basis="unvaccinated", count=1))


def test_an_inspector_records_inspections_and_the_street_office_complaints(
        venues: Database) -> None:
    end = DAY + timedelta(days=7)
    with unit_of_work(venues.sessions) as session:
        first = record_inspection(session, INSPECTOR, Inspection(
            "v-bad", DAY - timedelta(days=3), False, "no scanner at the side door",
            Sanction.WARNING), AT)
        second = record_inspection(session, INSPECTOR, Inspection(
            "v-bad", DAY, False, "still no scanner", Sanction.SUSPENSION, DAY, end, 400), AT)
        assert second > first
        record_complaint(session, STREET_ONE, Complaint("v-bad", DAY, "nobody scans"), AT)
        record_complaint(session, INSPECTOR, Complaint("v-quiet", DAY, "no checks"), AT)
    with unit_of_work(venues.sessions) as session:
        history = venue_inspections(session, STREET_ONE, "v-bad")
        assert [item.sanction for item in history] == [Sanction.SUSPENSION, Sanction.WARNING]
        assert history[0].sanction_until == end and history[0].visitors_per_day == 400
        assert history[1].sanction_from == DAY - timedelta(days=3)
        recorded = session.scalars(select(ComplaintRow).order_by(ComplaintRow.id)).all()
        assert [(row.venue_code, row.recorded_by, row.recorded_role) for row in recorded] == [
            ("v-bad", "street1", "street-officer"), ("v-quiet", "inspector", "inspector")]


@pytest.mark.parametrize(("principal", "code"), [
    (STREET_ONE, "role-not-allowed"), (AUTHORITY, "role-not-allowed")])
def test_only_an_inspector_records_an_inspection(venues: Database, principal: Principal,
                                                 code: str) -> None:
    with unit_of_work(venues.sessions) as session, pytest.raises(AccessDenied) as caught:
        record_inspection(session, principal, Inspection("v-bad", DAY, True, ""), AT)
    assert caught.value.code == code


def test_complaints_stay_within_the_street_and_name_a_known_venue(venues: Database) -> None:
    with unit_of_work(venues.sessions) as session:
        with pytest.raises(AccessDenied) as caught:
            record_complaint(session, STREET_TWO, Complaint("v-bad", DAY, "x"), AT)
        assert caught.value.code == "outside-scope"
        with pytest.raises(AccessDenied):
            record_complaint(session, AUTHORITY, Complaint("v-bad", DAY, "x"), AT)
        with pytest.raises(NotFoundError):
            record_complaint(session, INSPECTOR, Complaint("v-none", DAY, "x"), AT)
        with pytest.raises(InspectionError) as bad_day:
            record_complaint(session, INSPECTOR, Complaint("v-bad", DAY + timedelta(days=5),
                                                           "x"), AT)
        assert bad_day.value.code == "bad-day"
        assert session.scalar(select(func.count()).select_from(ComplaintRow)) == 0


def test_the_compliance_list_ranks_by_local_days_findings_and_sanctions(
        venues: Database) -> None:
    days = [DAY - timedelta(days=n) for n in range(7)]
    add_checks(venues, "v-good", [local(day, 10) for day in days])
    # 00:30 local on DAY is 16:30 UTC the day before: it counts for DAY, not DAY - 1
    add_checks(venues, "v-bad", [local(DAY, 0), local(DAY - timedelta(days=2), 12)], count=2)
    add_checks(venues, "v-far", [local(day, 9) for day in days])
    # a check on the day after the window does not count
    add_checks(venues, "v-quiet", [local(DAY + timedelta(days=1), 8)])
    with unit_of_work(venues.sessions) as session:
        for inspected, sanction, start, end in [
                (DAY - timedelta(days=30), Sanction.WARNING, None, None),
                (DAY - timedelta(days=2), Sanction.RECTIFICATION_ORDER, DAY - timedelta(days=2),
                 DAY + timedelta(days=5))]:
            record_inspection(session, INSPECTOR, Inspection(
                "v-bad", inspected, False, "side door open", sanction, start, end, 100), AT)
        record_inspection(session, INSPECTOR, Inspection("v-good", DAY - timedelta(days=1),
                                                         True, "", visitors_per_day=10), AT)
        record_complaint(session, STREET_ONE, Complaint("v-quiet", DAY, "never checks"), AT)
    with unit_of_work(venues.sessions) as session:
        street = venue_compliance(session, STREET_ONE, "fz.s01", DAY, 7, TZ)
        district = venue_compliance(session, INSPECTOR, "fz", DAY, 7, TZ)
    assert [item.facts.code for item in street.venues] == ["v-bad", "v-quiet", "v-good"]
    bad, quiet, good = street.venues
    assert bad.facts.days_without_checks == 5 and bad.facts.checks == 6
    assert bad.facts.failed_inspections == 2 and bad.facts.visitors_per_day == 100
    assert bad.facts.open_sanction == "rectification-order"
    assert bad.reasons == ("days-without-checks", "too-few-checks", "repeated-findings",
                           "open-sanction")
    assert quiet.facts.checks == 0 and quiet.reasons == ("no-checks-logged", "complaints")
    assert good.facts.checks == 77 and good.reasons == ()
    # no reasons either way: a known share of checks to visitors sorts before an unknown one
    assert [item.facts.code for item in district.venues] == [
        "v-bad", "v-quiet", "v-good", "v-far"]
    assert street.findings_since == DAY - timedelta(days=364)


def test_the_compliance_list_is_area_scoped_and_bounded(venues: Database) -> None:
    with unit_of_work(venues.sessions) as session:
        with pytest.raises(AccessDenied) as caught:
            venue_compliance(session, STREET_TWO, "fz.s01", DAY, 7, TZ)
        assert caught.value.code == "outside-scope"
        with pytest.raises(AccessDenied):
            venue_compliance(session, Principal("grid", Role.GRID_WORKER, "fz.s01.c01"),
                             "fz.s01.c01", DAY, 7, TZ)
        with pytest.raises(InspectionError):
            venue_compliance(session, INSPECTOR, "fz", DAY, 0, TZ)
        assert venue_compliance(session, STREET_TWO, "fz.s02", DAY, 1, TZ).venues[0].reasons \
            == ("no-checks-logged",)


@pytest.fixture
def resident(areas: Database, keys: RegistryKeys, tmp_path: Path) -> str:
    with unit_of_work(areas.sessions) as session:
        import_residents(session, write(tmp_path / "r.csv", f"""
            id_number,name,sex,birth_date,phone,address,area
            {ZHANG},张伟,男,1990-03-07,,,fz.s01.c01.g01
            """), keys, AT, TZ)
        import_vaccinations(session, write(tmp_path / "v.csv", f"""
            id_number,product,dose_number,series_total,date,site,lot
            {ZHANG},BBIBP-CorV,1,2,2021-05-01,Fangzi CDC,L1
            {ZHANG},BBIBP-CorV,2,2,2021-06-01,Fangzi CDC,L2
            """), keys, AT, TZ)
    return pseudonymise(ZHANG, keys.pseudonym_key)


def trail_at(session: object, at: datetime) -> AuditTrail:
    return AuditTrail(session, AUDIT_KEY, FixedClock(at))  # type: ignore[arg-type]


def test_case_status_gives_doses_and_colour_at_the_date_audited(areas: Database,
                                                                 resident: str) -> None:
    turned_red = local(date(2026, 11, 10), 23) + timedelta(minutes=30)  # late on the 10th
    with unit_of_work(areas.sessions) as session:
        asked = request_color_change(session, trail_at(session, turned_red), AUTHORITY,
                                     resident, "red", "close contact of a case")
        approve_color_change(session, trail_at(session, turned_red), APPROVER, asked.id)
    with unit_of_work(areas.sessions) as session:
        trail = trail_at(session, AT)
        before = case_status(session, trail, AUTHORITY, resident, date(2021, 5, 20),
                             timezone=TZ)
        on_the_day = case_status(session, trail, AUTHORITY, resident, date(2026, 11, 10),
                                 timezone=TZ)
        day_before = case_status(session, trail, AUTHORITY, resident, date(2026, 11, 9),
                                 timezone=TZ)
    assert [dose.dose_number for dose in before.doses] == [1]
    assert not before.series_complete and before.last_dose_on == date(2021, 5, 1)
    assert before.color == "green" and before.color_since is None
    assert on_the_day.series_complete and on_the_day.color == "red"
    assert on_the_day.color_since == turned_red
    assert day_before.color == "green" and len(day_before.doses) == 2
    assert on_the_day.area == "fz.s01.c01.g01"
    with unit_of_work(areas.sessions) as session:
        reads = session.scalars(select(AuditLogRow).where(
            AuditLogRow.action == "investigation.case.read")).all()
    assert len(reads) == 3
    assert {row.subject for row in reads} == {resident}


def test_case_status_is_for_the_health_authority_only(areas: Database, resident: str) -> None:
    with unit_of_work(areas.sessions) as session:
        trail = trail_at(session, AT)
        for principal in (STREET_ONE, INSPECTOR, Principal("grid", Role.GRID_WORKER,
                                                          "fz.s01.c01")):
            with pytest.raises(AccessDenied) as caught:
                case_status(session, trail, principal, resident, DAY, timezone=TZ)
            assert caught.value.code == "role-not-allowed"
        with pytest.raises(NotFoundError):
            case_status(session, trail, AUTHORITY, "no-such-pid", DAY, timezone=TZ)
        with pytest.raises(InspectionError) as caught_day:
            case_status(session, trail, AUTHORITY, resident, DAY + timedelta(days=1),
                        timezone=TZ)
        assert caught_day.value.code == "bad-day"
        assert session.scalar(select(func.count()).select_from(AuditLogRow).where(
            AuditLogRow.action == "investigation.case.read")) == 0
