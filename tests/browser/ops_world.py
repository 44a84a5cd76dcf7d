"""A small district served for real, for the operations pages' browser tests and screenshots.

``serve_ops_district(folder)`` migrates a SQLite database in ``folder``, stores two streets
with a community each, three venues, residents of every age group with their doses and one
exemption, hourly check counts over the last days rolled up into the daily reports, and one
user with a password per role (``USERS``). It runs the district server's app with uvicorn on
a free port in a thread, where the health authority assigns a dose target through the API.
``signed_in(page, district, role)`` logs a page in through the form. Days are the district's
local days at the real time of the run, as the server sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine

from jointcheck.api.app import create_app
from jointcheck.config import RegistryKeys, registry_keys
from jointcheck.registry.areas import Area
from jointcheck.registry.organisations import Organisation
from jointcheck.registry.people import Contraindication
from jointcheck.registry.venues import Venue
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services import users
from jointcheck.services.daily_reports import recompute_days
from jointcheck.services.registry_import import import_residents, import_vaccinations
from jointcheck.storage.db import SessionFactory, make_engine, make_sessions, unit_of_work
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.checks import CheckRepository, CountKey
from jointcheck.storage.repositories.organisations import OrganisationRepository
from jointcheck.storage.repositories.residents import ContraindicationRepository
from jointcheck.storage.repositories.venues import VenueRepository
from tests.browser.serving import district_settings, migrated_sqlite, serve_app

if TYPE_CHECKING:
    from playwright.sync_api import Page

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "Ops-desk-2026!"
AREAS = {"fz": "福州示范区", "fz.s01": "东街街道", "fz.s01.c01": "东一社区",
         "fz.s02": "西街街道", "fz.s02.c01": "西一社区"}
VENUES = (
    Venue("v-mall", "万达广场 Wanda Plaza", "mall-supermarket", "fz.s01", None),
    Venue("v-nursing", "福寿养老院 Fushou Nursing Home", "nursing-home", "fz.s01", None),
    Venue("v-home", "幸福里小区 Xingfuli Quarter", "residential-quarter", "fz.s02", None),
)
ORGANISATION = Organisation("org-school", "第一中学 No. 1 Middle School", "school", "education",
                            "education-bureau", "fz.s01")
# role -> (user name, scope)
USERS: dict[str, tuple[str, str]] = {
    "health-authority": ("ops-health", "fz"),
    "street-officer": ("ops-street", "fz.s01"),
    "grid-worker": ("ops-grid", "fz.s01.c01"),
    "venue-operator": ("ops-venue", "v-mall"),
    "org-admin": ("ops-org", "org-school"),
    "industry-supervisor": ("ops-industry", "education"),
    "inspector": ("ops-inspector", "fz"),
}
# Checks per day back from yesterday (1) at each venue, by outcome.
CHECKS: dict[int, dict[str, dict[str, int]]] = {
    1: {"v-mall": {"admit": 40, "register": 5, "persuade": 2},
        "v-nursing": {"admit": 12, "restrict": 3}, "v-home": {"admit": 20, "deny": 1}},
    2: {"v-mall": {"admit": 35, "register": 4}, "v-home": {"admit": 18}},
    3: {"v-mall": {"admit": 30, "persuade": 1}, "v-nursing": {"admit": 10, "restrict": 2}},
}


@dataclass(frozen=True)
class Resident:
    """A resident of the test district: age in years at the run, community, doses, exemption."""

    id_number: str
    age: int
    area: str
    doses: int = 0
    exempt: bool = False


RESIDENTS = (
    Resident("110101201801010011", 8, "fz.s01.c01"),
    Resident("110101201602020022", 10, "fz.s01.c01", doses=1),
    Resident("110101200903030033", 16, "fz.s01.c01", doses=2),
    Resident("110101199004040044", 35, "fz.s01.c01", doses=2),
    Resident("110101198505050055", 40, "fz.s01.c01", doses=1),
    Resident("110101198006060066", 45, "fz.s01.c01"),
    Resident("110101197007070077", 55, "fz.s01.c01", exempt=True),
    Resident("110101195008080088", 75, "fz.s01.c01", doses=2),
    Resident("110101195509090099", 70, "fz.s01.c01"),
    Resident("110101199210100011", 33, "fz.s02.c01", doses=2),
    Resident("110101194511110022", 80, "fz.s02.c01", doses=1),
    Resident("110101200812120033", 17, "fz.s02.c01"),
)


@dataclass
class OpsDistrict:
    """The running server, its database, the registry keys and the district's today."""

    url: str
    engine: Engine
    sessions: SessionFactory
    keys: RegistryKeys
    today: date

    def page_url(self, route: str = "") -> str:
        return f"{self.url}/ops" + (f"#/{route}" if route else "")

    def day(self, back: int) -> date:
        """Return the local day ``back`` days before today."""
        return self.today - timedelta(days=back)

    def pid(self, resident: Resident) -> str:
        return pseudonymise(resident.id_number, self.keys.pseudonym_key)


def _birth(today: date, age: int) -> date:
    # Born half a year before the birthday that makes the age, so no age is at its edge.
    return date(today.year - age, 1, 1) if today.month > 6 else date(today.year - age - 1, 7, 1)


def _write_registry(folder: Path, today: date) -> tuple[Path, Path]:
    residents = ["id_number,name,sex,birth_date,phone,address,area"]
    doses = ["id_number,product,dose_number,series_total,date,site,lot"]
    for number, person in enumerate(RESIDENTS):
        residents.append(f"{person.id_number},居民{number:02d},F,"
                         f"{_birth(today, person.age).isoformat()},13800000000,,{person.area}")
        for dose in range(1, person.doses + 1):
            given = today - timedelta(days=120 - 30 * dose)
            doses.append(f"{person.id_number},BBIBP-CorV,{dose},2,{given.isoformat()},,")
    resident_file, dose_file = folder / "residents.csv", folder / "vaccinations.csv"
    resident_file.write_text("\n".join(residents) + "\n", encoding="utf-8")
    dose_file.write_text("\n".join(doses) + "\n", encoding="utf-8")
    return resident_file, dose_file


def _seed(sessions: SessionFactory, keys: RegistryKeys, folder: Path, today: date) -> None:
    now = datetime.now(UTC)
    resident_file, dose_file = _write_registry(folder, today)
    with unit_of_work(sessions) as session:
        AreaRepository(session).upsert(Area.of(code, name) for code, name in AREAS.items())
        for venue in VENUES:
            VenueRepository(session).add(venue)
        OrganisationRepository(session).add(ORGANISATION)
        for report in (import_residents(session, resident_file, keys, now, TZ),
                       import_vaccinations(session, dose_file, keys, now, TZ)):
            assert not report.rejections, report.as_dict()
        for person in RESIDENTS:
            if person.exempt:
                ContraindicationRepository(session).add(Contraindication(
                    pseudonymise(person.id_number, keys.pseudonym_key), "区人民医院", 2,
                    "allergy", today - timedelta(days=30), today + timedelta(days=150),
                    f"EX-{person.id_number[-4:]}"))
        counts: dict[CountKey, int] = {}
        for back, venues in CHECKS.items():
            noon = datetime.combine(today - timedelta(days=back), datetime.min.time(),
                                    TZ).replace(hour=12).astimezone(UTC)
            for venue, outcomes in venues.items():
                for outcome, count in outcomes.items():
                    counts[CountKey(venue, noon, outcome, "scan")] = count
        CheckRepository(session).add_counts(counts)
        for role, (username, scope) in USERS.items():
            users.create_user(session, username=username, display_name=f"{role} {scope}",
                              role=role, scope=scope, password=PASSWORD, at=now)
    with unit_of_work(sessions) as session:
        recompute_days(session, [today - timedelta(days=back) for back in range(0, 15)], TZ,
                       now)


def _assign_target(url: str, today: date) -> None:
    """Assign the district a dose target through the API, as the health authority does."""
    login = httpx.post(f"{url}/api/auth/login", json={
        "username": USERS["health-authority"][0], "password": PASSWORD})
    login.raise_for_status()
    answer = httpx.post(f"{url}/api/targets", headers={
        "Authorization": f"Bearer {login.json()['token']}"}, json={
        "area": "fz", "doses": 12, "start": (today - timedelta(days=7)).isoformat(),
        "end": (today + timedelta(days=21)).isoformat()})
    assert answer.status_code == 201, answer.text


@contextmanager
def serve_ops_district(folder: Path) -> Iterator[OpsDistrict]:
    """Run the district server with the operations pages on a free local port."""
    folder.mkdir(parents=True, exist_ok=True)
    url = migrated_sqlite(folder / "ops.db")
    settings = district_settings(url, folder)
    keys = registry_keys(settings)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    today = datetime.now(TZ).date()
    _seed(sessions, keys, folder, today)
    try:
        with serve_app(create_app(settings)) as base:
            _assign_target(base, today)
            yield OpsDistrict(base, engine, sessions, keys, today)
    finally:
        engine.dispose()


def signed_in(page: Page, district: OpsDistrict, role: str, route: str = "") -> Page:
    """Open ``/ops`` on ``page``, sign in through the form as ``role``'s user, go to ``route``,
    and wait until the page has drawn."""
    page.goto(district.page_url())
    page.wait_for_selector("#login:not([hidden])")
    page.fill("#login-username", USERS[role][0])
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#nav:not([hidden])")
    if route:
        page.evaluate("route => { location.hash = route; }", f"#/{route}")
    wait_drawn(page, route or None)
    return page


def wait_drawn(page: Page, route: str | None = None) -> None:
    """Wait until the page ``route`` has finished drawing (none: until whatever the shell
    shows, perhaps no page at all, is drawn)."""
    if route is None:
        page.wait_for_selector("body[data-route]", state="attached")
        return
    page.wait_for_selector(f'.page-body[data-page="{route.split("?")[0]}"][data-ready="true"]')
