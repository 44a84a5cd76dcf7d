"""Use cases: import areas, residents and vaccination records from CSV or FHIR R4 files.

Each takes an open session (the caller's unit of work commits once), the registry keys, the
instant of the import and the district's time zone (which names "today" and the day of a
FHIR ``occurrenceDateTime``), and a progress callback. A vaccination or FHIR import given the
caller's policy pack then closes the open follow-up cases of the people it wrote dose records
of that the pack settles (``close_dosed_cases``); only those people's cases are read. The
file formats are described in ``jointcheck.services.registry_csv`` and
``jointcheck.services.fhir_import``; the engine and its guarantees (idempotent,
all-or-nothing per person) in ``jointcheck.services.import_engine``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.rules.policy import PolicyPack
from jointcheck.services.fhir_import import IMMUNIZATION, PATIENT, FhirSource
from jointcheck.services.followup import close_dosed_cases
from jointcheck.services.import_engine import (
    ImportContext,
    ImportReport,
    Progress,
    Source,
    no_progress,
    run_import,
)
from jointcheck.services.registry_csv import read_areas, residents_csv, vaccinations_csv
from jointcheck.storage.repositories.areas import AreaRepository

__all__ = [
    "FileFormat",
    "ImportReport",
    "Progress",
    "import_areas",
    "import_fhir",
    "import_residents",
    "import_vaccinations",
]


class FileFormat(StrEnum):
    """The formats an import reads."""

    CSV = "csv"
    FHIR = "fhir"


def _context(keys: RegistryKeys, at: datetime, timezone: ZoneInfo,
             progress: Progress) -> ImportContext:
    if at.tzinfo is None:
        raise ValueError("the instant of an import must carry a time zone")
    return ImportContext(keys, at, at.astimezone(timezone).date(), progress)


def import_areas(session: Session, path: Path) -> ImportReport:
    """Import the areas of a ``code,name`` CSV; parents before children, renames updated."""
    good, bad = read_areas(path)
    report = ImportReport()
    for line, error in bad:
        report.reject(line, error)
    written, unchanged = AreaRepository(session).upsert(area for _, area in good)
    report.inserted, report.unchanged = written, unchanged
    return report


def import_residents(session: Session, path: Path, keys: RegistryKeys, at: datetime,
                     timezone: ZoneInfo, file_format: FileFormat = FileFormat.CSV,
                     progress: Progress = no_progress) -> ImportReport:
    """Import residents from a CSV file or the Patients of a FHIR file."""
    source: Source = (residents_csv(path, keys.pseudonym_key) if file_format is FileFormat.CSV
                      else FhirSource(path, keys.pseudonym_key, timezone, frozenset({PATIENT})))
    return run_import(session, source, _context(keys, at, timezone, progress))


def import_vaccinations(session: Session, path: Path, keys: RegistryKeys, at: datetime,
                        timezone: ZoneInfo, file_format: FileFormat = FileFormat.CSV,
                        progress: Progress = no_progress,
                        pack: PolicyPack | None = None) -> ImportReport:
    """Import vaccination records from a CSV file or the Immunizations of a FHIR file; with
    ``pack`` (the caller's policy), close the follow-up cases the new records settle."""
    source: Source = (vaccinations_csv(path, keys.pseudonym_key)
                      if file_format is FileFormat.CSV
                      else FhirSource(path, keys.pseudonym_key, timezone,
                                      frozenset({IMMUNIZATION})))
    return _closing_cases(session, run_import(session, source,
                                              _context(keys, at, timezone, progress)), at,
                          timezone, pack)


def import_fhir(session: Session, path: Path, keys: RegistryKeys, at: datetime,
                timezone: ZoneInfo, progress: Progress = no_progress,
                pack: PolicyPack | None = None) -> ImportReport:
    """Import the Patients and Immunizations of a FHIR Bundle or NDJSON file; with ``pack``,
    close the follow-up cases the new records settle."""
    source = FhirSource(path, keys.pseudonym_key, timezone)
    return _closing_cases(session, run_import(session, source,
                                              _context(keys, at, timezone, progress)), at,
                          timezone, pack)


def _closing_cases(session: Session, report: ImportReport, at: datetime,
                   timezone: ZoneInfo, pack: PolicyPack | None) -> ImportReport:
    """Close the open follow-up cases of the people whose dose records this import wrote
    and that ``pack`` settles; without a pack, none."""
    if pack is not None and report.dosed:
        close_dosed_cases(session, report.dosed, at.astimezone(timezone).date(), at, pack)
    return report
