"""A dose target (R13) and its split to streets: by the largest remainder method, or by hand.

A higher level assigns an area a number of doses within a period of local days. The doses are
split to the streets of the area in proportion to each street's eligible unvaccinated
residents by the largest remainder (Hamilton) method, so the shares are whole doses that sum
exactly to the total; or by hand, in which case the shares must sum to the total.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jointcheck.errors import JointcheckError

MAX_DOSES = 100_000_000
"""Most doses one target may assign."""
MAX_PERIOD_DAYS = 366
"""Longest period of a target, in days."""


class TargetError(JointcheckError, ValueError):
    """A dose target or its split is malformed.

    Codes: ``bad-doses``, ``bad-period``, ``bad-area``, ``bad-split``, ``split-mismatch``,
    ``unknown-street``, ``no-eligible``, ``unknown-target``.
    """

    stage = "target"


class SplitMethod(StrEnum):
    """How a target's doses are split to streets."""

    PROPORTIONAL = "proportional"
    MANUAL = "manual"


def parse_split_method(text: str) -> SplitMethod:
    """Return the split method named by ``text``; raise ``TargetError`` (``bad-split``)."""
    try:
        return SplitMethod(text)
    except ValueError:
        names = ", ".join(m.value for m in SplitMethod)
        raise TargetError("bad-split", f"{text!r} is not a split method (one of {names})"
                          ) from None


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """What a higher level assigns: an area, a number of doses, a period of local days."""

    area: str
    doses: int
    start: date
    end: date

    def __post_init__(self) -> None:
        if isinstance(self.doses, bool) or not isinstance(self.doses, int) \
                or not 0 < self.doses <= MAX_DOSES:
            raise TargetError("bad-doses", f"a target is 1 to {MAX_DOSES:,} doses, "
                              f"not {self.doses!r}")
        if self.end < self.start:
            raise TargetError("bad-period", f"the period ends ({self.end.isoformat()}) before "
                              f"it starts ({self.start.isoformat()})")
        if self.days > MAX_PERIOD_DAYS:
            raise TargetError("bad-period", f"a target's period is at most {MAX_PERIOD_DAYS} "
                              f"days, not {self.days}")

    @property
    def days(self) -> int:
        """Return the number of days of the period, both ends included."""
        return (self.end - self.start).days + 1


def split_proportional(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` doses among streets in proportion to ``weights`` (largest remainder).

    Each street first gets the whole part of its quota ``total * weight / sum``; the doses
    left over go one each to the streets with the largest remainders, ties to the larger
    weight and then to the smaller code, so the result is reproducible. The shares sum
    exactly to ``total``. Raise ``TargetError`` when no street has any weight.
    """
    if total < 0:
        raise TargetError("bad-doses", f"cannot split {total} doses")
    if any(weight < 0 for weight in weights.values()):
        raise TargetError("bad-split", "a street's weight cannot be negative")
    whole = sum(weights.values())
    if whole == 0:
        raise TargetError("no-eligible", "no street of the area has eligible unvaccinated "
                          "residents to split by; split the doses by hand")
    shares = {street: total * weight // whole for street, weight in weights.items()}
    left = total - sum(shares.values())
    by_remainder = sorted(weights, key=lambda s: (-(total * weights[s] % whole),
                                                  -weights[s], s))
    for street in by_remainder[:left]:
        shares[street] += 1
    return dict(sorted(shares.items()))


def check_manual_split(total: int, shares: Mapping[str, int],
                       streets: Collection[str]) -> dict[str, int]:
    """Return a split by hand over every street of ``streets`` (a street not named gets 0).

    Raise ``TargetError``: ``unknown-street`` for a street outside the area, ``bad-split``
    for a negative share or no share at all, ``split-mismatch`` when the shares do not sum
    to ``total``.
    """
    if not shares:
        raise TargetError("bad-split", "a split by hand names at least one street's doses")
    unknown = sorted(set(shares) - set(streets))
    if unknown:
        raise TargetError("unknown-street", f"not a street of the area: {', '.join(unknown)}")
    negative = sorted(s for s, n in shares.items() if n < 0)
    if negative:
        raise TargetError("bad-split", f"a share cannot be negative: {', '.join(negative)}")
    given = sum(shares.values())
    if given != total:
        raise TargetError("split-mismatch", f"the streets' shares sum to {given:,} doses, "
                          f"not to the target's {total:,}")
    return {street: shares.get(street, 0) for street in sorted(streets)}


def parse_shares(items: Iterable[str]) -> dict[str, int]:
    """Read ``CODE=N`` items into shares; raise ``TargetError`` (``bad-split``)."""
    shares: dict[str, int] = {}
    for item in items:
        code, sep, number = item.partition("=")
        code = code.strip()
        if not sep or not code:
            raise TargetError("bad-split", f"{item!r} is not CODE=N")
        try:
            doses = int(number.strip())
        except ValueError:
            raise TargetError("bad-split", f"{item!r}: {number.strip()!r} is not a whole "
                              "number of doses") from None
        if code in shares:
            raise TargetError("bad-split", f"the street {code} is named twice")
        shares[code] = doses
    return shares
