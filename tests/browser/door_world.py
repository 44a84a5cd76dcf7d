"""A small district served for real, for the scanner page's browser tests and screenshots.

``serve_district(folder)`` migrates a SQLite database in ``folder``, stores areas, three venues
of different categories (a mall, a nursing home, a residential quarter: the fangzi-2021 pack
persuades, restricts and registers an unvaccinated adult there), residents with their doses,
a venue operator with a password and a checkpoint token per venue, creates the issuer's key
store, and runs the district server's app with uvicorn on a free port in a thread. The codes a
person shows are issued with the key store's own issuer, at the real time the server decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import Engine

from jointcheck.api.app import create_app
from jointcheck.config import RegistryKeys, registry_keys
from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.payloads import Holder
from jointcheck.keystore import KeyStore, init_keystore
from jointcheck.registry.areas import Area
from jointcheck.registry.venues import Venue
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services import tokens, users
from jointcheck.services.registry_import import import_residents, import_vaccinations
from jointcheck.storage.db import SessionFactory, make_engine, make_sessions, unit_of_work
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.venues import VenueRepository
from jointcheck.trust.issuer import Issuer, IssuerProfile
from tests.browser.serving import district_settings, migrated_sqlite, serve_app

PASSPHRASE = "door-keystore-passphrase"
PASSWORD = "Door-desk-2026"
TZ = ZoneInfo("Asia/Shanghai")
AREAS = ("fz", "fz.s01", "fz.s01.c01", "fz.s02", "fz.s02.c01")


@dataclass(frozen=True)
class Person:
    """A resident of the test district and the doses the registry holds for them."""

    name: str
    id_number: str
    birth_date: str
    area: str
    doses: tuple[tuple[str, str], ...] = ()

    @property
    def birth_year(self) -> str:
        return self.birth_date[:4]


PEOPLE = {
    "vaccinated": Person("张 伟", "110101199003070011", "1990-03-07", "fz.s01.c01",
                         (("BBIBP-CorV", "2021-05-01"), ("BBIBP-CorV", "2021-06-01"))),
    "unvaccinated": Person("李 娜", "110101198501020022", "1985-01-02", "fz.s01.c01"),
    "flagged": Person("王 芳", "110101197805060044", "1978-05-06", "fz.s02.c01",
                      (("CoronaVac", "2021-04-10"), ("CoronaVac", "2021-05-10"))),
}
VENUES = {
    "mall": Venue("v-mall", "万达广场 Wanda Plaza", "mall-supermarket", "fz.s01", None),
    "nursing": Venue("v-nursing", "福寿养老院 Fushou Nursing Home", "nursing-home", "fz.s01",
                     None),
    "home": Venue("v-home", "幸福里小区 Xingfuli Quarter", "residential-quarter", "fz.s02",
                  None),
}
DESK_USER = "desk-mall"  # the mall's operator, who signs in with a password


@dataclass
class District:
    """The running server, its database and the means to issue a person's codes."""

    url: str
    engine: Engine
    sessions: SessionFactory
    keys: RegistryKeys
    store: KeyStore
    tokens: dict[str, str] = field(default_factory=dict)  # venue key -> checkpoint token

    def page_url(self) -> str:
        return f"{self.url}/check"

    def codes(self, person: str, color: CodeColor = CodeColor.GREEN) -> list[str]:
        """Return the QR texts ``person`` shows: a fresh health code, then the certificate of
        their latest dose if they have one."""
        who = PEOPLE[person]
        holder = Holder.parse(who.name, who.birth_date,
                              pid=pseudonymise(who.id_number, self.keys.pseudonym_key))
        issuer: Issuer = self.store.issuer()
        now = datetime.now(UTC)
        texts = [issuer.health_code(holder, color=color, at=now, ttl=timedelta(hours=2)).text]
        if who.doses:
            product, day = who.doses[-1]
            texts.append(issuer.vaccination(holder, dose=len(who.doses), series=2,
                                            when=date.fromisoformat(day), at=now,
                                            product=product).text)
        return texts


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _seed(sessions: SessionFactory, keys: RegistryKeys, folder: Path) -> dict[str, str]:
    now = datetime.now(UTC)
    residents = _csv(folder / "residents.csv", "id_number,name,sex,birth_date,phone,address,area",
                     [f"{p.id_number},{p.name},F,{p.birth_date},13800000000,,{p.area}"
                      for p in PEOPLE.values()])
    doses = _csv(folder / "vaccinations.csv", "id_number,product,dose_number,series_total,date,"
                 "site,lot", [f"{p.id_number},{product},{n},2,{day},,"
                              for p in PEOPLE.values()
                              for n, (product, day) in enumerate(p.doses, start=1)])
    checkpoint_tokens = {}
    with unit_of_work(sessions) as session:
        AreaRepository(session).upsert(Area.of(code, code.upper()) for code in AREAS)
        for venue in VENUES.values():
            VenueRepository(session).add(venue)
        for report in (import_residents(session, residents, keys, now, TZ),
                       import_vaccinations(session, doses, keys, now, TZ)):
            assert not report.rejections, report.as_dict()
        for key, venue in VENUES.items():
            username = f"gate-{key}"
            users.create_user(session, username=username, display_name=venue.name,
                              role="venue-operator", scope=venue.code, password=None, at=now)
            checkpoint_tokens[key] = tokens.issue_api_token(
                session, username, at=now, label="gate", permissions=["checks.upload"]).text
        users.create_user(session, username=DESK_USER, display_name="Mall desk",
                          role="venue-operator", scope=VENUES["mall"].code, password=PASSWORD,
                          at=now)
    return checkpoint_tokens


@contextmanager
def serve_district(folder: Path) -> Iterator[District]:
    """Run the district server on a free local port for the ``with`` block."""
    folder.mkdir(parents=True, exist_ok=True)
    url = migrated_sqlite(folder / "district.db")
    store = init_keystore(folder / "keystore", PASSPHRASE.encode(),
                          datetime.now(UTC) - timedelta(days=1), IssuerProfile())
    settings = district_settings(url, folder, keystore_dir=store.directory,
                                 key_passphrase=SecretStr(PASSPHRASE))
    keys = registry_keys(settings)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    checkpoint_tokens = _seed(sessions, keys, folder)
    try:
        with serve_app(create_app(settings)) as base:
            yield District(base, engine, sessions, keys, store, checkpoint_tokens)
    finally:
        engine.dispose()
