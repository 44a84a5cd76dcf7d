"""EU DCC payloads (and the exemption certificate in the same envelope) to Credential values.

Reading is tolerant, as the DCC FAQ asks of verifiers: unknown fields are kept but ignored, a
date that does not parse becomes ``None`` with the raw text still in the payload. What cannot
be tolerated is refused: no holder, no statement, or statements of more than one type.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from jointcheck.credentials.cwt import Claims
from jointcheck.credentials.model import (
    Credential,
    CredentialType,
    Entry,
    ExemptionEntry,
    RecoveryEntry,
    Subject,
    TestEntry,
    VaccinationEntry,
)
from jointcheck.errors import PayloadError

HCERT_CLAIM = -260
DCC_KEY = 1
STATEMENT_KEYS = {
    "v": CredentialType.VACCINATION,
    "t": CredentialType.TEST,
    "r": CredentialType.RECOVERY,
    "e": CredentialType.EXEMPTION,
}


def credential_from_hcert(claims: Claims, fmt: str = "hc1") -> Credential:
    """Map the claims of an HC1 message carrying an EU DCC or an exemption to a Credential."""
    hcert = claims.raw.get(HCERT_CLAIM)
    if not isinstance(hcert, dict) or not isinstance(hcert.get(DCC_KEY), dict):
        raise PayloadError("payload-invalid", "the hcert claim (-260) with a DCC (1) is missing")
    dcc: dict[str, Any] = hcert[DCC_KEY]
    # Some issuers write the absent groups out as null ("t": null); null means absent.
    present = [key for key in STATEMENT_KEYS if dcc.get(key) is not None]
    if len(present) != 1:
        raise PayloadError(
            "payload-invalid",
            "a certificate must state exactly one of vaccination, test, recovery, exemption",
        )
    kind = STATEMENT_KEYS[present[0]]
    items = dcc[present[0]]
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise PayloadError("payload-invalid", f"the {kind.value} entries are malformed")
    entries = tuple(_entry(kind, item) for item in items)
    return Credential(
        format=fmt,
        type=kind,
        subject=subject_from_dcc(dcc),
        entries=entries,
        issuer=claims.issuer,
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
        not_before=claims.not_before,
        certificate_id=getattr(entries[0], "certificate_id", None) or None,
        payload=dcc,
    )


def subject_from_dcc(dcc: dict[str, Any]) -> Subject:
    """Read the holder (``nam``, ``dob``) of a DCC."""
    nam = dcc.get("nam")
    dob = dcc.get("dob", "")
    if not isinstance(nam, dict):
        raise PayloadError("payload-invalid", "the holder's name (nam) is missing")
    if isinstance(dob, date | datetime):
        dob = dob.isoformat()[:10]
    if not isinstance(dob, str):
        raise PayloadError("payload-invalid", "the date of birth (dob) is not text")
    return Subject(
        family_name=_text(nam.get("fn")),
        given_name=_text(nam.get("gn")),
        family_std=_text(nam.get("fnt")),
        given_std=_text(nam.get("gnt")),
        birth_date=dob,
        pid=_text(dcc.get("pid")) or None,
    )


def _entry(kind: CredentialType, item: dict[str, Any]) -> Entry:
    if kind is CredentialType.VACCINATION:
        return VaccinationEntry(
            disease=_text(item.get("tg")), product=_text(item.get("mp")),
            vaccine=_text(item.get("vp")), manufacturer=_text(item.get("ma")),
            dose=_int(item.get("dn")), series=_int(item.get("sd")), date=_date(item.get("dt")),
            country=_text(item.get("co")), issuer=_text(item.get("is")),
            certificate_id=_text(item.get("ci")),
        )
    if kind is CredentialType.TEST:
        return TestEntry(
            disease=_text(item.get("tg")), test_type=_text(item.get("tt")),
            sampled_at=_instant(item.get("sc")), result=_text(item.get("tr")),
            country=_text(item.get("co")), issuer=_text(item.get("is")),
            certificate_id=_text(item.get("ci")),
        )
    if kind is CredentialType.RECOVERY:
        return RecoveryEntry(
            disease=_text(item.get("tg")), first_positive=_date(item.get("fr")),
            valid_from=_date(item.get("df")), valid_until=_date(item.get("du")),
            country=_text(item.get("co")), issuer=_text(item.get("is")),
            certificate_id=_text(item.get("ci")),
        )
    return _exemption(item)


def _exemption(item: dict[str, Any]) -> ExemptionEntry:
    valid_from, valid_until = _date(item.get("df")), _date(item.get("du"))
    if valid_from is None or valid_until is None:
        raise PayloadError("payload-invalid", "an exemption needs its validity dates (df, du)")
    level = item.get("il")
    if isinstance(level, bool) or not isinstance(level, int):
        raise PayloadError("payload-invalid", "an exemption needs its institution level (il)")
    return ExemptionEntry(
        disease=_text(item.get("tg")), institution=_text(item.get("is")),
        institution_level=level, reason_category=_text(item.get("rc")),
        valid_from=valid_from, valid_until=valid_until, country=_text(item.get("co")),
        certificate_id=_text(item.get("ci")),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None
