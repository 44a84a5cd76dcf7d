"""Check a person without a smartphone by identity number, from the registry, at the door.

An authorised operator (``checks.lookup``) types the number from the person's identity
document. The server finds the resident by pseudonym and decides exactly as a scan of the
codes the registry would issue decides: it signs those codes in memory (the health code in the
resident's colour, the certificate of the latest dose, a contraindication in force), verifies
them against its own trust list and runs :func:`jointcheck.rules.decision.decide`. The codes
never leave the server and nothing is recorded as issued; the operator sees the decision,
name and birth year only, as for a scan, and the lookup is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.credentials.model import CodeColor
from jointcheck.errors import NotFoundError
from jointcheck.rules.decision import Decision, decide
from jointcheck.rules.policy import PolicyPack
from jointcheck.security.access import Permission, Principal, Target, authorize
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.services.issuance import (
    exemption_of,
    health_code_of,
    strongest,
    vaccination_of,
)
from jointcheck.storage.repositories.credentials import HealthCodeRepository
from jointcheck.storage.repositories.residents import (
    ContraindicationRepository,
    ResidentRepository,
)
from jointcheck.storage.repositories.vaccinations import VaccinationRepository
from jointcheck.trust.issuer import Issuer
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import Verification, verify


class LookupResult(NamedTuple):
    """The decision for a looked-up person and the verifications it was made on."""

    decision: Decision
    verifications: list[Verification]


def decide_by_id_number(session: Session, trail: AuditTrail, keys: RegistryKeys,
                        issuer: Issuer, trust: TrustStore, pack: PolicyPack,
                        principal: Principal, venue: str, category: str, id_number: str,
                        at: datetime) -> LookupResult:
    """Decide entry for the resident with ``id_number`` at ``venue``; audit the lookup.

    Raises ``AccessDenied`` without ``checks.lookup`` on the venue, and ``NotFoundError``
    (``resident-unknown``) when the registry has no such resident: the operator then checks
    the person's codes or registers them.
    """
    authorize(principal, Permission.CHECKS_LOOKUP, Target(venue=venue))
    try:
        pid = pseudonymise(id_number, keys.pseudonym_key)
    except ValueError:
        raise NotFoundError("resident-unknown", "no identity number was given") from None
    resident = ResidentRepository(session).get(pid, keys.cipher)
    if resident is None:
        raise NotFoundError("resident-unknown",
                            "the registry has no resident with this identity number")
    trail.record(principal, "checks.lookup", pid, resident.area, {"venue": venue})
    color = CodeColor(HealthCodeRepository(session).color_of(pid))
    codes = [health_code_of(issuer, resident, color, at).text]
    doses = VaccinationRepository(session).for_person(pid)
    if doses:
        codes.append(vaccination_of(issuer, resident, doses[-1], at).text)
    today = at.astimezone(pack.timezone).date()
    in_force = ContraindicationRepository(session).for_person(pid, valid_on=today)
    if in_force:
        codes.append(exemption_of(issuer, resident, strongest(in_force), at).text)
    verifications = [verify(text, trust, at) for text in codes]
    return LookupResult(decide(pack, verifications, category, at), verifications)
