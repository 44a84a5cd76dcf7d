"""WHO DDCC:VS (Digital Documentation of COVID-19 Certificates: Vaccination Status) in HC1.

The WHO core data set travels as string-keyed CWT claims (``name``, ``birthDate``,
``vaccine``, ``dose``...). It names the holder with one free-text name, so the standardised
name is derived from it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jointcheck.credentials.cwt import Claims
from jointcheck.credentials.model import (
    Credential,
    CredentialType,
    Subject,
    VaccinationEntry,
    standardise_name,
)
from jointcheck.errors import PayloadError

DDCC_MARKERS = ("name", "birthDate", "vaccine")


def is_ddcc(claims: Claims) -> bool:
    """Tell whether the claims carry the WHO DDCC:VS core data set."""
    return all(key in claims.raw for key in DDCC_MARKERS)


def credential_from_ddcc(claims: Claims) -> Credential:
    """Map a WHO DDCC:VS core data set to a vaccination Credential."""
    raw = claims.raw
    name, dob = raw.get("name"), raw.get("birthDate")
    if not isinstance(name, str) or not isinstance(dob, str):
        raise PayloadError("payload-invalid", "the DDCC holder's name or birth date is missing")
    family, _, given = name.rpartition(" ") if " " in name else (name, "", "")
    entry = VaccinationEntry(
        disease=_code(raw.get("disease")),
        product=_code(raw.get("brand")) or _code(raw.get("vaccine")),
        vaccine=_code(raw.get("vaccine")),
        manufacturer=_code(raw.get("manufacturer")),
        dose=_int(raw.get("dose")),
        series=_int(raw.get("total_doses")),
        date=_date(raw.get("date")),
        country=_code(raw.get("country")),
        issuer=str(raw.get("centre") or ""),
        certificate_id=str(raw.get("hcid") or ""),
    )
    # The WHO name is one string in reading order; the given name comes first in it.
    subject = Subject(
        family_name=given or family, given_name=family if given else "",
        family_std=standardise_name(given or family),
        given_std=standardise_name(family if given else ""), birth_date=dob,
    )
    return Credential(
        format="hc1", type=CredentialType.VACCINATION, subject=subject, entries=(entry,),
        issuer=claims.issuer, issued_at=claims.issued_at, expires_at=claims.expires_at,
        not_before=claims.not_before, certificate_id=entry.certificate_id or None,
        payload={str(k): v for k, v in raw.items()},
    )


def _code(value: Any) -> str:
    if isinstance(value, dict):
        code = value.get("code")
        return code if isinstance(code, str) else ""
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None
