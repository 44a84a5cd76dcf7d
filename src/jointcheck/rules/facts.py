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
from jointcheck.rules.instants import local_time
from jointcheck.rules.policy import PolicyPack

LEVELS = ("none", "partial", "complete", "booster")

# The facts of no dose and of no exemption, in the order of fact_vector.FACT_PATHS.
_NO_VACCINATION = (0, False, False, False, "none", None, None)
_NO_EXEMPTION = (False, False, 0, None, None)
_NOT_ACCEPTED = (0, 0, 0, None, 0)  # what a dose of a product the pack does not accept means
_LAST_DAY = date.max.toordinal()
DOSE_MEMO_SIZE = 16384


class Dose(NamedTuple):
    """One vaccine dose: the product code, its number in the person's schedule, and its day."""

    product: str
    number: int
    day: date


DoseTuple = tuple[str, int, date]  # a Dose, or a plain tuple of the same three values


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


def vaccination_facts(pack: PolicyPack, doses: Iterable[DoseTuple],
                      day: date) -> dict[str, Any]:
    """Return the vaccination facts of the doses that count under ``pack`` on ``day``."""
    top, any_, complete, booster, level, since, complete_from = _vaccination(pack, doses, day)
    return {"doses": top, "any": any_, "complete": complete, "booster": booster, "level": level,
            "days_since_last": since, "complete_from": complete_from}


def _vaccination(pack: PolicyPack, doses: Iterable[DoseTuple],
                 day: date) -> tuple[int, bool, bool, bool, str, int | None, str | None]:
    known = pack.dose_facts
    today = day.toordinal()
    complete_from = 0  # an ordinal; 0 is no date
    complete_text: str | None = None
    booster = False
    last = 0
    top = 0
    for dose in doses:
        found = known.get(dose) or _dose(pack, dose)
        if found is _NOT_ACCEPTED:
            continue
        number, given, ready, ready_text, booster_from = found
        if given > today:
            continue
        top = number if number > top else top  # (conditional expressions: no calls)
        last = given if given > last else last
        if ready:
            if ready_text is None:  # as date arithmetic does past 9999-12-31
                raise OverflowError("date value out of range")
            if not complete_from or ready < complete_from:
                complete_from, complete_text = ready, ready_text
            if booster_from and not booster:
                booster = booster_from <= today
    if not last:
        return _NO_VACCINATION
    complete = 0 < complete_from <= today
    booster = booster and complete
    return (top, True, complete, booster,
            "booster" if booster else "complete" if complete else "partial",
            today - last, complete_text)


def _dose(pack: PolicyPack, dose: DoseTuple) -> tuple[int, int, int, str | None, int]:
    # What a dose means under the pack, whoever had it: its number, the ordinals of its day,
    # of the day it completes the primary series (0: it does not) and of the day it is a
    # booster from (0: it is not), and the ISO text of the day it completes. Doses of one
    # product on one day are many at a door; what they mean is worked out once.
    code, number, given = dose
    product = pack.product_index.get(code)
    if product is None:
        found: tuple[int, int, int, str | None, int] = _NOT_ACCEPTED
    else:
        day = given.toordinal()
        ready = booster_from = 0
        ready_text = None
        if number >= product.series:
            ready = day + product.days_after_complete
            ready_text = date.fromordinal(ready).isoformat() if ready <= _LAST_DAY else None
            if number > product.series:
                booster_from = day + product.days_after_booster
        found = (number, day, ready, ready_text, booster_from)
    if len(pack.dose_facts) < DOSE_MEMO_SIZE:
        pack.dose_facts[dose] = found
    return found


def exemption_facts(pack: PolicyPack, exemptions: Sequence[ExemptionEntry], day: date,
                    expired: Sequence[ExemptionEntry] = ()) -> dict[str, Any]:
    """Return whether a contraindication certificate that counts under ``pack`` is shown.

    ``expired`` are exemptions whose certificate has expired: shown, but never valid.
    """
    present, valid, level, until, problem = _exemption(pack, exemptions, day, expired)
    return {"present": present, "valid": valid, "level": level, "until": until,
            "problem": problem}


def _exemption(pack: PolicyPack, exemptions: Sequence[ExemptionEntry], day: date,
               expired: Sequence[ExemptionEntry]) -> tuple[bool, bool, int, str | None,
                                                            str | None]:
    if not expired and len(exemptions) == 1:  # the usual case: one certificate, in date
        entry = exemptions[0]
        problem = _exemption_problem(pack, entry, day)
        return (True, problem is None, entry.institution_level, entry.valid_until.isoformat(),
                problem)
    if not exemptions and not expired:
        return _NO_EXEMPTION
    problems = [(_exemption_problem(pack, e, day), e) for e in exemptions]
    if expired:
        problems += [("expired", e) for e in expired]
    good = [item for item in problems if item[0] is None]
    problem, best = max(good or problems, key=lambda item: (item[1].institution_level,
                                                            item[1].valid_until))
    return True, bool(good), best.institution_level, best.valid_until.isoformat(), problem


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


def person_facts(pack: PolicyPack, *, birth_date: str, doses: Iterable[DoseTuple],
                 exemptions: Sequence[ExemptionEntry], color: str, at: datetime,
                 expired_exemptions: Sequence[ExemptionEntry] = ()) -> dict[str, Any]:
    """Return the facts of one person at the instant ``at`` (the data of the pack's rules)."""
    _, day, clock = local_time(pack, at)
    return facts_and_vector(pack, birth_date, doses, exemptions, expired_exemptions, color,
                            day, clock)[0]


def facts_and_vector(pack: PolicyPack, birth_date: str, doses: Iterable[DoseTuple],
                     exemptions: Sequence[ExemptionEntry],
                     expired_exemptions: Sequence[ExemptionEntry], color: str, day: date,
                     clock: str) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """Return a person's facts on the local ``day`` at ``clock``, and the same values flat.

    The vector lists the same values in the order of
    :data:`jointcheck.rules.fact_vector.FACT_PATHS`.
    """
    age = age_on(birth_date, day)
    # An unreadable birth date is read as an adult's: the policy's strictest age group.
    known = age if age is not None else pack.adult_from
    eligible_from, adult_from = pack.eligible_from, pack.adult_from
    eligible, adult = known >= eligible_from, known >= adult_from
    top, any_, complete, booster, level, since, complete_from = _vaccination(pack, doses, day)
    present, valid, institution, until, problem = _exemption(
        pack, exemptions, day, expired_exemptions) if exemptions or expired_exemptions else \
        _NO_EXEMPTION
    facts = {
        "person": {"age": age, "eligible": eligible, "adult": adult},
        "vaccination": {"doses": top, "any": any_, "complete": complete, "booster": booster,
                        "level": level, "days_since_last": since,
                        "complete_from": complete_from},
        "exemption": {"present": present, "valid": valid, "level": institution,
                      "until": until, "problem": problem},
        "code": {"color": color},
        "external": {"validationClock": clock, "eligibleFrom": eligible_from,
                     "adultFrom": adult_from},
    }
    return facts, (age, eligible, adult, top, any_, complete, booster, level, since,
                   complete_from, present, valid, institution, until, problem, color, clock,
                   eligible_from, adult_from)
