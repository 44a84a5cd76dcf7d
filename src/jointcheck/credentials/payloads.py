"""Build what an issuer signs: DCC payloads, exemptions and health-code bodies, checked strictly.

Issuing is strict (every payload satisfies ``schemas/issue.schema.json`` before it is signed);
verifying is tolerant (see :mod:`jointcheck.credentials.dcc`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from jointcheck.credentials.model import COVID_19, CodeColor, standardise_name
from jointcheck.errors import SchemaError

DCC_VERSION = "1.3.0"
# Luhn mod N over this charset, prefix included (DCC schema FAQ, "UVCI checksum").
UVCI_CHECK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"


@dataclass(frozen=True, slots=True)
class Holder:
    """The person a credential is issued to."""

    family_name: str
    given_name: str
    birth_date: date
    pid: str | None = None

    @classmethod
    def parse(cls, name: str, birth_date: str, pid: str | None = None) -> Holder:
        """Build a holder from ``"Family Given"`` (or ``"Family, Given"``) and an ISO date.

        The family name comes first, as in Chinese and in the DCC. A Chinese name written
        without a space takes its first character as the family name (write ``"欧阳 娜娜"``
        for a two-character family name).
        """
        name = " ".join(name.split())
        if "," in name:
            family, given = (p.strip() for p in name.split(",", 1))
        elif " " in name:
            family, given = name.split(" ", 1)
        elif name and "\u3400" <= name[0] <= "\u9fff" and len(name) > 1:
            family, given = name[0], name[1:]
        else:
            family, given = name, ""
        if not family:
            raise SchemaError("name-invalid", "the holder's name is empty")
        try:
            born = date.fromisoformat(birth_date)
        except ValueError:
            raise SchemaError("date-invalid", f"birth date {birth_date!r} is not YYYY-MM-DD") \
                from None
        return cls(family, given, born, pid)


def name_block(holder: Holder) -> dict[str, str]:
    """Return the DCC ``nam`` object with the standardised (ICAO) forms."""
    block = {"fn": holder.family_name, "fnt": standardise_name(holder.family_name)}
    if holder.given_name:
        block |= {"gn": holder.given_name, "gnt": standardise_name(holder.given_name)}
    return block


def _base(holder: Holder) -> dict[str, Any]:
    return {"ver": DCC_VERSION, "nam": name_block(holder), "dob": holder.birth_date.isoformat()}


def vaccination_payload(
    holder: Holder, *, dose: int, series: int, when: date, product: str, vaccine: str,
    manufacturer: str, country: str, issuer: str, certificate_id: str, disease: str = COVID_19,
) -> dict[str, Any]:
    """Return a DCC vaccination payload (one dose statement)."""
    entry = {"tg": disease, "vp": vaccine, "mp": product, "ma": manufacturer, "dn": dose,
             "sd": series, "dt": when.isoformat(), "co": country, "is": issuer,
             "ci": certificate_id}
    return checked(_base(holder) | {"v": [entry]})


def test_payload(
    holder: Holder, *, sampled_at: datetime, test_type: str, result: str, country: str,
    issuer: str, certificate_id: str, centre: str = "", disease: str = COVID_19,
) -> dict[str, Any]:
    """Return a DCC test payload."""
    entry = {"tg": disease, "tt": test_type, "sc": sampled_at.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"), "tr": result, "co": country, "is": issuer, "ci": certificate_id}
    if centre:
        entry["tc"] = centre
    return checked(_base(holder) | {"t": [entry]})


def recovery_payload(
    holder: Holder, *, first_positive: date, valid_from: date, valid_until: date, country: str,
    issuer: str, certificate_id: str, disease: str = COVID_19,
) -> dict[str, Any]:
    """Return a DCC recovery payload."""
    entry = {"tg": disease, "fr": first_positive.isoformat(), "co": country, "is": issuer,
             "df": valid_from.isoformat(), "du": valid_until.isoformat(), "ci": certificate_id}
    return checked(_base(holder) | {"r": [entry]})


def exemption_payload(
    holder: Holder, *, institution: str, institution_level: int, reason_category: str,
    valid_from: date, valid_until: date, country: str, certificate_id: str,
    disease: str = COVID_19,
) -> dict[str, Any]:
    """Return a contraindication certificate: institution and level, reason category, dates."""
    if valid_until < valid_from:
        raise SchemaError("date-invalid", "an exemption cannot end before it starts")
    entry = {"tg": disease, "is": institution, "il": institution_level, "rc": reason_category,
             "df": valid_from.isoformat(), "du": valid_until.isoformat(), "co": country,
             "ci": certificate_id}
    return checked(_base(holder) | {"e": [entry]})


def health_code_body(holder: Holder, color: CodeColor) -> dict[str, Any]:
    """Return the body of a health code: colour, pseudonymous id, name and birth date."""
    if not holder.pid:
        raise SchemaError("pid-missing", "a health code needs the holder's pseudonymous id")
    return checked(_base(holder) | {"col": color.value, "pid": holder.pid})


def uvci(country: str, issuer_code: str, unique: str) -> str:
    """Return a UVCI (``URN:UVCI:01:CN:ISSUER/UNIQUE#C``) with its Luhn mod 38 check character."""
    body = f"URN:UVCI:01:{country}:{issuer_code}/{unique}".upper()
    return f"{body}#{_luhn_mod_n(body)}"


def _luhn_mod_n(text: str) -> str:
    n = len(UVCI_CHECK_ALPHABET)
    factor, total = 2, 0
    for c in reversed(text):
        addend = factor * UVCI_CHECK_ALPHABET.index(c)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return UVCI_CHECK_ALPHABET[(n - total % n) % n]


def checked(payload: dict[str, Any]) -> dict[str, Any]:
    """Return ``payload`` if it satisfies the issuance schema; raise naming the first problem."""
    errors = sorted(_validator().iter_errors(payload), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/" + "/".join(str(p) for p in first.absolute_path)
        raise SchemaError("schema-invalid", f"{where}: {first.message}")
    return payload


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("jointcheck.credentials").joinpath("schemas/issue.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema())


def exemption_reasons() -> tuple[str, ...]:
    """Return the exemption reason categories the issuance schema allows."""
    return tuple(_schema()["$defs"]["exemption"]["properties"]["rc"]["enum"])
