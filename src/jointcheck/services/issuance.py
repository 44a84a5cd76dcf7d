"""Issue a resident's credentials from the registry: vaccination and exemption certificates and
the health code, each recorded (without personal fields) and audited.

The authority issues for anyone in its area; a resident issues their own (to show on screen or
print), never someone else's. Keys come from the key store, opened at the edge.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.payloads import Holder
from jointcheck.errors import JointcheckError
from jointcheck.keystore import KeyStore, publish_trust_list, revoke
from jointcheck.registry.people import Contraindication, Resident, VaccinationRecord
from jointcheck.security.access import Permission, Principal, Target, authorize
from jointcheck.security.fieldcrypt import FieldCipher
from jointcheck.services.audit import AuditTrail
from jointcheck.services.health_codes import authorized_target, require_role, resident_target
from jointcheck.storage.repositories.credentials import (
    HealthCodeRepository,
    IssuedCredentialRepository,
)
from jointcheck.storage.repositories.residents import (
    ContraindicationRepository,
    ResidentRepository,
)
from jointcheck.storage.repositories.vaccinations import VaccinationRepository
from jointcheck.trust.issuer import HEALTH_CODE_TTL, Issued, Issuer

# What the DCC carries beside the product: its prophylaxis type and manufacturer (DCC value
# sets). Products not listed are written as "COVID-19 vaccines" (ATC J07BX03) by their
# product code, never with a guessed manufacturer.
_INACTIVATED, _VIRAL_VECTOR = "1157024006", "29061000087103"
_PRODUCT_CODES = {
    "BBIBP-CorV": (_INACTIVATED, "ORG-100020693"),
    "WIBP-CorV": (_INACTIVATED, "Sinopharm-WIBP"),
    "CoronaVac": (_INACTIVATED, "Sinovac-Biotech"),
    "Convidecia": (_VIRAL_VECTOR, "ORG-100013793"),
}


class IssuanceError(JointcheckError, ValueError):
    """Nothing to issue: the registry holds no dose, no contraindication, no such credential."""

    stage = "issuance"


@dataclass(frozen=True)
class IssuingKeys:
    """What issuing needs beside the database: the signers and the field cipher."""

    issuer: Issuer
    cipher: FieldCipher


def issue_health_code(session: Session, trail: AuditTrail, keys: IssuingKeys, actor: Principal,
                      pid: str, ttl: timedelta = HEALTH_CODE_TTL) -> Issued:
    """Issue a fresh health code in the resident's current colour."""
    resident, target = _resident(session, keys, actor, pid)
    color = CodeColor(HealthCodeRepository(session).color_of(pid))
    issued = health_code_of(keys.issuer, resident, color, trail.clock.now(), ttl)
    return _record(session, trail, actor, pid, target, issued, {"color": color.value})


def issue_vaccination_certificate(session: Session, trail: AuditTrail, keys: IssuingKeys,
                                  actor: Principal, pid: str) -> Issued:
    """Issue the certificate of the resident's latest dose (dose n of m, as the DCC states)."""
    resident, target = _resident(session, keys, actor, pid)
    records = VaccinationRepository(session).for_person(pid)
    if not records:
        raise IssuanceError("no-vaccination", "the registry holds no dose for this resident")
    latest = records[-1]
    issued = vaccination_of(keys.issuer, resident, latest, trail.clock.now())
    return _record(session, trail, actor, pid, target, issued, {"dose": latest.dose_number})


def issue_exemption_certificate(session: Session, trail: AuditTrail, keys: IssuingKeys,
                                actor: Principal, pid: str) -> Issued:
    """Issue the certificate of the resident's contraindication in force today."""
    resident, target = _resident(session, keys, actor, pid)
    at = trail.clock.now()
    found = ContraindicationRepository(session).for_person(pid, valid_on=at.date())
    if not found:
        raise IssuanceError("no-contraindication",
                              "the registry holds no contraindication in force for this resident")
    best = strongest(found)
    issued = exemption_of(keys.issuer, resident, best, at)
    return _record(session, trail, actor, pid, target, issued,
                   {"level": best.institution_level})


def health_code_of(issuer: Issuer, resident: Resident, color: CodeColor, at: datetime,
                   ttl: timedelta = HEALTH_CODE_TTL) -> Issued:
    """Sign a health code of ``resident`` in ``color`` (nothing recorded)."""
    return issuer.health_code(_holder(resident), color=color, at=at, ttl=ttl)


def vaccination_of(issuer: Issuer, resident: Resident, dose: VaccinationRecord,
                   at: datetime) -> Issued:
    """Sign the certificate of one dose record of ``resident`` (nothing recorded)."""
    vaccine, manufacturer = _PRODUCT_CODES.get(dose.product, ("J07BX03", dose.product))
    return issuer.vaccination(
        _holder(resident), dose=dose.dose_number, series=dose.series_total, when=dose.date,
        at=at, product=dose.product, vaccine=vaccine, manufacturer=manufacturer)


def exemption_of(issuer: Issuer, resident: Resident, found: Contraindication,
                 at: datetime) -> Issued:
    """Sign the certificate of one contraindication of ``resident`` (nothing recorded)."""
    return issuer.exemption(
        _holder(resident), institution=found.institution,
        institution_level=found.institution_level, reason_category=found.reason_category,
        valid_from=found.valid_from, valid_until=found.valid_until, at=at)


def strongest(found: list[Contraindication]) -> Contraindication:
    """Return the contraindication that counts most: the highest level, then the longest."""
    return max(found, key=lambda c: (c.institution_level, c.valid_until))


def revoke_credential(session: Session, trail: AuditTrail, store: KeyStore, actor: Principal,
                      certificate_id: str) -> None:
    """Revoke an issued credential: mark it, and publish a trust list that lists its hash."""
    require_role(actor, Permission.KEYS_MANAGE)
    issued = IssuedCredentialRepository(session)
    row = issued.get(certificate_id)
    if row is None:
        raise IssuanceError("credential-unknown", f"nothing was issued as {certificate_id}")
    target = resident_target(session, row.pid)
    authorize(actor, Permission.KEYS_MANAGE, target)
    if row.revoked_at is not None:
        # Once is enough: a second revocation would overwrite when it first happened.
        raise IssuanceError("already-revoked", f"{certificate_id} was revoked at "
                            f"{row.revoked_at.isoformat()}")
    at = trail.clock.now()
    issued.mark_revoked(certificate_id, at)
    revoke(store, [certificate_id])
    publish_trust_list(store, at)
    trail.record(actor, "credentials.revoked", row.pid, target.area,
                 {"certificate": certificate_id, "type": row.type})


def _resident(session: Session, keys: IssuingKeys, actor: Principal,
              pid: str) -> tuple[Resident, Target]:
    own = actor.role == "resident" and actor.scope == pid
    permission = Permission.SELF_READ if own else Permission.CREDENTIALS_ISSUE
    target = authorized_target(session, actor, permission, pid)
    resident = ResidentRepository(session).get(pid, keys.cipher)
    assert resident is not None  # resident_target found the row
    return resident, target


def _holder(resident: Resident) -> Holder:
    return Holder.parse(resident.name, resident.birth_date.isoformat(), pid=resident.pid)


def _record(session: Session, trail: AuditTrail, actor: Principal, pid: str, target: Target,
            issued: Issued, detail: dict[str, str | int]) -> Issued:
    kid = base64.b64encode(issued.kid).decode()
    IssuedCredentialRepository(session).add(issued.certificate_id, pid, issued.type.value, kid,
                                            issued.issued_at, issued.expires_at, actor.user_id)
    trail.record(actor, f"credentials.issued.{issued.type.value}", pid, target.area,
                 {"certificate": issued.certificate_id, **detail})
    return issued
