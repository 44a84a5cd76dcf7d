"""The daily street roll-up on SQLite and PostgreSQL, over a small generated district."""

from __future__ import annotations

import io
import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointcheck.errors import AccessDenied, NotFoundError
from jointcheck.registry.venues import Venue
from jointcheck.security.access import Principal, Role
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.services.daily_reports import (
    recompute_days,
    scheduled_rollup,
    street_daily_summary,
    street_name,
)
from jointcheck.services.day_report_pdf import find_cjk_font, render_day_report_pdf
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.models import DailyStreetCheckRow, DailyStreetTotalRow
from jointcheck.storage.models.people import ResidentRow, VaccinationRow
from jointcheck.storage.repositories.checks import (
    CheckRepository,
    CountKey,
    Receipt,
    RegistrationValues,
    registration_row,
)
from jointcheck.storage.repositories.venues import VenueRepository
from tests.integration.conftest import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 22)
START = datetime(2026, 11, 21, 16, tzinfo=UTC)  # local midnight of DAY
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
CIPHER = FieldCipher({1: b"f" * 32}, 1)
VENUES = [Venue("v-mall-1", "Mall one", "mall-supermarket", "fz.s01", None),
          Venue("v-mall-2", "Mall two", "mall-supermarket", "fz.s01", None),
          Venue("v-market", "Market", "market", "fz.s01", None),
          Venue("v-quiet", "Quiet gym", "gym", "fz.s01", None),
          Venue("v-s2-mall", "Mall of s02", "mall-supermarket", "fz.s02", None)]
OUTCOMES = ("admit", "register", "persuade", "restrict", "deny")


def _counts(seed: int, day_start: datetime) -> Counter[CountKey]:
    """Draw a day's events at the busy venues into hourly counts."""
    generator = random.Random(seed)
    counts: Counter[CountKey] = Counter()
    for venue in ("v-mall-1", "v-mall-2", "v-market", "v-s2-mall"):
        for _ in range(generator.randint(20, 60)):
            hour = day_start + timedelta(hours=generator.randrange(24))
            counts[CountKey(venue, hour, generator.choice(OUTCOMES),
                            generator.choice(("dcc", "health-code")))] += 1
    return counts


def _add_counts(db: Database, counts: Counter[CountKey]) -> None:
    with unit_of_work(db.sessions) as session:
        CheckRepository(session).add_counts(counts)


def _register(db: Database, number: int, venue: str, at: datetime) -> None:
    event_id = str(uuid.UUID(int=number, version=4))
    with unit_of_work(db.sessions) as session:
        repository = CheckRepository(session)
        repository.add_receipts([Receipt(event_id, venue, at.replace(minute=0), "persuade")],
                                NOW)
        repository.add_registrations([registration_row(RegistrationValues(
            event_id, venue, at, at.replace(minute=0), "persuade", f"pid-{number}",
            "张伟", "110101199003070011", "13800000000", "work", NOW + timedelta(days=21)),
            CIPHER, NOW)])


def _resident(session: Session, pid: str, area: str) -> None:
    session.add(ResidentRow(pid=pid, sex="female", birth_date=date(1980, 1, 1), area_code=area,
                            name_enc=b"x", id_number_enc=b"x", phone_enc=b"x",
                            address_enc=b"x", content_digest="d", updated_at=NOW))


@pytest.fixture
def district(areas: Database) -> Database:
    """Return the database with venues, a day's counts, registrations and vaccinations."""
    with unit_of_work(areas.sessions) as session:
        for venue in VENUES:
            VenueRepository(session).add(venue)
        _resident(session, "p-1", "fz.s01.c01.g01")
        _resident(session, "p-2", "fz.s01.c02")
        _resident(session, "p-3", "fz.s02.c01")
        session.flush()
        for number, (pid, on) in enumerate([("p-1", DAY), ("p-2", DAY), ("p-3", DAY),
                                            ("p-1", DAY - timedelta(days=1))], start=1):
            session.add(VaccinationRow(pid=pid, product="EU/1/20/1528", dose_number=number,
                                       series_total=4, vaccinated_on=on, site="s", lot="l",
                                       source_id=None, imported_at=NOW))
    _add_counts(areas, _counts(1, START))
    _register(areas, 1, "v-mall-1", START + timedelta(hours=3))
    _register(areas, 2, "v-market", START + timedelta(hours=20))
    _register(areas, 3, "v-s2-mall", START + timedelta(hours=5))
    _register(areas, 4, "v-mall-1", START - timedelta(minutes=30))  # the day before
    return areas


def _expected(counts: Counter[CountKey], street: str) -> dict[str, dict[str, int]]:
    street_of = {venue.code: venue.street for venue in VENUES}
    expected: dict[str, Counter[str]] = {}
    for key, count in counts.items():
        if street_of[key.venue] == street:
            expected.setdefault(key.venue, Counter())[key.outcome] += count
    return {venue: {o: c[o] for o in OUTCOMES} for venue, c in expected.items()}


def _rows(db: Database) -> list[tuple[object, ...]]:
    with db.session() as session:
        checks = session.execute(select(DailyStreetCheckRow.__table__).order_by(
            *DailyStreetCheckRow.__table__.primary_key.columns)).all()
        totals = session.execute(select(
            DailyStreetTotalRow.day, DailyStreetTotalRow.street_code,
            DailyStreetTotalRow.registrations, DailyStreetTotalRow.new_vaccinations)
            .order_by(DailyStreetTotalRow.street_code)).all()
    return [tuple(row) for row in [*checks, *totals]]


def test_every_figure_of_a_street_day_is_right(district: Database) -> None:
    with unit_of_work(district.sessions) as session:
        [rolled] = recompute_days(session, [DAY], SHANGHAI, NOW)
    assert (rolled.registrations, rolled.new_vaccinations, rolled.streets) == (3, 3, 2)
    with district.session() as session:
        report = street_daily_summary(session, "fz.s01", DAY)
    expected = _expected(_counts(1, START), "fz.s01")
    assert {line.venue: {o: line.counts.get(o, 0) for o in OUTCOMES}
            for line in report.venues} == expected
    assert [line.category for line in report.venues] == [
        "mall-supermarket", "mall-supermarket", "market"]
    assert report.silent_venues == ["v-quiet"]
    assert report.registrations == 2
    assert report.new_vaccinations == 2
    assert report.timezone == "Asia/Shanghai"
    assert report.by_category()["market"] == expected["v-market"]
    with district.session() as session:
        other = street_daily_summary(session, "fz.s02", DAY)
    assert (other.registrations, other.new_vaccinations, other.silent_venues) == (1, 1, [])


def test_a_rerun_leaves_the_same_rows_and_a_late_upload_is_counted(
        district: Database) -> None:
    with unit_of_work(district.sessions) as session:
        recompute_days(session, [DAY], SHANGHAI, NOW)
    first = _rows(district)
    with unit_of_work(district.sessions) as session:
        recompute_days(session, [DAY, DAY], SHANGHAI, NOW + timedelta(hours=1))
    assert _rows(district) == first
    # A checkpoint that was offline uploads its day late.
    late = Counter({CountKey("v-quiet", START + timedelta(hours=10), "admit", "dcc"): 7,
                    CountKey("v-mall-1", START + timedelta(hours=23), "deny", "dcc"): 2})
    _add_counts(district, late)
    with district.session() as session:
        before = street_daily_summary(session, "fz.s01", DAY)
    assert before.silent_venues == ["v-quiet"]
    with unit_of_work(district.sessions) as session:
        recompute_days(session, [DAY - timedelta(days=1), DAY], SHANGHAI, NOW)
    with district.session() as session:
        after = street_daily_summary(session, "fz.s01", DAY)
    assert after.silent_venues == []
    assert after.checks == before.checks + 9
    assert {line.venue: line.total for line in after.venues}["v-quiet"] == 7


def test_half_past_eleven_and_half_past_midnight_fall_on_different_days(
        areas: Database) -> None:
    with unit_of_work(areas.sessions) as session:
        VenueRepository(session).add(VENUES[0])
    # 23:30 local on DAY is in the UTC hour 15:00; 00:30 the next day in 16:00.
    _add_counts(areas, Counter({
        CountKey("v-mall-1", datetime(2026, 11, 22, 15, tzinfo=UTC), "admit", "dcc"): 3,
        CountKey("v-mall-1", datetime(2026, 11, 22, 16, tzinfo=UTC), "deny", "dcc"): 5}))
    _register(areas, 9, "v-mall-1", datetime(2026, 11, 22, 15, 59, tzinfo=UTC))
    _register(areas, 10, "v-mall-1", datetime(2026, 11, 22, 16, 0, tzinfo=UTC))
    next_day = DAY + timedelta(days=1)
    with unit_of_work(areas.sessions) as session:
        recompute_days(session, [DAY, next_day], SHANGHAI, NOW)
    with areas.session() as session:
        today = street_daily_summary(session, "fz.s01", DAY)
        tomorrow = street_daily_summary(session, "fz.s01", next_day)
    assert today.venues[0].counts == {"admit": 3}
    assert tomorrow.venues[0].counts == {"deny": 5}
    assert (today.registrations, tomorrow.registrations) == (1, 1)


def test_a_street_officer_reads_its_street_only(district: Database) -> None:
    with unit_of_work(district.sessions) as session:
        recompute_days(session, [DAY], SHANGHAI, NOW)
    officer = Principal("officer-1", Role.STREET_OFFICER, "fz.s01")
    with district.session() as session:
        assert street_daily_summary(session, "fz.s01", DAY, officer).street == "fz.s01"
        with pytest.raises(AccessDenied) as refused:
            street_daily_summary(session, "fz.s02", DAY, officer)
    assert refused.value.code == "outside-scope"


def test_an_unknown_street_or_a_day_not_rolled_up_is_not_found(district: Database) -> None:
    with district.session() as session:
        with pytest.raises(NotFoundError) as missing:
            street_daily_summary(session, "fz.s01", DAY)
        assert missing.value.code == "report-not-computed"
        with pytest.raises(NotFoundError) as unknown:
            street_daily_summary(session, "fz.s01.c01", DAY)
        assert unknown.value.code == "unknown-area"


def test_the_scheduled_rollup_recomputes_the_local_days_ending_now(
        district: Database) -> None:
    # 15:30 UTC is 23:30 on DAY in Shanghai; 16:30 UTC is already the next local day.
    before_midnight = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    with unit_of_work(district.sessions) as session:
        rolled = scheduled_rollup(session, before_midnight, SHANGHAI, 2)
    assert [r.day for r in rolled] == [DAY - timedelta(days=1), DAY]
    assert rolled[1].checks == sum(_counts(1, START).values())
    first = _rows(district)
    with unit_of_work(district.sessions) as session:
        again = scheduled_rollup(session, before_midnight + timedelta(minutes=15), SHANGHAI, 2)
    assert _rows(district) == first  # a rerun of unchanged days leaves the same rows
    assert [r.checks for r in again] == [r.checks for r in rolled]
    _add_counts(district, Counter({CountKey("v-quiet", START + timedelta(hours=10), "admit",
                                            "dcc"): 4}))
    with unit_of_work(district.sessions) as session:
        later = scheduled_rollup(session, before_midnight + timedelta(hours=1), SHANGHAI, 2)
    assert [r.day for r in later] == [DAY, DAY + timedelta(days=1)]
    assert later[0].checks == rolled[1].checks + 4


def test_the_pdf_of_a_stored_day_carries_its_figures(district: Database) -> None:
    with unit_of_work(district.sessions) as session:
        recompute_days(session, [DAY], SHANGHAI, NOW)
    with district.session() as session:
        report = street_daily_summary(session, "fz.s01", DAY)
        name = street_name(session, "fz.s01")
        with pytest.raises(NotFoundError) as unknown:
            street_name(session, "fz.s09")
    assert unknown.value.code == "unknown-area"
    assert name == "FZ.S01"
    document = render_day_report_pdf(report, name, NOW, find_cjk_font())
    reader = PdfReader(io.BytesIO(document))
    text = "".join("".join(page.extract_text().replace("\x00", " ").split())
                   for page in reader.pages)
    assert "FZ.S01(fz.s01)" in text and DAY.isoformat() in text
    assert f"{report.checks}Checks" in text
    assert f"{report.registrations}Registrations" in text
    assert f"{report.new_vaccinations}Newvaccinations" in text
    for line in report.venues:
        counts = "".join(str(line.counts.get(outcome, 0)) for outcome in OUTCOMES)
        assert f"{line.venue}{line.name.replace(' ', '')}{line.category}{counts}" \
               f"{line.total}" in text
    assert "Venuesthatreportednochecks(1)v-quiet" in text
