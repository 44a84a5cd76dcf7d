"""Areas: the district, its streets (sub-districts), their communities and the grids in them.

An area's code is hierarchical and dotted, one segment per level: ``fz`` (district),
``fz.s01`` (street), ``fz.s01.c02`` (community), ``fz.s01.c02.g03`` (grid). The parent of an
area is its code less the last segment, so containment is a prefix test on whole segments and
a query "everything within street s01" is ``code = 'fz.s01' OR code LIKE 'fz.s01.%'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from jointcheck.errors import RegistryError
from jointcheck.registry.fields import require

SEGMENT = re.compile(r"[a-z0-9][a-z0-9_-]{0,15}", re.ASCII)


class AreaLevel(StrEnum):
    """The levels of the hierarchy, from the top."""

    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


LEVELS: tuple[AreaLevel, ...] = tuple(AreaLevel)


def check_area_code(code: str) -> str:
    """Return ``code`` if it is a well-formed area code of one to four segments."""
    segments = code.split(".")
    if len(segments) > len(LEVELS) or not all(SEGMENT.fullmatch(s) for s in segments):
        raise RegistryError("bad-area-code", f"{code!r} is not an area code such as fz.s01.c02")
    return code


def level_of(code: str) -> AreaLevel:
    """Return the level an area code names (by its number of segments)."""
    return LEVELS[len(check_area_code(code).split(".")) - 1]


def parent_of(code: str) -> str | None:
    """Return the code of the area that contains ``code`` directly, or None for a district."""
    head, _, _ = check_area_code(code).rpartition(".")
    return head or None


def is_within(code: str, scope_code: str) -> bool:
    """Tell whether area ``code`` is ``scope_code`` itself or lies inside it."""
    return code == scope_code or code.startswith(scope_code + ".")


def street_of(code: str) -> str:
    """Return the street an area at street level or below belongs to."""
    segments = check_area_code(code).split(".")
    if len(segments) < 2:
        raise RegistryError("bad-level", f"{code!r} is a district, not in a street")
    return ".".join(segments[:2])


@dataclass(frozen=True, slots=True)
class Area:
    """One area of the hierarchy; ``level`` and ``parent`` follow from the code."""

    code: str
    name: str
    level: AreaLevel
    parent: str | None

    def __post_init__(self) -> None:
        if level_of(self.code) is not self.level:
            raise RegistryError("bad-level", f"{self.code!r} is a {level_of(self.code)}, "
                                f"not a {self.level}")
        if parent_of(self.code) != self.parent:
            raise RegistryError("bad-area-code", f"the parent of {self.code!r} is "
                                f"{parent_of(self.code)!r}, not {self.parent!r}")

    @classmethod
    def of(cls, code: str, name: str) -> Area:
        """Return the area with ``code`` and ``name``, its level and parent taken from the code."""
        code = require(code, "area code").lower()
        return cls(code, require(name, "area name"), level_of(code), parent_of(code))
