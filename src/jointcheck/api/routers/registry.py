"""``/api/residents``, ``/api/areas/.../residents``, ``/api/import``: the registry over HTTP.

Every read of a person is checked against the reader's scope and written to the audit log in
the same transaction. An import takes the file as a multipart upload (``file``), is limited to
``JOINTCHECK_MAX_UPLOAD_BYTES``, and answers with the same JSON as ``jointcheck import ...
--json``; like the command it commits once, rows of a person with a bad row not at all. A
vaccination or FHIR import closes the follow-up cases the district's policy pack settles among
the people it wrote dose records of.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel

from jointcheck.api.deps import (
    AuditDep,
    ContextDep,
    PrincipalDep,
    SessionDep,
    require,
    require_role,
)
from jointcheck.api.errors import AUTH_RESPONSES, documented
from jointcheck.api.routers.checks import PackDep
from jointcheck.api.schemas import ResidentOut, resident_out
from jointcheck.errors import AccessDenied, InputError, NotFoundError, RegistryError
from jointcheck.security.access import (
    SCOPE_KINDS,
    Permission,
    Principal,
    Role,
    ScopeKind,
    Target,
    is_area_code,
)
from jointcheck.services import registry_import
from jointcheck.services.registry_import import FileFormat
from jointcheck.services.residents import area_of, resident_record, residents_in_area
from jointcheck.storage.repositories.areas import AreaRepository

router = APIRouter(prefix="/api", tags=["registry"], responses=AUTH_RESPONSES)
NOT_FOUND = documented(404, "No such resident or area")
MAX_PAGE = 100
SUFFIXES = {".csv", ".json", ".ndjson", ".jsonl"}


class ResidentSummaryOut(BaseModel):
    """A resident in a list: no id number, phone or address."""

    pid: str
    name: str
    sex: str
    birth_date: date
    area: str


class AreaResidentsOut(BaseModel):
    """A page of the residents within an area."""

    area: str
    total: int
    offset: int
    limit: int
    residents: list[ResidentSummaryOut]


class RejectedRow(BaseModel):
    """A rejected row of an import."""

    line: int
    reason: str
    code: str


class ImportOut(BaseModel):
    """What an import did (the same fields as ``jointcheck import ... --json``)."""

    imported: int
    updated: int
    unchanged: int
    rejected: list[RejectedRow]


class ImportKind(StrEnum):
    """What an upload holds."""

    RESIDENTS = "residents"
    VACCINATIONS = "vaccinations"
    FHIR = "fhir"


def district_wide(principal: Principal) -> bool:
    """Tell whether the caller's scope is a whole district (a one-segment area code)."""
    return SCOPE_KINDS[principal.role] == ScopeKind.DISTRICT and "." not in principal.scope


@router.get("/residents/{pid}", response_model=ResidentOut, responses=NOT_FOUND)
def read_resident(pid: str, principal: PrincipalDep, context: ContextDep, session: SessionDep,
                  audit: AuditDep) -> ResidentOut:
    """Return a resident's record, if it lies in the caller's area (or is the caller's own)."""
    resident_reads_own = principal.role is Role.RESIDENT
    permission = Permission.SELF_READ if resident_reads_own else Permission.REGISTRY_READ
    if resident_reads_own:
        # Before the lookup: a resident learns nothing about other pids, not even existence.
        require(principal, permission, Target(pid=pid))
    else:
        require_role(principal, permission)
    area = area_of(session, pid)
    if area is None:
        if not district_wide(principal):
            # Below the district, an unknown pid answers as one outside the caller's area: a
            # street officer must not learn which pids exist in other streets.
            raise AccessDenied("outside-scope", "this resident is not in your area")
        raise NotFoundError("unknown-resident", "there is no resident with this pid")
    require(principal, permission, Target(area=area, pid=pid))
    record = resident_record(session, context.keys.cipher, pid)
    assert record is not None
    audit.read(principal, "registry.resident.read", pid, area)
    return resident_out(record, principal)


@router.get("/areas/{code}/residents", response_model=AreaResidentsOut, responses=NOT_FOUND)
def area_residents(code: str, principal: PrincipalDep, context: ContextDep,
                   session: SessionDep, audit: AuditDep,
                   limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
                   offset: Annotated[int, Query(ge=0)] = 0) -> AreaResidentsOut:
    """Return a page of the residents within an area of the caller's scope, by pid."""
    if not is_area_code(code):
        raise RegistryError("bad-area-code", f"{code!r} is not a dotted area code")
    # Scope before existence: an area outside the caller's scope is a 403 whether or not
    # it exists.
    require(principal, Permission.REGISTRY_READ, Target(area=code))
    if AreaRepository(session).get(code) is None:
        raise NotFoundError("unknown-area", f"there is no area {code!r}")
    page = residents_in_area(session, context.keys.cipher, code, limit=limit, offset=offset)
    pids = [r.pid for r in page.residents]
    audit.read(principal, "registry.area.list", code, code,
               {"offset": offset, "limit": limit, "count": len(pids),
                "first": pids[0] if pids else None, "last": pids[-1] if pids else None})
    return AreaResidentsOut(area=code, total=page.total, offset=offset, limit=limit, residents=[
        ResidentSummaryOut(pid=r.pid, name=r.name, sex=r.sex, birth_date=r.birth_date,
                           area=r.area) for r in page.residents])


def _suffix(name: str | None) -> str:
    suffix = Path(name or "").suffix.lower()
    return suffix if suffix in SUFFIXES else ".csv"


def _format(given: str | None, suffix: str) -> FileFormat:
    if given is not None:
        try:
            return FileFormat(given.lower())
        except ValueError:
            raise InputError("bad-format", f"format {given!r} is not csv or fhir") from None
    return FileFormat.CSV if suffix == ".csv" else FileFormat.FHIR


@router.post("/import/{kind}", response_model=ImportOut, responses={
    **documented(413, "The file exceeds the upload limit (`upload-too-large`)"),
    **documented(400, "An unknown format (`bad-format`)")})
def import_file(kind: ImportKind, file: Annotated[UploadFile, File()],
                principal: PrincipalDep, context: ContextDep, session: SessionDep,
                audit: AuditDep, pack: PackDep,
                file_format: Annotated[str | None, Form(alias="format")] = None) -> ImportOut:
    """Import residents, vaccination records or a FHIR file into the registry."""
    require_role(principal, Permission.REGISTRY_IMPORT)
    limit = context.settings.max_upload_bytes
    if file.size is not None and file.size > limit:
        raise InputError("upload-too-large", f"the file exceeds the limit of {limit} bytes")
    suffix = _suffix(file.filename)
    chosen = _format(file_format, suffix)
    at = context.clock.now()
    with tempfile.TemporaryDirectory(prefix="jointcheck-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:
            shutil.copyfileobj(file.file, handle)
        zone = context.settings.timezone
        if kind is ImportKind.RESIDENTS:
            report = registry_import.import_residents(session, path, context.keys, at, zone,
                                                      chosen)
        elif kind is ImportKind.VACCINATIONS:
            report = registry_import.import_vaccinations(session, path, context.keys, at,
                                                         zone, chosen, pack=pack)
        else:
            report = registry_import.import_fhir(session, path, context.keys, at, zone,
                                                 pack=pack)
    document = report.as_dict()
    audit.record(principal, f"registry.import.{kind.value}",
                 subject=(file.filename or "")[:200] or None, area=principal.scope,
                 detail={"imported": report.imported, "unchanged": report.unchanged,
                         "rejected": len(report.rejections), "format": chosen.value})
    return ImportOut.model_validate(document)
