"""Benchmark: import vaccination records through the real import service, SQLite and PostgreSQL.

Synthetic residents (three doses each, deterministic from a seed) are written to CSV files
once. For each database (a temporary SQLite file; a temporary PostgreSQL database, created and
dropped) the schema is migrated and the residents imported; then, in the same database and the
same run:

- the reference: the same rows, already parsed and pseudonymised in memory, bulk-inserted with
  the driver alone (``executemany`` for SQLite, ``COPY`` for PostgreSQL) in one transaction,
  then deleted;
- the service: ``import_vaccinations`` reads the CSV, checks every row, pseudonymises, compares
  with what is stored and writes in batches, one commit at the end;
- the re-import of the same file (every row unchanged).

The ratio is service / reference: the share of the driver's bare write speed the full import
keeps while parsing, checking and staying idempotent.
"""

from __future__ import annotations

import csv
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from jointcheck.bench.scaffold import scratch_database
from jointcheck.config import RegistryKeys
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.registry_csv import RESIDENT_COLUMNS, VACCINATION_COLUMNS
from jointcheck.services.registry_import import (
    import_areas,
    import_residents,
    import_vaccinations,
)
from jointcheck.storage.db import database_url, make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import migrate
from jointcheck.storage.scratch import DEFAULT_SERVER, server_reachable

SEED = 20210801
DOSES = 3
PRODUCTS = ("BBIBP-CorV", "CoronaVac", "WIBP-CorV")
TIMEZONE = ZoneInfo("Asia/Shanghai")
AT = datetime(2022, 1, 1, tzinfo=UTC)
STREETS, COMMUNITIES = 10, 5
COLUMNS = ("pid", "product", "dose_number", "series_total", "vaccinated_on", "site", "lot",
           "source_id", "imported_at")

Row = tuple[str, str, int, int, date, str, str, None, datetime]


def write_files(folder: Path, records: int, seed: int = SEED) -> tuple[Path, Path, Path]:
    """Write the areas, residents and vaccinations CSV files of ``records`` doses."""
    rng = random.Random(seed)
    areas, residents, vaccinations = (folder / n for n in
                                      ("areas.csv", "residents.csv", "vaccinations.csv"))
    grids = [f"bz.s{s:02d}.c{c:02d}" for s in range(STREETS) for c in range(COMMUNITIES)]
    with areas.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(("code", "name"))
        out.writerow(("bz", "Bench District"))
        for s in range(STREETS):
            out.writerow((f"bz.s{s:02d}", f"Street {s}"))
        out.writerows((grid, f"Community {grid}") for grid in grids)
    people = -(-records // DOSES)
    with residents.open("w", newline="") as r_handle, \
            vaccinations.open("w", newline="") as v_handle:
        r_out, v_out = csv.writer(r_handle), csv.writer(v_handle)
        r_out.writerow(RESIDENT_COLUMNS)
        v_out.writerow(VACCINATION_COLUMNS)
        for i in range(people):
            number = f"B{i:017d}"
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(25000))
            r_out.writerow((number, f"Resident {i}", "MF"[i % 2], born.isoformat(),
                            f"138{i:08d}", f"{i} Bench Road", grids[i % len(grids)]))
            first = date(2021, 3, 1) + timedelta(days=rng.randrange(120))
            product = PRODUCTS[i % len(PRODUCTS)]
            for dose in range(1, min(DOSES, records - i * DOSES) + 1):
                day = first + timedelta(days=(dose - 1) * 30)
                v_out.writerow((number, product, dose, 2, day.isoformat(),
                                f"Site {i % 97}", f"LOT{rng.randrange(10**6):06d}"))
    return areas, residents, vaccinations


def reference_rows(vaccinations: Path, key: bytes) -> list[Row]:
    """Return the rows of the vaccinations file, parsed and pseudonymised (not timed)."""
    with vaccinations.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return [(pseudonymise(r["id_number"], key), r["product"], int(r["dose_number"]),
                 int(r["series_total"]), date.fromisoformat(r["date"]), r["site"], r["lot"],
                 None, AT) for r in reader]


def _bulk_insert(engine: Engine, rows: list[Row]) -> None:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY vaccinations ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            stamp = AT.replace(tzinfo=None).isoformat(" ")
            cursor.executemany(
                f"INSERT INTO vaccinations ({', '.join(COLUMNS)}) VALUES "
                f"({', '.join('?' * len(COLUMNS))})",
                [(*r[:4], r[4].isoformat(), r[5], r[6], None, stamp) for r in rows])
        connection.commit()
    finally:
        connection.close()


def _timed(work: Callable[[], Any]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def measure(url: URL, files: tuple[Path, Path, Path], keys: RegistryKeys,
            rows: list[Row]) -> dict[str, Any]:
    """Measure the reference, the service and the re-import on an empty database at ``url``."""
    areas, residents, vaccinations = files
    migrate(url)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    try:
        with unit_of_work(sessions) as session:
            import_areas(session, areas)

        def residents_import() -> None:
            with unit_of_work(sessions) as session:
                import_residents(session, residents, keys, AT, TIMEZONE)

        residents_s = _timed(residents_import)
        reference_s = _timed(lambda: _bulk_insert(engine, rows))
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM vaccinations"))
        reports = []

        def service() -> None:
            with unit_of_work(sessions) as session:
                reports.append(import_vaccinations(session, vaccinations, keys, AT, TIMEZONE))

        service_s = _timed(service)
        reimport_s = _timed(service)
    finally:
        engine.dispose()
    first, second = reports
    if first.imported != len(rows) or second.unchanged != len(rows) or second.imported:
        raise AssertionError(f"the benchmark import went wrong: {first.as_dict()['imported']} "
                             f"imported, then {second.unchanged} unchanged of {len(rows)}")
    people = -(-len(rows) // DOSES)
    return {"database": url.get_backend_name(), "records": len(rows), "residents": people,
            "residents_per_s": round(people / residents_s),
            "service_per_s": round(len(rows) / service_s),
            "reference_per_s": round(len(rows) / reference_s),
            "ratio": round(reference_s / service_s, 3),
            "reimport_per_s": round(len(rows) / reimport_s)}


def run(records: int, targets: list[str] | None = None,
        seed: int = SEED) -> dict[str, Any]:
    """Run the benchmark on each target (``sqlite://`` or a PostgreSQL server URL)."""
    targets = targets or ["sqlite://", DEFAULT_SERVER]
    keys = RegistryKeys(os.urandom(32), FieldCipher({1: os.urandom(32)}, 1))
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="jointcheck-bench-") as name:
        folder = Path(name)
        files = write_files(folder, records, seed)
        rows = reference_rows(files[2], keys.pseudonym_key)
        for target in targets:
            url = database_url(target)
            if url.get_backend_name() != "sqlite":
                problem = server_reachable(url)
                if problem is not None:
                    skipped[url.render_as_string(hide_password=True)] = problem
                    continue
            with scratch_database(target, folder) as scratch:
                results.append(measure(scratch, files, keys, rows))
    return {"records": records, "seed": seed, "results": results, "skipped": skipped}
