"""The facts of a person as one flat vector, beside the nested facts the rules read.

:func:`jointcheck.rules.facts.facts_and_vector` lists a person's fact values in the order of
:data:`FACT_PATHS`. A rule whose conditions read only these paths takes its memo key from the
vector in one C call (``operator.itemgetter``) instead of walking the nested facts once per
path; a case's reason is remembered by the facts it fills in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

FACT_PATHS = (
    "person.age", "person.eligible", "person.adult",
    "vaccination.doses", "vaccination.any", "vaccination.complete", "vaccination.booster",
    "vaccination.level", "vaccination.days_since_last", "vaccination.complete_from",
    "exemption.present", "exemption.valid", "exemption.level", "exemption.until",
    "exemption.problem",
    "code.color",
    "external.validationClock", "external.eligibleFrom", "external.adultFrom",
)
_INDEX = {path: index for index, path in enumerate(FACT_PATHS)}

# The fact each reason placeholder shows; ``category`` and ``category_zh`` show the venue
# category, and ``min_level`` the pack's exemption policy.
PLACEHOLDER_FACTS = {
    "eligible_from": "external.eligibleFrom", "adult_from": "external.adultFrom",
    "age": "person.age", "doses": "vaccination.doses",
    "complete_from": "vaccination.complete_from", "exemption_level": "exemption.level",
    "exemption_until": "exemption.until",
}

VectorKey = Callable[[Sequence[Any]], tuple[Any, ...]]


def no_facts(vector: Sequence[Any]) -> tuple[Any, ...]:
    """Return the key of a reason that fills in no fact: always the empty tuple."""
    return ()


def vector_key(paths: Sequence[str]) -> VectorKey | None:
    """Return what takes the values of ``paths`` from a fact vector, in order, as a tuple.

    ``None`` when a path is not one of :data:`FACT_PATHS`, or none is given.
    """
    if not paths or any(path not in _INDEX for path in paths):
        return None
    indices = [_INDEX[path] for path in paths]
    if len(indices) == 1:
        only = indices[0]
        return lambda vector: (vector[only],)
    getter: VectorKey = itemgetter(*indices)
    return getter
