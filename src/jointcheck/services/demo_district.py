"""The synthetic demo district: 坊子区 with its streets, residents, records, places and users.

``generate_district`` is deterministic: the same seed, size, demo day and pseudonym key give
the same district, value for value. Everything in it is a registry value
(``jointcheck.registry``), so it is written by the same code as an import
(``jointcheck.services.demo_seed``). How the parts are made: residents in ``demo_people``,
vaccinations and contraindications in ``demo_vaccination`` (its ``COVERAGE`` is the plan),
areas, organisations and venues in ``demo_places``, schools and posts in ``demo_members``.

The district depends on the demo day (ages and the campaign are counted back from it), so a
demo that reuses its database keeps the day it first seeded with, beside the seed.

The demo's users are plain data, one per role, with passwords derived from the seed: this is
a local demo, and the demo prints them.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from jointcheck.registry.ages import age_on
from jointcheck.registry.areas import Area, AreaLevel
from jointcheck.registry.organisations import Membership, Organisation
from jointcheck.registry.people import Contraindication, VaccinationRecord
from jointcheck.registry.venues import Checkpoint, Venue
from jointcheck.security.access import Role
from jointcheck.security.passwords import check_password_policy
from jointcheck.services.demo_members import make_memberships
from jointcheck.services.demo_people import Person, make_people
from jointcheck.services.demo_places import STREETS, Places, make_layout, make_organisations
from jointcheck.services.demo_vaccination import COVERAGE, band_of, campaign, contraindications
from jointcheck.services.demo_vaccination import vaccinate as vaccinate_person
from jointcheck.services.import_engine import ResidentEntry

__all__ = [
    "DEFAULT_RESIDENTS",
    "DEFAULT_SEED",
    "BandCoverage",
    "DemoDistrict",
    "DemoUser",
    "coverage_by_band",
    "generate_district",
]

DEFAULT_SEED = 2021
DEFAULT_RESIDENTS = 20_000
MIN_RESIDENTS = 200
REFERENCE_SIZE = 20_000
"""The size at which organisations have their nominal staff and venue counts."""
PASSWORD_LENGTH = 14
_UNAMBIGUOUS = "".join(c for c in string.ascii_letters + string.digits if c not in "Il1O0o")


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A user of the demo: login, display name, role, the scope the role names, password."""

    username: str
    display_name: str
    role: Role
    scope: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class DemoDistrict:
    """A generated district: registry values, and the users to create for it."""

    seed: int
    today: date
    areas: tuple[Area, ...]
    residents: tuple[ResidentEntry, ...]
    vaccinations: tuple[VaccinationRecord, ...]
    contraindications: tuple[Contraindication, ...]
    organisations: tuple[Organisation, ...]
    memberships: tuple[Membership, ...]
    venues: tuple[Venue, ...]
    checkpoints: tuple[Checkpoint, ...]
    users: tuple[DemoUser, ...]

    def counts(self) -> dict[str, int]:
        """Return how many values of each kind the district has."""
        return {"areas": len(self.areas), "residents": len(self.residents),
                "vaccinations": len(self.vaccinations),
                "contraindications": len(self.contraindications),
                "organisations": len(self.organisations),
                "memberships": len(self.memberships), "venues": len(self.venues),
                "checkpoints": len(self.checkpoints)}


def generate_district(seed: int = DEFAULT_SEED, residents: int = DEFAULT_RESIDENTS, *,
                      today: date, pseudonym_key: bytes) -> DemoDistrict:
    """Generate the demo district of ``seed`` with ``residents`` people, as of ``today``."""
    if residents < MIN_RESIDENTS:
        raise ValueError(f"a demo district needs at least {MIN_RESIDENTS} residents")
    rng = random.Random(seed)
    places = Places()
    make_layout(rng, places)
    namer = make_organisations(places, residents / REFERENCE_SIZE)
    people = make_people(rng, residents, places.homes, today, pseudonym_key)
    memberships = make_memberships(rng, places, namer, people)
    street_names = [name for _, name, _ in STREETS]
    plan = campaign(today, street_names)
    doses = [vaccinate_person(rng, plan, person) for person in people]
    certificates = contraindications(rng, plan, people, doses, street_names)
    return DemoDistrict(
        seed=seed, today=today, areas=tuple(places.areas),
        residents=tuple(person.entry() for person in people),
        vaccinations=tuple(record for records in doses for record in records),
        contraindications=tuple(certificates), organisations=tuple(places.organisations),
        memberships=tuple(memberships), venues=tuple(places.venues),
        checkpoints=tuple(places.checkpoints),
        users=_users(seed, places, people, doses))


def _password(seed: int, username: str) -> str:
    # A string seed is hashed with SHA-512 by ``random``: stable across runs and platforms.
    rng = random.Random(f"jointcheck-demo/{seed}/{username}")
    chars = [rng.choice(string.ascii_uppercase.replace("I", "").replace("O", "")),
             rng.choice(string.ascii_lowercase.replace("l", "").replace("o", "")),
             rng.choice("23456789"),
             *(rng.choice(_UNAMBIGUOUS) for _ in range(PASSWORD_LENGTH - 3))]
    rng.shuffle(chars)
    password = "".join(chars)
    check_password_policy(password)
    return password


def _users(seed: int, places: Places, people: list[Person],
           doses: list[list[VaccinationRecord]]) -> tuple[DemoUser, ...]:
    street, street_name, _ = STREETS[0]
    grid = next(a for a in places.areas if a.level is AreaLevel.GRID and a.code.startswith(
        street + "."))
    nursing = next(v for v in places.venues if v.category == "nursing-home"
                   and v.street == street)
    school = next(o for o in places.organisations if o.code.endswith("-primary-01")
                  and o.street == street)
    resident = next(p for p in people if 18 <= p.age <= 59 and len(doses[p.index]) >= 2
                    and p.home.street_index == 0)
    rng = random.Random(seed)
    others = [p.name for p in rng.sample(people, 7)]
    grid_name = next(a.name for a in places.areas if a.code == grid.code)
    rows = (
        ("authority", f"{others[0]}（坊子区疾控中心）", Role.HEALTH_AUTHORITY, "fz"),
        ("street1", f"{others[1]}（{street_name}办事处）", Role.STREET_OFFICER, street),
        ("grid1", f"{others[2]}（{grid_name}网格员）", Role.GRID_WORKER, grid.code),
        ("venue1", f"{others[3]}（{nursing.name}）", Role.VENUE_OPERATOR, nursing.code),
        ("school1", f"{others[4]}（{school.name}）", Role.ORG_ADMIN, school.code),
        ("industry1", f"{others[5]}（坊子区市场监督管理局·餐饮）", Role.INDUSTRY_SUPERVISOR,
         "catering"),
        ("inspector1", f"{others[6]}（坊子区卫生监督所）", Role.INSPECTOR, "fz"),
        ("resident1", resident.name, Role.RESIDENT, resident.pid),
    )
    return tuple(DemoUser(username, name, role, scope, _password(seed, username))
                 for username, name, role, scope in rows)


@dataclass(frozen=True, slots=True)
class BandCoverage:
    """How many people of an age band have had no dose, part of, all of, and more than a series."""

    band: str
    people: int
    none: int
    partial: int
    complete: int
    booster: int

    def share(self, level: str) -> float:
        """Return the share of the band at ``level`` (``none``, ``partial``...)."""
        count: int = getattr(self, level)
        return count / self.people if self.people else 0.0


def coverage_by_band(district: DemoDistrict) -> list[BandCoverage]:
    """Count the district's vaccination levels on its demo day, by the age bands of the plan.

    ``complete`` includes those with a booster; ``booster`` counts them again on their own.
    """
    doses: Counter[str] = Counter()
    series: dict[str, int] = {}
    for record in district.vaccinations:
        doses[record.pid] += 1
        series[record.pid] = record.series_total
    people: Counter[str] = Counter()
    levels: Counter[tuple[str, str]] = Counter()
    for entry in district.residents:
        pid = entry.resident.pid
        band = band_of(age_on(entry.resident.birth_date, district.today)).name
        people[band] += 1
        given = doses[pid]
        level = "none" if not given else "partial" if given < series[pid] else "complete"
        levels[band, level] += 1
        if given > series.get(pid, 9):
            levels[band, "booster"] += 1
    return [BandCoverage(band.name, people[band.name], levels[band.name, "none"],
                         levels[band.name, "partial"], levels[band.name, "complete"],
                         levels[band.name, "booster"]) for band in COVERAGE]
