"""Use cases: read a resident's record and list the residents of an area, decrypted.

Access checks and the audit entry are the caller's (the endpoint knows who asks); these only
read. A list carries no id number, phone or address: what a worker needs to find a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from jointcheck.registry.people import Contraindication, Resident, VaccinationRecord
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.storage.repositories.residents import (
    ContraindicationRepository,
    ResidentRepository,
    ResidentSummary,
)
from jointcheck.storage.repositories.vaccinations import VaccinationRepository


@dataclass(frozen=True, slots=True)
class ResidentRecord:
    """A resident with their id number, vaccinations and contraindication certificates."""

    resident: Resident
    id_number: str
    vaccinations: list[VaccinationRecord]
    contraindications: list[Contraindication]


@dataclass(frozen=True, slots=True)
class AreaPage:
    """A page of the residents within an area, and how many there are in all."""

    total: int
    residents: list[ResidentSummary]


def area_of(session: Session, pid: str) -> str | None:
    """Return the area of resident ``pid``, or None when there is no such resident."""
    return ResidentRepository(session).area_of(pid)


def resident_record(session: Session, cipher: FieldCipher, pid: str) -> ResidentRecord | None:
    """Return the decrypted record of resident ``pid``, or None."""
    residents = ResidentRepository(session)
    resident = residents.get(pid, cipher)
    if resident is None:
        return None
    return ResidentRecord(resident, residents.id_number(pid, cipher) or "",
                          VaccinationRepository(session).for_person(pid),
                          ContraindicationRepository(session).for_person(pid))


def residents_in_area(session: Session, cipher: FieldCipher, area: str, *, limit: int,
                      offset: int) -> AreaPage:
    """Return a page of the residents within ``area`` (ordered by pid) and their total."""
    residents = ResidentRepository(session)
    return AreaPage(residents.count(area),
                    residents.in_area(area, cipher, limit=limit, offset=offset))


def mask_id_number(number: str) -> str:
    """Return an id number with all but its first 4 and last 4 characters hidden."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]

