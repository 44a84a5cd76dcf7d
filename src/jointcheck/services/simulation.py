"""Simulate a policy pack on the registry: what it would do to the district's residents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy.orm import Session

from jointcheck.credentials.model import COVID_19, ExemptionEntry
from jointcheck.registry.areas import street_of
from jointcheck.rules.facts import Dose
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.simulation import PersonRecord, SimulationResult, simulate
from jointcheck.storage.repositories.population import PersonRow, PopulationRepository


def person_record(row: PersonRow) -> PersonRecord:
    """Return the simulation's view of one stored resident."""
    doses = tuple(Dose(product, number, day) for product, number, day in row.doses)
    exemptions = tuple(
        ExemptionEntry(COVID_19, "", level, reason, start, until, "CN", certificate_id)
        for level, reason, start, until, certificate_id in row.exemptions)
    return PersonRecord(row.pid, row.birth_date.isoformat(), street_of(row.area_code), doses,
                        exemptions)


def registry_population(session: Session, scope: str | None = None) -> Iterator[PersonRecord]:
    """Yield every resident of the registry (in ``scope``) as the simulation reads them."""
    for row in PopulationRepository(session).people(scope):
        yield person_record(row)


def simulate_registry(session: Session, pack: PolicyPack, at: datetime,
                      categories: Iterable[str] | None = None,
                      scope: str | None = None) -> SimulationResult:
    """Count what ``pack`` would decide at ``at`` for the registry's residents, per street."""
    return simulate(pack, registry_population(session, scope), at, categories)
