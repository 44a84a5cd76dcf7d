"""A member's vaccination status on a day, under the policy pack in force.

The statuses exclude one another, so that figures add up to the members:

- ``complete``: the primary series is complete under the pack (a booster counts as complete);
- ``exempt``: not complete, with a contraindication certificate that counts under the pack
  and is in force on the day;
- ``partial``: at least one accepted dose, series not complete, no exemption;
- ``not-eligible``: no accepted dose, no exemption, younger than the pack's ``eligible_from``;
- ``unvaccinated``: of eligible age, no accepted dose, no exemption.

The order puts what the person did before what the person is: a partly vaccinated
eleven-year-old is ``partial``, an exempt adult with one dose is ``exempt``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jointcheck.credentials.model import ExemptionEntry
from jointcheck.errors import JointcheckError
from jointcheck.rules.facts import DoseTuple, age_on, exemption_facts, vaccination_facts
from jointcheck.rules.policy import PolicyPack


class OrganisationError(JointcheckError, ValueError):
    """A roster, a post check, a school investigation or a meeting check is malformed.

    Codes: ``bad-csv`` (a roster file line), ``unknown-person``, ``duplicate-member``,
    ``not-a-member``, ``not-a-school``, ``investigation-exists``, ``bad-day``, ``bad-kind``,
    ``bad-attendees``, ``unknown-attendee``.
    """

    stage = "organisation"


class Status(StrEnum):
    """A member's vaccination status on a day."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    UNVACCINATED = "unvaccinated"
    EXEMPT = "exempt"
    NOT_ELIGIBLE = "not-eligible"


STATUSES: tuple[Status, ...] = tuple(Status)


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the registry knows of one person that a status needs: no name, no id number."""

    pid: str
    birth_date: date
    doses: tuple[DoseTuple, ...] = ()
    exemptions: tuple[ExemptionEntry, ...] = ()


def status_of(pack: PolicyPack, person: PersonFacts, day: date) -> Status:
    """Return the status of ``person`` on the local ``day`` under ``pack``."""
    vaccination = vaccination_facts(pack, person.doses, day)
    if vaccination["complete"]:
        return Status.COMPLETE
    if _exempt(pack, person.exemptions, day):
        return Status.EXEMPT
    if vaccination["any"]:
        return Status.PARTIAL
    age = age_on(person.birth_date.isoformat(), day)
    if age is not None and age < pack.eligible_from:
        return Status.NOT_ELIGIBLE
    return Status.UNVACCINATED


def _exempt(pack: PolicyPack, exemptions: Sequence[ExemptionEntry], day: date) -> bool:
    if not exemptions:
        return False
    return bool(exemption_facts(pack, exemptions, day)["valid"])
