"""EU DCC payloads (and the exemption certificate in the same envelope) to Credential values.

Reading is tolerant, as the DCC FAQ asks of verifiers: unknown fields are kept but ignored, a
date that does not parse becomes ``None`` with the raw text still in the payload. What cannot
be tolerated is refused: no holder, no statement, or statements of more than one type.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from jointcheck.credentials.cwt import Claims
from jointcheck.credentials.model import (
    Credential,
    CredentialType,
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
    dcc = hcert.get(DCC_KEY) if isinstance(hcert, dict) else None
    if not isinstance(dcc, dict):
        raise PayloadError("payload-invalid", "the hcert claim (-260) with a DCC (1) is missing")
    # Some issuers write the absent groups out as null ("t": null); null means absent.
    get = dcc.get
    present = [key for key in STATEMENT_KEYS if get(key) is not None]
    if len(present) != 1:
        raise PayloadError(
            "payload-invalid",
            "a certificate must state exactly one of vaccination, test, recovery, exemption",
        )
    kind = STATEMENT_KEYS[present[0]]
    items = dcc[present[0]]
    if type(items) is not list or not items:
        raise PayloadError("payload-invalid", f"the {kind.value} entries are malformed")
    read = _READERS[kind]
    entries: list[_DccEntry] = []
    for item in items:
        if type(item) is not dict:
            raise PayloadError("payload-invalid", f"the {kind.value} entries are malformed")
        entries.append(read(item))
    return Credential(fmt, kind, subject_from_dcc(dcc), tuple(entries), claims.issuer,
                      claims.issued_at, claims.expires_at, claims.not_before,
                      entries[0].certificate_id or None, dcc)


def subject_from_dcc(dcc: dict[str, Any]) -> Subject:
    """Read the holder (``nam``, ``dob``) of a DCC."""
    nam = dcc.get("nam")
    dob = dcc.get("dob", "")
    if not isinstance(nam, dict):
        raise PayloadError("payload-invalid", "the holder's name (nam) is missing")
    if isinstance(dob, date):  # a datetime is a date too
        dob = dob.isoformat()[:10]
    if not isinstance(dob, str):
        raise PayloadError("payload-invalid", "the date of birth (dob) is not text")
    family, given, family_std, given_std = _texts(nam, _NAME_KEYS)
    return Subject(family, given, family_std, given_std, dob, _text(dcc.get("pid")) or None)


_NAME_KEYS = ("fn", "gn", "fnt", "gnt")
_VACCINATION_TEXT = ("tg", "mp", "vp", "ma", "co", "is", "ci")
_TEST_TEXT = ("tg", "tt", "tr", "co", "is", "ci")
_RECOVERY_TEXT = ("tg", "co", "is", "ci")


def _texts(item: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    # The text fields ``keys`` of ``item``; an absent or non-text field reads as "".
    return [v if type(v) is str else "" for v in map(item.get, keys)]


def _vaccination(item: dict[str, Any]) -> VaccinationEntry:
    disease, product, vaccine, manufacturer, country, issuer, cid = _texts(
        item, _VACCINATION_TEXT)
    return VaccinationEntry(disease, product, vaccine, manufacturer, _int(item.get("dn")),
                            _int(item.get("sd")), _date(item.get("dt")), country, issuer, cid)


def _test(item: dict[str, Any]) -> TestEntry:
    disease, test_type, result, country, issuer, cid = _texts(item, _TEST_TEXT)
    return TestEntry(disease, test_type, _instant(item.get("sc")), result, country, issuer, cid)


def _recovery(item: dict[str, Any]) -> RecoveryEntry:
    disease, country, issuer, cid = _texts(item, _RECOVERY_TEXT)
    return RecoveryEntry(disease, _date(item.get("fr")), _date(item.get("df")),
                         _date(item.get("du")), country, issuer, cid)


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


_DccEntry = VaccinationEntry | TestEntry | RecoveryEntry | ExemptionEntry
_READERS: dict[CredentialType, Callable[[dict[str, Any]], _DccEntry]] = {
    CredentialType.VACCINATION: _vaccination,
    CredentialType.TEST: _test,
    CredentialType.RECOVERY: _recovery,
    CredentialType.EXEMPTION: _exemption,
}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if type(value) is int else 0  # a bool is not a number here


def _date(value: Any) -> date | None:
    if isinstance(value, str):  # the usual case first
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
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
