"""A district server and a checkpoint node, in process: the node syncs through a test client.

``district`` is a migrated SQLite database with areas, a venue, three residents and the
venue's checkpoint token, and a key store; ``server`` runs the real server app on it with a
clock the test moves (``server_clock``). ``node`` opens a node on a data folder with
``readings``, a system clock and a forward clock the test moves or makes jump, and syncs it
through ``server`` only when the test calls ``sync_once``. The restart test runs real
processes instead (``test_restart.py``).
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from jointcheck.api.app import create_app
from jointcheck.checkpoint.timekeeping import Reading
from jointcheck.config import RegistryKeys, Settings
from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.payloads import Holder
from jointcheck.keystore import KeyStore, init_keystore
from jointcheck.node.app import create_node_app
from jointcheck.node.run import Node, NodeConfig, open_node
from jointcheck.registry.areas import Area
from jointcheck.registry.venues import Venue
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services import tokens, users
from jointcheck.services.registry_import import import_residents
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import migrate
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.venues import VenueRepository
from jointcheck.trust.issuer import IssuerProfile
from tests.integration.conftest import AREAS, AT, TZ, write

VENUE = "v-mall-1"
OTHER_VENUE = "v-gym-1"
PASSPHRASE = "keystore-passphrase-1"
ZHANG = "110101199003070011"
RESIDENTS = f"""
id_number,name,sex,birth_date,phone,address,area
{ZHANG},张 伟,男,1990-03-07,13800000000,"1 Road, Fangzi",fz.s01.c01.g01
"""


@dataclass
class District:
    """What the server runs on: its settings (with the key store) and the node's token."""

    settings: Settings
    keystore: KeyStore
    token: str


@dataclass
class MovableClock:
    """The server's clock, moved by the test."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant


@dataclass
class ManualReadings:
    """The node's clocks: ``advance`` moves both, ``jump`` moves the system clock alone."""

    wall: datetime
    forward: float = 5000.0

    def __call__(self) -> Reading:
        return Reading(self.wall, self.forward)

    def advance(self, delta: timedelta) -> None:
        self.wall += delta
        self.forward += delta.total_seconds()

    def jump(self, delta: timedelta) -> None:
        self.wall += delta


def b64(raw: bytes) -> SecretStr:
    return SecretStr(base64.b64encode(raw).decode())


def make_district(folder: Path, at: datetime, keystore: KeyStore | None = None) -> District:
    """Migrate a SQLite database in ``folder`` and seed it; return what the server needs."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'server.db'}"
    migrate(url)
    settings = Settings(database_url=url, pseudonym_key=b64(b"k" * 32),
                        field_keys=b64(b"f" * 32), audit_key=b64(b"a" * 32),
                        key_dir=folder / "dev-keys")
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessions(engine)) as session:
            AreaRepository(session).upsert(Area.of(code, code.upper()) for code in AREAS)
            repository = VenueRepository(session)
            repository.add(Venue(VENUE, "Mall", "mall-supermarket", "fz.s01", None))
            repository.add(Venue(OTHER_VENUE, "Gym", "gym", "fz.s01", None))
            import_residents(session, write(folder / "residents.csv", RESIDENTS),
                             _registry_keys(), at, TZ)
            users.create_user(session, username="mall-gate", display_name="Mall gate",
                              role="venue-operator", scope=VENUE, password=None, at=at)
            token = tokens.issue_api_token(session, "mall-gate", at=at, label="node").text
    finally:
        engine.dispose()
    store = keystore or init_keystore(folder / "keystore", PASSPHRASE.encode(),
                                      at - timedelta(days=1), IssuerProfile())
    settings = settings.model_copy(update={"keystore_dir": store.directory,
                                           "key_passphrase": SecretStr(PASSPHRASE)})
    return District(settings, store, token)


def _registry_keys() -> RegistryKeys:
    return RegistryKeys(b"k" * 32, FieldCipher({1: b"f" * 32}, 1))


@pytest.fixture
def district(tmp_path: Path) -> District:
    return make_district(tmp_path / "server", AT)


@pytest.fixture
def server_clock() -> MovableClock:
    return MovableClock(AT)


def serve_in_process(district: District, clock: MovableClock) -> TestClient:
    """Return a test client of the server app (enter it to run the app's lifespan)."""
    return TestClient(create_app(district.settings, clock=clock))


@pytest.fixture
def server(district: District, server_clock: MovableClock) -> Iterator[TestClient]:
    with serve_in_process(district, server_clock) as client:
        yield client


@pytest.fixture
def readings() -> ManualReadings:
    return ManualReadings(AT)


def node_config(data_dir: Path, token: str, **overrides: object) -> NodeConfig:
    values: dict[str, object] = {"server": "http://testserver", "venue": VENUE,
                                 "token": token, "data_dir": data_dir}
    return NodeConfig(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def node(tmp_path: Path, district: District, server: TestClient,
         readings: ManualReadings) -> Iterator[Node]:
    with open_node(node_config(tmp_path / "node", district.token), readings,
                   client=server) as opened:
        yield opened


@pytest.fixture
def page(node: Node) -> Iterator[TestClient]:
    """The node's own app, as the scanner page calls it (no token)."""
    with TestClient(create_node_app(node.state, node.syncer)) as client:
        yield client


def unreachable_client() -> httpx.Client:
    """Return a client of a localhost port nothing listens on (the network is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2)


ADULT = Holder.parse("张 伟", "1990-03-07", pseudonymise(ZHANG, b"k" * 32))
CHILD = Holder.parse("王 小明", "2016-01-02", pseudonymise("110101201601020033", b"k" * 32))


def health_code(store: KeyStore, at: datetime, holder: Holder = ADULT,
                color: CodeColor = CodeColor.GREEN) -> str:
    return store.issuer().health_code(holder, color=color, at=at).text


def vaccination(store: KeyStore, at: datetime, holder: Holder = ADULT) -> str:
    return store.issuer().vaccination(holder, dose=2, series=2, when=date(2021, 6, 1),
                                      at=at).text
