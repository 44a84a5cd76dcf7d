"""The ``client`` fixture: the API over a seeded database, on SQLite and on PostgreSQL.

The ``db`` fixture of the integration tests gives each test a fresh database of each kind;
``world`` stores areas, residents, a venue and one user per role (token-only users, so that
only the tests of logging in pay for argon2), and ``client`` runs the real app on it with a
clock the test can move. ``client`` has no key store (it issues nothing); ``issuing_client``
is the same app with a fresh key store of its own (``keystore``), so that a test may rotate
keys and revoke without touching another's.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from jointcheck.api.app import create_app
from jointcheck.config import RegistryKeys, Settings
from jointcheck.keystore import KeyStore, init_keystore
from jointcheck.registry.areas import Area
from jointcheck.registry.venues import Venue
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services import tokens, users
from jointcheck.services.registry_import import import_residents
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.venues import VenueRepository
from jointcheck.trust.issuer import IssuerProfile
from tests.integration.conftest import AREAS, AT, TZ, Database, write
from tests.integration.conftest import db as db  # noqa: PLC0414 (fixtures shared)
from tests.integration.conftest import db_url as db_url  # noqa: PLC0414
from tests.integration.conftest import keys as keys  # noqa: PLC0414
from tests.integration.conftest import pg_problem as pg_problem  # noqa: PLC0414

AUDIT_KEY = b"a" * 32
PASSWORD = "Correct-horse-9"
ZHANG, LI, WANG = "110101199003070011", "110101198501020022", "110101200801020033"
RESIDENTS = f"""
id_number,name,sex,birth_date,phone,address,area
{ZHANG},张 伟,男,1990-03-07,13800000000,"1 Road, Fangzi",fz.s01.c01.g01
{LI},李 娜,F,1985-01-02,,,fz.s01.c02
{WANG},王 小明,M,2008-01-02,13900000000,2 Road,fz.s02.c01
"""
VENUE = "v-mall-1"
KEY_PASSPHRASE = "keystore-passphrase-1"


@dataclass
class MovableClock:
    """A clock the test moves forward (the app reads it for every request)."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


@dataclass
class World:
    """The seeded database, the pids of the residents and a bearer header per user."""

    db: Database
    keys: RegistryKeys
    pids: dict[str, str]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def settings_for(db: Database, tmp_path: Path, **overrides: object) -> Settings:
    """Return settings whose keys match the ``keys`` fixture and ``AUDIT_KEY``."""
    values: dict[str, object] = {
        "database_url": db.url.render_as_string(hide_password=False),
        "pseudonym_key": b64(b"k" * 32), "field_keys": b64(b"f" * 32),
        "audit_key": b64(AUDIT_KEY), "key_dir": tmp_path / "keys"}
    return Settings(**(values | overrides))


def bearer(text: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {text}"}


def add_user(db: Database, username: str, role: str, scope: str,
             password: str | None = None) -> dict[str, str]:
    """Create a user and return the bearer header of a new API token of theirs."""
    with unit_of_work(db.sessions) as session:
        users.create_user(session, username=username, display_name=username.title(),
                          role=role, scope=scope, password=password, at=AT)
        issued = tokens.issue_api_token(session, username, at=AT, label="test")
    return bearer(issued.text)


@pytest.fixture
def world(db: Database, keys: RegistryKeys, tmp_path: Path) -> World:
    with unit_of_work(db.sessions) as session:
        AreaRepository(session).upsert(Area.of(code, code.upper()) for code in AREAS)
        VenueRepository(session).add(Venue(VENUE, "Mall", "mall-supermarket", "fz.s01", None))
        report = import_residents(session, write(tmp_path / "r.csv", RESIDENTS), keys, AT, TZ)
        assert report.imported == 3, report.as_dict()
    pids = {name: pseudonymise(number, keys.pseudonym_key)
            for name, number in (("zhang", ZHANG), ("li", LI), ("wang", WANG))}
    found = World(db, keys, pids)
    for username, role, scope in (
            ("cdc", "health-authority", "fz"), ("officer1", "street-officer", "fz.s01"),
            ("officer2", "street-officer", "fz.s02"),
            ("grid1", "grid-worker", "fz.s01.c01.g01"),
            ("mall", "venue-operator", VENUE), ("inspector", "inspector", "fz"),
            ("zhang", "resident", pids["zhang"])):
        found.headers[username] = add_user(db, username, role, scope)
    return found


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(AT)


@pytest.fixture
def app_settings(world: World, tmp_path: Path) -> Settings:
    return settings_for(world.db, tmp_path, max_upload_bytes=8192)


@pytest.fixture
def client(world: World, app_settings: Settings, clock: MovableClock) -> Iterator[TestClient]:
    app = create_app(app_settings, engine=world.db.engine, clock=clock)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def keystore(tmp_path: Path) -> KeyStore:
    """Return a new key store (anchor, one signer per group), created the day before ``AT``."""
    return init_keystore(tmp_path / "keystore", KEY_PASSPHRASE.encode(), AT - timedelta(days=1),
                         IssuerProfile())


def with_keystore(settings: Settings, store: KeyStore) -> Settings:
    """Return ``settings`` naming ``store`` and its passphrase."""
    return settings.model_copy(update={"keystore_dir": store.directory,
                                       "key_passphrase": SecretStr(KEY_PASSPHRASE)})


@pytest.fixture
def issuing_client(world: World, app_settings: Settings, keystore: KeyStore,
                   clock: MovableClock) -> Iterator[TestClient]:
    app = create_app(with_keystore(app_settings, keystore), engine=world.db.engine, clock=clock)
    with TestClient(app) as test_client:
        yield test_client


def error_of(response: httpx.Response) -> tuple[int, str]:
    """Return (status, error code) of an error response."""
    return response.status_code, response.json()["error"]["code"]
