"""Response bodies shared by several routers: a resident's record."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from jointcheck.security.access import Principal, Role
from jointcheck.services.residents import ResidentRecord, mask_id_number


class Vaccination(BaseModel):
    """One dose given."""

    product: str
    dose_number: int
    series_total: int
    date: date
    site: str
    lot: str


class ContraindicationCertificate(BaseModel):
    """A contraindication certificate: the reason's category, never a diagnosis."""

    certificate_id: str
    institution: str
    institution_level: int
    reason_category: str
    valid_from: date
    valid_until: date


class ResidentOut(BaseModel):
    """A resident's record, personal fields decrypted.

    ``id_number`` is whole for the health authority and the resident; others see its first
    and last four characters.
    """

    pid: str
    name: str
    sex: str
    birth_date: date
    phone: str
    address: str
    area: str
    id_number: str
    vaccinations: list[Vaccination]
    contraindications: list[ContraindicationCertificate]


def resident_out(record: ResidentRecord, reader: Principal) -> ResidentOut:
    """Return the response body of ``record`` as ``reader`` may see it."""
    r = record.resident
    whole = reader.role in (Role.HEALTH_AUTHORITY, Role.RESIDENT)
    return ResidentOut(
        pid=r.pid, name=r.name, sex=r.sex.value, birth_date=r.birth_date, phone=r.phone,
        address=r.address, area=r.area,
        id_number=record.id_number if whole else mask_id_number(record.id_number),
        vaccinations=[Vaccination(product=v.product, dose_number=v.dose_number,
                                  series_total=v.series_total, date=v.date, site=v.site,
                                  lot=v.lot) for v in record.vaccinations],
        contraindications=[ContraindicationCertificate(
            certificate_id=c.certificate_id, institution=c.institution,
            institution_level=c.institution_level, reason_category=c.reason_category,
            valid_from=c.valid_from, valid_until=c.valid_until)
            for c in record.contraindications])
