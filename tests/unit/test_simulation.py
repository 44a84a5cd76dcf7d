"""Simulating a pack on a population: exact counts per street and venue category, bad rows."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from jointcheck.clock import parse_instant
from jointcheck.errors import PolicyError
from jointcheck.rules.pack_files import shipped_pack
from jointcheck.rules.simulation import OUTCOMES, PersonRecord, parse_population, simulate
from jointcheck.rules.venues import VENUE_CATEGORIES

AT = parse_instant("2021-09-10T10:00:00+08:00")
HEADER = "person,birth_date,street,doses,exemption_level,exemption_valid_from," \
         "exemption_valid_until"
POPULATION = f"""{HEADER}
a1,1980-01-01,Fengshan,,,,
a2,2015-03-01,Fengshan,,,,
a3,1975-06-30,Fengshan,BBIBP-CorV@2021-06-01;BBIBP-CorV@2021-05-01,,,
b1,1990-02-02,Huangqibao,CoronaVac@2021-08-20,,,
b2,1950-07-07,Huangqibao,,2,2021-08-01,2022-02-01
b3,1960-08-08,Huangqibao,,1,2021-08-01,2022-02-01
"""


def people(text: str = POPULATION) -> list[PersonRecord]:
    return list(parse_population(csv.DictReader(io.StringIO(text))))


def counts(**outcomes: int) -> dict[str, int]:
    return {o: outcomes.get(o, 0) for o in OUTCOMES}


# street -> category -> outcome counts, for fangzi-2021 on 2021-09-10
EXPECTED = {
    "Fengshan": {  # an unvaccinated adult, a child, a fully vaccinated adult
        "nursing-home": counts(admit=2, restrict=1),
        "mall-supermarket": counts(admit=2, persuade=1),
        "residential-quarter": counts(admit=2, register=1),
        "meeting": counts(admit=2, restrict=1),
    },
    "Huangqibao": {  # one dose, exempt (level 2), level-1 certificate (not exempt)
        "nursing-home": counts(admit=1, register=1, restrict=1),
        "mall-supermarket": counts(admit=2, persuade=1),
        "residential-quarter": counts(admit=2, register=1),
        "meeting": counts(admit=1, restrict=2),
    },
}


def test_parse_population_reads_doses_in_date_order() -> None:
    a3 = people()[2]
    assert (a3.key, a3.birth_date, a3.street) == ("a3", "1975-06-30", "Fengshan")
    assert [(d.number, d.day.isoformat()) for d in a3.doses] == [(1, "2021-05-01"),
                                                                   (2, "2021-06-01")]
    b2 = people()[4]
    assert [(e.institution_level, e.valid_until.isoformat()) for e in b2.exemptions] == [
        (2, "2022-02-01")]


def test_counts_per_street_and_category_are_exact() -> None:
    result = simulate(shipped_pack("fangzi-2021"), people(), AT)
    rows = {(r["street"], r["venue_category"]): r for r in result.rows()}
    assert len(rows) == 2 * len(VENUE_CATEGORIES)
    assert result.people == Counter({"Fengshan": 3, "Huangqibao": 3})
    for street, by_category in EXPECTED.items():
        for category, expected in by_category.items():
            row = rows[(street, category)]
            assert {o: row[o] for o in OUTCOMES} == expected, (street, category)
    # Categories sharing a rule count alike; every row counts each person once.
    assert rows[("Fengshan", "welfare-home")] == rows[("Fengshan", "nursing-home")] | {
        "venue_category": "welfare-home"}
    assert all(sum(int(r[o]) for o in OUTCOMES) == 3 for r in rows.values())


def test_rows_are_sorted_by_street_then_category() -> None:
    rows = list(simulate(shipped_pack("fangzi-2021"), people(), AT).rows())
    keys = [(r["street"], r["venue_category"]) for r in rows]
    assert keys == sorted(keys)


def test_venue_category_filter() -> None:
    result = simulate(shipped_pack("fangzi-2021"), people(), AT, ["nursing-home", "meeting"])
    rows = {(r["street"], r["venue_category"]): {o: r[o] for o in OUTCOMES}
            for r in result.rows()}
    assert rows == {(street, category): EXPECTED[street][category]
                    for street in EXPECTED for category in ("nursing-home", "meeting")}


def test_unknown_category_in_the_filter_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        simulate(shipped_pack("fangzi-2021"), people(), AT, ["karaoke"])
    assert caught.value.code == "venue-category-unknown"


def test_another_pack_counts_differently() -> None:
    result = simulate(shipped_pack("baiyin-2021"), people(), AT, ["mall-supermarket"])
    rows = {r["street"]: {o: r[o] for o in OUTCOMES} for r in result.rows()}
    assert rows == {"Fengshan": counts(admit=2, deny=1), "Huangqibao": counts(admit=2, deny=1)}


@pytest.mark.parametrize(("row", "why"), [
    ("x,1990-13-01,Fengshan,,,,", "birth_date"),
    ("x,,Fengshan,,,,", "birth_date is empty"),
    ("x,1990-01-01,,,,,", "street is empty"),
    ("x,1990-01-01,   ,,,,", "street is empty"),
    ("x,1990-01-01,Fengshan,BBIBP-CorV,,,", "PRODUCT@YYYY-MM-DD"),
    ("x,1990-01-01,Fengshan,@2021-05-01,,,", "PRODUCT@YYYY-MM-DD"),
    ("x,1990-01-01,Fengshan,BBIBP-CorV@2021-02-30,,,", "doses"),
    ("x,1990-01-01,Fengshan,,two,2021-08-01,2022-02-01", "exemption_level"),
    ("x,1990-01-01,Fengshan,,4,2021-08-01,2022-02-01", "exemption_level"),
    ("x,1990-01-01,Fengshan,,2,,2022-02-01", "exemption_valid_from is empty"),
    ("x,1990-01-01,Fengshan,,2,2022-08-01,2022-02-01", "before exemption_valid_from"),
], ids=["bad-birth-date", "empty-birth-date", "empty-street", "blank-street", "dose-no-date",
        "dose-no-product", "dose-bad-date", "bad-level", "level-out-of-range",
        "exemption-no-start", "exemption-ends-before-it-starts"])
def test_bad_row_is_refused_naming_its_line(row: str, why: str) -> None:
    lines = POPULATION.splitlines()
    text = "\n".join([*lines[:3], row, *lines[3:]]) + "\n"  # the bad row is on line 4
    with pytest.raises(PolicyError) as caught:
        people(text)
    assert caught.value.code == "population-invalid"
    assert caught.value.message.startswith("population line 4:"), caught.value.message
    assert why in caught.value.message


def test_missing_column_is_refused_naming_the_column() -> None:
    text = "person,birth_date,doses\nx,1990-01-01,\n"
    with pytest.raises(PolicyError) as caught:
        people(text)
    assert caught.value.code == "population-invalid"
    assert "line 2" in caught.value.message and "street" in caught.value.message


# csv.DictReader skips blank lines and reads a quoted field across lines: the line named is the
# file's, not the row's count.
@pytest.mark.parametrize("first", ["a,1990-01-01,Fengshan,\n\n", 'a,1990-01-01,"Feng\nshan",\n'],
                         ids=["blank-line", "multi-line-field"])
def test_line_number_is_the_files_line(first: str) -> None:
    text = "person,birth_date,street,doses\n" + first + "b,1990-13-01,Fengshan,\n"
    with pytest.raises(PolicyError) as caught:
        people(text)
    assert caught.value.message.startswith("population line 4:"), caught.value.message


def test_partial_birth_dates_are_read_as_their_earliest_day() -> None:
    text = "person,birth_date,street,doses\na,2009,Fengshan,\nb,2010-05,Fengshan,\n"
    result = simulate(shipped_pack("fangzi-2021"), people(text), AT, ["nursing-home"])
    # Read as 1 January 2009 (12 on 2021-09-10: restricted) and 1 May 2010 (11: admitted).
    (row,) = result.rows()
    assert row["restrict"] == 1 and row["admit"] == 1
