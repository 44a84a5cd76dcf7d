"""``jointcheck db`` and ``jointcheck import``: the database schema and the registry's imports.

Every command takes ``--db URL`` (default: ``JOINTCHECK_DATABASE_URL``, else
``sqlite:///var/jointcheck.db``). Imports read their keys from the settings; in development a
key left unset is created in ``var/keys/`` on first use (see ``jointcheck.config``). An import
runs in one transaction: it commits once, at the end, or not at all. A vaccination or FHIR
import closes the open follow-up cases of the people it wrote dose records of that the policy
pack ``JOINTCHECK_POLICY`` settles.

Exit status: 0 nothing rejected, 1 some rows rejected, 2 usage error (missing file, unknown
format, bad settings or an unknown policy, a database not upgraded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jointcheck.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    JsonOption,
    console,
    errors,
    print_json,
    usage_error,
)
from jointcheck.clock import SystemClock
from jointcheck.config import ConfigError, RegistryKeys, Settings, load_settings, registry_keys
from jointcheck.errors import JointcheckError
from jointcheck.policy_sources import find_pack
from jointcheck.rules.policy import PolicyPack
from jointcheck.services import registry_import
from jointcheck.services.registry_import import FileFormat, ImportReport
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import current_revision, head_revision, is_current, migrate

db_app = typer.Typer(help="The database: create or upgrade its schema.", no_args_is_help=True)
import_app = typer.Typer(help="Import the registry: areas, residents and vaccination records "
                         "from CSV or FHIR R4.", no_args_is_help=True)

DbOption = typer.Option(None, "--db", help="Database URL (default JOINTCHECK_DATABASE_URL, "
                        "else sqlite:///var/jointcheck.db).")
FormatOption = typer.Option(None, "--format", help="csv or fhir (default: from the file's "
                            "extension; .json and .ndjson are FHIR).")
FileArgument = typer.Argument(..., help="The file to import.")
MAX_LISTED = 1000

ImportCall = Callable[[Session, RegistryKeys, Settings, registry_import.Progress], ImportReport]


def _settings() -> Settings:
    try:
        return load_settings()
    except ValidationError as exc:
        usage_error(f"bad settings: {exc.errors()[0]['msg']}")


def _engine(url: str | None, settings: Settings) -> Engine:
    try:
        return make_engine(url or settings.database_url)
    except (SQLAlchemyError, ValueError) as exc:
        usage_error(f"bad database URL: {exc}")


@db_app.command("upgrade")
def upgrade(db: str | None = DbOption) -> None:
    """Create or upgrade the database schema to the newest revision."""
    engine = _engine(db, _settings())
    try:
        migrate(engine)
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        usage_error(f"cannot upgrade the database: {exc.__class__.__name__}: {exc}")
    finally:
        engine.dispose()
    console.print(f"database at revision {revision}")


def _format(path: Path, given: str | None) -> FileFormat:
    if given is not None:
        try:
            return FileFormat(given.lower())
        except ValueError:
            usage_error(f"--format {given!r} is not csv or fhir")
    return FileFormat.FHIR if path.suffix.lower() in (".json", ".ndjson", ".jsonl") \
        else FileFormat.CSV


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[registry_import.Progress]:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=errors, transient=True,
                  disable=not enabled) as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                label = "checking rows" if phase == "check" else "writing rows"
                tasks[phase] = bar.add_task(label, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


def _pack(settings: Settings) -> PolicyPack:
    try:
        return find_pack(settings.policy)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")


def _run(path: Path, db: str | None, as_json: bool, call: ImportCall) -> None:
    if not path.is_file():
        usage_error(f"{path} is not a file")
    settings = _settings()
    try:
        keys = registry_keys(settings)
    except ConfigError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    engine = _engine(db, settings)
    try:
        if not is_current(engine):
            usage_error(f"the database is not at revision {head_revision()}; run "
                        "`jointcheck db upgrade` first")
        with _progress_bar(not as_json) as progress, unit_of_work(make_sessions(engine)) as s:
            report = call(s, keys, settings, progress)
    except SQLAlchemyError as exc:
        usage_error(f"database error: {exc.__class__.__name__}: {exc}")
    finally:
        engine.dispose()
    _print_report(report, as_json)
    raise typer.Exit(EXIT_REFUSED if report.rejections else EXIT_OK)


def _print_report(report: ImportReport, as_json: bool) -> None:
    document = report.as_dict()
    if as_json:
        print_json(document)
        return
    for rejection in document["rejected"][:MAX_LISTED]:
        console.print(f"line {rejection['line']}: {rejection['code']}: {rejection['reason']}",
                      markup=False, highlight=False)
    if len(document["rejected"]) > MAX_LISTED:
        console.print(f"... and {len(document['rejected']) - MAX_LISTED} more (--json lists "
                      "them all)")
    console.print(f"{report.imported} imported, {report.unchanged} unchanged, "
                  f"{len(report.rejections)} rejected", highlight=False)


@import_app.command("areas")
def import_areas(path: Path = FileArgument, db: str | None = DbOption,
                 as_json: bool = JsonOption) -> None:
    """Import areas from a CSV with the columns code,name (fz, fz.s01, fz.s01.c02...)."""
    _run(path, db, as_json, lambda session, _keys, _settings, _progress:
         registry_import.import_areas(session, path))


@import_app.command("residents")
def import_residents(path: Path = FileArgument, db: str | None = DbOption,
                     file_format: str | None = FormatOption, as_json: bool = JsonOption) -> None:
    """Import residents (CSV: id_number,name,sex,birth_date,phone,address,area; or FHIR)."""
    chosen = _format(path, file_format)
    _run(path, db, as_json, lambda session, keys, settings, progress:
         registry_import.import_residents(session, path, keys, SystemClock().now(),
                                          settings.timezone, chosen, progress))


@import_app.command("vaccinations")
def import_vaccinations(path: Path = FileArgument, db: str | None = DbOption,
                        file_format: str | None = FormatOption,
                        as_json: bool = JsonOption) -> None:
    """Import vaccination records (CSV: id_number,product,dose_number,series_total,date,site,
    lot; or FHIR Immunization)."""
    chosen = _format(path, file_format)
    _run(path, db, as_json, lambda session, keys, settings, progress:
         registry_import.import_vaccinations(session, path, keys, SystemClock().now(),
                                             settings.timezone, chosen, progress,
                                             _pack(settings)))


@import_app.command("fhir")
def import_fhir(path: Path = FileArgument, db: str | None = DbOption,
                as_json: bool = JsonOption) -> None:
    """Import the Patients and Immunizations of a FHIR R4 Bundle or NDJSON file."""
    _run(path, db, as_json, lambda session, keys, settings, progress:
         registry_import.import_fhir(session, path, keys, SystemClock().now(),
                                     settings.timezone, progress, _pack(settings)))
