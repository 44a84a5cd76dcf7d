"""The facts a policy rule looks at: age, vaccination level, exemption, health-code colour.

Credentials (or registry records, in a simulation) are reduced to one small JSON object, the
same whatever format the certificate came in (EU DCC, SMART Health Card, the registry), and the
pack's CertLogic conditions are evaluated on it::

    person.age, person.eligible, person.adult
    vaccination.doses, .any, .complete, .booster, .level, .days_since_last, .complete_from
    exemption.present, .valid, .level, .until, .problem
    code.color
    external.validationClock, external.eligibleFrom, external.adultFrom

Only doses of products the pack accepts count, and only once they were given on or before
the day of the check. A dose completes the primary series when its number reaches the
product's series in the pack (not the series the certificate states: the pack is the policy)
and ``days_after_complete`` days have passed since it; a later dose is a booster after
``days_after_booster`` days. Ages are in the pack's time zone; a partial birth date (a year,
or a year and month) is read as its earliest day, so a person is never younger than they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from jointcheck.credentials.model import ExemptionEntry
from jointcheck.rules.policy import PolicyPack

LEVELS = ("none", "partial", "complete", "booster")


class Dose(NamedTuple):
    """One vaccine dose: the product code, its number in the person's schedule, and its day."""

    product: str
    number: int
    day: date


def age_on(birth_date: str, day: date) -> int | None:
    """Return the age in whole years on ``day``, or ``None`` if the birth date is unreadable."""
    if len(birth_date) == 10:
        try:  # the common case, a full ISO date
            born = date.fromisoformat(birth_date)
        except ValueError:
            return None
        if born > day:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    parts = birth_date.strip().split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 and parts[1] else 1
        dom = int(parts[2][:2]) if len(parts) > 2 and parts[2] else 1
        born = date(year, month, dom)
    except (ValueError, IndexError):
        return None
    if born > day:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def vaccination_facts(pack: PolicyPack, doses: Iterable[Dose], day: date) -> dict[str, Any]:
    """Return the vaccination facts of the doses that count under ``pack`` on ``day``."""
    index = pack.product_index
    complete_from: date | None = None
    booster = False
    last: date | None = None
    top = 0
    for dose in doses:
        product = index.get(dose.product)
        if product is None or dose.day > day:
            continue
        number = dose.number
        top = max(top, number)
        if last is None or dose.day > last:
            last = dose.day
        if number >= product.series:
            ready = dose.day + product.complete_delay
            complete_from = ready if complete_from is None or ready < complete_from else \
                complete_from
            if number > product.series:
                booster |= (day - dose.day).days >= product.days_after_booster
    if last is None:
        return {"doses": 0, "any": False, "complete": False, "booster": False, "level": "none",
                "days_since_last": None, "complete_from": None}
    complete = complete_from is not None and complete_from <= day
    booster = booster and complete
    return {
        "doses": top, "any": True, "complete": complete, "booster": booster,
        "level": "booster" if booster else "complete" if complete else "partial",
        "days_since_last": (day - last).days,
        "complete_from": complete_from.isoformat() if complete_from else None,
    }


def exemption_facts(pack: PolicyPack, exemptions: Sequence[ExemptionEntry], day: date,
                    expired: Sequence[ExemptionEntry] = ()) -> dict[str, Any]:
    """Return whether a contraindication certificate that counts under ``pack`` is shown.

    ``expired`` are exemptions whose certificate has expired: shown, but never valid.
    """
    if not exemptions and not expired:
        return _no_exemption()
    problems = [(_exemption_problem(pack, e, day), e) for e in exemptions]
    if expired:
        problems += [("expired", e) for e in expired]
    good = [item for item in problems if item[0] is None]
    problem, best = max(good or problems, key=lambda item: (item[1].institution_level,
                                                            item[1].valid_until))
    return {
        "present": True, "valid": bool(good), "level": best.institution_level,
        "until": best.valid_until.isoformat(), "problem": problem,
    }


def _no_exemption() -> dict[str, Any]:
    return {"present": False, "valid": False, "level": 0, "until": None, "problem": None}


def _exemption_problem(pack: PolicyPack, entry: ExemptionEntry, day: date) -> str | None:
    policy = pack.exemptions
    if not policy.accepted:
        return "not-accepted"
    if entry.institution_level < policy.min_institution_level:
        return "level-too-low"
    if policy.reasons is not None and entry.reason_category not in policy.reasons:
        return "reason-not-accepted"
    if day < entry.valid_from:
        return "not-yet-valid"
    if day > entry.valid_until:
        return "expired"
    return None


def person_facts(pack: PolicyPack, *, birth_date: str, doses: Iterable[Dose],
                 exemptions: Sequence[ExemptionEntry], color: str, at: datetime,
                 expired_exemptions: Sequence[ExemptionEntry] = ()) -> dict[str, Any]:
    """Return the facts of one person at the instant ``at`` (the data of the pack's rules)."""
    day, clock = _local_day_and_text(pack, at)
    age = age_on(birth_date, day)
    # An unreadable birth date is read as an adult's: the policy's strictest age group.
    known = age if age is not None else pack.adult_from
    return {
        "person": {"age": age, "eligible": known >= pack.eligible_from,
                   "adult": known >= pack.adult_from},
        "vaccination": vaccination_facts(pack, doses, day),
        "exemption": exemption_facts(pack, exemptions, day, expired_exemptions)
        if exemptions or expired_exemptions else _no_exemption(),
        "code": {"color": color},
        "external": {"validationClock": clock, "eligibleFrom": pack.eligible_from,
                     "adultFrom": pack.adult_from},
    }


_LAST: list[Any] = [None, None, None, None]  # pack, instant, its local day, its ISO text


def _local_day_and_text(pack: PolicyPack, at: datetime) -> tuple[date, str]:
    # A checkpoint decides many people at one instant of its clock (and a simulation, a whole
    # district): the local day and the text of that instant are made once for it.
    last = _LAST
    if last[1] is not at or last[0] is not pack:
        last[:] = [pack, at, at.astimezone(pack.timezone).date(), at.isoformat()]
    return last[2], last[3]
