"""The demo district generator: deterministic, realistic in shape, complete in its kinds."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from faker import Faker

from jointcheck.credentials.payloads import exemption_reasons
from jointcheck.registry.ages import age_on
from jointcheck.registry.areas import AreaLevel, parent_of
from jointcheck.registry.organisations import INDUSTRIES, ORGANISATION_TYPES, SERVICE_INDUSTRIES
from jointcheck.registry.people import EARLIEST_VACCINATION, Sex
from jointcheck.registry.products import product
from jointcheck.rules.venues import VENUE_CATEGORIES
from jointcheck.security.access import Principal, Role
from jointcheck.security.passwords import check_password_policy
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.demo_district import (
    DemoDistrict,
    coverage_by_band,
    generate_district,
)
from jointcheck.services.demo_people import add_years, id_check_digit, is_valid_id_number
from jointcheck.services.demo_vaccination import COVERAGE, PRODUCT_LAUNCH

KEY = b"k" * 32
DAY = date(2026, 11, 23)
SIZE = 5000


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate_district(11, SIZE, today=DAY, pseudonym_key=KEY)


def ages(district: DemoDistrict) -> dict[str, int]:
    return {e.resident.pid: age_on(e.resident.birth_date, district.today)
            for e in district.residents}


def test_same_seed_same_district() -> None:
    first = generate_district(3, 600, today=DAY, pseudonym_key=KEY)
    again = generate_district(3, 600, today=DAY, pseudonym_key=KEY)
    other = generate_district(4, 600, today=DAY, pseudonym_key=KEY)
    assert first == again
    assert [u.password for u in first.users] == [u.password for u in again.users]
    assert first.residents != other.residents
    assert {u.password for u in first.users}.isdisjoint(u.password for u in other.users)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least"):
        generate_district(1, 10, today=DAY, pseudonym_key=KEY)
    with pytest.raises(ValueError, match="demo day"):
        generate_district(1, 500, today=date(2021, 5, 1), pseudonym_key=KEY)


def test_check_digit_known_numbers_and_faker() -> None:
    # GB 11643's example and a number with a digit check; Faker's ssn() as a second oracle.
    assert id_check_digit("11010519491231002") == "X"
    assert is_valid_id_number("440524188001010014")
    assert not is_valid_id_number("440524188001010015")
    assert not is_valid_id_number("440524188002300014")
    fake = Faker("zh_CN")
    fake.seed_instance(5)
    for _ in range(500):
        number = fake.ssn()
        assert id_check_digit(number[:17]) == number[17]


def test_id_numbers_are_valid_and_match_the_person(district: DemoDistrict) -> None:
    numbers = [e.id_number for e in district.residents]
    assert len(set(numbers)) == SIZE
    assert len({e.resident.pid for e in district.residents}) == SIZE
    for entry in district.residents:
        number, resident = entry.id_number, entry.resident
        assert is_valid_id_number(number), number
        assert number[6:14] == f"{resident.birth_date:%Y%m%d}"
        assert int(number[16]) % 2 == (1 if resident.sex is Sex.MALE else 0)
        assert resident.pid == pseudonymise(number, KEY)
    born_here = sum(n.startswith("370704") for n in numbers) / SIZE
    assert 0.75 < born_here < 0.9


def test_age_pyramid(district: DemoDistrict) -> None:
    bands = Counter("0-11" if a < 12 else "12-17" if a < 18 else "18-59" if a < 60 else "60+"
                    for a in ages(district).values())
    for band, share in {"0-11": 0.14, "12-17": 0.07, "18-59": 0.60, "60+": 0.19}.items():
        assert bands[band] / SIZE == pytest.approx(share, abs=0.02), band
    sexes = Counter(e.resident.sex for e in district.residents)
    assert sexes[Sex.MALE] / SIZE == pytest.approx(0.51, abs=0.03)


def test_people_live_in_grids_with_phones_and_addresses(district: DemoDistrict) -> None:
    grids = {a.code for a in district.areas if a.level is AreaLevel.GRID}
    for entry in district.residents:
        resident = entry.resident
        assert resident.area in grids
        assert resident.address.startswith("山东省潍坊市坊子区")
        assert len(resident.phone) == 11
        assert resident.phone.isdigit()


def test_areas(district: DemoDistrict) -> None:
    levels = Counter(a.level for a in district.areas)
    assert levels[AreaLevel.DISTRICT] == 1
    assert [a.code for a in district.areas if a.level is AreaLevel.STREET] == [
        f"fz.s0{n}" for n in range(1, 6)]
    assert "凤山街道" in {a.name for a in district.areas}
    children = Counter(parent_of(a.code) for a in district.areas)
    for area in district.areas:
        if area.level is AreaLevel.STREET:
            assert 3 <= children[area.code] <= 5
        if area.level is AreaLevel.COMMUNITY:
            assert 2 <= children[area.code] <= 4


def test_coverage_by_band_follows_the_plan(district: DemoDistrict) -> None:
    found = {c.band: c for c in coverage_by_band(district)}
    assert sum(c.people for c in found.values()) == SIZE
    assert found["0-11"].none == found["0-11"].people
    for band in COVERAGE[1:]:
        counted = found[band.name]
        # Those who turned 12 weeks before the demo day had no time for two doses.
        slack = 0.06 if band.name == "12-17" else 0.04
        assert counted.share("complete") == pytest.approx(band.complete, abs=slack), band.name
        assert counted.share("partial") == pytest.approx(band.partial, abs=0.04), band.name
    assert found["12-17"].booster == 0
    assert found["18-59"].share("booster") > 0.3
    assert found["60-79"].share("complete") > found["80+"].share("complete")


def test_doses_are_plausible(district: DemoDistrict) -> None:
    born = {e.resident.pid: e.resident.birth_date for e in district.residents}
    by_person: dict[str, list[date]] = {}
    for record in district.vaccinations:
        assert product(record.product).code == record.product
        assert record.product in PRODUCT_LAUNCH
        assert record.date >= PRODUCT_LAUNCH[record.product]
        assert EARLIEST_VACCINATION <= record.date < district.today
        assert record.date >= add_years(born[record.pid], 12), "vaccinated before 12"
        if record.product == "Convidecia":
            assert record.date >= add_years(born[record.pid], 18)
        assert record.series_total == product(record.product).primary_doses
        assert record.site.endswith(("预防接种门诊", "临时接种点"))
        assert record.lot
        by_person.setdefault(record.pid, []).append(record.date)
    for days in by_person.values():
        assert days == sorted(days)
        if len(days) >= 2 and days[1] - days[0] < timedelta(days=180):
            assert timedelta(days=21) <= days[1] - days[0] <= timedelta(days=56)
        if len(days) == 3:
            assert days[2] - days[1] >= timedelta(days=180)
    products = Counter(r.product for r in district.vaccinations)
    assert set(products) == {"BBIBP-CorV", "CoronaVac", "WIBP-CorV", "Convidecia"}
    assert products.most_common(1)[0][0] == "BBIBP-CorV"


def test_contraindications(district: DemoDistrict) -> None:
    certificates = district.contraindications
    assert len(certificates) == SIZE // 100
    assert len({c.certificate_id for c in certificates}) == len(certificates)
    assert {c.institution_level for c in certificates} == {1, 2, 3}
    assert {c.reason_category for c in certificates} <= set(exemption_reasons())
    expired = sum(c.valid_until < district.today for c in certificates)
    assert 0 < expired < len(certificates) / 2
    age = ages(district)
    assert all(age[c.pid] >= 12 for c in certificates)


def test_every_venue_category_with_an_operator_and_checkpoints(district: DemoDistrict) -> None:
    venues = {v.code: v for v in district.venues}
    organisations = {o.code for o in district.organisations}
    assert len(venues) == len(district.venues)
    assert {v.category for v in district.venues} == set(VENUE_CATEGORIES)
    assert {v.street for v in district.venues} == {f"fz.s0{n}" for n in range(1, 6)}
    assert all(v.operator in organisations for v in district.venues)
    checkpoints = Counter(c.venue for c in district.checkpoints)
    assert set(checkpoints) == set(venues)
    assert len({c.code for c in district.checkpoints}) == len(district.checkpoints)


def test_organisations_and_posts(district: DemoDistrict) -> None:
    organisations = {o.code: o for o in district.organisations}
    assert len(organisations) == len(district.organisations)
    assert {o.type for o in organisations.values()} == set(ORGANISATION_TYPES)
    assert {o.industry for o in organisations.values()} == set(INDUSTRIES)
    age = ages(district)
    posts: Counter[str] = Counter()
    for membership in district.memberships:
        organisation = organisations[membership.organisation]
        posts[membership.post] += 1
        assert membership.pid in age
        if membership.post == "student":
            assert organisation.type == "school"
            assert 3 <= age[membership.pid] <= 21
        elif membership.post == "front-line-service":
            assert organisation.industry in SERVICE_INDUSTRIES
        elif membership.post == "first-line-teaching":
            assert organisation.type == "school"
        if membership.post != "student":
            assert age[membership.pid] >= 18
    for post in ("student", "family-member", "first-line-teaching", "front-line-service",
                 "leadership", "office", "logistics"):
        assert posts[post] > 0, post
    kinds = {o.code.split("-")[1] for o in organisations.values() if o.type == "school"}
    assert kinds == {"kindergarten", "primary", "secondary", "college"}


def test_one_user_per_role(district: DemoDistrict) -> None:
    users = {u.role: u for u in district.users}
    assert set(users) == set(Role)
    assert len({u.username for u in district.users}) == len(district.users)
    for user in district.users:
        check_password_policy(user.password)
        Principal(user.username, user.role, user.scope)
        assert user.password not in repr(user)
    assert users[Role.HEALTH_AUTHORITY].scope == "fz"
    assert users[Role.STREET_OFFICER].scope == "fz.s01"
    assert users[Role.INDUSTRY_SUPERVISOR].scope == "catering"
    grids = {a.code for a in district.areas if a.level is AreaLevel.GRID}
    assert users[Role.GRID_WORKER].scope in grids
    venue = next(v for v in district.venues if v.code == users[Role.VENUE_OPERATOR].scope)
    assert venue.category == "nursing-home"
    school = next(o for o in district.organisations if o.code == users[Role.ORG_ADMIN].scope)
    assert school.type == "school"
    resident = next(e.resident for e in district.residents
                    if e.resident.pid == users[Role.RESIDENT].scope)
    assert resident.name == users[Role.RESIDENT].display_name


def test_counts(district: DemoDistrict) -> None:
    counts = district.counts()
    assert counts["residents"] == SIZE
    assert counts["vaccinations"] == len(district.vaccinations)
    assert all(value > 0 for value in counts.values())
