"""Residents and their health records: vaccinations and contraindication certificates.

A resident is known by a pseudonymous id (``pid``), a keyed hash of the national id number
(``jointcheck.security.pseudonym``); the number itself is only ever stored encrypted. The
values here are in clear: encryption happens where they are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jointcheck.credentials.payloads import exemption_reasons
from jointcheck.errors import RegistryError
from jointcheck.registry.areas import check_area_code
from jointcheck.registry.fields import require
from jointcheck.registry.products import product

EARLIEST_VACCINATION = date(2020, 7, 1)
MAX_DOSE = 9
MAX_FIELD = 200


class Sex(StrEnum):
    """Administrative sex, with FHIR's ``gender`` values."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


_SEX_WORDS = {"m": Sex.MALE, "male": Sex.MALE, "男": Sex.MALE, "f": Sex.FEMALE,
              "female": Sex.FEMALE, "女": Sex.FEMALE, "other": Sex.OTHER, "o": Sex.OTHER,
              "unknown": Sex.UNKNOWN, "u": Sex.UNKNOWN}


def parse_sex(text: str) -> Sex:
    """Return the sex written as ``male``/``female``/``other``/``unknown``, ``M``/``F``, 男/女."""
    found = _SEX_WORDS.get(text.strip().lower())
    if found is None:
        raise RegistryError("bad-sex", f"sex {text!r} is not male, female, other or unknown")
    return found


def _short(value: str, field: str) -> None:
    if len(value) > MAX_FIELD:
        raise RegistryError("bad-field", f"{field} is longer than {MAX_FIELD} characters")


@dataclass(frozen=True, slots=True)
class Resident:
    """A person living in the district, as the registry knows them."""

    pid: str
    name: str
    sex: Sex
    birth_date: date
    phone: str
    address: str
    area: str

    def __post_init__(self) -> None:
        require(self.pid, "pid")
        require(self.name, "name")
        for field in ("name", "phone", "address"):
            _short(getattr(self, field), field)
        check_area_code(self.area)


@dataclass(frozen=True, slots=True)
class VaccinationRecord:
    """One dose given: product code (DCC value set), dose n of a series of m, date, site, lot.

    ``dose_number`` may exceed ``series_total`` for a booster, as in the EU DCC (3/2).
    """

    pid: str
    product: str
    dose_number: int
    series_total: int
    date: date
    site: str
    lot: str

    def __post_init__(self) -> None:
        require(self.pid, "pid")
        product(self.product)
        if not (1 <= self.dose_number <= MAX_DOSE and 1 <= self.series_total <= MAX_DOSE):
            raise RegistryError("bad-dose", f"dose {self.dose_number}/{self.series_total} is "
                                f"not between 1 and {MAX_DOSE}")
        if self.date < EARLIEST_VACCINATION:
            raise RegistryError("bad-date", f"vaccination date {self.date} is before "
                                f"{EARLIEST_VACCINATION}")
        _short(self.site, "site")
        _short(self.lot, "lot")


@dataclass(frozen=True, slots=True)
class Contraindication:
    """A contraindication (exemption) certificate: who issued it, why (category), how long."""

    pid: str
    institution: str
    institution_level: int
    reason_category: str
    valid_from: date
    valid_until: date
    certificate_id: str

    def __post_init__(self) -> None:
        require(self.pid, "pid")
        require(self.institution, "institution")
        require(self.certificate_id, "certificate id")
        if self.institution_level not in (1, 2, 3):
            raise RegistryError("bad-institution-level",
                                f"institution level {self.institution_level} is not 1, 2 or 3")
        if self.reason_category not in exemption_reasons():
            raise RegistryError("bad-reason", f"reason category {self.reason_category!r} is "
                                f"not one of {', '.join(exemption_reasons())}")
        if self.valid_until < self.valid_from:
            raise RegistryError("bad-validity", "a certificate cannot end before it starts")

    def valid_on(self, day: date) -> bool:
        """Tell whether the certificate is in force on ``day``."""
        return self.valid_from <= day <= self.valid_until
