"""The demo district's schools and everyone's posts: pupils, their families, teachers, staff.

Each street has kindergartens (3-5 year olds, 85 % enrolled), primary schools (6-11) and
secondary schools (12-17, 95 %), as many as its children need; the district has a vocational
college that takes 30 % of 18-21 year olds. A pupil's guardian is the school's
``family-member`` (R11: the school checks family members' records). Teachers hold
``first-line-teaching`` posts, one per 10 (kindergarten), 17 (primary), 13 (secondary) or 18
(college) pupils. Other organisations' staff are drawn from the 22-59 year olds of their own
street first, each person employed once.
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

from jointcheck.registry.organisations import Membership, Organisation
from jointcheck.services.demo_people import Person
from jointcheck.services.demo_places import STREETS, Namer, Places

EDUCATION = "坊子区教育和体育局"
WORKING_AGES = (22, 59)
ORDINALS = ("第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九")


class SchoolPlan(NamedTuple):
    """A kind of school: who it takes, how many, and how many pupils a teacher has."""

    key: str
    name: str
    first: str
    category: str
    ages: tuple[int, int]
    enrolment: float
    capacity: int
    pupils_per_teacher: int


SCHOOLS = (
    SchoolPlan("kindergarten", "{s}街道{o}幼儿园", "中心", "kindergarten", (3, 5), 0.85, 300, 10),
    SchoolPlan("primary", "{s}{o}小学", "中心", "primary-school", (6, 11), 1.0, 1200, 17),
    SchoolPlan("secondary", "{s}{o}中学", "", "secondary-school", (12, 17), 0.95, 1500, 13),
)
COLLEGE = SchoolPlan("college", "坊子区职业技术学院", "", "university", (18, 21), 0.3, 10**9, 18)
COLLEGE_STREET = 2


def _school_posts(pupils: int, plan: SchoolPlan) -> tuple[str, ...]:
    teachers = max(1, math.ceil(pupils / plan.pupils_per_teacher))
    others = max(1, round(teachers * 0.1))
    return (("leadership",) * others + ("office",) * others + ("logistics",) * others
            + ("first-line-teaching",) * teachers)


class _Roll:
    """Memberships, each (organisation, person, post) once."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self.memberships: dict[tuple[str, str, str], Membership] = {}

    def add(self, organisation: str, pid: str, post: str) -> None:
        """Give ``pid`` a post in an organisation, unless they hold it already."""
        self.memberships.setdefault((organisation, pid, post),
                                    Membership(organisation, pid, post))

    def enrol(self, organisation: str, pupil: Person) -> None:
        """Enrol a pupil, and make its guardian a family member of the school."""
        self.add(organisation, pupil.pid, "student")
        if pupil.guardian is not None:
            self.add(organisation, self.people[pupil.guardian].pid, "family-member")


def _open_schools(rng: random.Random, places: Places, namer: Namer, plan: SchoolPlan,
                  street_index: int, pupils: list[Person], roll: _Roll) -> None:
    street, _, short = STREETS[street_index]
    enrolled = [p for p in pupils if rng.random() < plan.enrolment]
    count = max(1, math.ceil(len(enrolled) / plan.capacity))
    tag = street.split(".")[1] if plan is not COLLEGE else "fz"
    for n in range(count):
        code = f"{tag}-{plan.key}-{n + 1:02d}"
        name = plan.name.format(s=short, o=plan.first if n == 0 else ORDINALS[n - 1])
        places.organisations.append(Organisation(code, name, "school", "education", EDUCATION,
                                                 street))
        namer.venue(plan.category, name, street_index, code)
        mine = enrolled[n::count]
        places.staffing.append((code, _school_posts(len(mine), plan), street_index))
        for pupil in mine:
            roll.enrol(code, pupil)


def _staff(rng: random.Random, places: Places, people: list[Person], roll: _Roll) -> None:
    pools: list[list[Person]] = [[] for _ in STREETS]
    for person in people:
        if WORKING_AGES[0] <= person.age <= WORKING_AGES[1]:
            pools[person.home.street_index].append(person)
    for pool in pools:
        rng.shuffle(pool)
    for code, posts, street_index in places.staffing:
        # Own street first, then the others in turn: a small district runs out of people.
        order = [pools[(street_index + k) % len(pools)] for k in range(len(pools))]
        for post in posts:
            pool = next((p for p in order if p), [])
            if not pool:
                return
            roll.add(code, pool.pop().pid, post)


def make_memberships(rng: random.Random, places: Places, namer: Namer,
                     people: list[Person]) -> list[Membership]:
    """Add the schools the children need; return every pupil's, family's and worker's post."""
    roll = _Roll(people)
    for street_index in range(len(STREETS)):
        for plan in SCHOOLS:
            low, high = plan.ages
            pupils = [p for p in people
                      if p.home.street_index == street_index and low <= p.age <= high]
            _open_schools(rng, places, namer, plan, street_index, pupils, roll)
    low, high = COLLEGE.ages
    students = [p for p in people if low <= p.age <= high]
    _open_schools(rng, places, namer, COLLEGE, COLLEGE_STREET, students, roll)
    _staff(rng, places, people, roll)
    return list(roll.memberships.values())
