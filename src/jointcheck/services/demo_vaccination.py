"""The demo district's vaccination records and contraindication certificates.

Dates are relative to the demo day: the campaign runs over the 600 days before it, but never
starts before 1 March 2021 (China's mass campaign; every product used here was approved by
then) and never reaches 12-17 year olds before 20 July 2021. Older people and adults come
first, adolescents later, so that the coverage below holds on the demo day for each age band
as it is then (``COVERAGE``). A second dose follows the first after 21 to 56 days; a booster
(dose 3 of 2, or 2 of 1 after Convidecia, same product) comes 180 to 300 days after the primary
series, for a share of those who completed it early enough. Nobody gets a dose before their
12th birthday, nor Convidecia before their 18th. Adolescents who turned 12 only weeks before
the demo day may not have had the time, so their band's coverage lands a point or two below
the plan.

About 1 % of residents hold a contraindication certificate (mostly people who never got a
dose, a few who stopped after one), issued by an institution of level 1, 2 or 3 for one of
the schema's reason categories; some have expired by the demo day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from jointcheck.registry.people import Contraindication, Sex, VaccinationRecord
from jointcheck.services.demo_people import Person, add_years

CAMPAIGN_DAYS = 600
CAMPAIGN_START = date(2021, 3, 1)
ADOLESCENTS_FROM = date(2021, 7, 20)
EARLIEST_DEMO_DAY = date(2021, 9, 1)
"""A demo day earlier than this leaves the campaign too little time to reach its coverage."""

PRODUCT_LAUNCH = {"BBIBP-CorV": date(2020, 12, 31), "CoronaVac": date(2021, 2, 5),
                  "WIBP-CorV": date(2021, 2, 25), "Convidecia": date(2021, 2, 25)}
"""The day each product was approved in China; no dose is dated before it."""
LOT_PREFIX = {"BBIBP-CorV": "B", "CoronaVac": "J", "WIBP-CorV": "W", "Convidecia": "NCOV"}
ADULT_PRODUCTS = (("BBIBP-CorV", 0.45), ("CoronaVac", 0.35), ("WIBP-CorV", 0.12),
                  ("Convidecia", 0.08))
YOUNG_PRODUCTS = (("BBIBP-CorV", 0.55), ("CoronaVac", 0.45))
"""Inactivated vaccines only below 18 (Convidecia was authorised for adults)."""
OLD_PRODUCTS = (("BBIBP-CorV", 0.5), ("CoronaVac", 0.4), ("WIBP-CorV", 0.1))
BOOSTER_AFTER = (180, 300)
SECOND_AFTER = (21, 56)


@dataclass(frozen=True, slots=True)
class Band:
    """An age band's planned coverage on the demo day, and where its doses fall in the campaign.

    ``complete`` and ``partial`` are shares of the band; ``booster`` is the share of those
    complete early enough who take a booster; ``window`` is the part of the campaign (from 0
    to 1) in which first doses are given.
    """

    name: str
    low: int
    high: int
    complete: float
    partial: float
    booster: float
    window: tuple[float, float]
    products: tuple[tuple[str, float], ...]


COVERAGE: tuple[Band, ...] = (
    Band("0-11", 0, 11, 0.0, 0.0, 0.0, (0.0, 0.0), YOUNG_PRODUCTS),
    Band("12-17", 12, 17, 0.75, 0.10, 0.0, (0.35, 0.9), YOUNG_PRODUCTS),
    Band("18-59", 18, 59, 0.85, 0.07, 0.55, (0.0, 0.6), ADULT_PRODUCTS),
    Band("60-79", 60, 79, 0.64, 0.105, 0.40, (0.05, 0.75), OLD_PRODUCTS),
    Band("80+", 80, 200, 0.35, 0.08, 0.25, (0.1, 0.8), OLD_PRODUCTS),
)
"""The coverage plan; 60+ as a whole comes to about 60 % complete and 10 % partial."""

EXEMPT_SHARE = 0.01
EXEMPT_FROM_PARTIAL = 0.15
INSTITUTIONS = {1: "{street}社区卫生服务中心", 2: "坊子区人民医院", 3: "潍坊市立医院"}
INSTITUTION_LEVELS = ((1, 2, 3), (0.2, 0.5, 0.3))
REASONS = {"allergy": 0.35, "immunocompromised": 0.2, "acute-illness": 0.15, "pregnancy": 0.1,
           "other-medical": 0.2}
REASON_DAYS = {"allergy": (365, 730), "immunocompromised": (180, 365),
               "acute-illness": (30, 90), "pregnancy": (200, 280), "other-medical": (180, 365)}


def band_of(age: int) -> Band:
    """Return the coverage band of an age."""
    return next(band for band in COVERAGE if band.low <= age <= band.high)


@dataclass(frozen=True, slots=True)
class Campaign:
    """The days of the campaign before one demo day, and the sites of each street."""

    today: date
    start: date
    sites: tuple[str, ...]
    hospital_site: str
    mass_site: str

    @property
    def days(self) -> int:
        """Return the number of days from the campaign's start to the demo day."""
        return (self.today - self.start).days

    def day(self, fraction: float) -> date:
        """Return the campaign's day at ``fraction`` (0 its start, 1 the demo day)."""
        return self.start + timedelta(days=round(fraction * self.days))


def campaign(today: date, street_names: list[str]) -> Campaign:
    """Return the campaign that ends on the demo day ``today``."""
    if today < EARLIEST_DEMO_DAY:
        raise ValueError(f"the demo day must be {EARLIEST_DEMO_DAY} or later: the campaign "
                         "needs time to reach its coverage")
    start = max(today - timedelta(days=CAMPAIGN_DAYS), CAMPAIGN_START)
    sites = tuple(f"{name}社区卫生服务中心预防接种门诊" for name in street_names)
    return Campaign(today, start, sites, "坊子区人民医院预防接种门诊", "坊子区体育中心临时接种点")


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def _site(rng: random.Random, plan: Campaign, person: Person) -> str:
    roll = rng.random()
    if roll < 0.1:
        return plan.hospital_site
    return plan.mass_site if roll < 0.15 else plan.sites[person.home.street_index]


def _lot(rng: random.Random, product: str, day: date) -> str:
    # Lots come from production a month or two before use, a few lots a month.
    made = (day.replace(day=1) - timedelta(days=rng.choice((1, 32)))).replace(day=1)
    return f"{LOT_PREFIX[product]}{made:%Y%m}{rng.choice((11, 23, 47, 58, 86)):03d}"


def _first_window(band: Band, plan: Campaign, person: Person, product: str,
                  series: int) -> tuple[date, date] | None:
    low = max(plan.day(band.window[0]), add_years(person.born, 12), PRODUCT_LAUNCH[product])
    if band.low < 18:
        low = max(low, ADOLESCENTS_FROM)
    if product == "Convidecia":
        low = max(low, add_years(person.born, 18))
    # A complete two-dose series must fit before the demo day.
    high = min(plan.day(band.window[1]), plan.today - timedelta(days=SECOND_AFTER[1] + 1)
               if series == 2 else plan.today - timedelta(days=1))
    return (low, high) if low <= high else None


def vaccinate(rng: random.Random, plan: Campaign, person: Person) -> list[VaccinationRecord]:
    """Return the doses ``person`` has had by the demo day, following the coverage plan."""
    band = band_of(person.age)
    roll = rng.random()
    if roll >= band.complete + band.partial:
        return []
    complete = roll < band.complete
    product = _pick(rng, band.products)
    if not complete and product == "Convidecia":
        product = "BBIBP-CorV"  # one dose of a one-dose product is not "partial"
    series = 1 if product == "Convidecia" else 2
    window = _first_window(band, plan, person, product, series if complete else 1)
    if window is None and product == "Convidecia":
        # Turned 18 too late for Convidecia: an inactivated vaccine instead.
        product, series = "BBIBP-CorV", 2
        window = _first_window(band, plan, person, product, series if complete else 1)
    if window is None and complete:
        # Turned 12 too late for two doses before the demo day: one so far.
        complete = False
        window = _first_window(band, plan, person, product, 1)
    if window is None:
        return []
    first = window[0] + timedelta(days=round(rng.triangular(0, (window[1] - window[0]).days,
                                                            0)))
    days = [first]
    if complete and series == 2:
        days.append(first + timedelta(days=rng.randint(*SECOND_AFTER)))
    if complete and rng.random() < band.booster:
        last_booster = min((plan.today - days[-1]).days - 1, BOOSTER_AFTER[1])
        if last_booster >= BOOSTER_AFTER[0]:
            days.append(days[-1] + timedelta(days=rng.randint(BOOSTER_AFTER[0], last_booster)))
    return [VaccinationRecord(person.pid, product, number, series, day, _site(rng, plan, person),
                              _lot(rng, product, day))
            for number, day in enumerate(days, start=1)]


def contraindications(rng: random.Random, plan: Campaign, people: list[Person],
                      doses: list[list[VaccinationRecord]],
                      street_names: list[str]) -> list[Contraindication]:
    """Return the certificates of about 1 % of residents (of those 12 or older).

    ``doses`` holds each person's records, by the person's index.
    """
    wanted = round(EXEMPT_SHARE * len(people))
    never = [p for p in people if p.age >= 12 and not doses[p.index]]
    stopped = [p for p in people if p.age >= 12 and len(doses[p.index]) == 1
               and doses[p.index][0].series_total > 1]
    from_stopped = min(len(stopped), round(wanted * EXEMPT_FROM_PARTIAL))
    chosen = (rng.sample(never, min(len(never), wanted - from_stopped))
              + rng.sample(stopped, from_stopped))
    certificates = []
    for number, person in enumerate(sorted(chosen, key=lambda p: p.index), start=1):
        level = rng.choices(*INSTITUTION_LEVELS)[0]
        reason = _pick(rng, tuple(REASONS.items()))
        if reason == "pregnancy" and not (person.sex is Sex.FEMALE and 20 <= person.age <= 45):
            reason = "other-medical"
        valid_from = plan.today - timedelta(days=rng.randint(0, 400))
        valid_until = valid_from + timedelta(days=rng.randint(*REASON_DAYS[reason]))
        institution = INSTITUTIONS[level].format(street=street_names[person.home.street_index])
        certificates.append(Contraindication(
            person.pid, institution, level, reason, valid_from, valid_until,
            f"FZ-CI-{plan.today:%Y}-{number:06d}"))
    return certificates
