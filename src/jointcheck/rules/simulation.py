"""What a policy would do before it is enacted: decide for a whole population, count per street.

Each person of the population (birth date, doses, exemption, street) is decided at every venue
category by the same rules the door uses (:func:`jointcheck.rules.decision.decide_facts`), with
a green health code: the simulation shows what the vaccination policy itself does, not the
day's code colours. Categories that share a rule share one evaluation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from jointcheck.credentials.model import COVID_19, ExemptionEntry
from jointcheck.errors import PolicyError
from jointcheck.rules.decision import rule_outcome
from jointcheck.rules.facts import Dose, person_facts
from jointcheck.rules.policy import Outcome, PolicyPack

POPULATION_COLUMNS = ("person", "birth_date", "street", "doses", "exemption_level",
                      "exemption_valid_from", "exemption_valid_until")
OUTCOMES = tuple(o.value for o in Outcome)
_BIRTH_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person of a population as the registry knows them."""

    key: str
    birth_date: str
    street: str
    doses: tuple[Dose, ...] = ()
    exemptions: tuple[ExemptionEntry, ...] = ()


@dataclass
class SimulationResult:
    """Counts of outcomes per (street, venue category), and the people counted per street."""

    pack_id: str
    pack_version: str
    at: datetime
    counts: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    people: Counter[str] = field(default_factory=Counter)

    def rows(self) -> Iterator[dict[str, object]]:
        """Yield one row per street and category: the outcome counts, sorted."""
        for (street, category), counter in sorted(self.counts.items()):
            yield {"street": street, "venue_category": category,
                   **{outcome: counter.get(outcome, 0) for outcome in OUTCOMES}}


def parse_population(rows: Iterable[Mapping[str, str | None]]) -> Iterator[PersonRecord]:
    """Read population rows (CSV dictionaries); raise ``PolicyError`` naming the bad line.

    Given a ``csv.DictReader``, the line is the file's own (blank lines and quoted line breaks
    counted); otherwise rows are numbered from 2, after a header.
    """
    for count, row in enumerate(rows, start=2):
        line = getattr(rows, "line_num", None) or count
        try:
            yield _person(row)
        except (KeyError, ValueError) as error:
            raise PolicyError("population-invalid",
                              f"population line {line}: {_why(error)}") from error


def _why(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"column {error.args[0]} is missing"
    return str(error)


def _field(row: Mapping[str, str | None], column: str, required: bool = True) -> str:
    value = row[column] if required else row.get(column)
    text = (value or "").strip()
    if required and not text:
        raise ValueError(f"{column} is empty")
    return text


def _date(row: Mapping[str, str | None], column: str, text: str | None = None) -> date:
    text = _field(row, column) if text is None else text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date (YYYY-MM-DD)") from None


def _person(row: Mapping[str, str | None]) -> PersonRecord:
    birth = _field(row, "birth_date")
    if not _BIRTH_DATE.fullmatch(birth) or (len(birth) == 10 and not _valid_date(birth)):
        raise ValueError(f"birth_date {birth!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    street = _field(row, "street")
    doses = []
    for spec in _split(row.get("doses")):
        product, at, day = spec.rpartition("@")
        if not at or not product:
            raise ValueError(f"doses: {spec!r} is not PRODUCT@YYYY-MM-DD")
        doses.append(Dose(product, 0, _date(row, "doses", day)))
    doses.sort(key=lambda d: d.day)
    return PersonRecord(_field(row, "person", required=False), birth, street,
                        tuple(Dose(d.product, n, d.day) for n, d in enumerate(doses, start=1)),
                        _exemptions(row))


def _exemptions(row: Mapping[str, str | None]) -> tuple[ExemptionEntry, ...]:
    level = _field(row, "exemption_level", required=False)
    if not level:
        return ()
    if level not in ("1", "2", "3"):
        raise ValueError(f"exemption_level {level!r} is not 1, 2 or 3")
    start = _date(row, "exemption_valid_from")
    until = _date(row, "exemption_valid_until")
    if until < start:
        raise ValueError("exemption_valid_until is before exemption_valid_from")
    return (ExemptionEntry(COVID_19, "", int(level), "other-medical", start, until, "CN",
                           ""),)


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def simulate(pack: PolicyPack, people: Iterable[PersonRecord], at: datetime,
             categories: Iterable[str] | None = None) -> SimulationResult:
    """Decide every person at every venue category (or those given) and count the outcomes."""
    chosen = list(categories) if categories is not None else list(pack.categories)
    by_rule: dict[str, list[str]] = {}
    for category in chosen:
        by_rule.setdefault(pack.rule_for(category).id, []).append(category)
    result = SimulationResult(pack.id, pack.version, at)
    for person in people:
        facts = person_facts(pack, birth_date=person.birth_date, doses=person.doses,
                             exemptions=person.exemptions, color="green", at=at)
        result.people[person.street] += 1
        for rule_id, names in by_rule.items():  # categories sharing a rule share the outcome
            outcome = rule_outcome(pack.rules[rule_id], facts).value
            for category in names:
                key = (person.street, category)
                counter = result.counts.get(key)
                if counter is None:
                    counter = result.counts[key] = Counter()
                counter[outcome] += 1
    return result
