"""The whole population as a policy simulation reads it: birth date, street, doses, exemptions.

Three queries ordered by pid (residents, vaccinations, contraindications) are merged as they
stream, so a district of a million residents is read in constant memory, without decrypting
anything: a simulation needs no name.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointcheck.storage.models import ContraindicationRow, ResidentRow, VaccinationRow
from jointcheck.storage.repositories._sql import within

STREAM_BATCH = 5_000


class PersonRow(NamedTuple):
    """One resident's clear facts: no name, no id number."""

    pid: str
    birth_date: date
    area_code: str
    doses: tuple[tuple[str, int, date], ...]
    exemptions: tuple[tuple[int, str, date, date, str], ...]


def _within(statement: Any, column: Any, scope: str | None) -> Any:
    return statement if scope is None else statement.where(within(column, scope))


class PopulationRepository:
    """Stream residents with their doses and contraindications, ordered by pid."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def people(self, scope: str | None = None) -> Iterator[PersonRow]:
        """Yield every resident in ``scope`` (an area code and what lies in it), or everyone."""
        residents = _within(select(ResidentRow.pid, ResidentRow.birth_date,
                                   ResidentRow.area_code), ResidentRow.area_code, scope)
        doses = select(VaccinationRow.pid, VaccinationRow.product, VaccinationRow.dose_number,
                       VaccinationRow.vaccinated_on)
        exemptions = select(ContraindicationRow.pid, ContraindicationRow.institution_level,
                            ContraindicationRow.reason_category, ContraindicationRow.valid_from,
                            ContraindicationRow.valid_until, ContraindicationRow.certificate_id)
        dose_rows = self._stream(doses.order_by(VaccinationRow.pid))
        exemption_rows = self._stream(exemptions.order_by(ContraindicationRow.pid))
        next_dose, next_exemption = next(dose_rows, None), next(exemption_rows, None)
        for pid, born, area in self._stream(residents.order_by(ResidentRow.pid)):
            given: list[tuple[str, int, date]] = []
            while next_dose is not None and next_dose[0] <= pid:
                if next_dose[0] == pid:
                    given.append((next_dose[1], next_dose[2], next_dose[3]))
                next_dose = next(dose_rows, None)
            held: list[tuple[int, str, date, date, str]] = []
            while next_exemption is not None and next_exemption[0] <= pid:
                if next_exemption[0] == pid:
                    held.append(tuple(next_exemption[1:]))
                next_exemption = next(exemption_rows, None)
            yield PersonRow(pid, born, area, tuple(given), tuple(held))

    def _stream(self, statement: Any) -> Iterator[Any]:
        result = self.session.execute(statement.execution_options(yield_per=STREAM_BATCH))
        yield from result
