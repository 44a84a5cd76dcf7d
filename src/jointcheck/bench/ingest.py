"""Benchmark: checkpoints' batches through the real API over HTTP, beside a bare bulk insert.

For each database (a temporary SQLite file; a temporary PostgreSQL database, created and
dropped) the schema is migrated and a district seeded with venues, each with a checkpoint
user and a token narrowed to ``checks.upload``; the real app then runs under uvicorn on a
free localhost port in a background thread. Check events (deterministic from a seed: several
venues, every outcome, about 2% of them with a registration) are turned into batch bodies
before the clock starts; one client (``httpx``, keep-alive) then uploads them one batch after
another, each answered only after its transaction has committed. The rate is events per
second over the whole upload, sustained.

The reference, in the same run and the same database: the same receipts and registrations
(the registrations already encrypted) inserted bare with the driver's ``executemany`` into
plain tables of the same columns, in one transaction. The ratio is the API's rate over the
bare rate: what is left of the database's raw insert speed once every batch is parsed,
checked, deduplicated, counted per hour, encrypted, audited and committed on its own, behind
HTTP. Client and server share one Python process, so they also share its interpreter lock.
"""

from __future__ import annotations

import base64
import json
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from jointcheck.api.app import create_app
from jointcheck.bench.scaffold import on_each_database, serving
from jointcheck.checkpoint.events import iso
from jointcheck.config import RegistryKeys, Settings
from jointcheck.policy_sources import find_pack
from jointcheck.registry.areas import Area
from jointcheck.registry.venues import Venue
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services import tokens, users
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import migrate
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.checks import RegistrationValues, registration_row
from jointcheck.storage.repositories.venues import VenueRepository

SEED = 20211123
VENUES = 12
STREETS = 4
REGISTRATION_SHARE = 0.02
POLICY = "fangzi-2021"
# Outcome, weight, and the bases it comes with (weights of a busy mall on a normal day).
OUTCOMES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("admit", 0.80, ("vaccinated", "vaccinated", "vaccinated", "exempt", "not-eligible-age")),
    ("register", 0.04, ("unvaccinated",)),
    ("persuade", 0.06, ("unvaccinated",)),
    ("restrict", 0.03, ("unvaccinated",)),
    ("deny", 0.07, ("code-color", "credential-invalid", "holder-mismatch")),
)
REGISTERING = frozenset({"register", "persuade", "restrict"})
RECEIPT_COLUMNS = ("event_id", "venue_code", "hour", "outcome", "received_at")
REGISTRATION_COLUMNS = ("event_id", "venue_code", "registered_at", "checked_hour", "outcome",
                        "pid", "name_enc", "id_number_enc", "phone_enc", "reason",
                        "purge_after", "received_at")


@dataclass(frozen=True)
class Upload:
    """One batch ready to send: the venue's token, the body, and what it carries."""

    venue: int
    body: bytes
    events: int
    registrations: int


@dataclass
class Workload:
    """The batches to upload, and the same rows for the bare insert."""

    uploads: list[Upload]
    receipts: list[dict[str, Any]]
    registrations: list[dict[str, Any]]


def venue_code(index: int) -> str:
    """Return the code of the benchmark's venue ``index``."""
    return f"v-bench-{index:03d}"


def _draw(rng: random.Random) -> tuple[str, str]:
    pick = rng.random()
    for outcome, weight, bases in OUTCOMES:
        if pick < weight:
            return outcome, rng.choice(bases)
        pick -= weight
    return OUTCOMES[0][0], OUTCOMES[0][2][0]


def workload(events: int, batch: int, now: datetime, keys: RegistryKeys,
             seed: int = SEED) -> Workload:
    """Return ``events`` check events in batches of ``batch``, venue after venue."""
    rng = random.Random(seed)
    share = REGISTRATION_SHARE / sum(w for o, w, _ in OUTCOMES if o in REGISTERING)
    retention = timedelta(days=find_pack(POLICY).retention_days)
    loaded = Workload([], [], [])
    for first in range(0, events, batch):
        venue = (first // batch) % VENUES
        items, registered = [], []
        for _ in range(min(batch, events - first)):
            outcome, basis = _draw(rng)
            at = now - timedelta(seconds=rng.randrange(1, 24 * 3600))
            identifier = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            items.append({"id": identifier, "venue_id": venue_code(venue),
                          "checked_at": iso(at), "outcome": outcome, "basis": basis,
                          "rule": f"ordinary.{basis}",
                          "policy": {"id": POLICY, "version": "1.0.0"}})
            hour = at.replace(minute=0, second=0, microsecond=0)
            loaded.receipts.append({"event_id": identifier, "venue_code": venue_code(venue),
                                    "hour": hour, "outcome": outcome, "received_at": now})
            if outcome in REGISTERING and rng.random() < share:
                person = f"B{rng.randrange(10**17):017d}"
                registered.append({"event_id": identifier, "venue_id": venue_code(venue),
                                   "registered_at": iso(at), "outcome": outcome,
                                   "name": f"Visitor {person[-6:]}", "id_number": person,
                                   "phone": f"138{rng.randrange(10**8):08d}",
                                   "reason": "visiting a relative"})
                loaded.registrations.append(registration_row(RegistrationValues(
                    identifier, venue_code(venue), at, hour, outcome,
                    pseudonymise(person, keys.pseudonym_key), f"Visitor {person[-6:]}",
                    person, registered[-1]["phone"], "visiting a relative", at + retention),
                    keys.cipher, now))
        body = json.dumps({"batch_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                           "events": items, "registrations": registered},
                          separators=(",", ":")).encode()
        loaded.uploads.append(Upload(venue, body, len(items), len(registered)))
    return loaded


def _b64(raw: bytes) -> SecretStr:
    return SecretStr(base64.b64encode(raw).decode())


def set_up(url: URL, folder: Path, keys: RegistryKeys, field_key: bytes,
           at: datetime) -> tuple[Settings, list[str]]:
    """Migrate ``url``, store the district's venues and a checkpoint token for each."""
    migrate(url)
    engine = make_engine(url)
    texts: list[str] = []
    try:
        with unit_of_work(make_sessions(engine)) as session:
            AreaRepository(session).upsert(
                [Area.of("bz", "Bench District")]
                + [Area.of(f"bz.s{s:02d}", f"Street {s}") for s in range(STREETS)])
            venues = VenueRepository(session)
            for index in range(VENUES):
                code = venue_code(index)
                venues.add(Venue(code, f"Venue {index}", "mall-supermarket",
                                 f"bz.s{index % STREETS:02d}", None))
                users.create_user(session, username=f"gate-{index:03d}",
                                  display_name=f"Gate {index}", role="venue-operator",
                                  scope=code, password=None, at=at)
                texts.append(tokens.issue_api_token(
                    session, f"gate-{index:03d}", at=at, label="bench",
                    permissions=["checks.upload"]).text)
    finally:
        engine.dispose()
    settings = Settings(
        database_url=url.render_as_string(hide_password=False),
        pseudonym_key=_b64(keys.pseudonym_key), field_keys=_b64(field_key),
        audit_key=_b64(os.urandom(32)), key_dir=folder / "dev-keys", policy=POLICY)
    return settings, texts


def upload_all(base: str, texts: list[str], uploads: list[Upload]) -> list[float]:
    """Send every batch in turn; return each one's time from request to committed answer."""
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for upload in uploads:
            headers = {"Authorization": f"Bearer {texts[upload.venue]}",
                       "Content-Type": "application/json"}
            began = time.perf_counter()
            response = client.post("/api/checks/batches", content=upload.body,
                                   headers=headers)
            times.append(time.perf_counter() - began)
            answer = response.json() if response.status_code == 200 else None
            if answer is None or answer["events"]["new"] != upload.events \
                    or answer["registrations"]["new"] != upload.registrations:
                raise AssertionError(f"the server answered a benchmark batch with "
                                     f"{response.status_code} {response.text[:300]}")
    return times


def _plain_tables(engine: Engine) -> None:
    binary = "BYTEA" if engine.dialect.name == "postgresql" else "BLOB"
    instant = "TIMESTAMP WITH TIME ZONE" if engine.dialect.name == "postgresql" else "DATETIME"
    with engine.begin() as connection:
        connection.execute(text(
            f"CREATE TABLE bench_receipts (event_id VARCHAR(36) PRIMARY KEY, "
            f"venue_code VARCHAR(64), hour {instant}, outcome VARCHAR(16), "
            f"received_at {instant})"))
        connection.execute(text(
            f"CREATE TABLE bench_registrations (event_id VARCHAR(36) PRIMARY KEY, "
            f"venue_code VARCHAR(64), registered_at {instant}, checked_hour {instant}, "
            f"outcome VARCHAR(16), pid VARCHAR(64), name_enc {binary}, "
            f"id_number_enc {binary}, phone_enc {binary}, reason TEXT, "
            f"purge_after {instant}, received_at {instant})"))


def _value(value: Any, sqlite: bool) -> Any:
    if sqlite and isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


def bare_insert(engine: Engine, loaded: Workload) -> float:
    """Insert the same rows bare with ``executemany`` in one transaction; return seconds."""
    _plain_tables(engine)
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    statements = []
    for table, columns, rows in (("bench_receipts", RECEIPT_COLUMNS, loaded.receipts),
                                 ("bench_registrations", REGISTRATION_COLUMNS,
                                  loaded.registrations)):
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
               f"({', '.join([mark] * len(columns))})")
        statements.append((sql, [tuple(_value(row[c], sqlite) for c in columns)
                                 for row in rows]))
    connection = engine.raw_connection()
    try:
        began = time.perf_counter()
        cursor = connection.cursor()
        for sql, values in statements:
            if values:
                cursor.executemany(sql, values)
        connection.commit()
        seconds = time.perf_counter() - began
    finally:
        connection.close()
    with engine.begin() as drop:
        drop.execute(text("DROP TABLE bench_registrations"))
        drop.execute(text("DROP TABLE bench_receipts"))
    return seconds


def _stored(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        counted = connection.execute(text("SELECT COALESCE(SUM(count), 0) FROM check_counts"))
        registered = connection.execute(text("SELECT COUNT(*) FROM registrations"))
        return int(counted.scalar_one()), int(registered.scalar_one())


def measure(url: URL, folder: Path, events: int, batch: int) -> dict[str, Any]:
    """Set up a district on ``url``, upload the batches over HTTP, then insert them bare."""
    now = datetime.now(UTC)
    field_key = os.urandom(32)
    keys = RegistryKeys(os.urandom(32), FieldCipher({1: field_key}, 1))
    settings, texts = set_up(url, folder, keys, field_key, now)
    loaded = workload(events, batch, now, keys)
    with serving(create_app(settings)) as base:
        began = time.perf_counter()
        times = upload_all(base, texts, loaded.uploads)
        api_seconds = time.perf_counter() - began
    engine = make_engine(url)
    try:
        counted, registered = _stored(engine)
        if (counted, registered) != (events, len(loaded.registrations)):
            raise AssertionError(f"the server kept {counted} events and {registered} "
                                 f"registrations of {events} and {len(loaded.registrations)}")
        bare_seconds = bare_insert(engine, loaded)
    finally:
        engine.dispose()
    ordered = sorted(times)
    api_rate, bare_rate = events / api_seconds, events / bare_seconds
    return {"database": url.get_backend_name(), "batches": len(times),
            "registrations": registered, "api_events_per_s": round(api_rate),
            "bare_events_per_s": round(bare_rate), "ratio": round(api_rate / bare_rate, 3),
            "batch_ms_p50": round(1000 * statistics.median(ordered), 1),
            "batch_ms_p99": round(1000 * ordered[min(len(ordered) - 1,
                                                     int(len(ordered) * 0.99))], 1)}


def run(targets: list[str] | None = None, events: int = 200_000,
        batch: int = 1000) -> dict[str, Any]:
    """Run the benchmark on each target (``sqlite://`` or a PostgreSQL server URL)."""
    results, skipped = on_each_database(
        targets or ["sqlite://"], lambda scratch, folder: measure(scratch, folder, events, batch))
    return {"events": events, "batch": batch, "venues": VENUES, "seed": SEED,
            "results": results, "skipped": skipped}
