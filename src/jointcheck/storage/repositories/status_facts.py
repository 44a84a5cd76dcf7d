"""What a person's vaccination status needs from the registry (``jointcheck.rules.status``):
birth date, doses and contraindication certificates, read by pid without decrypting anything.

Organisations, follow-up and the survey read their people through here, so that all of them
classify the same rows the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from jointcheck.credentials.model import COVID_19, ExemptionEntry
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.status import PersonFacts
from jointcheck.storage.models import ContraindicationRow, ResidentRow, VaccinationRow
from jointcheck.storage.repositories._chunks import chunked, distinct


def exemption_entry(row: ContraindicationRow) -> ExemptionEntry:
    """Return a stored contraindication certificate as the rules read an exemption."""
    return ExemptionEntry(COVID_19, row.institution, row.institution_level, row.reason_category,
                          row.valid_from, row.valid_until, "CN", row.certificate_id)


def accepted_dose(pid: Any, pack: PolicyPack, on: date) -> Any:
    """Return the SQL condition that ``pid`` has a dose of a product ``pack`` accepts given
    on or before ``on``: exactly what makes ``vaccination.any`` true in the rules."""
    return exists().where(VaccinationRow.pid == pid,
                          VaccinationRow.product.in_(sorted(pack.product_index)),
                          VaccinationRow.vaccinated_on <= on)


def person_facts(session: Session, pids: Iterable[str]) -> dict[str, PersonFacts]:
    """Return the birth date, doses and contraindications of each stored pid among ``pids``
    (doses oldest first; a pid not in the registry is left out)."""
    found: dict[str, PersonFacts] = {}
    for batch in chunked(distinct(list(pids))):
        born: dict[str, date] = {
            pid: birth_date for pid, birth_date in session.execute(
                select(ResidentRow.pid, ResidentRow.birth_date)
                .where(ResidentRow.pid.in_(batch)))}
        doses: dict[str, list[tuple[str, int, date]]] = {}
        for pid, product, number, day in session.execute(
                select(VaccinationRow.pid, VaccinationRow.product,
                       VaccinationRow.dose_number, VaccinationRow.vaccinated_on)
                .where(VaccinationRow.pid.in_(batch))
                .order_by(VaccinationRow.pid, VaccinationRow.vaccinated_on)):
            doses.setdefault(pid, []).append((product, number, day))
        exemptions: dict[str, list[ExemptionEntry]] = {}
        for row in session.scalars(select(ContraindicationRow)
                                   .where(ContraindicationRow.pid.in_(batch))):
            exemptions.setdefault(row.pid, []).append(exemption_entry(row))
        for pid, birth_date in born.items():
            found[pid] = PersonFacts(pid, birth_date, tuple(doses.get(pid, ())),
                                     tuple(exemptions.get(pid, ())))
    return found
