"""Residents, vaccination records, contraindications and the products they may name."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from jointcheck.errors import RegistryError
from jointcheck.registry.people import (
    Contraindication,
    Resident,
    Sex,
    VaccinationRecord,
    parse_sex,
)
from jointcheck.registry.products import EU_REGISTER, PRODUCTS, product


def record(**change: object) -> VaccinationRecord:
    values: dict[str, object] = {"pid": "p1-a", "product": "BBIBP-CorV", "dose_number": 1,
                                 "series_total": 2, "date": date(2021, 5, 1), "site": "CDC",
                                 "lot": "L1"}
    return VaccinationRecord(**(values | change))  # type: ignore[arg-type]


def test_products_primary_series() -> None:
    assert product("BBIBP-CorV").primary_doses == 2
    assert product("CoronaVac").primary_doses == 2
    assert product("Convidecia").primary_doses == 1
    assert product("EU/1/20/1525").primary_doses == 1
    assert product("Abdala").primary_doses == 3
    assert product("EU/1/20/1528").system == EU_REGISTER
    with pytest.raises(RegistryError) as caught:
        product("ZF2001-typo")
    assert caught.value.code == "unknown-product"


def test_products_are_the_dcc_value_set(conformance_dir: Path) -> None:
    value_set = json.loads((conformance_dir / "dcc-valuesets" /
                            "vaccine-medicinal-product.json").read_text())
    values = value_set["valueSetValues"]
    assert set(PRODUCTS) == set(values)
    for code, entry in values.items():
        assert PRODUCTS[code].system == entry["system"]
        assert PRODUCTS[code].active == entry["active"]


@pytest.mark.parametrize(("text", "sex"), [("M", Sex.MALE), ("female", Sex.FEMALE),
                                           ("男", Sex.MALE), ("女", Sex.FEMALE),
                                           (" Other ", Sex.OTHER), ("u", Sex.UNKNOWN)])
def test_sex_words(text: str, sex: Sex) -> None:
    assert parse_sex(text) is sex


def test_unknown_sex_word() -> None:
    with pytest.raises(RegistryError) as caught:
        parse_sex("x")
    assert caught.value.code == "bad-sex"


def test_a_booster_may_exceed_the_series() -> None:
    assert record(dose_number=3, series_total=2).dose_number == 3


@pytest.mark.parametrize(("change", "code"), [
    ({"product": "Nope"}, "unknown-product"),
    ({"dose_number": 0}, "bad-dose"),
    ({"series_total": 10}, "bad-dose"),
    ({"date": date(2019, 12, 31)}, "bad-date"),
    ({"pid": " "}, "missing-field"),
    ({"lot": "x" * 201}, "bad-field"),
])
def test_bad_records(change: dict[str, object], code: str) -> None:
    with pytest.raises(RegistryError) as caught:
        record(**change)
    assert caught.value.code == code


def test_a_resident_needs_a_name_and_a_well_formed_area() -> None:
    Resident("p1-a", "张 伟", Sex.MALE, date(1990, 1, 1), "", "", "fz.s01")
    with pytest.raises(RegistryError, match="name"):
        Resident("p1-a", "", Sex.MALE, date(1990, 1, 1), "", "", "fz.s01")
    with pytest.raises(RegistryError) as caught:
        Resident("p1-a", "A", Sex.MALE, date(1990, 1, 1), "", "", "fz s01")
    assert caught.value.code == "bad-area-code"


def certificate(**change: object) -> Contraindication:
    values: dict[str, object] = {
        "pid": "p1-a", "institution": "Fangzi People's Hospital", "institution_level": 2,
        "reason_category": "allergy", "valid_from": date(2021, 8, 1),
        "valid_until": date(2021, 12, 31), "certificate_id": "EX-1"}
    return Contraindication(**(values | change))  # type: ignore[arg-type]


def test_contraindication_validity() -> None:
    valid = certificate()
    assert valid.valid_on(date(2021, 8, 1)) and valid.valid_on(date(2021, 12, 31))
    assert not valid.valid_on(date(2022, 1, 1))


@pytest.mark.parametrize(("change", "code"), [
    ({"institution_level": 4}, "bad-institution-level"),
    ({"reason_category": "diagnosis: measles"}, "bad-reason"),
    ({"valid_until": date(2021, 7, 1)}, "bad-validity"),
    ({"certificate_id": ""}, "missing-field"),
])
def test_bad_contraindications(change: dict[str, object], code: str) -> None:
    with pytest.raises(RegistryError) as caught:
        certificate(**change)
    assert caught.value.code == code
