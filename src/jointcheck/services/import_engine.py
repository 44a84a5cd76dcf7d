"""The import engine: rows checked in full first, then written in batches.

An import goes over its source twice. The first pass parses and checks every row (fields, known
area, known product, duplicates within the file, the person of each vaccination) and notes
the people with a rejected row. The second pass writes, in batches of ``BATCH`` rows, the rows
of every other person: a person with one bad row gets none of their rows written, so a bad row
never half-imports a person. Residents are written before vaccinations (the records refer to
them).

Re-importing the same file changes nothing: a resident whose fields are unchanged (compared by
a keyed digest, without decrypting) and a record whose key (pid, product, dose, date) and
details are already stored count as ``unchanged``; changed ones are updated and counted as
imported. The caller's unit of work commits once at the end.

Rejection codes are those of ``RegistryError`` (``unknown-area``, ``unknown-product``,
``bad-date``, ``duplicate-person``, ``person-rejected``...).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.errors import RegistryError
from jointcheck.registry.people import Resident, VaccinationRecord
from jointcheck.storage.repositories.areas import AreaRepository
from jointcheck.storage.repositories.residents import ResidentRepository, resident_values
from jointcheck.storage.repositories.vaccinations import VaccinationRepository

BATCH = 5000
REPLAY_ROWS = 2_000_000
"""Up to this many rows, the rows parsed by the first pass are kept for the second (about
0.4 GB per million vaccination rows); a longer source is read again instead."""

Progress = Callable[[str, int, int | None], None]
"""Told (phase, rows done, rows in all or None while unknown); phases ``check``, ``write``."""


def no_progress(_phase: str, _done: int, _total: int | None) -> None:
    """Ignore progress."""


@dataclass(frozen=True, slots=True)
class ResidentEntry:
    """A resident as read from a file, with the clear id number to be stored encrypted."""

    resident: Resident
    id_number: str


@dataclass(frozen=True, slots=True)
class Item:
    """One row of a source: a resident, a vaccination, or why it could not be read.

    ``line`` is the file's line (CSV, NDJSON) or the bundle entry, counted from 1; ``pid`` is
    set whenever the person could be told, so a bad row still rejects that person's others.
    """

    line: int
    pid: str | None
    resident: ResidentEntry | None = None
    vaccination: VaccinationRecord | None = None
    source_id: str | None = None
    error: RegistryError | None = None


class Source(Protocol):
    """Rows to import; ``items`` can be called more than once and yields the same rows."""

    def items(self) -> Iterator[Item]: ...


@dataclass(frozen=True, slots=True)
class Rejection:
    """A rejected row: where, the stable code, and why."""

    line: int
    code: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """Return ``{line, reason, code}``."""
        return {"line": self.line, "reason": self.reason, "code": self.code}


@dataclass
class ImportReport:
    """What an import did: rows inserted, updated, unchanged, and the rejected rows."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    dosed: set[str] = field(default_factory=set)
    """The pids of the people whose vaccination records this import inserted or updated."""

    @property
    def imported(self) -> int:
        """Rows written: inserted or updated."""
        return self.inserted + self.updated

    def reject(self, line: int, error: RegistryError) -> None:
        """Record a rejected row."""
        self.rejections.append(Rejection(line, error.code, error.message))

    def as_dict(self) -> dict[str, Any]:
        """Return ``imported``, ``updated``, ``unchanged`` and ``rejected`` (in line order)."""
        rejected = sorted(self.rejections, key=lambda r: r.line)
        return {"imported": self.imported, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": [r.as_dict() for r in rejected]}


@dataclass(frozen=True)
class ImportContext:
    """What an import needs besides its source: keys, the instant, the district's today."""

    keys: RegistryKeys
    at: datetime
    today: date
    progress: Progress = no_progress


def digest_of(entry: ResidentEntry, key: bytes) -> str:
    """Return the keyed digest of a resident's fields, to tell unchanged rows on re-import."""
    r = entry.resident
    text = "\x1f".join((entry.id_number, r.name, r.sex.value, r.birth_date.isoformat(),
                        r.phone, r.address, r.area))
    sub_key = hmac.new(key, b"jointcheck/resident-digest", hashlib.sha256).digest()
    return hmac.new(sub_key, text.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class _Checked:
    """What the first pass learnt."""

    total: int = 0
    bad_people: dict[str, int] = field(default_factory=dict)
    rejected_lines: set[int] = field(default_factory=set)
    unknown_people: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    replay: list[Item] | None = field(default_factory=list)


def run_import(session: Session, source: Source, context: ImportContext) -> ImportReport:
    """Import ``source`` into the registry; return the counts and the rejected rows."""
    report = ImportReport()
    checked = _check(session, source, context, report)
    writer = _Writer(session, context, report)
    done = 0
    for kind in ("resident", "vaccination"):
        if kind not in checked.kinds:
            continue
        for item in checked.replay if checked.replay is not None else source.items():
            if item.error is not None or item.line in checked.rejected_lines:
                continue
            if (item.resident is not None) != (kind == "resident"):
                continue
            done += 1
            if _still_good(item, checked, report):
                writer.add(item)
            if done % BATCH == 0:
                context.progress("write", done, checked.total - len(checked.rejected_lines))
        writer.flush()
    context.progress("write", done, done)
    return report


def _still_good(item: Item, checked: _Checked, report: ImportReport) -> bool:
    assert item.pid is not None
    first_bad = checked.bad_people.get(item.pid)
    if first_bad is not None:
        report.reject(item.line, RegistryError(
            "person-rejected", f"another row of this person was rejected (line {first_bad}); "
            "none of the person's rows are written"))
        return False
    if item.pid in checked.unknown_people:
        report.reject(item.line, RegistryError(
            "unknown-person", "no resident with this id number, in the registry or the file"))
        return False
    return True


def _check(session: Session, source: Source, context: ImportContext,
           report: ImportReport) -> _Checked:
    checked = _Checked()
    areas = AreaRepository(session).codes()
    people: dict[str, int] = {}
    records: dict[int, int] = {}
    vaccinated: set[str] = set()
    for item in source.items():
        checked.total += 1
        if checked.replay is not None:
            checked.replay.append(item)
            if len(checked.replay) > REPLAY_ROWS:
                checked.replay = None
        error = item.error or _check_item(item, areas, people, records, context.today)
        if error is not None:
            report.reject(item.line, error)
            checked.rejected_lines.add(item.line)
            if item.pid is not None:
                checked.bad_people.setdefault(item.pid, item.line)
        elif item.resident is not None:
            checked.kinds.add("resident")
        else:
            checked.kinds.add("vaccination")
            assert item.pid is not None
            vaccinated.add(item.pid)
        if checked.total % BATCH == 0:
            context.progress("check", checked.total, None)
    context.progress("check", checked.total, checked.total)
    vaccinated -= people.keys()
    checked.unknown_people = vaccinated - ResidentRepository(session).existing(list(vaccinated))
    return checked


def _check_item(item: Item, areas: set[str], people: dict[str, int],
                records: dict[int, int], today: date) -> RegistryError | None:
    """Return why a well-formed row cannot be imported, or None (and note it as seen)."""
    if item.resident is not None:
        resident = item.resident.resident
        if resident.area not in areas:
            return RegistryError("unknown-area", f"area {resident.area!r} is not in the registry")
        if resident.birth_date > today:
            return RegistryError("bad-date", f"birth date {resident.birth_date} is in the future")
        first = people.setdefault(resident.pid, item.line)
        if first != item.line:
            return RegistryError("duplicate-person", f"the same person is on line {first}; "
                                 "neither row is imported")
        return None
    record = item.vaccination
    if record is None:
        return RegistryError("bad-resource", "the row holds neither a resident nor a record")
    if record.date > today:
        return RegistryError("bad-date", f"vaccination date {record.date} is in the future")
    # A hash of the key keeps a million keys in memory cheaply; a false duplicate needs a
    # 64-bit collision between two rows of the same file.
    key = hash((record.pid, record.product, record.dose_number, record.date))
    first = records.setdefault(key, item.line)
    if first != item.line:
        return RegistryError("duplicate-record", f"the same dose is on line {first}")
    return None


class _Writer:
    """Batches of rows to write, compared with what is stored."""

    def __init__(self, session: Session, context: ImportContext, report: ImportReport) -> None:
        self.residents = ResidentRepository(session)
        self.vaccinations = VaccinationRepository(session)
        self.context = context
        self.report = report
        self.pending: list[Item] = []

    def add(self, item: Item) -> None:
        self.pending.append(item)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        if batch[0].resident is not None:
            self._write_residents([i.resident for i in batch if i.resident is not None])
        else:
            self._write_vaccinations(batch)

    def _write_residents(self, entries: list[ResidentEntry]) -> None:
        keys = self.context.keys
        stored = self.residents.digests([e.resident.pid for e in entries])
        inserts, updates = [], []
        for entry in entries:
            digest = digest_of(entry, keys.pseudonym_key)
            found = stored.get(entry.resident.pid)
            if found is not None and found[1] == digest:
                self.report.unchanged += 1
                continue
            values = resident_values(entry.resident, entry.id_number, keys.cipher, digest,
                                     self.context.at)
            if found is None:
                inserts.append(values)
            else:
                updates.append(values | {"id": found[0]})
        self.residents.insert_many(inserts)
        self.residents.update_many(updates)
        self.report.inserted += len(inserts)
        self.report.updated += len(updates)

    def _write_vaccinations(self, batch: Iterable[Item]) -> None:
        items = list(batch)
        stored = self.vaccinations.existing([i.pid for i in items if i.pid is not None])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for item in items:
            r = item.vaccination
            assert r is not None
            found = stored.get((r.pid, r.product, r.dose_number, r.date))
            if found is not None and (found.series_total, found.site, found.lot) == (
                    r.series_total, r.site, r.lot):
                self.report.unchanged += 1
                continue
            values = {"series_total": r.series_total, "site": r.site, "lot": r.lot}
            self.report.dosed.add(r.pid)
            if found is not None:
                updates.append(values | {"id": found.id})
                continue
            inserts.append(values | {"pid": r.pid, "product": r.product,
                                     "dose_number": r.dose_number, "vaccinated_on": r.date,
                                     "source_id": item.source_id,
                                     "imported_at": self.context.at})
        self.vaccinations.insert_many(inserts)
        self.vaccinations.update_many(updates)
        self.report.inserted += len(inserts)
        self.report.updated += len(updates)
