"""Seed a registry with a demo district, through the repositories and the import engine.

Residents and their vaccination records go through ``run_import``, as a file import does: the
same checks, the same encryption of personal fields, the same batches and the same "unchanged"
test by keyed digest. Areas, organisations, memberships, contraindication certificates, venues
and checkpoints go through their repositories, each added only when it is not stored yet.

Seeding is idempotent: the same district seeded again changes nothing and says so
(``SeedReport.changed`` is false). A database that holds residents of another district (another
seed, size, demo day or pseudonym key) is refused before anything is written
(``demo-other-district``): a demo never mixes its people with others. The caller's unit of work
commits once. Users are not written here: ``SeedReport.users`` lists them for the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.errors import RegistryError
from jointcheck.registry.organisations import Membership
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.demo_district import DemoDistrict, DemoUser
from jointcheck.services.import_engine import (
    ImportContext,
    Item,
    Progress,
    no_progress,
    run_import,
)
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.organisations import OrganisationRepository
from jointcheck.storage.repositories.residents import (
    ContraindicationRepository,
    ResidentRepository,
)
from jointcheck.storage.repositories.venues import VenueRepository

__all__ = ["DISTRICT_TIMEZONE", "DemoSeedError", "SeedReport", "seed_district"]

DISTRICT_TIMEZONE = ZoneInfo("Asia/Shanghai")
KINDS = ("areas", "organisations", "residents", "vaccinations", "contraindications",
         "memberships", "venues", "checkpoints")


class DemoSeedError(RegistryError):
    """The demo district cannot be seeded into this database.

    Codes: ``demo-other-district`` (the database holds another district), ``demo-key-mismatch``
    (the district was generated under another pseudonym key), ``demo-day-ahead`` (the demo day
    is after the instant of seeding), ``demo-rows-rejected`` (a generated row was refused: a bug).
    """


@dataclass
class SeedReport:
    """What seeding wrote: values inserted and found unchanged, by kind; the users to create."""

    users: tuple[DemoUser, ...]
    inserted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def changed(self) -> bool:
        """Tell whether seeding wrote anything (false when the district was already there)."""
        return any(self.inserted.values())

    def as_dict(self) -> dict[str, Any]:
        """Return ``changed``, ``inserted`` and ``unchanged`` (the users are left out)."""
        return {"changed": self.changed, "inserted": dict(self.inserted),
                "unchanged": dict(self.unchanged)}


class _Rows:
    """The district's residents or its vaccinations, as rows of an import source."""

    def __init__(self, district: DemoDistrict, kind: str) -> None:
        self.district = district
        self.kind = kind

    def items(self) -> Iterator[Item]:
        """Yield one item per resident or record, numbered from 1."""
        if self.kind == "residents":
            for line, entry in enumerate(self.district.residents, start=1):
                yield Item(line, entry.resident.pid, resident=entry)
            return
        for line, record in enumerate(self.district.vaccinations, start=1):
            yield Item(line, record.pid, vaccination=record,
                       source_id=f"demo/{self.district.seed}/{line}")


def seed_district(session: Session, district: DemoDistrict, *, pseudonym_key: bytes,
                  cipher: FieldCipher, at: datetime,
                  progress: Progress = no_progress) -> SeedReport:
    """Write ``district`` into the registry, or find it there already; return what was done."""
    if at.tzinfo is None:
        raise ValueError("the instant of seeding must carry a time zone")
    _check_key(district, pseudonym_key)
    today = at.astimezone(DISTRICT_TIMEZONE).date()
    if district.today > today:
        raise DemoSeedError("demo-day-ahead", f"the district's demo day {district.today} is "
                            f"after the day of seeding {today}")
    _check_database(session, district)
    report = SeedReport(district.users)
    _count(report, "areas", AreaRepository(session).upsert(district.areas))
    progress("areas", len(district.areas), len(district.areas))
    _seed_organisations(session, district, report)
    progress("organisations", len(district.organisations), len(district.organisations))
    context = ImportContext(RegistryKeys(pseudonym_key, cipher), at, today, progress)
    for kind in ("residents", "vaccinations"):
        result = run_import(session, _Rows(district, kind), context)
        if result.rejections:
            first = result.rejections[0]
            raise DemoSeedError("demo-rows-rejected", f"{kind} row {first.line} was refused "
                                f"({first.code}: {first.reason})")
        _count(report, kind, (result.imported, result.unchanged))
    _seed_contraindications(session, district, report)
    _seed_memberships(session, district, report, progress)
    _seed_venues(session, district, report)
    progress("venues", len(district.venues), len(district.venues))
    return report


def _count(report: SeedReport, kind: str, counts: tuple[int, int]) -> None:
    report.inserted[kind] += counts[0]
    report.unchanged[kind] += counts[1]


def _check_key(district: DemoDistrict, pseudonym_key: bytes) -> None:
    first = district.residents[0]
    if pseudonymise(first.id_number, pseudonym_key) != first.resident.pid:
        raise DemoSeedError("demo-key-mismatch", "the district was generated under another "
                            "pseudonym key than the registry's")


def _check_database(session: Session, district: DemoDistrict) -> None:
    residents = ResidentRepository(session)
    stored = residents.count()
    if stored == 0:
        return
    pids = [entry.resident.pid for entry in district.residents]
    if stored == len(pids) and len(residents.existing(pids)) == len(pids):
        return
    raise DemoSeedError(
        "demo-other-district", f"the database holds {stored} residents who are not the demo "
        f"district of seed {district.seed} ({len(pids)} residents as of {district.today}); "
        "seed another seed, size or demo day into a fresh database")


def _other_district(what: str, code: str) -> DemoSeedError:
    return DemoSeedError("demo-other-district", f"{what} {code} is stored with other details "
                         "than the demo district's; seed it into a fresh database")


class _HasCode(Protocol):
    @property
    def code(self) -> str: ...


_Coded = TypeVar("_Coded", bound=_HasCode)


class _CodedStore(Protocol[_Coded]):
    def get(self, code: str) -> _Coded | None: ...

    def add(self, value: _Coded) -> None: ...


def _add_missing(store: _CodedStore[_Coded], values: Iterable[_Coded], kind: str, what: str,
                 report: SeedReport) -> None:
    """Add each value not stored yet; refuse one stored under its code with other details."""
    for value in values:
        stored = store.get(value.code)
        if stored is None:
            store.add(value)
            report.inserted[kind] += 1
        elif stored == value:
            report.unchanged[kind] += 1
        else:
            raise _other_district(what, value.code)


def _seed_organisations(session: Session, district: DemoDistrict, report: SeedReport) -> None:
    _add_missing(OrganisationRepository(session), district.organisations, "organisations",
                 "organisation", report)


def _seed_memberships(session: Session, district: DemoDistrict, report: SeedReport,
                      progress: Progress) -> None:
    organisations = OrganisationRepository(session)
    by_organisation: dict[str, list[Membership]] = {}
    for membership in district.memberships:
        by_organisation.setdefault(membership.organisation, []).append(membership)
    done = 0
    for code, memberships in by_organisation.items():
        stored = set(organisations.members(code))
        missing = [m for m in memberships if m not in stored]
        organisations.add_members(missing)
        report.inserted["memberships"] += len(missing)
        report.unchanged["memberships"] += len(memberships) - len(missing)
        done += len(memberships)
        progress("memberships", done, len(district.memberships))


def _seed_contraindications(session: Session, district: DemoDistrict,
                            report: SeedReport) -> None:
    certificates = ContraindicationRepository(session)
    for certificate in district.contraindications:
        stored = certificates.for_person(certificate.pid)
        if certificate in stored:
            report.unchanged["contraindications"] += 1
        elif any(c.certificate_id == certificate.certificate_id for c in stored):
            raise _other_district("contraindication certificate", certificate.certificate_id)
        else:
            certificates.add(certificate)
            report.inserted["contraindications"] += 1


def _seed_venues(session: Session, district: DemoDistrict, report: SeedReport) -> None:
    venues = VenueRepository(session)
    _add_missing(venues, district.venues, "venues", "venue", report)
    stored_checkpoints = {c for venue in district.venues for c in venues.checkpoints(venue.code)}
    for checkpoint in district.checkpoints:
        if checkpoint in stored_checkpoints:
            report.unchanged["checkpoints"] += 1
        else:
            venues.add_checkpoint(checkpoint)
            report.inserted["checkpoints"] += 1
