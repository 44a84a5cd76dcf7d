"""WHO DDCC (Digital Documentation of COVID-19 Certificates) in HC1: vaccination status
(DDCC:VS) and test result (DDCC:TR).

The WHO core data set travels as string-keyed CWT claims (``name``, ``birthDate`` and a
``vaccine``/``dose``... set or a ``test`` object). It names the holder with one free-text name
whose order varies by country ("Eddie Murphy", "TAN CHEN CHEN"), so the whole name is kept as
the family name and standardised as one; nothing is guessed about which part is which.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from jointcheck.credentials.cwt import Claims
from jointcheck.credentials.model import (
    Credential,
    CredentialType,
    Subject,
    TestEntry,
    VaccinationEntry,
    standardise_name,
)
from jointcheck.errors import PayloadError


def is_ddcc(claims: Claims) -> bool:
    """Tell whether the claims carry a WHO DDCC core data set (vaccination or test)."""
    raw = claims.raw
    return "name" in raw and "birthDate" in raw and ("vaccine" in raw or "test" in raw)


def credential_from_ddcc(claims: Claims) -> Credential:
    """Map a WHO DDCC core data set to a vaccination or test Credential."""
    raw = claims.raw
    name, dob = raw.get("name"), raw.get("birthDate")
    if not isinstance(name, str) or not isinstance(dob, str):
        raise PayloadError("payload-invalid", "the DDCC holder's name or birth date is missing")
    subject = Subject(family_name=name, given_name="", family_std=standardise_name(name),
                      given_std="", birth_date=dob)
    entry: VaccinationEntry | TestEntry
    if "vaccine" in raw:
        kind, entry = CredentialType.VACCINATION, _vaccination(raw)
    else:
        kind, entry = CredentialType.TEST, _test(raw)
    return Credential(
        format="hc1", type=kind, subject=subject, entries=(entry,),
        issuer=claims.issuer, issued_at=claims.issued_at, expires_at=claims.expires_at,
        not_before=claims.not_before, certificate_id=entry.certificate_id or None,
        payload={str(k): v for k, v in raw.items()},
    )


def _vaccination(raw: dict[Any, Any]) -> VaccinationEntry:
    return VaccinationEntry(
        disease=_code(raw.get("disease")),
        product=_code(raw.get("brand")) or _code(raw.get("vaccine")),
        vaccine=_code(raw.get("vaccine")),
        manufacturer=_code(raw.get("manufacturer")),
        dose=_int(raw.get("dose")),
        series=_int(raw.get("total_doses")),
        date=_date(raw.get("date")),
        country=_code(raw.get("country")),
        issuer=str(raw.get("centre") or ""),
        certificate_id=str(raw.get("hcid") or raw.get("identifier") or ""),
    )


def _test(raw: dict[Any, Any]) -> TestEntry:
    test = raw.get("test")
    if not isinstance(test, dict):
        raise PayloadError("payload-invalid", "the DDCC test result is malformed")
    return TestEntry(
        disease=_code(test.get("pathogen")), test_type=_code(test.get("type")),
        sampled_at=_instant(test.get("date")), result=_code(test.get("result")),
        country=_code(test.get("country")), issuer=str(test.get("centre") or ""),
        certificate_id=str(raw.get("identifier") or ""),
    )


def _code(value: Any) -> str:
    if isinstance(value, dict):
        code = value.get("code")
        return code if isinstance(code, str) else ""
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None
