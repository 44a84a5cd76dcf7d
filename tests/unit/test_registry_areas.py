"""The area hierarchy: codes, levels, parents and containment."""

from __future__ import annotations

import pytest

from jointcheck.errors import RegistryError
from jointcheck.registry.areas import (
    Area,
    AreaLevel,
    check_area_code,
    is_within,
    level_of,
    parent_of,
    street_of,
)


@pytest.mark.parametrize(("code", "level", "parent"), [
    ("fz", AreaLevel.DISTRICT, None),
    ("fz.s01", AreaLevel.STREET, "fz"),
    ("fz.s01.c02", AreaLevel.COMMUNITY, "fz.s01"),
    ("fz.s01.c02.g03", AreaLevel.GRID, "fz.s01.c02"),
])
def test_level_and_parent_follow_from_the_code(code: str, level: AreaLevel,
                                               parent: str | None) -> None:
    area = Area.of(code, "name")
    assert (area.level, area.parent) == (level, parent)
    assert (level_of(code), parent_of(code)) == (level, parent)


@pytest.mark.parametrize("code", ["", "fz.", ".fz", "fz..s01", "FZ S01", "fz.s01.c02.g03.x",
                                  "fz/s01", "a" * 17])
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(RegistryError) as caught:
        level_of(code)
    assert caught.value.code == "bad-area-code"
    assert caught.value.stage == "registry"


def test_upper_case_is_folded_when_read() -> None:
    assert Area.of(" FZ.S01 ", "Street").code == "fz.s01"


def test_an_area_must_agree_with_its_code() -> None:
    with pytest.raises(RegistryError, match="street"):
        Area("fz.s01", "x", AreaLevel.GRID, "fz")
    with pytest.raises(RegistryError, match="parent"):
        Area("fz.s01", "x", AreaLevel.STREET, "other")
    with pytest.raises(RegistryError) as caught:
        Area.of("fz", " ")
    assert caught.value.code == "missing-field"


def test_containment_is_by_whole_segments() -> None:
    assert is_within("fz.s01.c02.g03", "fz.s01")
    assert is_within("fz.s01", "fz.s01")
    assert is_within("fz.s01", "fz")
    assert not is_within("fz.s010", "fz.s01")
    assert not is_within("fz.s01", "fz.s01.c02")
    assert not is_within("fzz.s01", "fz")


def test_the_street_of_an_area() -> None:
    assert street_of("fz.s01.c02.g03") == "fz.s01"
    assert street_of("fz.s01") == "fz.s01"
    with pytest.raises(RegistryError):
        street_of("fz")


@pytest.mark.parametrize("code", ["fz.s01\n", "fz\n.s01", " fz"])
def test_an_area_code_with_a_line_break_or_space_is_refused(code: str) -> None:
    with pytest.raises(RegistryError):
        check_area_code(code)
