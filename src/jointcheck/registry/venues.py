"""Venues (key places and residential quarters) and their checkpoints (entrances).

A venue's category is one of the stable slugs of ``jointcheck.rules.venues``, which the policy
packs map to their rules; it sits in a street and is run by an operator organisation, which is
responsible for its checks (R1).
"""

from __future__ import annotations

from dataclasses import dataclass

from jointcheck.errors import RegistryError
from jointcheck.registry.areas import AreaLevel, level_of
from jointcheck.registry.fields import check_code, require
from jointcheck.rules.venues import VENUE_CATEGORIES, is_venue_category


@dataclass(frozen=True, slots=True)
class Venue:
    """A key place or residential quarter that checks people at entry."""

    code: str
    name: str
    category: str
    street: str
    operator: str | None

    def __post_init__(self) -> None:
        check_code(self.code, "venue")
        require(self.name, "venue name")
        if not is_venue_category(self.category):
            raise RegistryError("unknown-category", f"venue category {self.category!r} is not "
                                f"one of {', '.join(VENUE_CATEGORIES)}")
        if level_of(self.street) is not AreaLevel.STREET:
            raise RegistryError("bad-level", f"{self.street!r} is not a street")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One entrance of a venue where people are checked."""

    code: str
    venue: str
    name: str

    def __post_init__(self) -> None:
        check_code(self.code, "checkpoint")
        require(self.name, "checkpoint name")
