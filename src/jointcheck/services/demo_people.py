"""The residents of the demo district: names, national id numbers, ages, households, addresses.

Ages follow the shape of China's 2020 census (five-year groups, uniform within a group), so
0-11 is about 14 %, 12-17 about 7 %, 18-59 about 60 % and 60+ about 19 % of the district.
Names are drawn from Faker's zh_CN lists (family names weighted as Faker weights them) with
this module's own random generator: the same seed gives the same people, thirty times faster
than a Faker call per name. A child lives at the address of an adult of its grid (its
guardian), whose phone it shares until 16.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker.providers.person.zh_CN import Provider as FakerPeople
from faker.providers.phone_number.zh_CN import Provider as FakerPhones

from jointcheck.registry.people import Resident, Sex
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.import_engine import ResidentEntry

FANGZI = "370704"
"""The administrative division code of 坊子区 (Weifang), the prefix of most id numbers."""
BORN_ELSEWHERE = ("370702", "370703", "370705", "370724", "370725", "370781", "370782",
                  "370783", "370784", "370785", "370786", "371302", "370102", "370202")
"""Other divisions of Shandong: a resident born elsewhere keeps their birthplace's code."""
BORN_ELSEWHERE_SHARE = 0.18

# Percent of the population by five-year age group (0-4 ... 85-89, then 90-99), after the
# 2020 census; the groups sum to 99.8.
CENSUS_2020 = (5.5, 6.3, 6.1, 5.1, 5.3, 6.6, 8.8, 7.0, 6.7, 8.2, 8.7, 7.0, 5.2, 5.0, 3.4, 2.2,
               1.5, 0.8, 0.4)
MALE_SHARE = (0.515, 0.47)
"""Share of men under 60 and at 60 and over (women live longer)."""
GUARDIAN_AGES = (22, 55)
OWN_PHONE_FROM = 16

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def id_check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of the first 17 digits of an id number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def is_valid_id_number(number: str) -> bool:
    """Tell whether an 18-character id number has a real birth date and a right check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return id_check_digit(number[:17]) == number[17]


def add_years(day: date, years: int) -> date:
    """Return ``day`` moved by whole years (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


@dataclass(frozen=True, slots=True)
class GridHome:
    """Where a grid's people live: the address up to the residential quarter, and its street."""

    grid: str
    street_index: int
    prefix: str
    buildings: range


@dataclass(slots=True)
class Person:
    """A generated resident before it becomes a registry value."""

    index: int
    age: int
    sex: Sex
    born: date
    home: GridHome
    id_number: str = ""
    pid: str = ""
    name: str = ""
    phone: str = ""
    address: str = ""
    guardian: int | None = None

    def entry(self) -> ResidentEntry:
        """Return the person as the import engine takes a resident."""
        resident = Resident(pid=self.pid, name=self.name, sex=self.sex, birth_date=self.born,
                            phone=self.phone, address=self.address, area=self.home.grid)
        return ResidentEntry(resident, self.id_number)


def _age_weights() -> list[float]:
    weights: list[float] = []
    for group, percent in enumerate(CENSUS_2020):
        span = 10 if group == len(CENSUS_2020) - 1 else 5
        weights.extend([percent / span] * span)
    return weights


AGE_WEIGHTS = tuple(_age_weights())


def _birth_date(rng: random.Random, age: int, today: date) -> date:
    latest = add_years(today, -age)
    earliest = add_years(today, -age - 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


class _Names:
    """Chinese names from Faker's zh_CN lists, drawn with the district's generator."""

    def __init__(self) -> None:
        family = FakerPeople.last_names
        self.family = list(family)
        self.cumulative = list(itertools.accumulate(float(w) for w in family.values()))
        self.given = {Sex.MALE: list(FakerPeople.first_names_male),
                      Sex.FEMALE: list(FakerPeople.first_names_female)}

    def name(self, rng: random.Random, sex: Sex) -> str:
        """Return a family name (weighted by frequency) and a given name for ``sex``."""
        family = rng.choices(self.family, cum_weights=self.cumulative)[0]
        return family + rng.choice(self.given[sex])


def _id_number(rng: random.Random, person: Person, used: set[str]) -> str:
    area = rng.choice(BORN_ELSEWHERE) if rng.random() < BORN_ELSEWHERE_SHARE else FANGZI
    head = f"{area}{person.born:%Y%m%d}"
    # The 17th digit is odd for men and even for women (GB 11643).
    parity = 1 if person.sex is Sex.MALE else 0
    while True:
        sequence = f"{rng.randrange(100):02d}{rng.randrange(5) * 2 + parity}"
        number = head + sequence + id_check_digit(head + sequence)
        if number not in used:
            used.add(number)
            return number


def _phone(rng: random.Random, prefixes: list[int]) -> str:
    return f"{rng.choice(prefixes)}{rng.randrange(100_000_000):08d}"


def _address(rng: random.Random, home: GridHome) -> str:
    building = rng.choice(home.buildings)
    return (f"{home.prefix}{building}号楼{rng.randint(1, 4)}单元"
            f"{rng.randint(1, 18)}0{rng.randint(1, 2)}室")


def make_people(rng: random.Random, count: int, homes: list[GridHome], today: date,
                pseudonym_key: bytes) -> list[Person]:
    """Return ``count`` residents spread over ``homes`` (grids weighted unevenly)."""
    ages = rng.choices(range(len(AGE_WEIGHTS)), weights=AGE_WEIGHTS, k=count)
    grid_weights = [rng.uniform(0.6, 1.4) for _ in homes]
    grids = rng.choices(homes, weights=grid_weights, k=count)
    names, used = _Names(), set[str]()
    prefixes = list(FakerPhones.phonenumber_prefixes)
    people: list[Person] = []
    for index, (age, home) in enumerate(zip(ages, grids, strict=True)):
        male = MALE_SHARE[age >= 60]
        sex = Sex.MALE if rng.random() < male else Sex.FEMALE
        person = Person(index, age, sex, _birth_date(rng, age, today), home)
        person.id_number = _id_number(rng, person, used)
        person.pid = pseudonymise(person.id_number, pseudonym_key)
        person.name = names.name(rng, sex)
        person.phone = _phone(rng, prefixes)
        person.address = _address(rng, home)
        people.append(person)
    _households(rng, people)
    return people


def _households(rng: random.Random, people: list[Person]) -> None:
    """Give each child a guardian of its grid, whose address (and phone) it shares."""
    guardians: dict[str, list[Person]] = {}
    for person in people:
        if GUARDIAN_AGES[0] <= person.age <= GUARDIAN_AGES[1]:
            guardians.setdefault(person.home.grid, []).append(person)
    for person in people:
        if person.age >= 18:
            continue
        candidates = guardians.get(person.home.grid)
        if not candidates:
            continue
        guardian = rng.choice(candidates)
        person.guardian = guardian.index
        person.address = guardian.address
        if person.age < OWN_PHONE_FROM:
            person.phone = guardian.phone
