"""A person's vaccination status on a day, under the policy pack in force: the one reading
of "vaccinated", "exempt" and "eligible" that organisations, follow-up and the survey share.

The statuses exclude one another, so that figures add up to the people counted:

- ``complete``: the primary series is complete under the pack (a booster counts as complete);
- ``exempt``: not complete, with a contraindication certificate that counts under the pack
  (accepted, issued by an institution of the level the pack asks, for a reason it accepts)
  and is in force on the day;
- ``partial``: at least one accepted dose given on or before the day, series not complete,
  no exemption;
- ``not-eligible``: no accepted dose, no exemption, younger than the pack's ``eligible_from``;
- ``unvaccinated``: of eligible age, no accepted dose, no exemption.

A dose of a product the pack does not accept counts as no dose. The order puts what the
person did before what the person is: a partly vaccinated eleven-year-old is ``partial``, an
exempt adult with one dose is ``exempt``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from jointcheck.credentials.model import ExemptionEntry
from jointcheck.rules.facts import DoseTuple, age_on, exemption_facts, vaccination_facts
from jointcheck.rules.policy import PolicyPack


class Status(StrEnum):
    """A person's vaccination status on a day."""

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
    if exempt_on(pack, person.exemptions, day):
        return Status.EXEMPT
    if vaccination["any"]:
        return Status.PARTIAL
    age = age_on(person.birth_date.isoformat(), day)
    if age is not None and age < pack.eligible_from:
        return Status.NOT_ELIGIBLE
    return Status.UNVACCINATED


def exempt_on(pack: PolicyPack, exemptions: Sequence[ExemptionEntry], day: date) -> bool:
    """Tell whether one of ``exemptions`` counts under ``pack`` and is in force on ``day``."""
    if not exemptions:
        return False
    return bool(exemption_facts(pack, exemptions, day)["valid"])


def last_accepted_dose(pack: PolicyPack, doses: Sequence[DoseTuple], day: date) -> date | None:
    """Return the day of the latest dose the pack accepts given on or before ``day``, or None
    when there is none (no dose, or only doses of products the pack does not accept)."""
    if not doses:
        return None
    since = vaccination_facts(pack, doses, day)["days_since_last"]
    return None if since is None else day - timedelta(days=int(since))
