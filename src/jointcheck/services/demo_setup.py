"""Set up the local demo: a folder with a SQLite database, the keys, the seeded district and
its users, reused as they are on every later run.

The folder holds ``demo.json`` (the seed, size and demo day the district was generated for:
the district is generated relative to that day, so a later run must reuse it to find the same
district), ``keys/`` (the registry's development keys), ``keystore/`` (the issuer's signing
keys) and ``keystore.pass`` (the key store's passphrase, readable only by its owner: this is a
local demo, not a deployment).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.orm import Session

from jointcheck.config import Settings, audit_key, registry_keys
from jointcheck.errors import AccountError, JointcheckError
from jointcheck.keystore import init_keystore, open_keystore
from jointcheck.policy_sources import find_pack
from jointcheck.security.access import Principal, Role
from jointcheck.services.demo_codes import SampleCode, write_sample_codes
from jointcheck.services.demo_district import DemoDistrict, DemoUser, generate_district
from jointcheck.services.demo_history import HistoryReport, seed_demo
from jointcheck.services.demo_seed import DISTRICT_TIMEZONE, SeedReport
from jointcheck.services.followup import refresh
from jointcheck.services.import_engine import Progress
from jointcheck.services.users import create_user
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import migrate
from jointcheck.trust.issuer import IssuerProfile
from jointcheck.trust.trustlist import load_trust_list

MARKER = "demo.json"


@dataclass(frozen=True)
class DemoPlan:
    """Which district the demo folder holds: seed, size and demo day."""

    seed: int
    residents: int
    today: date


@dataclass(frozen=True)
class DemoReady:
    """A set-up demo: its settings, what seeding did, and the users to log in with."""

    settings: Settings
    plan: DemoPlan
    report: SeedReport
    users: tuple[DemoUser, ...]
    created_users: int
    samples: tuple[SampleCode, ...] = ()
    samples_folder: Path | None = None
    history: HistoryReport | None = None


class DemoSetupError(JointcheckError, ValueError):
    """The demo folder holds another district than the one asked for."""

    stage = "demo"


def demo_settings(folder: Path, database: Path) -> Settings:
    """Return the settings of the demo in ``folder`` with its database file ``database``."""
    return Settings(environment="development", database_url=f"sqlite:///{database}",
                    key_dir=folder / "keys", keystore_dir=folder / "keystore",
                    key_passphrase=SecretStr(_passphrase(folder)), policy="fangzi-2021")


def demo_plan(folder: Path, seed: int | None, residents: int | None, now: datetime) -> DemoPlan:
    """Return the folder's plan, or make one; refuse a seed or size other than the folder's."""
    marker = folder / MARKER
    if marker.exists():
        stored = json.loads(marker.read_text("utf-8"))
        plan = DemoPlan(int(stored["seed"]), int(stored["residents"]),
                        date.fromisoformat(stored["today"]))
        for name, asked in (("seed", seed), ("residents", residents)):
            if asked is not None and asked != getattr(plan, name):
                raise DemoSetupError("demo-other-district", f"{folder} holds the district of "
                                     f"{name} {getattr(plan, name)}, not {asked}; give another "
                                     "--db (and folder) for another district")
        return plan
    plan = DemoPlan(2021 if seed is None else seed, 20_000 if residents is None else residents,
                    now.astimezone(DISTRICT_TIMEZONE).date())
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"seed": plan.seed, "residents": plan.residents,
                                  "today": plan.today.isoformat()}), "utf-8")
    return plan


def prepare_demo(folder: Path, database: Path, plan: DemoPlan, now: datetime,
                 progress: Progress) -> DemoReady:
    """Create or reuse the database, keys, district and users of the demo."""
    settings = demo_settings(folder, database)
    assert settings.keystore_dir is not None and settings.key_passphrase is not None
    if not (settings.keystore_dir / "keystore.json").exists():
        init_keystore(settings.keystore_dir, settings.key_passphrase.get_secret_value().encode(),
                      now - timedelta(hours=1), IssuerProfile())
    keys = registry_keys(settings)
    district = generate_district(plan.seed, plan.residents, today=plan.today,
                                 pseudonym_key=keys.pseudonym_key)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with unit_of_work(make_sessions(engine)) as session:
            report, history = seed_demo(session, district, keys=keys,
                                        audit_key=audit_key(settings),
                                        pack=find_pack(settings.policy), now=now,
                                        progress=progress)
            created = _create_users(session, district.users, now)
            _refresh_followup(session, district, settings, now)
    finally:
        engine.dispose()
    folder_of_codes = folder / "codes"
    samples = _sample_codes(settings, district, folder_of_codes, now)
    return DemoReady(settings, plan, report, district.users, created, tuple(samples),
                     folder_of_codes, history)


def _refresh_followup(session: Session, district: DemoDistrict, settings: Settings,
                      now: datetime) -> None:
    """Open the district's follow-up cases, so that the demo has a worklist (idempotent)."""
    top = next(area.code for area in district.areas if "." not in area.code)
    refresh(session, Principal("demo-setup", Role.HEALTH_AUTHORITY, top), top,
            find_pack(settings.policy), now)


def _sample_codes(settings: Settings, district: DemoDistrict, folder: Path,
                  now: datetime) -> list[SampleCode]:
    """Write the printed sample codes, decided at the demo venue operator's venue."""
    assert settings.keystore_dir is not None and settings.key_passphrase is not None
    store = open_keystore(settings.keystore_dir,
                          settings.key_passphrase.get_secret_value().encode())
    trust = load_trust_list(store.trust_list_path.read_bytes(), [store.anchor]).store
    operator = next(u for u in district.users if u.role is Role.VENUE_OPERATOR)
    venue = next(v for v in district.venues if v.code == operator.scope)
    return write_sample_codes(folder, district, store.issuer(), trust,
                              find_pack(settings.policy), venue.category, now)


def _create_users(session: Session, users: tuple[DemoUser, ...], now: datetime) -> int:
    created = 0
    for user in users:
        try:
            create_user(session, username=user.username, display_name=user.display_name,
                        role=str(user.role), scope=user.scope, password=user.password, at=now)
        except AccountError as error:
            if error.code != "username-taken":
                raise
            continue
        created += 1
    return created


def _passphrase(folder: Path) -> str:
    path = folder / "keystore.pass"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(24))
    return path.read_text("utf-8").strip()
